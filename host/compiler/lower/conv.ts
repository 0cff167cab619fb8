/**
 * CONV_2D and DEPTHWISE_CONV_2D: one Prepare for both (as TFLM's conv_common / depthwise_conv_common
 * share PopulateConvolutionQuantizationParams). Path of CONV_2D: lowerConv (here) -> ts_conv_record
 * (kernels-c/include/tinysense_nn.h, mirrored in device/records.ts) -> ts_invoke -> ts_convolve_s8
 * (kernels-c/src/conv.c).
 */
import { CONV, DW_CONV, OP } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { windowPadding } from '../quant.js';
import { LoweredOp, OpContext, Operand, RecordBuilder } from './context.js';
import { nhwc } from './shapes.js';

/**
 * int16 MAC ops: TFLM's int16 kernels have no zero-point terms (conv) or are only defined for symmetric
 * activations; a non-zero zero point would be silently ignored there, so it is refused here.
 */
export function int16ZeroPoints(c: OpContext, ...tensors: Tensor[]): void {
  for (const t of tensors) {
    const zp = c.quant(t).zeroPoint;
    if (zp !== 0) c.fail(`tensor ${t.index} (${t.name}) is int16 with zero point ${zp}; int16 activations must have zero point 0`);
  }
}

/**
 * PopulateConvolutionQuantizationParams: per-channel effective scales. int16 (s16): the int64
 * MultiplyByQuantizedMultiplier takes shifts up to 7 only (an effective scale below 128).
 */
export function perChannelRequant(c: OpContext, input: Tensor, filter: Tensor, output: Tensor, channels: number, s16 = false): Operand[] {
  const inScale = c.quant(input).scale;
  const outScale = c.quant(output).scale;
  if (filter.scales.length !== 1 && filter.scales.length !== channels) {
    c.fail(`filter has ${filter.scales.length} scales for ${channels} output channels`);
  }
  const multipliers: number[] = [];
  const shifts: number[] = [];
  for (let i = 0; i < channels; i++) {
    const filterScale = filter.scales.length > 1 ? filter.scales[i] : filter.scales[0];
    if (!(filterScale > 0)) c.fail(`filter scale ${i} is ${filterScale}`);
    const r = c.requant((inScale * filterScale) / outScale, `channel ${i}`);
    if (s16 && r.shift > 7) c.fail(`channel ${i} scale ratio ${(inScale * filterScale) / outScale} is too large for int16 (shift ${r.shift} > 7)`);
    multipliers.push(r.multiplier);
    shifts.push(r.shift);
  }
  return [
    { kind: 'const', id: c.consts.addInt32(multipliers) },
    { kind: 'const', id: c.consts.addInt32(shifts) },
  ];
}

