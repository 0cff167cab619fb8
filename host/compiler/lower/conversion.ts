/**
 * Type conversions: QUANTIZE (float32 -> int8 or int16; requantization between int8, uint8, int16 and int32
 * for the pairs TFLM's quantize_common.cc allows), DEQUANTIZE (int8, int16 or uint8 -> float32), CAST
 * between integer types. float32/int8 -> int8 and int8 -> float32 keep their original records.
 */
import { AFFINE, AFFINE_T, CAST, CONVERT, OP, SIGNAL_OP } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { float32Bits } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { requantizeRecord } from './activations.js';

/** The (input, output) type pairs TFLM's quantize_common.cc requantizes (besides float32 -> int8/int16). */
const REQUANTIZE_PAIRS = new Set([
  'int16>int8', 'int8>int8', 'int8>uint8', 'uint8>int8', 'int8>int16', 'int8>int32', 'int16>int16', 'int16>int32',
  'int32>int8', 'int32>int16',
]);

export function lowerQuantize(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  if (input.type !== 'float32' && REQUANTIZE_PAIRS.has(`${input.type}>${output.type}`) && !(input.type === 'int8' && output.type === 'int8')) {
    return lowerRequantize(c, input, output);
  }
  if (input.type === 'float32' && output.type === 'int16') return lowerQuantizeF32S16(c, input, output);
  if (input.type !== 'float32' && input.type !== 'int8') {
    c.fail(`QUANTIZE from ${input.typeName} to ${output.typeName} is not supported (TFLM requantizes int16 to int8, int16 or int32, int32 to int8 or int16, uint8 to int8)`);
  }
  c.expectType(output, 'int8');
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  const outQ = c.quant(output);
  if (input.type === 'int8') {
    const inQ = c.quant(input);
    const m = c.requant(inQ.scale / outQ.scale, 'output');
    return requantizeRecord(c, input, output, inQ.zeroPoint, outQ.zeroPoint, m, { min: -128, max: 127 });
  }
  c.expectType(input, 'float32');
  const r = new RecordBuilder(OP.QUANTIZE_F32, AFFINE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), outQ.zeroPoint, float32Bits(outQ.scale)]);
  return c.finish(r.code, r.words);
}

/** QUANTIZE between integer types: reference_ops::Requantize with QuantizeMultiplier(in scale / out scale) in double. */
function lowerRequantize(c: OpContext, input: Tensor, output: Tensor): LoweredOp {
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const m = c.requant(inQ.scale / outQ.scale, 'output');
  const r = new RecordBuilder(OP.QUANTIZE_INT, CONVERT)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), typeCode(input), typeCode(output), inQ.zeroPoint, outQ.zeroPoint, m.multiplier, m.shift]);
  return c.finish(r.code, r.words);
}

/** QUANTIZE float32 -> int16: AffineQuantize (round(x / scale) + zero point, clamped). */
function lowerQuantizeF32S16(c: OpContext, input: Tensor, output: Tensor): LoweredOp {
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  const outQ = c.quant(output);
  const r = new RecordBuilder(OP.QUANTIZE_F32_S16, AFFINE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), outQ.zeroPoint, float32Bits(outQ.scale)]);
  return c.finish(r.code, r.words);
}

export function lowerDequantize(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  if (input.type === 'int16' || input.type === 'uint8') {
    c.expectType(output, 'float32');
    if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
    const q = c.quant(input);
    const any = new RecordBuilder(OP.DEQUANTIZE_ANY, AFFINE_T)
      .set('input', c.read(input))
      .set('output', c.write(output))
      .setList('size', [elementCount(input.shape), typeCode(input), q.zeroPoint, float32Bits(q.scale)]);
    return c.finish(any.code, any.words);
  }
  c.expectType(input, 'int8');
  c.expectType(output, 'float32');
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  const inQ = c.quant(input);
  const r = new RecordBuilder(OP.DEQUANTIZE, AFFINE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inQ.zeroPoint, float32Bits(inQ.scale)]);
  return c.finish(r.code, r.words);
}

/** Element type codes of the pack's tensor table (pack.ts DTYPE), plus 6 for uint32 (CAST only). */
function typeCode(t: Tensor): number {
  switch (t.type === 'other' ? t.typeName : t.type) {
    case 'int8': return 1;
    case 'int16': return 2;
    case 'int32': return 3;
    case 'uint8': return 5;
    case 'uint32': return 6;
    default: return 0;
  }
}

export function lowerCast(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  const from = typeCode(input);
  const to = typeCode(output);
  if (!from || !to) c.fail(`CAST from ${input.typeName} to ${output.typeName} is not supported`);
  const n = elementCount(input.shape);
  if (elementCount(output.shape) !== n) c.fail('input and output sizes differ');
  const r = new RecordBuilder(SIGNAL_OP.CAST, CAST)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [n, from, to]);
  return c.finish(r.code, r.words);
}
