/**
 * Data movement that is not an affine walk of its input (ops-move): GATHER, whose positions may be computed
 * at run time (GATHER_INDEX record, TFLM's gather.cc), and RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR (RESIZE
 * record, TFLM's resize_nearest_neighbor.cc and resize_bilinear.cc). TFLM copies or interpolates the stored
 * values without requantizing, so neither do these.
 */
import { GATHER_INDEX, GATHER_ND, MAX_DIMS, OP, RESIZE } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { elemSizeOf } from './data-movement.js';
import { sameShape } from './shapes.js';

const show = (shape: readonly number[]) => `[${shape.join(',')}]`;
const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

function sameType(c: OpContext, input: Tensor, output: Tensor): void {
  if (input.type !== output.type) c.fail(`tensors ${input.index} and ${output.index} differ in type (${input.typeName}, ${output.typeName})`);
}

/** GATHER(params, positions): TFLM's GatherPrepare checks, batch_dims folded into the record's batches. */
export function lowerGather(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const [input, positions, output] = [c.input(0), c.input(1), c.output()];
  c.expectType(input, 'int8', 'float32');
  c.expectType(positions, 'int32');
  sameType(c, input, output);
  const rank = input.shape.length;
  const axis0 = c.option<number>('axis', 0);
  const axis = axis0 < 0 ? axis0 + rank : axis0;
  if (axis < 0 || axis >= rank) c.fail(`axis ${axis0} is outside rank ${rank}`);
  const bd0 = c.option<number>('batchDims', 0);
  const bd = bd0 < 0 ? bd0 + positions.shape.length : bd0;
  if (bd > axis || bd < 0 || bd >= rank || bd > positions.shape.length) c.fail(`batch_dims ${bd0} must lie in [0, ${Math.min(axis, rank - 1, positions.shape.length)}]`);
  for (let i = 0; i < bd; i++) {
    if (input.shape[i] !== positions.shape[i]) c.fail(`batch dimension ${i} differs: input ${input.shape[i]}, positions ${positions.shape[i]}`);
  }
  const expected = [...input.shape.slice(0, axis), ...positions.shape.slice(bd), ...input.shape.slice(axis + 1)];
  if (!sameShape(output.shape, expected)) c.fail(`output shape ${show(output.shape)} is not ${show(expected)}`);
  const axisSize = input.shape[axis];
  if (c.isConst(positions)) {
    const bad = c.ints(positions).find((p) => p < 0 || p >= axisSize);
    if (bad !== undefined) c.fail(`position ${bad} is outside [0, ${axisSize})`);
  }
  const [inRef, inPack] = c.readAny(input);
  const [posRef, posPack] = c.readAny(positions);
  const r = new RecordBuilder(OP.GATHER_INDEX, GATHER_INDEX)
    .set('input', inRef)
    .set('indices', posRef)
    .set('output', c.write(output))
    .set('inputInPack', inPack)
    .set('indicesInPack', posPack)
    .set('elemSize', elemSizeOf(c, input))
    .set('batches', product(input.shape.slice(0, bd)))
    .set('outer', product(input.shape.slice(bd, axis)))
    .set('axisSize', axisSize)
    .set('coords', product(positions.shape.slice(bd)))
    .set('inner', product(input.shape.slice(axis + 1)));
  return c.finish(r.code, r.words);
}

/** GATHER_ND(params, indices): TFLM's GatherNdPrepare checks; its Eval's strides (dims_to_count). */
export function lowerGatherNd(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const [params, indices, output] = [c.input(0), c.input(1), c.output()];
  c.expectType(params, 'int8', 'float32');
  c.expectType(indices, 'int32');
  sameType(c, params, output);
  const [pRank, iRank] = [params.shape.length, indices.shape.length];
  if (pRank < 1) c.fail('params must be at least a vector');
  if (iRank < 1) c.fail('indices must be at least a vector');
  const depth = indices.shape[iRank - 1];
  if (depth > pRank) c.fail(`index depth ${depth} is above the params rank ${pRank}`);
  if (depth > 5) c.fail(`index depth ${depth} is above 5 (TFLM's MAX_INDICES_ND)`);
  if (pRank > MAX_DIMS) c.fail(`params rank ${pRank} above ${MAX_DIMS}`);
  const expected = [...indices.shape.slice(0, iRank - 1), ...params.shape.slice(depth)];
  if (!sameShape(output.shape, expected)) c.fail(`output shape ${show(output.shape)} is not ${show(expected)}`);
  const flat = product(params.shape);
  const strides: number[] = [];
  let remain = flat;
  for (let j = 0; j < depth; j++) {
    remain = params.shape[j] === 0 ? 0 : Math.trunc(remain / params.shape[j]);
    strides.push(remain);
  }
  const slices = product(indices.shape.slice(0, iRank - 1));
  const sliceSize = product(params.shape.slice(depth));
  if (c.isConst(indices)) {
    const v = c.ints(indices);
    for (let i = 0; i < slices; i++) {
      const from = strides.reduce((s, st, j) => s + v[i * depth + j] * st, 0);
      if (from < 0 || from + sliceSize > flat) c.fail(`index ${i} [${v.slice(i * depth, (i + 1) * depth).join(',')}] reaches outside the params`);
    }
  }
  const [inRef, inPack] = c.readAny(params);
  const [idxRef, idxPack] = c.readAny(indices);
  const r = new RecordBuilder(OP.GATHER_ND, GATHER_ND)
    .set('input', inRef)
    .set('indices', idxRef)
    .set('output', c.write(output))
    .set('inputInPack', inPack)
    .set('indicesInPack', idxPack)
    .set('elemSize', elemSizeOf(c, params))
    .set('slices', slices)
    .set('indexDepth', depth)
    .set('sliceSize', sliceSize)
    .set('flatSize', flat)
    .setList('strides', [...strides, ...new Array<number>(MAX_DIMS - strides.length).fill(0)]);
  return c.finish(r.code, r.words);
}

