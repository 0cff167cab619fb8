/**
 * SUB int8 -> the SUB record (ADD's layout, ts_add_record) -> ts_sub_s8 (kernels-c/src/add_mul.c).
 * TFLM's PrepareGeneralSubOp (sub_common.cc) is add's Prepare computed in float: twice the larger input
 * scale and the three ratios are float32 quotients (add_common.cc divides in double), then
 * QuantizeMultiplierSmallerThanOneExp. int32 SUB is the element-wise int32 op (elementwise.ts).
 */
import { ADD, OP } from '../../../device/records.js';
import { elementCount } from '../graph.js';
import { LoweredOp, OpContext } from './context.js';
import { binaryRecord, smallerThanOne } from './binary.js';

export function lowerSubInt8(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const a = c.input(0);
  const b = c.input(1);
  const output = c.output();
  // int16 (TFLM's int16x8 scheme): the same arithmetic with a left shift of 15, under its own op code.
  const s16 = output.type === 'int16';
  for (const t of [a, b, output]) c.expectType(t, s16 ? 'int16' : 'int8');
  const [aQ, bQ, outQ] = [c.quant(a), c.quant(b), c.quant(output)];
  const act = c.activation(output);
  const leftShift = s16 ? 15 : 20;
  const twiceMax = Math.fround(2 * Math.max(aQ.scale, bQ.scale));
  const m1 = smallerThanOne(c, Math.fround(aQ.scale / twiceMax), 'input 1');
  const m2 = smallerThanOne(c, Math.fround(bQ.scale / twiceMax), 'input 2');
  const mo = smallerThanOne(c, Math.fround(twiceMax / Math.fround(2 ** leftShift * outQ.scale)), 'output');
  const r = binaryRecord(c, s16 ? OP.SUB_S16 : OP.SUB, ADD, a, b, output)
    .setList('leftShift', [
      leftShift, -aQ.zeroPoint, m1.multiplier, m1.shift, -bQ.zeroPoint, m2.multiplier, m2.shift,
      outQ.zeroPoint, mo.multiplier, mo.shift, act.min, act.max,
    ]);
  return c.finish(r.code, r.words, elementCount(output.shape));
}
