/**
 * Real values <-> a quantized tensor's integers, for apps that feed sensor
 * readings into an int8 model or turn its scores back into probabilities:
 *   real = (q - zeroPoint) * scale
 * with the scale and zero point of the tensor (model.layout.inputs[i],
 * model.layout.outputs[i]). Rounding and saturation are TFLite's, so a value
 * quantized here equals the one TFLM's QUANTIZE op (and the host's
 * quantizeValue) gives.
 *
 * ES5 only: this file runs on the microcontroller.
 */
import type { DTypeName } from './pack.js';

/** What quantize()/dequantize() read from a tensor: a TensorInfo fits. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
  /** The integer type to saturate to (default int8). */
  type?: DTypeName;
}

/** The largest value of the type; the smallest is -max - 1, or 0 for uint8. (No array: quantize runs per sample.) */
function maxOf(type: DTypeName): number {
  if (type === 'int8') return 127;
  if (type === 'uint8') return 255;
  if (type === 'int16') return 32767;
  if (type === 'int32') return 2147483647;
  throw new Error('quantize: a ' + type + ' tensor holds real values already; write them as they are');
}

function checkScale(q: QuantParams, what: string): void {
  // A scale of 0 would turn every value into +-Infinity, then saturate: say so instead.
  if (!(q.scale > 0) || q.scale === Infinity) throw new Error(what + ': scale must be a positive number, not ' + q.scale);
}

/**
 * The integer for `value`: round(value / scale) + zeroPoint, halves rounded
 * away from zero (std::round, as TFLite), saturated to the type's range.
 * Throws when `value` is not a number, the scale is not positive, or the
 * tensor is float32.
 */
export function quantize(value: number, q: QuantParams): number {
  var type = q.type || 'int8';
  var hi = maxOf(type);
  var lo = type === 'uint8' ? 0 : -hi - 1;
  checkScale(q, 'quantize');
  if (value !== value) throw new Error('quantize: the value is NaN');
  var r = value / q.scale;
  var v = (r < 0 ? -Math.floor(-r + 0.5) : Math.floor(r + 0.5)) + q.zeroPoint;
  return v < lo ? lo : v > hi ? hi : v;
}

/** The real value an integer of the tensor stands for: (q - zeroPoint) * scale. Throws when the scale is not positive. */
export function dequantize(q: number, p: QuantParams): number {
  checkScale(p, 'dequantize');
  return (q - p.zeroPoint) * p.scale;
}