/** The RESIZE record of either op after ResizeNearestNeighborPrepare / ResizeBilinearPrepare's checks. */
function resizeRecord(c: OpContext, code: number): LoweredOp {
  c.expectCounts(2);
  const [input, size, output] = [c.input(0), c.input(1), c.output()];
  sameType(c, input, output);
  c.expectRank(input, 4);
  c.expectType(size, 'int32');
  if (size.shape.length !== 1 || elementCount(size.shape) !== 2) c.fail(`size tensor ${size.index} (${size.name}) has shape ${show(size.shape)}, expected [2]`);
  if (!c.isConst(size)) c.fail(`size tensor ${size.index} (${size.name}) is not a constant; TFLM supports only a constant size`);
  const [height, width] = c.ints(size);
  const [B, H, W, C] = input.shape;
  if (!sameShape(output.shape, [B, height, width, C])) c.fail(`output shape ${show(output.shape)} is not ${show([B, height, width, C])}`);
  if ((height > 0 && H < 1) || (width > 0 && W < 1)) c.fail('resizes an empty input');
  const alignCorners = c.option<boolean>('alignCorners', false);
  const halfPixelCenters = c.option<boolean>('halfPixelCenters', false);
  const r = new RecordBuilder(code, RESIZE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('elemSize', elemSizeOf(c, input))
    .set('batches', B)
    .set('inHeight', H)
    .set('inWidth', W)
    .set('outHeight', height)
    .set('outWidth', width)
    .set('depth', C)
    .set('alignCorners', alignCorners ? 1 : 0)
    .set('halfPixelCenters', halfPixelCenters ? 1 : 0);
  return c.finish(r.code, r.words);
}

export function lowerResizeNearestNeighbor(c: OpContext): LoweredOp {
  c.expectType(c.input(0), 'int8', 'int16', 'float32');
  return resizeRecord(c, OP.RESIZE_NEAREST_NEIGHBOR);
}

/**
 * int8 RESIZE_BILINEAR (TFLM's integer path). Refuses a resize where TFLM's 10-bit source position of some
 * output row or column lands past the input (TFLM would read outside it there).
 */
export function lowerResizeBilinear(c: OpContext): LoweredOp {
  c.expectType(c.input(0), 'int8');
  const alignCorners = c.option<boolean>('alignCorners', false);
  const halfPixelCenters = c.option<boolean>('halfPixelCenters', false);
  if (alignCorners && halfPixelCenters) c.fail('If half_pixel_centers is True, align_corners must be False (as TFLM)');
  const lowered = resizeRecord(c, OP.RESIZE_BILINEAR);
  const [, H, W] = c.input(0).shape;
  const [height, width] = c.ints(c.input(1));
  for (const [inSize, outSize, what] of [[H, height, 'row'], [W, width, 'column']] as const) {
    if (outSize < 1) continue;
    const scale = alignCorners && outSize > 1 ? Math.trunc((1024 * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1)) : Math.trunc((1024 * inSize + Math.trunc(outSize / 2)) / outSize);
    const last = (outSize - 1) * scale + (halfPixelCenters ? Math.trunc(scale / 2) - 512 : 0);
    if (Math.trunc(last / 1024) > inSize - 1) c.fail(`output ${what} ${outSize - 1} interpolates from beyond the input (${inSize}), where TFLM reads out of bounds`);
  }
  return lowered;
}
