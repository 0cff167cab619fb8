/**
 * Data movement that is an affine walk of its input, so the GATHER_VIEW record (out[i] = in[view(i)]) runs
 * it: SPLIT, SPLIT_V and UNPACK (one record per output), SLICE, BROADCAST_TO, DEPTH_TO_SPACE, SPACE_TO_DEPTH,
 * BATCH_TO_SPACE_ND and SPACE_TO_BATCH_ND (one record each); PACK is a CONCATENATION record (stacking along an
 * axis concatenates rows). TFLM copies bytes in all of them (no requantization), so neither do these; the
 * element types accepted are the ones TFLM's kernel registers for each op.
 */
import { BATCH_SPACE, CONCAT, CONCAT_INPUT, MAX_DIMS, OP } from '../../../device/records.js';
import { ElementType, Tensor, elementCount } from '../graph.js';
import { LoweredOp, OpContext, RecordBuilder, View } from './context.js';
import { elemSizeOf, gatherRecord } from './data-movement.js';
import { broadcastView, rowMajorStrides, sameShape } from './shapes.js';

const fill = <T>(n: number, v: T): T[] => new Array<T>(n).fill(v);
const show = (shape: readonly number[]) => `[${shape.join(',')}]`;

/** The box of `shape` at `begin` of extent `size`, walked in row-major order (padded to MAX_DIMS). */
function boxView(shape: readonly number[], begin: readonly number[], size: readonly number[]): View {
  const strides = rowMajorStrides(shape);
  const n = MAX_DIMS - shape.length;
  const empty = size.some((d) => d === 0);
  return {
    dims: [...fill(n, 1), ...size],
    step: [...fill(n, 0), ...strides],
    start: empty ? 0 : begin.reduce((s, b, k) => s + b * strides[k], 0),
  };
}

/** The op's element type is one TFLM's kernel registers, and every output has it. */
function expectTypes(c: OpContext, input: Tensor, outputs: readonly Tensor[], types: ElementType[]): void {
  c.expectType(input, ...types);
  for (const o of outputs) {
    if (o.type !== input.type) c.fail(`output tensor ${o.index} (${o.name}) is ${o.typeName}, its input ${input.index} is ${input.typeName}`);
  }
}

function expectMaxRank(c: OpContext, t: Tensor, max: number): void {
  if (t.shape.length > max) c.fail(`tensor ${t.index} (${t.name}) has rank ${t.shape.length}, at most ${max} supported (as TFLM)`);
}

function positiveAxis(c: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) c.fail(`axis ${axis} is outside rank ${rank}`);
  return a;
}

/** A constant scalar axis operand (TFLM: "Non-constant >axis< tensor is not supported"). */
function constAxis(c: OpContext, t: Tensor, rank: number): number {
  if (!c.isConst(t)) c.fail(`axis tensor ${t.index} (${t.name}) is not a constant; TFLM supports only a constant axis`);
  const v = c.ints(t);
  if (v.length !== 1) c.fail(`axis tensor ${t.index} (${t.name}) holds ${v.length} values, expected 1`);
  return positiveAxis(c, v[0], rank);
}

function outputsOf(c: OpContext): Tensor[] {
  if (c.op.outputs.length < 1) c.fail('has no output');
  return c.op.outputs.map((_, k) => c.output(k));
}

/** One GATHER_VIEW record per output: output k is the input's slab [at_k, at_k + sizes[k]) along `axis`. */
function splitRecords(c: OpContext, input: Tensor, outputs: Tensor[], axis: number, sizes: number[], dropAxis = false): LoweredOp[] {
  let at = 0;
  return outputs.map((o, k) => {
    const size = input.shape.map((d, j) => (j === axis ? sizes[k] : d));
    const expected = dropAxis ? size.filter((_, j) => j !== axis) : size;
    if (!sameShape(o.shape, expected)) c.fail(`output ${k} has shape ${show(o.shape)}, expected ${show(expected)}`);
    const begin = input.shape.map((_, j) => (j === axis ? at : 0));
    at += sizes[k];
    return gatherRecord(c, input, o, boxView(input.shape, begin, size));
  });
}

