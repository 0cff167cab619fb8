/**
 * A small integer interpreter for the exported operator set, following
 * TFLite's reference int8 kernels (reference_integer_ops): int32
 * accumulation, per-channel requantization with MultiplyByQuantizedMultiplier,
 * average pooling's rounded division. It is a second opinion on the exported
 * model, independent of tinysense's compiler and C kernels, and an estimate
 * of int8 accuracy where those are not built.
 *
 * CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, pooling and RESHAPE are
 * integer-exact. SOFTMAX, LOGISTIC and TANH are computed in float from the
 * dequantized input and quantized to the fixed output parameters: TFLite's
 * fixed-point versions can differ by a step, but they are monotonic, so the
 * predicted class only differs on near ties.
 */
import { quantizeMultiplier } from '../compiler/quant.js';
import { ActivationName } from './tflite-format.js';
import { roundHalfAway } from './quant-math.js';
import { TfliteModel, TfliteOperator, TfliteTensor } from './tflite-writer.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const TWO_31 = 2n ** 31n;

/** SaturatingRoundingDoublingHighMul (gemmlowp). */
function doublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const product = BigInt(a) * BigInt(b);
  const nudge = product >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((product + nudge) / TWO_31); // BigInt division truncates toward zero, as C++ does
}

/** RoundingDivideByPOT (gemmlowp). */
function roundingDivideByPot(x: number, exponent: number): number {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** MultiplyByQuantizedMultiplier: x * multiplier * 2^shift in TFLite's fixed point. */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPot(doublingHighMul((x * 2 ** leftShift) | 0, multiplier), rightShift);
}

function activationBounds(activation: ActivationName, scale: number, zeroPoint: number): [number, number] {
  const q = (x: number) => zeroPoint + roundHalfAway(Math.fround(x / scale));
  switch (activation) {
    case 'NONE':
      return [-128, 127];
    case 'RELU':
      return [Math.max(-128, q(0)), 127];
    case 'RELU6':
      return [Math.max(-128, q(0)), Math.min(127, q(6))];
    case 'RELU_N1_TO_1':
      return [Math.max(-128, q(-1)), Math.min(127, q(1))];
  }
}

function int8Of(t: TfliteTensor): Int8Array {
  return new Int8Array(t.data!.buffer, t.data!.byteOffset, t.data!.byteLength);
}

function int32Of(t: TfliteTensor): Int32Array {
  return new Int32Array(t.data!.slice().buffer);
}

function scaleOf(t: TfliteTensor, channel = 0): number {
  const scales = t.quantization!.scale;
  return scales.length > 1 ? scales[channel] : scales[0];
}

function zeroPointOf(t: TfliteTensor): number {
  return t.quantization?.zeroPoint[0] ?? 0;
}

function padBefore(padding: 'SAME' | 'VALID', inSize: number, filter: number, stride: number, dilation: number, outSize: number): number {
  if (padding === 'VALID') return 0;
  const effective = (filter - 1) * dilation + 1;
  return Math.floor(Math.max(0, (outSize - 1) * stride + effective - inSize) / 2);
}

function convolve(model: TfliteModel, op: TfliteOperator, input: Int8Array, depthwise: boolean): Int8Array {
  const [inT, filterT, biasT] = op.inputs.map((i) => model.tensors[i]);
  const outT = model.tensors[op.outputs[0]];
  const o = op.options!;
  if (o.kind !== 'Conv2DOptions' && o.kind !== 'DepthwiseConv2DOptions') throw new Error(`${op.op} needs conv options`);
  const [, inH, inW, inC] = inT.shape;
  const [, outH, outW, outC] = outT.shape;
  const [, kh, kw] = filterT.shape;
  const filter = int8Of(filterT);
  const bias = int32Of(biasT);
  const inZp = zeroPointOf(inT);
  const outZp = zeroPointOf(outT);
  const requant = Array.from({ length: outC }, (_, c) => quantizeMultiplier((scaleOf(inT) * scaleOf(filterT, c)) / scaleOf(outT)));
  const [lo, hi] = activationBounds(o.activation, scaleOf(outT), outZp);
  const [dh, dw] = [o.dilationH ?? 1, o.dilationW ?? 1];
  const padH = padBefore(o.padding, inH, kh, o.strideH, dh, outH);
  const padW = padBefore(o.padding, inW, kw, o.strideW, dw, outW);
  const multiplier = depthwise ? outC / inC : 1;
  const out = new Int8Array(outH * outW * outC);
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++)
      for (let c = 0; c < outC; c++) {
        let acc = 0;
        for (let fy = 0; fy < kh; fy++) {
          const iy = y * o.strideH - padH + fy * dh;
          if (iy < 0 || iy >= inH) continue; // padding contributes (zp - zp) * w = 0
          for (let fx = 0; fx < kw; fx++) {
            const ix = x * o.strideW - padW + fx * dw;
            if (ix < 0 || ix >= inW) continue;
            if (depthwise) {
              const ic = Math.floor(c / multiplier);
              acc += (input[(iy * inW + ix) * inC + ic] - inZp) * filter[(fy * kw + fx) * outC + c];
            } else {
              for (let ic = 0; ic < inC; ic++) acc += (input[(iy * inW + ix) * inC + ic] - inZp) * filter[((c * kh + fy) * kw + fx) * inC + ic];
            }
          }
        }
        const scaled = multiplyByQuantizedMultiplier(acc + bias[c], requant[c].multiplier, requant[c].shift) + outZp;
        out[(y * outW + x) * outC + c] = Math.min(hi, Math.max(lo, scaled));
      }
  return out;
}

