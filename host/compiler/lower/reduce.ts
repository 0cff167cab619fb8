/**
 * REDUCE_MAX, REDUCE_MIN, ARG_MAX, ARG_MIN (int8) and SUM (int8). TFLM's reduce_common.cc and
 * arg_min_max.cc resolve the axes at Eval; here they become two views over the input (the kept dims
 * walk the output, the reduced dims walk one output element's inputs), as MEAN's lowering does.
 * SUM is TFLM's QuantizedMeanOrSum with compute_sum = true: MEAN's record and kernel with the plain
 * input/output scale ratio (no 1/count folded in).
 */
import { MAX_DIMS, MEAN, OP, REDUCE } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { LoweredOp, OpContext, RecordBuilder, View } from './context.js';
import { rowMajorStrides } from './shapes.js';

interface ReductionWalk {
  outer: View;
  inner: View;
  /** Input elements per output element. */
  count: number;
  /** Output elements. */
  outCount: number;
}

/** The views of a reduction over `axes` (resolved, duplicates dropped, as ResolveAxis does). */
function reductionWalk(c: OpContext, input: Tensor, axisValues: number[]): ReductionWalk {
  const rank = input.shape.length;
  const axes = new Set<number>();
  for (const a of axisValues) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) c.fail(`axis ${a} is outside rank ${rank}`);
    axes.add(a < 0 ? a + rank : a);
  }
  const strides = rowMajorStrides(input.shape);
  const dims = input.shape.map((_, k) => k);
  const view = (of: number[]): View => {
    const pad = MAX_DIMS - of.length;
    return {
      dims: [...new Array<number>(pad).fill(1), ...of.map((k) => input.shape[k])],
      step: [...new Array<number>(pad).fill(0), ...of.map((k) => strides[k])],
      start: 0,
    };
  };
  const kept = dims.filter((k) => !axes.has(k));
  const reduced = dims.filter((k) => axes.has(k));
  const count = reduced.reduce((p, k) => p * input.shape[k], 1);
  const outCount = kept.reduce((p, k) => p * input.shape[k], 1);
  if (count < 1 || outCount < 1) c.fail('reduces an empty tensor');
  return { outer: view(kept), inner: view(reduced), count, outCount };
}

function reduceCommon(c: OpContext, code: number, what: 'max' | 'min'): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  c.expectRank(input, 1, MAX_DIMS);
  const walk = reductionWalk(c, input, c.ints(c.input(1)));
  if (walk.outCount !== elementCount(output.shape)) c.fail(`output has ${elementCount(output.shape)} values, expected ${walk.outCount}`);
  // EvalMinMaxHelper: TF_LITE_ENSURE_EQ on the scales (as doubles) and the zero points.
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  if (inQ.scale !== outQ.scale || inQ.zeroPoint !== outQ.zeroPoint) {
    c.fail(`int8 reduce ${what} needs equal input and output quantization (TFLM checks it); input has scale ${inQ.scale} and zero point ${inQ.zeroPoint}, output ${outQ.scale} and ${outQ.zeroPoint}`);
  }
  const r = new RecordBuilder(code, REDUCE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setView('outer', walk.outer)
    .setView('inner', walk.inner)
    .set('outputBytes', 1);
  return c.finish(r.code, r.words, 0);
}

export const lowerReduceMax = (c: OpContext): LoweredOp => reduceCommon(c, OP.REDUCE_MAX, 'max');
export const lowerReduceMin = (c: OpContext): LoweredOp => reduceCommon(c, OP.REDUCE_MIN, 'min');

function argCommon(c: OpContext, code: number): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const axis = c.input(1);
  const output = c.output();
  c.expectType(input, 'int8');
  // TFLM's arg_min_max.cc Eval: "Only int32_t are supported currently" for the axis and the output.
  c.expectType(axis, 'int32');
  c.expectType(output, 'int32');
  c.expectRank(input, 1, MAX_DIMS);
  const rank = input.shape.length;
  if (output.shape.length !== rank - 1) c.fail(`output has rank ${output.shape.length}, expected ${rank - 1}`);
  const values = c.ints(axis);
  if (values.length < 1) c.fail('axis tensor is empty');
  const a = values[0] < 0 ? values[0] + rank : values[0];
  const walk = reductionWalk(c, input, [values[0]]);
  const expected = input.shape.filter((_, k) => k !== a);
  if (expected.some((d, k) => d !== output.shape[k])) c.fail(`output shape [${output.shape.join(', ')}] is not [${expected.join(', ')}]`);
  const r = new RecordBuilder(code, REDUCE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setView('outer', walk.outer)
    .setView('inner', walk.inner)
    .set('outputBytes', 4);
  return c.finish(r.code, r.words, 0);
}

export const lowerArgMax = (c: OpContext): LoweredOp => argCommon(c, OP.ARG_MAX);
export const lowerArgMin = (c: OpContext): LoweredOp => argCommon(c, OP.ARG_MIN);

/** SUM int8: QuantizedMeanOrSum(compute_sum = true) on MEAN's record and kernel. */
export function lowerSum(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  c.expectRank(input, 1, MAX_DIMS);
  const walk = reductionWalk(c, input, c.ints(c.input(1)));
  if (walk.outCount !== elementCount(output.shape)) c.fail(`output has ${elementCount(output.shape)} values, expected ${walk.outCount}`);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  // PrepareMeanOrSumHelper: QuantizeMultiplier(double(input scale) / double(output scale)).
  const base = c.requant(inQ.scale / outQ.scale, 'output');
  const r = new RecordBuilder(OP.MEAN, MEAN)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setView('outer', walk.outer)
    .setView('inner', walk.inner)
    .setList('inputZeroPoint', [inQ.zeroPoint, outQ.zeroPoint, walk.count, base.multiplier, base.shift]);
  return c.finish(r.code, r.words, elementCount(input.shape));
}