const SPLIT_TYPES: ElementType[] = ['float32', 'int8', 'int16', 'int32'];

/** SPLIT(axis, input): num_splits equal parts (TFLM's split.cc). */
export function lowerSplit(c: OpContext): LoweredOp[] {
  if (c.op.inputs.length !== 2) c.fail(`has ${c.op.inputs.length} inputs, expected 2`);
  const input = c.input(1);
  const outputs = outputsOf(c);
  expectTypes(c, input, outputs, SPLIT_TYPES);
  expectMaxRank(c, input, MAX_DIMS);
  const axis = constAxis(c, c.input(0), input.shape.length);
  const n = outputs.length;
  const numSplits = c.option<number>('numSplits', n);
  if (numSplits !== n) c.fail(`num_splits is ${numSplits} but the operator has ${n} outputs`);
  if (input.shape[axis] % n !== 0) c.fail(`dimension ${axis} (${input.shape[axis]}) does not split into ${n} equal parts`);
  return splitRecords(c, input, outputs, axis, fill(n, input.shape[axis] / n));
}

/** SPLIT_V(input, size_splits, axis): the parts' sizes are the outputs' (TFLM's split_v.cc reads them there). */
export function lowerSplitV(c: OpContext): LoweredOp[] {
  if (c.op.inputs.length !== 3) c.fail(`has ${c.op.inputs.length} inputs, expected 3`);
  const input = c.input(0);
  const outputs = outputsOf(c);
  expectTypes(c, input, outputs, SPLIT_TYPES);
  expectMaxRank(c, input, MAX_DIMS);
  const axis = constAxis(c, c.input(2), input.shape.length);
  const sizes = outputs.map((o, k) => {
    if (o.shape.length !== input.shape.length) c.fail(`output ${k} has rank ${o.shape.length}, the input ${input.shape.length}`);
    return o.shape[axis];
  });
  const total = sizes.reduce((s, d) => s + d, 0);
  if (total !== input.shape[axis]) c.fail(`the outputs add up to ${total} along axis ${axis}, the input has ${input.shape[axis]}`);
  const splits = c.optionalInput(1);
  if (splits && c.isConst(splits)) {
    const given = c.ints(splits);
    if (given.length !== outputs.length || given.some((s, k) => s !== -1 && s !== sizes[k])) c.fail(`size_splits [${given.join(',')}] does not match the outputs`);
  }
  return splitRecords(c, input, outputs, axis, sizes);
}

/** UNPACK: output k is the input's slice k along the axis, that axis removed (TFLM's unpack.cc). */
export function lowerUnpack(c: OpContext): LoweredOp[] {
  c.expectCounts(1, c.op.outputs.length);
  const input = c.input(0);
  const outputs = outputsOf(c);
  expectTypes(c, input, outputs, ['float32', 'int8', 'int16', 'int32']);
  expectMaxRank(c, input, MAX_DIMS);
  const axis = positiveAxis(c, c.option<number>('axis', 0), input.shape.length);
  const n = outputs.length;
  if (c.option<number>('num', n) !== n || input.shape[axis] !== n) c.fail(`num is ${c.option<number>('num', n)}, dimension ${axis} is ${input.shape[axis]} and there are ${n} outputs`);
  return splitRecords(c, input, outputs, axis, fill(n, 1), true);
}

