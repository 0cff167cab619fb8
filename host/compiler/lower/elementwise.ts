/**
 * Element-wise binary ops: ADD and MUL int8 (TFLM's add/mul with requantization), and the int32 ADD, SUB,
 * MUL, DIV, MINIMUM, MAXIMUM the audio front end uses (one ELEMENTWISE_S32 record, kind chosen here).
 * ADD and MUL pick their kernel by the output type.
 */
import { lowerSubInt8 } from './sub.js';
import { binaryRecord, smallerThanOne } from './binary.js';
import { ADD, ELEMENTWISE, ELEMENTWISE_S32, MAX_DIMS, MUL, OP, SIGNAL_OP } from '../../../device/records.js';
import { elementCount } from '../graph.js';
import { LoweredOp, OpContext } from './context.js';

function lowerBinary(c: OpContext, code: number): LoweredOp {
  c.expectCounts(2);
  const a = c.input(0);
  const b = c.input(1);
  const output = c.output();
  // int16 (TFLM's int16x8 scheme): the same arithmetic on int16 elements, under its own op code.
  const s16 = output.type === 'int16';
  for (const t of [a, b, output]) c.expectType(t, s16 ? 'int16' : 'int8');
  const [aQ, bQ, outQ] = [c.quant(a), c.quant(b), c.quant(output)];
  if (s16 && code === OP.MUL) {
    // mul_common.cc: int16 MUL requires zero points 0.
    for (const t of [a, b, output]) if (c.quant(t).zeroPoint !== 0) c.fail(`tensor ${t.index} (${t.name}) is int16 with zero point ${c.quant(t).zeroPoint}, expected 0 (as TFLM requires)`);
  }
  const act = c.activation(output);
  const layout = code === OP.ADD ? ADD : MUL;
  const r = binaryRecord(c, s16 ? (code === OP.ADD ? OP.ADD_S16 : OP.MUL_S16) : code, layout, a, b, output);
  if (code === OP.ADD) {
    // add_common.cc: inputs rescaled to twice the larger input scale, 20 bits of headroom (15 for int16).
    const leftShift = s16 ? 15 : 20;
    const twiceMax = 2 * Math.max(aQ.scale, bQ.scale);
    const m1 = smallerThanOne(c, aQ.scale / twiceMax, 'input 1');
    const m2 = smallerThanOne(c, bQ.scale / twiceMax, 'input 2');
    const mo = smallerThanOne(c, twiceMax / (2 ** leftShift * outQ.scale), 'output');
    r.setList('leftShift', [
      leftShift, -aQ.zeroPoint, m1.multiplier, m1.shift, -bQ.zeroPoint, m2.multiplier, m2.shift,
      outQ.zeroPoint, mo.multiplier, mo.shift, act.min, act.max,
    ]);
  } else {
    const m = c.requant((aQ.scale * bQ.scale) / outQ.scale, 'output');
    r.setList('input1Offset', [-aQ.zeroPoint, -bQ.zeroPoint, outQ.zeroPoint, m.multiplier, m.shift, act.min, act.max]);
  }
  return c.finish(r.code, r.words, elementCount(output.shape));
}



function lowerElementwiseS32(c: OpContext, kind: number): LoweredOp {
  c.expectCounts(2);
  const a = c.input(0);
  const b = c.input(1);
  const output = c.output();
  for (const t of [a, b, output]) c.expectType(t, 'int32');
  if (output.shape.length > MAX_DIMS) c.fail(`rank above ${MAX_DIMS}`);
  const act = c.option<string>('fusedActivationFunction', 'NONE');
  // int32 activation bounds: CalculateActivationRange on the raw values.
  const ranges: Record<string, [number, number]> = {
    NONE: [-(2 ** 31), 2 ** 31 - 1], RELU: [0, 2 ** 31 - 1], RELU6: [0, 6], RELU_N1_TO_1: [-1, 1],
  };
  const range = ranges[act] ?? c.fail(`fused activation ${act} is not supported on int32`);
  if (kind === ELEMENTWISE.DIV) {
    const data = c.constData(b);
    if (data && new Int32Array(new Uint8Array(data).buffer).some((v) => v === 0)) c.fail('division by a constant zero');
  }
  const r = binaryRecord(c, SIGNAL_OP.ELEMENTWISE_S32, ELEMENTWISE_S32, a, b, output)
    .set('kind', kind)
    .set('actMin', range[0])
    .set('actMax', range[1]);
  return c.finish(r.code, r.words, elementCount(output.shape));
}

function isInt32Op(c: OpContext): boolean {
  const t = c.op.outputs.length > 0 ? c.output() : null;
  return t !== null && t.type === 'int32';
}

/** int32 ADD and MUL are the audio front end's; every other ADD and MUL is int8. */
function byOutputType(code: number, kind: number): (c: OpContext) => LoweredOp {
  return (c) => (isInt32Op(c) ? lowerElementwiseS32(c, kind) : lowerBinary(c, code));
}

export const lowerAdd = byOutputType(OP.ADD, ELEMENTWISE.ADD);
export const lowerMul = byOutputType(OP.MUL, ELEMENTWISE.MUL);
/** int32 SUB is the audio front end's; int8 SUB is TFLM's sub with requantization (sub.ts). */
export const lowerSub = (c: OpContext): LoweredOp => (isInt32Op(c) ? lowerElementwiseS32(c, ELEMENTWISE.SUB) : lowerSubInt8(c));
export const lowerDiv = (c: OpContext): LoweredOp => lowerElementwiseS32(c, ELEMENTWISE.DIV);
export const lowerMinimum = (c: OpContext): LoweredOp => lowerElementwiseS32(c, ELEMENTWISE.MIN);
export const lowerMaximum = (c: OpContext): LoweredOp => lowerElementwiseS32(c, ELEMENTWISE.MAX);