function fullyConnected(model: TfliteModel, op: TfliteOperator, input: Int8Array): Int8Array {
  const [inT, filterT, biasT] = op.inputs.map((i) => model.tensors[i]);
  const outT = model.tensors[op.outputs[0]];
  if (op.options?.kind !== 'FullyConnectedOptions') throw new Error('FULLY_CONNECTED needs its options');
  const [units, depth] = filterT.shape;
  const filter = int8Of(filterT);
  const bias = int32Of(biasT);
  const perChannel = filterT.quantization!.scale.length > 1;
  // Per tensor, TFLite takes the scale product in float32 first (GetQuantizedConvolutionMultipler).
  const requant = Array.from({ length: units }, (_, u) =>
    quantizeMultiplier(perChannel ? (scaleOf(inT) * scaleOf(filterT, u)) / scaleOf(outT) : Math.fround(scaleOf(inT) * scaleOf(filterT)) / scaleOf(outT)),
  );
  const inZp = zeroPointOf(inT);
  const outZp = zeroPointOf(outT);
  const [lo, hi] = activationBounds(op.options.activation, scaleOf(outT), outZp);
  const out = new Int8Array(units);
  for (let u = 0; u < units; u++) {
    let acc = bias[u];
    for (let d = 0; d < depth; d++) acc += (input[d] - inZp) * filter[u * depth + d];
    out[u] = Math.min(hi, Math.max(lo, multiplyByQuantizedMultiplier(acc, requant[u].multiplier, requant[u].shift) + outZp));
  }
  return out;
}

function pool(model: TfliteModel, op: TfliteOperator, input: Int8Array): Int8Array {
  const inT = model.tensors[op.inputs[0]];
  const outT = model.tensors[op.outputs[0]];
  const o = op.options!;
  if (o.kind !== 'Pool2DOptions') throw new Error(`${op.op} needs pool options`);
  const [, inH, inW, channels] = inT.shape;
  const [, outH, outW] = outT.shape;
  const padH = padBefore(o.padding, inH, o.filterHeight, o.strideH, 1, outH);
  const padW = padBefore(o.padding, inW, o.filterWidth, o.strideW, 1, outW);
  const [lo, hi] = activationBounds(o.activation, scaleOf(outT), zeroPointOf(outT));
  const out = new Int8Array(outH * outW * channels);
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++)
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let count = 0;
        let max = -128;
        for (let fy = 0; fy < o.filterHeight; fy++) {
          const iy = y * o.strideH - padH + fy;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < o.filterWidth; fx++) {
            const ix = x * o.strideW - padW + fx;
            if (ix < 0 || ix >= inW) continue;
            const v = input[(iy * inW + ix) * channels + c];
            sum += v;
            count++;
            max = Math.max(max, v);
          }
        }
        // Average: rounded to nearest, halves away from zero, over the elements inside the input.
        const value = op.op === 'MAX_POOL_2D' ? max : sum > 0 ? Math.trunc((sum + Math.trunc(count / 2)) / count) : Math.trunc((sum - Math.trunc(count / 2)) / count);
        out[(y * outW + x) * channels + c] = Math.min(hi, Math.max(lo, value));
      }
  return out;
}

function floatActivation(model: TfliteModel, op: TfliteOperator, input: Int8Array): Int8Array {
  const inT = model.tensors[op.inputs[0]];
  const outT = model.tensors[op.outputs[0]];
  const real = Array.from(input, (q) => (q - zeroPointOf(inT)) * scaleOf(inT));
  let values: number[];
  if (op.op === 'SOFTMAX') {
    const beta = op.options?.kind === 'SoftmaxOptions' ? op.options.beta : 1;
    const rows = real.length / inT.shape[inT.shape.length - 1];
    const width = real.length / rows;
    values = [];
    for (let r = 0; r < rows; r++) {
      const row = real.slice(r * width, (r + 1) * width);
      const max = Math.max(...row);
      const exps = row.map((v) => Math.exp(beta * (v - max)));
      const sum = exps.reduce((a, b) => a + b, 0);
      values.push(...exps.map((e) => e / sum));
    }
  } else {
    values = real.map(op.op === 'LOGISTIC' ? (v) => 1 / (1 + Math.exp(-v)) : Math.tanh);
  }
  return Int8Array.from(values, (v) => Math.min(127, Math.max(-128, roundHalfAway(v / scaleOf(outT)) + zeroPointOf(outT))));
}

/** Runs the model on one int8 input; returns the output tensor's int8 values. */
export function runInt8Reference(model: TfliteModel, input: Int8Array): Int8Array {
  const values = new Map<number, Int8Array>([[model.inputs[0], input]]);
  for (const op of model.operators) {
    const x = values.get(op.inputs[0]);
    if (!x) throw new Error(`${op.op} reads a tensor that is not computed`);
    let y: Int8Array;
    switch (op.op) {
      case 'CONV_2D':
        y = convolve(model, op, x, false);
        break;
      case 'DEPTHWISE_CONV_2D':
        y = convolve(model, op, x, true);
        break;
      case 'FULLY_CONNECTED':
        y = fullyConnected(model, op, x);
        break;
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D':
        y = pool(model, op, x);
        break;
      case 'RESHAPE':
        y = x;
        break;
      case 'SOFTMAX':
      case 'LOGISTIC':
      case 'TANH':
        y = floatActivation(model, op, x);
        break;
      default:
        throw new Error(`${op.op} is not one of the operators the exporter writes`);
    }
    values.set(op.outputs[0], y);
  }
  return values.get(model.outputs[0])!;
}