/** PACK: input k becomes slice k of a new axis; as rows, that is CONCATENATION (TFLM's pack.cc). */
export function lowerPack(c: OpContext): LoweredOp {
  if (c.op.inputs.length < 1) c.fail('has no input');
  c.expectCounts(c.op.inputs.length);
  const output = c.output();
  const inputs = c.op.inputs.map((_, k) => c.input(k));
  expectTypes(c, inputs[0], [output, ...inputs], ['float32', 'int8', 'int16', 'int32']);
  expectMaxRank(c, output, MAX_DIMS);
  const axis = positiveAxis(c, c.option<number>('axis', 0), output.shape.length);
  const n = inputs.length;
  if (c.option<number>('valuesCount', n) !== n || output.shape[axis] !== n) c.fail(`values_count is ${c.option<number>('valuesCount', n)}, output dimension ${axis} is ${output.shape[axis]} and there are ${n} inputs`);
  const slice = output.shape.filter((_, j) => j !== axis);
  const elem = elemSizeOf(c, output);
  const outer = output.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const r = new RecordBuilder(OP.CONCATENATION, CONCAT, n * CONCAT_INPUT.words);
  inputs.forEach((t, k) => {
    if (!sameShape(t.shape, slice)) c.fail(`input ${k} has shape ${show(t.shape)}, expected ${show(slice)}`);
    const [ref, inPack] = c.readAny(t);
    const at = CONCAT.words + k * CONCAT_INPUT.words;
    r.words[at + CONCAT_INPUT.input] = ref;
    r.words[at + CONCAT_INPUT.inPack] = inPack;
    r.words[at + CONCAT_INPUT.rowBytes] = outer === 0 ? 0 : (elementCount(t.shape) / outer) * elem;
  });
  r.set('output', c.write(output)).set('outerSize', outer).set('inputCount', n);
  return c.finish(r.code, r.words);
}

/** SLICE(input, begin, size): size -1 runs to the end of the dimension (TFLM's slice.cc, at most 5 dims). */
export function lowerSlice(c: OpContext): LoweredOp {
  c.expectCounts(3);
  const input = c.input(0);
  const output = c.output();
  expectTypes(c, input, [output], ['float32', 'int8', 'int16', 'int32', 'bool']);
  expectMaxRank(c, input, 5);
  const rank = input.shape.length;
  const [begin, size] = [c.ints(c.input(1)), c.ints(c.input(2))];
  if (begin.length !== rank || size.length !== rank) c.fail(`begin and size must each hold ${rank} values`);
  const extent = size.map((s, k) => (s === -1 ? input.shape[k] - begin[k] : s));
  for (let k = 0; k < rank; k++) {
    if (begin[k] < 0 || extent[k] < 0 || begin[k] + extent[k] > input.shape[k]) c.fail(`slice [${begin[k]}, +${size[k]}) of dimension ${k} is outside 0..${input.shape[k]}`);
  }
  if (!sameShape(output.shape, extent)) c.fail(`output shape ${show(output.shape)} is not the slice's ${show(extent)}`);
  return gatherRecord(c, input, output, boxView(input.shape, begin, extent));
}

/** BROADCAST_TO(input, shape): the output shape is the constant shape operand (TFLM's broadcast_to.cc). */
export function lowerBroadcastTo(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const output = c.output();
  if (input.type !== output.type) c.fail(`tensors ${input.index} and ${output.index} differ in type (${input.typeName}, ${output.typeName})`);
  expectMaxRank(c, output, 5);
  if (input.shape.length > output.shape.length) c.fail(`input rank ${input.shape.length} is above the output rank ${output.shape.length}`);
  const shape = c.input(1);
  if (!c.isConst(shape)) c.fail(`shape tensor ${shape.index} (${shape.name}) is not a constant; TFLM supports only a constant shape`);
  const wanted = c.ints(shape);
  if (!sameShape(wanted, output.shape)) c.fail(`shape operand [${wanted.join(',')}] is not the output shape ${show(output.shape)}`);
  return gatherRecord(c, input, output, broadcastView(c, input.shape, output.shape));
}

function blockSize(c: OpContext): number {
  const b = c.option<number>('blockSize');
  if (!Number.isInteger(b) || b < 1) c.fail(`block_size is ${b}, must be at least 1`);
  return b;
}

