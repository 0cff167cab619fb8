/**
 * Activations, int8: SOFTMAX, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU; int16: SOFTMAX, LOGISTIC, TANH,
 * LEAKY_RELU. RELU and RELU6 are requantizations with clamping (one REQUANTIZE record, which QUANTIZE int8 -> int8 shares).
 */
import { LEAKY_RELU, OP, REQUANTIZE, SIGMOID, SOFTMAX, SOFTMAX_LUT } from '../../../device/records.js';
import { expF32, int16Lut, oneOverOnePlusF32 } from './lut.js';
import { Tensor, elementCount } from '../graph.js';
import { Requant, frexpMultiplier, inputRadius, quantizeMultiplier, roundHalfAway } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { sameShape } from './shapes.js';

/**
 * SOFTMAX int16 -> int16 (softmax_common.cc): zero points 0, output scale 1/32768 (within 0.1%), exp and
 * 1/(1 + x) through the two LUTs TFLM computes in Prepare (lut.ts), placed among the pack's constants.
 */
function lowerSoftmaxS16(c: OpContext, input: Tensor, output: Tensor): LoweredOp {
  c.expectType(output, 'int16');
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  if (inQ.zeroPoint !== 0 || outQ.zeroPoint !== 0) c.fail('int16 softmax needs zero points 0 (as TFLM requires)');
  if (Math.abs(outQ.scale - 1 / 32768) > 0.001 / 32768) c.fail('int16 softmax output must have scale 1/32768 (as TFLM requires)');
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  const beta = c.option<number>('beta', 1);
  // Input differences rescaled so that [-65535, 0] covers [-10, 0].
  const m = quantizeMultiplier((inQ.scale * Math.fround(beta)) / (10.0 / 65535.0));
  if (m.shift < -31 || m.shift > 30) c.fail(`input scale x beta gives shift ${m.shift}, outside [-31, 30]`);
  const range = 32767 - -32768;
  const expLut = int16Lut(Math.fround(10 / range), 32767, Math.fround(2 / range), 0, expF32);
  const recipLut = int16Lut(Math.fround(1 / range), -32768, Math.fround(2 / range), 0, oneOverOnePlusF32);
  const rowSize = input.shape[input.shape.length - 1] ?? 1;
  const r = new RecordBuilder(OP.SOFTMAX_S16, SOFTMAX_LUT)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('expLut', { kind: 'const', id: c.consts.add(new Uint8Array(expLut.buffer)) })
    .set('recipLut', { kind: 'const', id: c.consts.add(new Uint8Array(recipLut.buffer)) })
    .setList('rows', [elementCount(input.shape) / rowSize, rowSize, m.multiplier, m.shift, 0]);
  return c.finish(r.code, r.words);
}

export function lowerSoftmax(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  if (input.type === 'int16') return lowerSoftmaxS16(c, input, output);
  c.expectType(input, 'int8');
  // int8 -> int16 (keyword_scrambled's last op): the same arithmetic, output scale 1/65536, zero point -32768.
  const s16 = output.type === 'int16';
  c.expectType(output, s16 ? 'int16' : 'int8');
  const outQ = c.quant(output);
  if (s16) {
    // softmax_common.cc: TF_LITE_ENSURE_NEAR(scale, 1/65536, 0.001/65536).
    if (outQ.zeroPoint !== -32768 || Math.abs(outQ.scale - 1 / 65536) > 0.001 / 65536) {
      c.fail('int8 -> int16 softmax output must have scale 1/65536 and zero point -32768 (as TFLM requires)');
    }
  } else if (outQ.zeroPoint !== -128 || outQ.scale !== 1 / 256) c.fail('int8 softmax output must have scale 1/256 and zero point -128 (as TFLM requires)');
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  const beta = c.option<number>('beta', 1);
  // PreprocessSoftmaxScaling with 5 integer bits for the scaled difference.
  const scaledDiffIntegerBits = 5;
  const real = Math.min(beta * c.quant(input).scale * 2 ** (31 - scaledDiffIntegerBits), 2 ** 31 - 1);
  if (!(real > 1)) c.fail(`input scale x beta (${real}) is too small for TFLM's softmax`);
  const q = quantizeMultiplier(real);
  const diffMin = -inputRadius(scaledDiffIntegerBits, q.shift);
  const rowSize = input.shape[input.shape.length - 1] ?? 1;
  const r = new RecordBuilder(s16 ? OP.SOFTMAX_S8_S16 : OP.SOFTMAX, SOFTMAX)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('rows', [elementCount(input.shape) / rowSize, rowSize, q.multiplier, q.shift, diffMin]);
  return c.finish(r.code, r.words);
}

