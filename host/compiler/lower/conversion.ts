/** Type conversions: QUANTIZE (float32 or int8 -> int8), DEQUANTIZE (int8 -> float32), CAST between integer types. */
import { AFFINE, CAST, OP, SIGNAL_OP } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { float32Bits } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { requantizeRecord } from './activations.js';

export function lowerQuantize(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
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

export function lowerDequantize(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
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
