/**
 * TFLite's quantization arithmetic, reproduced exactly on the host so the
 * device never computes a multiplier. Each function names the TFLite function
 * it mirrors (tensorflow/lite/kernels/internal/quantization_util.cc and
 * kernels/kernel_util.cc, default build: TFLITE_SINGLE_ROUNDING off).
 *
 * JavaScript numbers are IEEE doubles, so C++ double arithmetic carries over
 * unchanged; where TFLite computes in float32 first, Math.fround marks it.
 */

export interface Requant {
  multiplier: number;
  shift: number;
}

/** std::round: halfway cases away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

const f64 = new Float64Array(1);
const f64Bits = new Uint32Array(f64.buffer);

/** std::frexp for a finite double: x = q * 2^e with 0.5 <= |q| < 1 (q = 0, e = 0 for 0). */
export function frexp(x: number): { q: number; e: number } {
  if (x === 0 || !Number.isFinite(x)) return { q: x, e: 0 };
  f64[0] = x;
  let exponent = (f64Bits[1] >>> 20) & 0x7ff;
  let extra = 0;
  if (exponent === 0) {
    // Subnormal: scale into the normal range first (exact).
    f64[0] = x * 2 ** 64;
    exponent = (f64Bits[1] >>> 20) & 0x7ff;
    extra = -64;
  }
  const e = exponent - 1022;
  // Replace the exponent with 1022 (so |q| is in [0.5, 1)): exact bit surgery.
  f64Bits[1] = (f64Bits[1] & 0x800fffff) | (1022 << 20);
  return { q: f64[0], e: e + extra };
}

/** QuantizeMultiplier(double, int32*, int*). */
export function quantizeMultiplier(real: number): Requant {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { q, e } = frexp(real);
  let shift = e;
  let fixed = roundHalfAway(q * 2 ** 31);
  if (fixed === 2 ** 31) {
    fixed /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: fixed, shift };
}

/**
 * The logistic/tanh prepare path: frexp then TfLiteRound(q * 2^31) cast to
 * int32, without QuantizeMultiplier's 2^31 fix-up (as TFLM does it).
 */
export function frexpMultiplier(real: number): Requant {
  const { q, e } = frexp(real);
  return { multiplier: roundHalfAway(q * 2 ** 31) | 0, shift: e };
}

/** CalculateInputRadius(input_integer_bits, input_left_shift, total_signed_bits). */
export function inputRadius(integerBits: number, leftShift: number, totalSignedBits = 31): number {
  const maxRescaled = (1.0 * ((1 << integerBits) - 1) * 2 ** (totalSignedBits - integerBits)) / 2 ** leftShift;
  return Math.floor(maxRescaled);
}

/** The float32 quotient f / scale, rounded half away from zero (kernel_util.cc's Quantize). */
function quantizeFloat(scale: number, zeroPoint: number, f: number): number {
  return zeroPoint + roundHalfAway(Math.fround(f / scale));
}

export type FusedActivation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';

/** CalculateActivationRangeQuantized for an output of range [qmin, qmax]. */
export function activationRange(
  activation: FusedActivation,
  scale: number,
  zeroPoint: number,
  qmin = -128,
  qmax = 127,
): { min: number; max: number } {
  switch (activation) {
    case 'NONE':
      return { min: qmin, max: qmax };
    case 'RELU':
      return { min: Math.max(qmin, quantizeFloat(scale, zeroPoint, 0)), max: qmax };
    case 'RELU6':
      return {
        min: Math.max(qmin, quantizeFloat(scale, zeroPoint, 0)),
        max: Math.min(qmax, quantizeFloat(scale, zeroPoint, 6)),
      };
    case 'RELU_N1_TO_1':
      return {
        min: Math.max(qmin, quantizeFloat(scale, zeroPoint, -1)),
        max: Math.min(qmax, quantizeFloat(scale, zeroPoint, 1)),
      };
    default:
      // TFLM's int8 kernels reject other fused activations too.
      throw new Error(`fused activation ${activation} is not supported for int8`);
  }
}

/** Padding and output size as TFLite's ComputePaddingHeightWidth computes them, for one axis. */
export function windowPadding(
  padding: 'SAME' | 'VALID',
  inSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
): { out: number; pad: number } {
  const effective = (filterSize - 1) * dilation + 1;
  const out =
    padding === 'SAME' ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - effective) / stride);
  const total = Math.max(0, (out - 1) * stride + effective - inSize);
  return { out, pad: Math.floor(total / 2) };
}

/** Float32 bit pattern of a number, as an int32 word. */
export function float32Bits(x: number): number {
  const f = new Float32Array([x]);
  return new Int32Array(f.buffer)[0];
}