/**
 * TFLM's CheckedLog2 (quantization_util.cc), in float as it computes: the rounded log2 of x (half away from
 * zero) and whether x is a power of two to within 1e-3 in the exponent.
 */
function checkedLog2(x: number): { log2: number; isPowerOfTwo: boolean } {
  const f = Math.fround;
  const xLog2 = f(f(Math.log(f(x))) * f(1 / f(Math.log(2))));
  const rounded = Math.sign(xLog2) * Math.round(Math.abs(xLog2));
  return { log2: rounded, isPowerOfTwo: Math.abs(f(xLog2 - rounded)) < f(1e-3) };
}

/**
 * LOGISTIC and TANH int16 (CalculateArithmeticOpDataLogistic / tanh.cc CalculateArithmeticOpData): zero points
 * 0, output scale 2^-15 (CheckedLog2). The input is rescaled to the table's 1/(3 x 4096) per unit: an input
 * scale of 2^-12 (LOGISTIC; TANH also 2^-11) is TFLM's power-of-two case, multiplier 0 in its op data, which its
 * kernel turns into 3 << shift with no shift; the record holds that resolved multiplier. Otherwise the
 * multiplier is scale x 4096 x 3 (double) doubled until it passes 32767 / 2 (at most 31 times), truncated.
 */
function lowerSigmoidS16(c: OpContext, code: number, input: Tensor, output: Tensor): LoweredOp {
  const name = code === OP.LOGISTIC_S16 ? 'LOGISTIC' : 'TANH';
  c.expectType(output, 'int16');
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  if (inQ.zeroPoint !== 0) c.fail(`tensor ${input.index} (${input.name}) is int16 with zero point ${inQ.zeroPoint}, expected 0 (as TFLM requires)`);
  if (outQ.zeroPoint !== 0) c.fail(`tensor ${output.index} (${output.name}) is int16 with zero point ${outQ.zeroPoint}, expected 0 (as TFLM requires)`);
  const out = checkedLog2(outQ.scale);
  if (!out.isPowerOfTwo || out.log2 !== -15) c.fail(`int16 ${name} output must have scale 2^-15 (as TFLM requires), not ${outQ.scale}`);
  const log2 = checkedLog2(inQ.scale);
  const potShift = 12 + log2.log2;
  let multiplier: number;
  let shift: number;
  if (log2.isPowerOfTwo && (potShift === 0 || (code === OP.TANH_S16 && potShift === 1))) {
    [multiplier, shift] = [3 << potShift, 0];
  } else {
    let m = inQ.scale * 4096 * 3;
    shift = 0;
    while (m <= 32767 / 2 && shift <= 30) {
      shift++;
      m *= 2;
    }
    multiplier = Math.trunc(m);
    // TFLM only DCHECKs the bound; beyond it x * multiplier overflows int32 in its kernel.
    if (multiplier > 32767) c.fail(`input scale ${inQ.scale} is too large for TFLM's int16 ${name} (input multiplier ${multiplier} > 32767)`);
    // A multiplier of 0 would read as TFLM's power-of-two marker (3 << 31 overflows).
    if (multiplier < 1) c.fail(`input scale ${inQ.scale} is too small for TFLM's int16 ${name} (input multiplier 0)`);
  }
  const r = new RecordBuilder(code, SIGMOID)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), 0, 0, multiplier, shift]);
  return c.finish(r.code, r.words);
}

