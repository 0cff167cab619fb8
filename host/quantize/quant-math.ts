/**
 * The arithmetic of TFLite's int8 quantization spec
 * (https://www.tensorflow.org/lite/performance/quantization_spec), as the
 * post-training quantizer applies it:
 *
 *  - activations: per-tensor asymmetric int8, from a calibrated float range
 *    widened to include 0 (so 0 is exact: zero padding and ReLU need it);
 *  - weights: symmetric int8 in [-127, 127] (zero point 0), per channel for
 *    convolutions, per channel or per tensor for fully connected;
 *  - biases: int32 with scale input_scale * weight_scale, zero point 0, so
 *    they add straight into the int32 accumulator.
 *
 * Scales are stored in the file as float32, so every scale here is rounded
 * to float32 (Math.fround) before anything is derived from it: the bias and
 * zero point must agree with the scale the runtime will read.
 */

export const INT8_MIN = -128;
export const INT8_MAX = 127;
/** Weights use the narrow range so that -w is representable for every w. */
export const WEIGHT_MAX = 127;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export interface QuantParams {
  /** float32-representable */
  scale: number;
  zeroPoint: number;
}

export interface ActivationQuant extends QuantParams {
  /** The float range the parameters were chosen for (after including 0). */
  min: number;
  max: number;
}

/** std::round: halfway cases away from zero, as TFLite rounds. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * Asymmetric int8 parameters for a float range: the range is widened to
 * contain 0, scale = (max - min) / 255, zero point = round(-128 - min / scale)
 * clamped to int8. An empty range (all zeros) gets scale 1, zero point 0, as
 * TFLite's converter does.
 */
export function activationQuantParams(observedMin: number, observedMax: number): ActivationQuant {
  if (!Number.isFinite(observedMin) || !Number.isFinite(observedMax) || observedMin > observedMax) {
    throw new Error(`calibration range [${observedMin}, ${observedMax}] is not usable`);
  }
  const min = Math.min(observedMin, 0);
  const max = Math.max(observedMax, 0);
  if (max - min < Number.EPSILON) return { scale: 1, zeroPoint: 0, min, max };
  const scale = Math.fround((max - min) / (INT8_MAX - INT8_MIN));
  const zeroPoint = clamp(roundHalfAway(INT8_MIN - min / scale), INT8_MIN, INT8_MAX);
  return { scale, zeroPoint, min, max };
}

/** Output parameters TFLite fixes for ops whose output range is known (TFLM insists on them). */
export const FIXED_OUTPUT_QUANT = {
  /** (0, 1) over 256 steps: q = -128 is 0. */
  SOFTMAX: { scale: 1 / 256, zeroPoint: -128 },
  LOGISTIC: { scale: 1 / 256, zeroPoint: -128 },
  /** (-1, 1) over 256 steps, symmetric. */
  TANH: { scale: 1 / 128, zeroPoint: 0 },
} as const satisfies Record<string, QuantParams>;

/** float -> int8 with given parameters (saturating). */
export function quantizeValue(x: number, q: QuantParams): number {
  return clamp(roundHalfAway(x / q.scale) + q.zeroPoint, INT8_MIN, INT8_MAX);
}

export function dequantizeValue(q: number, p: QuantParams): number {
  return (q - p.zeroPoint) * p.scale;
}

export interface QuantizedWeights {
  values: Int8Array;
  /** One scale per slice along `axis` (or one for the tensor). */
  scales: number[];
  axis: number;
}

/** Scale for a weight slice whose largest magnitude is maxAbs (1 for an all-zero slice: any scale is exact). */
export function symmetricScale(maxAbs: number): number {
  return maxAbs > 0 ? Math.fround(maxAbs / WEIGHT_MAX) : 1;
}

/**
 * Symmetric int8 weights. With perChannel, one scale per index of `axis`
 * (0 for OHWI conv filters and [units, depth] FC weights, 3 for 1HWC
 * depthwise filters); otherwise one scale for the whole tensor.
 */
export function quantizeWeights(values: Float32Array, shape: readonly number[], axis: number, perChannel: boolean): QuantizedWeights {
  const count = shape.reduce((a, d) => a * d, 1);
  if (values.length !== count) throw new Error(`weights hold ${values.length} values, shape [${shape.join(',')}] needs ${count}`);
  if (axis < 0 || axis >= shape.length) throw new Error(`axis ${axis} is not a dimension of [${shape.join(',')}]`);
  const channels = perChannel ? shape[axis] : 1;
  // Row-major: element i lies in slice floor(i / inner) % shape[axis], inner = product of the later dimensions.
  const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const channelOf = (i: number) => (perChannel ? Math.floor(i / inner) % shape[axis] : 0);
  const maxAbs = new Array<number>(channels).fill(0);
  for (let i = 0; i < count; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(values[i]));
  const scales = maxAbs.map(symmetricScale);
  const out = new Int8Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = clamp(roundHalfAway(values[i] / scales[channelOf(i)]), -WEIGHT_MAX, WEIGHT_MAX);
  }
  return { values: out, scales, axis };
}

/**
 * int32 biases: scale_c = float32(input_scale * weight_scale_c), zero point
 * 0. Returns the scales too (the bias tensor carries them).
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: readonly number[]): { values: Int32Array; scales: number[] } {
  const perChannel = weightScales.length > 1;
  if (perChannel && weightScales.length !== bias.length) {
    throw new Error(`${bias.length} biases for ${weightScales.length} weight scales`);
  }
  const scales = (perChannel ? weightScales : [weightScales[0]]).map((s) => Math.fround(inputScale * s));
  const values = new Int32Array(bias.length);
  bias.forEach((b, c) => {
    values[c] = clamp(roundHalfAway(b / scales[perChannel ? c : 0]), INT32_MIN, INT32_MAX);
  });
  return { values, scales };
}