/** DEPTH_TO_SPACE: out[b, h*s+i, w*s+j, d] = in[b, h, w, (i*s+j)*D + d] (reference_ops::DepthToSpace). */
export function lowerDepthToSpace(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const [input, output] = [c.input(0), c.output()];
  expectTypes(c, input, [output], ['float32', 'int8']);
  c.expectRank(input, 4);
  const s = blockSize(c);
  const [B, H, W, C] = input.shape;
  if (C % (s * s) !== 0) c.fail(`input depth ${C} is not a multiple of block_size^2 = ${s * s}`);
  const D = C / (s * s);
  if (!sameShape(output.shape, [B, H * s, W * s, D])) c.fail(`output shape ${show(output.shape)} is not ${show([B, H * s, W * s, D])}`);
  return gatherRecord(c, input, output, { dims: [B, H, s, W, s, D], step: [H * W * C, W * C, s * D, C, D, 1], start: 0 });
}

/** SPACE_TO_DEPTH: out[b, h, w, (i*s+j)*C + c] = in[b, h*s+i, w*s+j, c] (reference_ops::SpaceToDepth). */
export function lowerSpaceToDepth(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const [input, output] = [c.input(0), c.output()];
  expectTypes(c, input, [output], ['float32', 'int8']);
  c.expectRank(input, 4);
  const s = blockSize(c);
  const [B, H, W, C] = input.shape;
  if (H % s !== 0 || W % s !== 0) c.fail(`input height ${H} and width ${W} must be multiples of block_size ${s}`);
  if (!sameShape(output.shape, [B, H / s, W / s, C * s * s])) c.fail(`output shape ${show(output.shape)} is not ${show([B, H / s, W / s, C * s * s])}`);
  return gatherRecord(c, input, output, { dims: [B, H / s, W / s, s, s, C], step: [H * W * C, s * W * C, s * C, W * C, C, 1], start: 0 });
}

/** Block shape and crops/paddings of the *_TO_*_ND ops, for 3-D (NHC: W = 1) and 4-D (NHWC) tensors. */
function spatialParams(c: OpContext, t: Tensor, what: string): { block: [number, number]; pads: [number, number, number, number] } {
  const rank = t.shape.length;
  if (rank !== 3 && rank !== 4) c.fail(`tensor ${t.index} (${t.name}) has rank ${rank}, expected 3 or 4`);
  const block = c.ints(c.input(1));
  const pads = c.ints(c.input(2));
  const spatial = rank - 2;
  if (block.length !== spatial) c.fail(`block_shape holds ${block.length} values, expected ${spatial}`);
  if (pads.length !== 2 * spatial) c.fail(`${what} hold ${pads.length} values, expected ${2 * spatial}`);
  if (block.some((b) => b < 1)) c.fail(`block_shape [${block.join(',')}] must be positive`);
  if (pads.some((p) => p < 0)) c.fail(`${what} [${pads.join(',')}] must not be negative`);
  return spatial === 2
    ? { block: [block[0], block[1]], pads: [pads[0], pads[1], pads[2], pads[3]] }
    : { block: [block[0], 1], pads: [pads[0], pads[1], 0, 0] };
}

/** NHWC view of a 3-D (NHC) or 4-D tensor. */
const nhwc = (shape: readonly number[]) => (shape.length === 3 ? [shape[0], shape[1], 1, shape[2]] : [...shape]);