function lowerSigmoid(c: OpContext, code: number): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  if (input.type === 'int16') return lowerSigmoidS16(c, code === OP.LOGISTIC ? OP.LOGISTIC_S16 : OP.TANH_S16, input, output);
  c.expectType(input, 'int8', 'int16');
  c.expectType(output, 'int8');
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  if (code === OP.LOGISTIC && c.quant(output).zeroPoint !== -128) c.fail('int8 LOGISTIC output zero point must be -128 (as TFLM requires)');
  const inQ = c.quant(input);
  const inputIntegerBits = 4;
  const m = frexpMultiplier(inQ.scale * 2 ** (31 - inputIntegerBits));
  const r = new RecordBuilder(code, SIGMOID)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inQ.zeroPoint, inputRadius(inputIntegerBits, m.shift, 31), m.multiplier, m.shift]);
  return c.finish(r.code, r.words);
}

export function requantizeRecord(c: OpContext, input: Tensor, output: Tensor, inputZeroPoint: number, outputOffset: number, m: Requant, act: { min: number; max: number }): LoweredOp {
  const r = new RecordBuilder(OP.REQUANTIZE, REQUANTIZE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inputZeroPoint, outputOffset, m.multiplier, m.shift, act.min, act.max]);
  return c.finish(r.code, r.words);
}

function unaryInt8(c: OpContext): [Tensor, Tensor] {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  return [input, output];
}

function unaryInt16(c: OpContext): [Tensor, Tensor] {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int16');
  c.expectType(output, 'int16');
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  return [input, output];
}

/** RELU int8: ReluQuantized requantizes from the input scale to the output scale, then clamps. */
export function lowerRelu(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const m = c.requant(Math.fround(inQ.scale / outQ.scale), 'output');
  return requantizeRecord(c, input, output, inQ.zeroPoint, outQ.zeroPoint, m, { min: Math.max(-128, outQ.zeroPoint), max: 127 });
}

/** RELU6 int8: TFLM clamps in the input's quantization without rescaling. */
export function lowerRelu6(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const inQ = c.quant(input);
  const six = Math.min(127, Math.max(-128, roundHalfAway(Math.fround(6 / inQ.scale)) + inQ.zeroPoint));
  return requantizeRecord(c, input, output, 0, 0, IDENTITY, { min: inQ.zeroPoint, max: six });
}

/** An exact identity requantization: MultiplyByQuantizedMultiplier(x, 2^30, 1) == x. */
export const IDENTITY: Requant = { multiplier: 2 ** 30, shift: 1 };

export function lowerLeakyRelu(c: OpContext): LoweredOp {
  // int16: QuantizeLeakyRelu<int16_t>, the same parameters under its own op code.
  const s16 = c.op.inputs.length === 1 && c.input(0).type === 'int16';
  const [input, output] = s16 ? unaryInt16(c) : unaryInt8(c);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const alpha = c.option<number>('alpha');
  // leaky_relu_common.cc computes both ratios in float32.
  // QuantizeMultiplier also takes a negative alpha here.
  const alphaM = quantizeMultiplier(Math.fround(Math.fround(inQ.scale * alpha) / outQ.scale));
  const identityM = c.requant(Math.fround(inQ.scale / outQ.scale), 'identity');
  const r = new RecordBuilder(s16 ? OP.LEAKY_RELU_S16 : OP.LEAKY_RELU, LEAKY_RELU)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inQ.zeroPoint, outQ.zeroPoint, identityM.multiplier, identityM.shift, alphaM.multiplier, alphaM.shift]);
  return c.finish(r.code, r.words);
}


export const lowerLogistic = (c: OpContext): LoweredOp => lowerSigmoid(c, OP.LOGISTIC);
export const lowerTanh = (c: OpContext): LoweredOp => lowerSigmoid(c, OP.TANH);