function convCommon(c: OpContext, depthwise: boolean): LoweredOp {
  c.expectCounts([2, 3]);
  const input = c.input(0);
  const filter = c.input(1);
  const bias = c.optionalInput(2);
  const output = c.output();
  // int16x8 (TFLM's int16 activations, int8 weights, int64 bias): the same record under its own op code.
  const s16 = input.type === 'int16';
  c.expectType(input, s16 ? 'int16' : 'int8');
  c.expectType(filter, 'int8');
  c.expectType(output, s16 ? 'int16' : 'int8');
  c.expectRank(input, 4);
  c.expectRank(filter, 4);
  c.expectRank(output, 4);
  // conv.cc: an int16 CONV_2D with an int32 bias (or none, and quantized_bias_type int32) accumulates in
  // int32 (CONV_2D_S16_B32); depthwise_conv.cc has the int64-bias kernel only.
  const bias32 = s16 && !depthwise && (bias ? bias.type === 'int32' : c.option<string | null>('quantizedBiasType', null) === 'int32');
  if (bias) {
    c.expectType(bias, s16 && !bias32 ? 'int64' : 'int32');
  }
  if (s16) int16ZeroPoints(c, input, output);
  const quantDim = depthwise ? 3 : 0;
  if (filter.scales.length > 1 && filter.quantizedDimension !== quantDim) {
    c.fail(`filter is quantized along dimension ${filter.quantizedDimension}, expected ${quantDim}`);
  }
  if (filter.zeroPoints.some((z) => z !== 0)) c.fail('filter zero points must be 0 (symmetric int8 weights)');
  const channels = output.shape[3];
  if (bias && elementCount(bias.shape) !== channels) c.fail(`bias has ${elementCount(bias.shape)} values for ${channels} channels`);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];

  const strideW = c.option<number>('strideW');
  const strideH = c.option<number>('strideH');
  const dilationW = c.option<number>('dilationWFactor', 1);
  const dilationH = c.option<number>('dilationHFactor', 1);
  const padding = c.option<'SAME' | 'VALID'>('padding');
  for (const [v, what] of [[strideW, 'stride w'], [strideH, 'stride h'], [dilationW, 'dilation w'], [dilationH, 'dilation h']] as const) {
    if (!Number.isInteger(v) || v < 1) c.fail(`${what} is ${v}`);
  }
  if (padding !== 'SAME' && padding !== 'VALID') c.fail(`padding ${String(padding)} is not supported`);
  const padH = windowPadding(padding, input.shape[1], filter.shape[1], strideH, dilationH).pad;
  const padW = windowPadding(padding, input.shape[2], filter.shape[2], strideW, dilationW).pad;

  const [multipliers, shifts] = perChannelRequant(c, input, filter, output, channels, s16 && !bias32);
  const act = c.activation(output);
  const layout = depthwise ? DW_CONV : CONV;
  const code = depthwise ? (s16 ? OP.DEPTHWISE_CONV_2D_S16 : OP.DEPTHWISE_CONV_2D) : s16 ? (bias32 ? OP.CONV_2D_S16_B32 : OP.CONV_2D_S16) : OP.CONV_2D;
  const r = new RecordBuilder(code, layout)
    .set('input', c.read(input))
    .set('filter', c.constant(filter))
    .set('bias', bias ? c.constant(bias) : -1)
    .set('multipliers', multipliers)
    .set('shifts', shifts)
    .set('output', c.write(output))
    .set('scratch', -1)
    .setList('inputDims', nhwc(input.shape))
    .setList('filterDims', nhwc(filter.shape))
    .setList('outputDims', nhwc(output.shape))
    .set('inputOffset', -inQ.zeroPoint)
    .set('outputOffset', outQ.zeroPoint)
    .setList('strideW', [strideW, strideH, padW, padH, dilationW, dilationH, act.min, act.max]);
  if (input.shape[0] !== output.shape[0]) c.fail('input and output batch sizes differ');
  let macsPerOutput: number;
  if (depthwise) {
    const mult = channels / input.shape[3];
    if (filter.shape[0] !== 1 || filter.shape[3] !== channels || !Number.isInteger(mult)) {
      c.fail(`filter ${filter.shape.join('x')} does not fit input depth ${input.shape[3]} and output depth ${channels}`);
    }
    const optionMult = c.option<number>('depthMultiplier', 0);
    if (optionMult !== 0 && optionMult !== mult) c.fail(`depth_multiplier option ${optionMult} disagrees with the shapes (${mult})`);
    r.set('chMult', mult);
    macsPerOutput = filter.shape[1] * filter.shape[2];
  } else {
    if (filter.shape[0] !== channels) c.fail(`filter has ${filter.shape[0]} output channels, output has ${channels}`);
    if (input.shape[3] % filter.shape[3] !== 0 || channels % (input.shape[3] / filter.shape[3]) !== 0) {
      c.fail(`input depth ${input.shape[3]} and filter depth ${filter.shape[3]} do not form whole groups`);
    }
    macsPerOutput = filter.shape[1] * filter.shape[2] * filter.shape[3];
  }
  return c.finish(r.code, r.words, elementCount(output.shape) * macsPerOutput);
}


export const lowerConv = (c: OpContext): LoweredOp => convCommon(c, false);
export const lowerDepthwiseConv = (c: OpContext): LoweredOp => convCommon(c, true);
