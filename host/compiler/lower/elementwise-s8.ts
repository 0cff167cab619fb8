/**
 * ops-elem: the int8 binary element-wise ops TFLM runs with broadcasting, all on ADD's record (its
 * two operands, output shape, broadcast walks and parameter block) and one kernel,
 * ts_binary_s8 (kernels-c/src/elementwise_s8.c): SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, PRELU and
 * the comparisons EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL (bool output); and
 * SELECT_V2 (bool condition, int8 values) on its own three-operand record; L2_NORMALIZATION (its own record). Each lowering does the
 * Prepare of TFLM's kernel on the host and refuses what that Prepare (or its Eval) refuses.
 */
import { ADD, L2_NORM, OP, SELECT } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { quantizeMultiplier } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { binaryRecord } from './binary.js';
import { lowerMaximum, lowerMinimum } from './elementwise.js';
import { broadcastView, extend, sameShape } from './shapes.js';

/** ADD's parameter block in record order (device/records.ts ADD.leftShift onwards). */
interface AddParams {
  leftShift: number;
  input1Offset: number; input1: { multiplier: number; shift: number };
  input2Offset: number; input2: { multiplier: number; shift: number };
  outputOffset: number; output: { multiplier: number; shift: number };
  actMin: number; actMax: number;
}

const NONE = { multiplier: 0, shift: 0 };

function binaryOp(c: OpContext, code: number, a: Tensor, b: Tensor, output: Tensor, p: AddParams): LoweredOp {
  const r = binaryRecord(c, code, ADD, a, b, output).setList('leftShift', [
    p.leftShift, p.input1Offset, p.input1.multiplier, p.input1.shift, p.input2Offset, p.input2.multiplier, p.input2.shift,
    p.outputOffset, p.output.multiplier, p.output.shift, p.actMin, p.actMax,
  ]);
  return c.finish(r.code, r.words, elementCount(output.shape));
}

function twoInputs(c: OpContext): [Tensor, Tensor, Tensor] {
  c.expectCounts(2);
  return [c.input(0), c.input(1), c.output()];
}

/**
 * QuantizeMultiplierSmallerThanOneExp(double): TFLITE_CHECKs that abort TFLM when the value is not
 * in (0, 1) or rounds up to a positive shift; here a compile error.
 */
function smallerThanOneExp(c: OpContext, real: number, what: string): { multiplier: number; shift: number } {
  if (!(real > 0 && real < 1)) c.fail(`${what} ${real} is not in (0, 1), as TFLM's QuantizeMultiplierSmallerThanOneExp requires`);
  const q = quantizeMultiplier(real);
  if (q.shift > 0) c.fail(`${what} ${real} rounds to a multiplier of 1, which TFLM's QuantizeMultiplierSmallerThanOneExp refuses`);
  return q;
}

/** squared_difference.cc, int8: PrepareQuantized with left shift 7, all ratios in double. */
export function lowerSquaredDifference(c: OpContext): LoweredOp {
  const [a, b, output] = twoInputs(c);
  if (a.type !== b.type) c.fail(`input types differ (${a.typeName}, ${b.typeName})`);
  for (const t of [a, b, output]) c.expectType(t, 'int8');
  const [aQ, bQ, outQ] = [c.quant(a), c.quant(b), c.quant(output)];
  const leftShift = 7;
  const twiceMax = 2 * Math.max(aQ.scale, bQ.scale);
  const m1 = smallerThanOneExp(c, aQ.scale / twiceMax, 'input 1 rescale');
  const m2 = smallerThanOneExp(c, bQ.scale / twiceMax, 'input 2 rescale');
  // (1 << 14) * output scale is a float32 product in TFLM (int times float), exact here.
  const mo = c.requant((twiceMax * twiceMax) / Math.fround(2 ** (2 * leftShift) * outQ.scale), 'output');
  return binaryOp(c, OP.SQUARED_DIFFERENCE, a, b, output, {
    leftShift, input1Offset: -aQ.zeroPoint, input1: m1, input2Offset: -bQ.zeroPoint, input2: m2,
    outputOffset: outQ.zeroPoint, output: mo, actMin: -128, actMax: 127,
  });
}

/** maximum_minimum.cc: the raw values of the output type, no quantization read (int32: elementwise.ts). */
function maxMin(code: number, int32: (c: OpContext) => LoweredOp): (c: OpContext) => LoweredOp {
  return (c) => {
    const [a, b, output] = twoInputs(c);
    if (output.type === 'int32') return int32(c);
    for (const t of [a, b, output]) c.expectType(t, 'int8', 'int32');
    for (const t of [a, b]) c.expectType(t, 'int8');
    return binaryOp(c, code, a, b, output, {
      leftShift: 0, input1Offset: 0, input1: NONE, input2Offset: 0, input2: NONE, outputOffset: 0, output: NONE, actMin: -128, actMax: 127,
    });
  };
}

export const lowerMaximumAny = maxMin(OP.MAXIMUM, lowerMaximum);
export const lowerMinimumAny = maxMin(OP.MINIMUM, lowerMinimum);

