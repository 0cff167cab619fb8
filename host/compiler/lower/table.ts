/**
 * ops-elem: int8 element-wise functions of one input byte, HARD_SWISH, ABS and RSQRT, lowered to a
 * 256-byte table (the TABLE record, ts_table_s8 in kernels-c/src/elementwise_s8.c). TFLM computes
 * each of them per element in its Eval from parameters its Prepare fixed; the output is a function
 * of the input byte alone, so evaluating that Eval here for all 256 bytes, with TFLM's integer
 * arithmetic reproduced exactly (int16/int32 wrap-around, gemmlowp's rounding), gives the same bytes
 * as TFLM for every input. The tests feed every byte through each table and compare with TFLM.

 */
import { OP, TABLE } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { Requant, quantizeMultiplier } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { sameShape } from './shapes.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const int16 = (x: number): number => (x << 16) >> 16;

/** gemmlowp SaturatingRoundingDoublingHighMul, int32. */
function srdhm32(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // truncates toward zero, as C++
}

/** gemmlowp SaturatingRoundingDoublingHighMul, int16. */
function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return int16(Math.trunc((ab + nudge) / (1 << 15)));
}

/** gemmlowp RoundingDivideByPOT: round to nearest, ties away from zero. */
function rdbpot(x: number, exponent: number): number {
  const mask = 2 ** exponent - 1;
  const remainder = x - Math.floor(x / 2 ** exponent) * 2 ** exponent; // x & mask, for any sign
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return Math.floor(x / 2 ** exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * gemmlowp RoundingDivideByPOT<int16_t>: the same in int16 arithmetic, where the mask (1 << e) - 1
 * is an int16 (all ones from e = 16 on).
 */
function rdbpot16(x: number, exponent: number): number {
  const mask = int16(2 ** exponent - 1);
  const remainder = int16(x & mask);
  const threshold = int16((mask >> 1) + (x < 0 ? 1 : 0));
  return int16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/** gemmlowp SaturatingRoundingMultiplyByPOT<exponent> (int32), either sign of exponent. */
function srmbpot(x: number, exponent: number): number {
  if (exponent <= 0) return rdbpot(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x * 2 ** exponent;
}

/** MultiplyByQuantizedMultiplier (TFLITE_SINGLE_ROUNDING off). */
function mbqm(x: number, m: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm32((x * 2 ** left) | 0, m), right);
}

const wrap32 = (x: number): number => x | 0;

/** GetInvSqrtQuantizedMultiplierExp(input, reverse_shift = -1) (kernels/internal/common.h). */
function invSqrtQuantizedMultiplierExp(input: number): Requant {
  if (input <= 1) return { multiplier: INT32_MAX, shift: 0 };
  let shift = 11;
  while (input >= 2 ** 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const maxLeftShiftBits = Math.clz32(input) - 1;
  const leftShiftBitPairs = Math.floor(maxLeftShiftBits / 2) - 1;
  shift -= leftShiftBitPairs;
  input = input * 2 ** (2 * leftShiftBitPairs);
  // FixedPoint<int32, 3> arithmetic: a product of Fa and Fb is Fa+b (SRDHM of the raws); Rescale<3>
  // from F(k) is SaturatingRoundingMultiplyByPOT<k - 3>; '-' wraps.
  const fixedInput = input >> 1;
  const halfInput = srmbpot(fixedInput, -1);
  const halfThree = (1 << 28) + (1 << 27);
  let x = 1 << 28; // F3 one
  for (let i = 0; i < 5; i++) {
    const x3 = srmbpot(srdhm32(srdhm32(x, x), x), 9 - 3);
    x = srmbpot(wrap32(srdhm32(halfThree, x) - srdhm32(halfInput, x3)), 6 - 3);
  }
  x = srdhm32(x, 1518500250); // x * sqrt(2)/2, F3 x F0 = F3
  let multiplier = x;
  if (shift < 0) {
    multiplier = wrap32(multiplier * 2 ** -shift);
    shift = 0;
  }
  return { multiplier, shift: -shift };
}

function unaryInt8(c: OpContext): [Tensor, Tensor] {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  if (input.type !== output.type) c.fail(`input is ${input.typeName}, output is ${output.typeName}`);
  c.expectType(input, 'int8');
  if (!sameShape(input.shape, output.shape) && elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  return [input, output];
}

function tableRecord(c: OpContext, input: Tensor, output: Tensor, f: (x: number) => number, minInput = -128): LoweredOp {
  const table = new Int8Array(256);
  for (let x = -128; x < 128; x++) table[x + 128] = f(x);
  const r = new RecordBuilder(OP.TABLE, TABLE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('table', { kind: 'const', id: c.consts.add(new Uint8Array(table.buffer)) })
    .set('size', elementCount(input.shape))
    .set('minInput', minInput);
  return c.finish(r.code, r.words);
}

const clamp8 = (v: number): number => Math.min(127, Math.max(-128, v));

/** hard_swish_common.cc HardSwishPrepare (int8) and reference_ops::HardSwish<int8_t>. */
export function lowerHardSwish(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const hiresInputScale = Math.fround(Math.fround(1 / 128) * inQ.scale);
  const reluishScale = Math.fround(3 / 32768);
  const outM = quantizeMultiplier(Math.fround(hiresInputScale / outQ.scale));
  const reluM = quantizeMultiplier(Math.fround(hiresInputScale / reluishScale));
  if (outM.shift > 0) c.fail(`output multiplier exponent ${outM.shift} is positive (TFLM requires <= 0: input scale / 128 >= output scale)`);
  const toInt16 = (m: number): number => (m >= INT32_MAX - (1 << 15) ? 32767 : int16((m + (1 << 15)) >> 16));
  const outFixed = toInt16(outM.multiplier);
  const reluFixed = toInt16(reluM.multiplier);
  const saturatingLeftShift = (v: number, amount: number): number => Math.min(32767, Math.max(-32768, v * 2 ** amount));
  const saturatingDoublingHighMul = (a: number, b: number): number =>
    a === -32768 && b === -32768 ? 32767 : int16(Math.trunc((a * b) / (1 << 15)));
  return tableRecord(c, input, output, (x) => {
    const inputValue = int16(x - inQ.zeroPoint);
    const hires = int16(inputValue * (1 << 7));
    const preshiftOutput = srdhm16(hires, outFixed);
    let reluish = hires;
    if (reluM.shift > 0) reluish = saturatingLeftShift(reluish, reluM.shift - 1);
    reluish = srdhm16(reluish, reluFixed);
    if (reluM.shift > 0) reluish = saturatingLeftShift(reluish, 1);
    if (reluM.shift < 0) reluish = rdbpot16(reluish, -reluM.shift);
    reluish = int16((reluish + (1 << 15)) >> 1);
    const preshiftOutputValue = saturatingDoublingHighMul(reluish, preshiftOutput);
    let out = rdbpot16(preshiftOutputValue, -outM.shift);
    out = int16(out + outQ.zeroPoint);
    return clamp8(out);
  });
}

/** elementwise.cc PrepareAbsRsqrt / AbsEvalQuantized (int8). */
export function lowerAbs(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const needsRescale = inQ.scale !== outQ.scale;
  const m = needsRescale ? quantizeMultiplier(Math.fround(inQ.scale / outQ.scale)) : { multiplier: 0, shift: 0 };
  return tableRecord(c, input, output, (x) => {
    const value = Math.abs(x - inQ.zeroPoint);
    return clamp8(needsRescale ? mbqm(value, m.multiplier, m.shift) + outQ.zeroPoint : value + outQ.zeroPoint);
  });
}

/**
 * elementwise.cc PrepareAbsRsqrt / RsqrtEvalQuantized (int8). TFLM fails the invoke on an input
 * below the input zero point ("Rsqrt is only defined for positive values"): the table's minimum
 * input does the same on the device.
 */
export function lowerRsqrt(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  // 1 / double(sqrtf(input scale) * output scale): the product is float32.
  const m = quantizeMultiplier(1 / Math.fround(Math.fround(Math.sqrt(inQ.scale)) * outQ.scale));
  const kShift = 20;
  return tableRecord(
    c, input, output,
    (x) => {
      const value = x - inQ.zeroPoint;
      if (value === 0) return 127;
      if (value < 0) return 0; // never read: the kernel refuses these inputs
      const inv = invSqrtQuantizedMultiplierExp(value);
      const data = mbqm(1, inv.multiplier, inv.shift + kShift);
      return clamp8(wrap32(mbqm(data, m.multiplier, m.shift - kShift) + outQ.zeroPoint));
    },
    inQ.zeroPoint,
  );
}