/** The BATCH_SPACE record (kernels-c/src/batch_space.c): TFLM's own loops, for what is not one walk. */
function batchSpaceRecord(c: OpContext, code: number, input: Tensor, output: Tensor, block: [number, number], before: [number, number]): LoweredOp {
  const r = new RecordBuilder(code, BATCH_SPACE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('elemSize', elemSizeOf(c, input))
    .setList('inputDims', nhwc(input.shape))
    .setList('outputDims', nhwc(output.shape))
    .set('blockH', block[0])
    .set('blockW', block[1])
    .set('beforeH', before[0])
    .set('beforeW', before[1]);
  return c.finish(r.code, r.words);
}

/**
 * BATCH_TO_SPACE_ND: out[b, h*bh+i-top, w*bw+j-left, c] = in[(i*bw+j)*B + b, h, w, c]
 * (reference_ops::BatchToSpaceND). A walk over the output (GATHER_VIEW) when the crops keep whole blocks
 * (always so without crops), else the BATCH_SPACE record.
 */
export function lowerBatchToSpaceNd(c: OpContext): LoweredOp {
  c.expectCounts(3);
  const [input, output] = [c.input(0), c.output()];
  expectTypes(c, input, [output], ['float32', 'int8']);
  if (output.shape.length !== input.shape.length) c.fail(`output rank ${output.shape.length} is not the input rank ${input.shape.length}`);
  const { block: [bh, bw], pads: [top, bottom, left, right] } = spatialParams(c, input, 'crops');
  const [N, H, W, C] = nhwc(input.shape);
  if (N % (bh * bw) !== 0) c.fail(`input batch ${N} is not a multiple of the block size ${bh * bw}`);
  const B = N / (bh * bw);
  const [OH, OW] = [H * bh - top - bottom, W * bw - left - right];
  if (OH < 0 || OW < 0 || !sameShape(nhwc(output.shape), [B, OH, OW, C])) c.fail(`output shape ${show(output.shape)} is not the input's with the block and crops applied`);
  const whole = (crop: number, out: number, b: number) => b === 1 || (crop % b === 0 && out % b === 0);
  if (!whole(top, OH, bh) || !whole(left, OW, bw)) return batchSpaceRecord(c, OP.BATCH_TO_SPACE_ND, input, output, [bh, bw], [top, left]);
  const plane = H * W * C;
  return gatherRecord(c, input, output, {
    dims: [B, OH / bh, bh, OW / bw, bw, C],
    step: [plane, W * C, bw * B * plane, C, B * plane, 1],
    start: (top / bh) * W * C + (left / bw) * C,
  });
}

/**
 * SPACE_TO_BATCH_ND: out[(i*bw+j)*B + b, h, w, c] = in[b, h*bh+i, w*bw+j, c] (reference_ops::SpaceToBatchND).
 * A walk over the output (GATHER_VIEW) without padding, else the BATCH_SPACE record. The padding is zero
 * bytes: TFLM's micro kernel never sets SpaceToBatchParams.output_offset (a persistent buffer it leaves as
 * the arena had it, zero), so it does not pad with the zero point as TensorFlow Lite does.
 */
export function lowerSpaceToBatchNd(c: OpContext): LoweredOp {
  c.expectCounts(3);
  const [input, output] = [c.input(0), c.output()];
  expectTypes(c, input, [output], ['float32', 'int8']);
  if (output.shape.length !== input.shape.length) c.fail(`output rank ${output.shape.length} is not the input rank ${input.shape.length}`);
  const { block: [bh, bw], pads } = spatialParams(c, input, 'paddings');
  const [B, H0, W0, C] = nhwc(input.shape);
  const [H, W] = [H0 + pads[0] + pads[1], W0 + pads[2] + pads[3]];
  if (H % bh !== 0 || W % bw !== 0) c.fail(`padded height ${H} and width ${W} are not multiples of the block [${bh},${bw}]`);
  if (!sameShape(nhwc(output.shape), [B * bh * bw, H / bh, W / bw, C])) c.fail(`output shape ${show(output.shape)} is not ${show([B * bh * bw, H / bh, W / bw, C])}`);
  if (pads.some((p) => p !== 0)) return batchSpaceRecord(c, OP.SPACE_TO_BATCH_ND, input, output, [bh, bw], [pads[0], pads[2]]);
  return gatherRecord(c, input, output, {
    dims: [bh, bw, B, H / bh, W / bw, C],
    step: [W * C, C, H * W * C, bh * W * C, bw * C, 1],
    start: 0,
  });
}
