/** Shape helpers shared by the lowerings: TFLite's extended shapes, row-major strides, broadcast walks. */
import { MAX_DIMS } from '../../../device/records.js';
import { OpContext, View } from './context.js';

/** Pads a shape to MAX_DIMS with leading 1s (TFLite's RuntimeShape::ExtendedShape). */
export function extend(shape: readonly number[]): number[] {
  return [...new Array<number>(MAX_DIMS - shape.length).fill(1), ...shape];
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape[k + 1];
  return strides;
}

export function nhwc(shape: readonly number[]): number[] {
  return [shape[0], shape[1], shape[2], shape[3]];
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A walk over `outShape` reading `inShape` with TFLite broadcasting (size-1 dims repeat). */
export function broadcastView(c: OpContext, inShape: readonly number[], outShape: readonly number[]): View {
  if (inShape.length > MAX_DIMS || outShape.length > MAX_DIMS) c.fail(`broadcasting supports at most ${MAX_DIMS} dimensions`);
  const inExt = extend(inShape);
  const outExt = extend(outShape);
  const strides = rowMajorStrides(inExt);
  const step = outExt.map((d, k) => {
    if (inExt[k] === d) return d === 1 ? 0 : strides[k];
    if (inExt[k] === 1) return 0;
    return c.fail(`shape [${inShape.join(',')}] does not broadcast to [${outShape.join(',')}]`);
  });
  return { dims: outExt, step, start: 0 };
}