/** prelu_common.cc CalculatePreluParams (int8): both ratios in double, QuantizeMultiplier. */
export function lowerPrelu(c: OpContext): LoweredOp {
  const [input, alpha, output] = twoInputs(c);
  for (const t of [input, alpha, output]) c.expectType(t, 'int8');
  const [inQ, alphaQ, outQ] = [c.quant(input), c.quant(alpha), c.quant(output)];
  const m1 = prequant(c, inQ.scale / outQ.scale, 'input/output');
  const m2 = prequant(c, (inQ.scale * alphaQ.scale) / outQ.scale, 'input x alpha/output');
  return binaryOp(c, OP.PRELU, input, alpha, output, {
    leftShift: 0, input1Offset: -inQ.zeroPoint, input1: m1, input2Offset: -alphaQ.zeroPoint, input2: m2,
    outputOffset: outQ.zeroPoint, output: NONE, actMin: -128, actMax: 127,
  });
}

/** QuantizeMultiplier as TFLM takes it (any positive ratio), within the shifts the record allows. */
function prequant(c: OpContext, real: number, what: string): { multiplier: number; shift: number } {
  const q = quantizeMultiplier(real);
  if (q.shift > 30) c.fail(`${what} scale ratio ${real} is too large`);
  return q;
}

/** comparisons.cc, int8 inputs: each input's own scale as a multiplier (left shift 8); bool output. */
function comparison(code: number): (c: OpContext) => LoweredOp {
  return (c) => {
    const [a, b, output] = twoInputs(c);
    for (const t of [a, b]) c.expectType(t, 'int8');
    c.expectType(output, 'bool');
    const [aQ, bQ] = [c.quant(a), c.quant(b)];
    const m1 = smallerThanOneExp(c, aQ.scale, `input 1 scale`);
    const m2 = smallerThanOneExp(c, bQ.scale, `input 2 scale`);
    return binaryOp(c, code, a, b, output, {
      leftShift: 8, input1Offset: -aQ.zeroPoint, input1: m1, input2Offset: -bQ.zeroPoint, input2: m2,
      outputOffset: 0, output: NONE, actMin: -128, actMax: 127,
    });
  };
}

export const lowerEqual = comparison(OP.EQUAL);
export const lowerNotEqual = comparison(OP.NOT_EQUAL);
export const lowerLess = comparison(OP.LESS);
export const lowerLessEqual = comparison(OP.LESS_EQUAL);
export const lowerGreater = comparison(OP.GREATER);
export const lowerGreaterEqual = comparison(OP.GREATER_EQUAL);

/** select.cc (SELECT_V2): bool condition, x and y of one type (int8 here), copied without requantization. */
export function lowerSelectV2(c: OpContext): LoweredOp {
  c.expectCounts(3);
  const [cond, x, y, output] = [c.input(0), c.input(1), c.input(2), c.output()];
  c.expectType(cond, 'bool');
  if (x.type !== y.type) c.fail(`x and y types differ (${x.typeName}, ${y.typeName})`);
  for (const t of [x, y, output]) c.expectType(t, 'int8');
  // CheckBroadcastShape: the output is the broadcast of the three shapes (unless all hold one element).
  const shapes = [cond.shape, x.shape, y.shape];
  const allOne = [...shapes, output.shape].every((s) => elementCount(s) === 1);
  const rank = Math.max(...shapes.map((s) => s.length));
  const expected = Array.from({ length: rank }, (_, k) => shapes.map((s) => s[s.length - rank + k] ?? 1).find((d) => d !== 1) ?? 1);
  if (!allOne && !sameShape(expected, output.shape)) c.fail(`output shape [${output.shape.join(',')}] is not the broadcast shape [${expected.join(',')}] of the condition, x and y`);
  const [condRef, condInPack] = c.readAny(cond);
  const [xRef, xInPack] = c.readAny(x);
  const [yRef, yInPack] = c.readAny(y);
  const r = new RecordBuilder(OP.SELECT_V2, SELECT)
    .set('condition', condRef)
    .set('input1', xRef)
    .set('input2', yRef)
    .set('output', c.write(output))
    .set('conditionInPack', condInPack)
    .set('input1InPack', xInPack)
    .set('input2InPack', yInPack)
    .setList('outputShape', extend(output.shape))
    .setView('conditionView', broadcastView(c, cond.shape, output.shape))
    .setView('view1', broadcastView(c, x.shape, output.shape))
    .setView('view2', broadcastView(c, y.shape, output.shape));
  return c.finish(r.code, r.words);
}

/** l2norm.cc L2NormPrepare (int8): rank <= 4, no fused activation; the last axis is normalized. */
export function lowerL2Normalization(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  if (input.type !== output.type) c.fail(`input is ${input.typeName}, output is ${output.typeName}`);
  c.expectType(input, 'int8');
  if (input.shape.length > 4) c.fail(`input has rank ${input.shape.length}; TFLM's L2_NORMALIZATION takes at most 4`);
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  const act = c.option<string>('fusedActivationFunction', 'NONE');
  if (act !== 'NONE') c.fail(`fused activation ${act}: TFLM's L2_NORMALIZATION takes none`);
  const depth = input.shape.length > 0 ? input.shape[input.shape.length - 1] : 1;
  const r = new RecordBuilder(OP.L2_NORMALIZATION, L2_NORM)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('outerSize', depth === 0 ? 0 : elementCount(input.shape) / depth)
    .set('depth', depth)
    .set('inputZeroPoint', c.quant(input).zeroPoint);
  return c.finish(r.code, r.words);
}
