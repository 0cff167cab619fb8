/**
 * TRANSPOSE_CONV int8 (per-channel) and int16x8 (int64 or int16 bias), TFLM's transpose_conv.cc. Its
 * Prepare: padding from ComputePaddingHeightWidth over the OUTPUT's height and width (dilation 1),
 * PopulateConvolutionQuantizationParams per output channel (filter dimension 0). Input 0 (the output
 * shape) is not read: TFLM takes the shape from the output tensor, and so does this lowering. The
 * record is CONV's; the kernels gather per output element (no int32/int64 scratch of the output's size).
 */
import { CONV, OP } from '../../../device/records.js';
import { elementCount } from '../graph.js';
import { FusedActivation, activationRange, windowPadding } from '../quant.js';
import { perChannelRequant } from './conv.js';
import { LoweredOp, OpContext, RecordBuilder, Word } from './context.js';
import { nhwc } from './shapes.js';

export function lowerTransposeConv(c: OpContext): LoweredOp {
  c.expectCounts([3, 4]);
  const filter = c.input(1);
  const input = c.input(2);
  const bias = c.optionalInput(3);
  const output = c.output();
  c.expectType(input, 'int8', 'int16');
  c.expectType(filter, 'int8');
  c.expectType(output, input.type);
  const s16 = input.type === 'int16';
  c.expectRank(input, 4);
  c.expectRank(filter, 4);
  c.expectRank(output, 4);
  const channels = output.shape[3];
  if (filter.shape[0] !== channels) c.fail(`filter has ${filter.shape[0]} output channels, output has ${channels}`);
  if (filter.shape[3] !== input.shape[3]) c.fail(`filter depth ${filter.shape[3]} is not the input depth ${input.shape[3]}`);
  if (input.shape[0] !== output.shape[0]) c.fail('input and output batch sizes differ');
  // TransposeConvPrepare: per-channel scales along dimension 0, as many zero points as scales.
  if (filter.scales.length !== 1 && filter.scales.length !== channels) c.fail(`filter has ${filter.scales.length} scales for ${channels} output channels`);
  if (filter.scales.length > 1 && filter.quantizedDimension !== 0) c.fail(`filter is quantized along dimension ${filter.quantizedDimension}, expected 0`);
  if (filter.zeroPoints.length !== filter.scales.length) c.fail(`filter has ${filter.scales.length} scales and ${filter.zeroPoints.length} zero points`);
  let biasOperand: Word = -1;
  if (bias) {
    if (elementCount(bias.shape) !== channels) c.fail(`bias has ${elementCount(bias.shape)} values for ${channels} channels`);
    const data = c.constData(bias) ?? c.fail(`bias tensor ${bias.index} (${bias.name}) must be a constant`);
    if (!s16) {
      c.expectType(bias, 'int32');
      biasOperand = c.constant(bias);
    } else {
      // The int16x8 kernel takes int64 biases; TFLM widens an int16 bias into a scratch buffer at Eval.
      c.expectType(bias, 'int64', 'int16');
      const wide = new BigInt64Array(channels);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < channels; i++) wide[i] = bias.type === 'int64' ? view.getBigInt64(8 * i, true) : BigInt(view.getInt16(2 * i, true));
      biasOperand = { kind: 'const', id: c.consts.add(new Uint8Array(wide.buffer)) };
    }
  }
  const strideW = c.option<number>('strideW');
  const strideH = c.option<number>('strideH');
  for (const [v, what] of [[strideW, 'stride w'], [strideH, 'stride h']] as const) {
    if (!Number.isInteger(v) || v < 1) c.fail(`${what} is ${v}`);
  }
  const padding = c.option<'SAME' | 'VALID'>('padding');
  if (padding !== 'SAME' && padding !== 'VALID') c.fail(`padding ${String(padding)} is not supported`);
  const padH = windowPadding(padding, output.shape[1], filter.shape[1], strideH, 1).pad;
  const padW = windowPadding(padding, output.shape[2], filter.shape[2], strideW, 1).pad;
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const [multipliers, shifts] = perChannelRequant(c, input, filter, output, channels);
  const act = c.option<FusedActivation>('fusedActivationFunction', 'NONE');
  let range: { min: number; max: number };
  try {
    range = s16 ? activationRange(act, outQ.scale, outQ.zeroPoint, -32768, 32767) : activationRange(act, outQ.scale, outQ.zeroPoint);
  } catch (e) {
    return c.fail((e as Error).message);
  }
  const r = new RecordBuilder(s16 ? OP.TRANSPOSE_CONV_S16 : OP.TRANSPOSE_CONV, CONV)
    .set('input', c.read(input))
    .set('filter', c.constant(filter))
    .set('bias', biasOperand)
    .set('multipliers', multipliers)
    .set('shifts', shifts)
    .set('output', c.write(output))
    .set('scratch', -1)
    .setList('inputDims', nhwc(input.shape))
    .setList('filterDims', nhwc(filter.shape))
    .setList('outputDims', nhwc(output.shape))
    // The int16x8 reference uses neither offset (TFLM's int16 activations are symmetric).
    .set('inputOffset', s16 ? 0 : -inQ.zeroPoint)
    .set('outputOffset', s16 ? 0 : outQ.zeroPoint)
    .setList('strideW', [strideW, strideH, padW, padH, 1, 1, range.min, range.max]);
  return c.finish(r.code, r.words, elementCount(input.shape) * filter.shape[0] * filter.shape[1] * filter.shape[2]);
}
