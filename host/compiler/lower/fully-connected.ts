/** FULLY_CONNECTED int8, per-tensor or per-channel weights; int16x8 (int16 activations, int64 bias) under its own op code. */
import { FC, OP } from '../../../device/records.js';
import { elementCount } from '../graph.js';
import { LoweredOp, OpContext, Operand, RecordBuilder } from './context.js';
import { perChannelRequant } from './conv.js';

export function lowerFullyConnected(c: OpContext): LoweredOp {
  c.expectCounts([2, 3]);
  const input = c.input(0);
  const filter = c.input(1);
  const bias = c.optionalInput(2);
  const output = c.output();
  const s16 = input.type === 'int16';
  c.expectType(input, s16 ? 'int16' : 'int8');
  c.expectType(filter, 'int8');
  c.expectType(output, s16 ? 'int16' : 'int8');
  c.expectRank(filter, 2);
  // fully_connected.cc: an int32 bias (or none, and quantized_bias_type int32) means an int32 accumulator.
  const bias32 = s16 && (bias ? bias.type === 'int32' : c.option<string | null>('quantizedBiasType', null) === 'int32');
  if (bias) c.expectType(bias, s16 && !bias32 ? 'int64' : 'int32');
  // FullyConnected applies the int16 zero points (TFLM allows them here, unlike conv).
  const format = c.option<string>('weightsFormat', 'DEFAULT');
  if (format !== 'DEFAULT') c.fail(`weights format ${format} is not supported`);
  const units = filter.shape[0];
  const depth = filter.shape[1];
  if (output.shape.length < 1 || output.shape[output.shape.length - 1] !== units) c.fail(`output's last dimension is not the ${units} filter rows`);
  const batches = elementCount(output.shape) / units;
  if (elementCount(input.shape) !== batches * depth) {
    c.fail(`input has ${elementCount(input.shape)} values, expected ${batches} batches x ${depth}`);
  }
  if (bias && elementCount(bias.shape) !== units) c.fail(`bias has ${elementCount(bias.shape)} values for ${units} units`);
  const [inQ, filterQ, outQ] = [c.quant(input), c.quant(filter), c.quant(output)];
  const perChannel = filter.scales.length > 1;
  let multipliers: Operand, shifts: Operand;
  if (perChannel) {
    if (filter.quantizedDimension !== 0) c.fail(`filter is quantized along dimension ${filter.quantizedDimension}, expected 0`);
    [multipliers, shifts] = perChannelRequant(c, input, filter, output, units, s16 && !bias32);
  } else {
    // GetQuantizedConvolutionMultipler: the scale product is taken in float32 first.
    const r = c.requant(Math.fround(inQ.scale * filterQ.scale) / outQ.scale, 'output');
    if (s16 && !bias32 && r.shift > 7) c.fail(`output scale ratio is too large for int16 (shift ${r.shift} > 7)`);
    multipliers = { kind: 'const', id: c.consts.addInt32([r.multiplier]) };
    shifts = { kind: 'const', id: c.consts.addInt32([r.shift]) };
  }
  const act = c.activation(output);
  const r = new RecordBuilder(s16 ? (bias32 ? OP.FULLY_CONNECTED_S16_B32 : OP.FULLY_CONNECTED_S16) : OP.FULLY_CONNECTED, FC)
    .set('input', c.read(input))
    .set('filter', c.constant(filter))
    .set('bias', bias ? c.constant(bias) : -1)
    .set('multipliers', multipliers)
    .set('shifts', shifts)
    .set('output', c.write(output))
    .set('scratch', -1)
    .set('perChannel', perChannel ? 1 : 0)
    .setList('batches', [batches, depth, units])
    .setList('inputOffset', [-inQ.zeroPoint, -filterQ.zeroPoint, outQ.zeroPoint, act.min, act.max]);
  return c.finish(r.code, r.words, batches * units * depth);
}

