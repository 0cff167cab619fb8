/** The quantization arithmetic against hand-worked values from TFLite's int8 spec. */
import { describe, expect, it } from 'vitest';
import {
  FIXED_OUTPUT_QUANT, activationQuantParams, dequantizeValue, quantizeBias, quantizeValue, quantizeWeights, roundHalfAway, symmetricScale,
} from '../../host/quantize/quant-math.js';
import { multiplyByQuantizedMultiplier } from '../../host/quantize/int8-reference.js';
import { quantizeMultiplier } from '../../host/compiler/quant.js';

describe('activation parameters (asymmetric int8)', () => {
  it('maps [min, max] onto [-128, 127] with scale (max - min) / 255', () => {
    const q = activationQuantParams(-1, 3);
    expect(q.scale).toBe(Math.fround(4 / 255));
    // round(-128 - (-1) / scale) = round(-128 + 63.75) = -64
    expect(q.zeroPoint).toBe(-64);
    expect(quantizeValue(0, q)).toBe(q.zeroPoint);
    expect(quantizeValue(-1, q)).toBe(-128);
    expect(quantizeValue(3, q)).toBe(127);
  });

  it('widens the range to include 0 so that 0 is exact', () => {
    const positive = activationQuantParams(0.5, 2.5); // a ReLU output never below 0.5
    expect(positive.min).toBe(0);
    expect(positive.zeroPoint).toBe(-128);
    expect(positive.scale).toBe(Math.fround(2.5 / 255));
    const negative = activationQuantParams(-4, -1);
    expect(negative.max).toBe(0);
    expect(negative.zeroPoint).toBe(127);
    expect(dequantizeValue(quantizeValue(0, negative), negative)).toBe(0);
  });

  it('nudges the zero point to the nearest integer, halves away from zero, and clamps it', () => {
    // min / scale lands on a half: -128 - (-0.5 * 255 / 2.55) = -128 + 50 -> exact; pick a true half instead.
    const q = activationQuantParams(-1.5, 1.5);
    expect(q.scale).toBe(Math.fround(3 / 255));
    // -128 + 1.5 / scale = -128 + 127.5 (up to float32 rounding of the scale) -> -0.5 rounds to -1 (or 0)
    expect([-1, 0]).toContain(q.zeroPoint);
    expect(q.zeroPoint).toBe(roundHalfAway(-128 - -1.5 / q.scale));
    expect(roundHalfAway(-0.5)).toBe(-1);
    expect(roundHalfAway(0.5)).toBe(1);
    expect(roundHalfAway(2.5)).toBe(3);
  });

  it('gives an all-zero tensor scale 1 and zero point 0', () => {
    expect(activationQuantParams(0, 0)).toMatchObject({ scale: 1, zeroPoint: 0 });
  });

  it('rejects unusable ranges', () => {
    expect(() => activationQuantParams(NaN, 1)).toThrow();
    expect(() => activationQuantParams(2, 1)).toThrow();
  });

  it('fixes softmax, logistic and tanh outputs as TFLM requires', () => {
    expect(FIXED_OUTPUT_QUANT.SOFTMAX).toEqual({ scale: 1 / 256, zeroPoint: -128 });
    expect(FIXED_OUTPUT_QUANT.LOGISTIC).toEqual({ scale: 1 / 256, zeroPoint: -128 });
    expect(FIXED_OUTPUT_QUANT.TANH).toEqual({ scale: 1 / 128, zeroPoint: 0 });
  });
});

describe('weights (symmetric int8, zero point 0)', () => {
  it('quantizes per output channel along dimension 0 (OHWI conv filters)', () => {
    // Two output channels of 1x1x3: channel 0 spans +-1.27, channel 1 spans +-0.254.
    const w = new Float32Array([1.27, -0.635, 0.01, 0.254, 0.1, -0.254]);
    const q = quantizeWeights(w, [2, 1, 1, 3], 0, true);
    expect(q.scales).toEqual([Math.fround(0.01), Math.fround(0.002)]);
    expect(Array.from(q.values)).toEqual([127, -64, 1, 127, 50, -127]);
  });

  it('quantizes per channel along dimension 3 (1HWC depthwise filters)', () => {
    // 1x2x1x2: channel 0 holds 0.5 and -0.25, channel 1 holds 2 and 1.
    const w = new Float32Array([0.5, 2, -0.25, 1]);
    const q = quantizeWeights(w, [1, 2, 1, 2], 3, true);
    expect(q.scales).toEqual([Math.fround(0.5 / 127), Math.fround(2 / 127)]);
    expect(Array.from(q.values)).toEqual([127, 127, -64, 64]);
  });

  it('uses one scale for the tensor when per-tensor (fully connected default)', () => {
    const q = quantizeWeights(new Float32Array([0.5, -1, 0.25, 0]), [2, 2], 0, false);
    expect(q.scales).toEqual([Math.fround(1 / 127)]);
    expect(Array.from(q.values)).toEqual([64, -127, 32, 0]);
  });

  it('never produces -128 (narrow range) and handles all-zero channels', () => {
    const q = quantizeWeights(new Float32Array([-1, 1, 0, 0]), [2, 2], 0, true);
    expect(Math.min(...q.values)).toBe(-127);
    expect(q.scales[1]).toBe(1);
    expect(symmetricScale(0)).toBe(1);
  });
});

describe('biases (int32, scale = input scale x weight scale)', () => {
  it('uses one scale per channel and rounds to the nearest step', () => {
    const inputScale = Math.fround(0.05);
    const weightScales = [Math.fround(0.01), Math.fround(0.002)];
    const b = quantizeBias(new Float32Array([0.1, -0.0003]), inputScale, weightScales);
    expect(b.scales).toEqual([Math.fround(inputScale * weightScales[0]), Math.fround(inputScale * weightScales[1])]);
    expect(b.values[0]).toBe(roundHalfAway(0.1 / b.scales[0])); // 200
    expect(b.values[0]).toBe(200);
    expect(b.values[1]).toBe(-3);
  });

  it('shares one scale for per-tensor weights', () => {
    const b = quantizeBias(new Float32Array([1, 2, 3]), 0.5, [0.25]);
    expect(b.scales).toEqual([0.125]);
    expect(Array.from(b.values)).toEqual([8, 16, 24]);
  });

  it('saturates at the int32 range', () => {
    const b = quantizeBias(new Float32Array([1e12, -1e12]), 1e-3, [1e-3]);
    expect(Array.from(b.values)).toEqual([2 ** 31 - 1, -(2 ** 31)]);
  });
});

describe('fixed-point requantization (reference interpreter)', () => {
  it('multiplies by a quantized multiplier as TFLite does', () => {
    const half = quantizeMultiplier(0.5);
    expect(multiplyByQuantizedMultiplier(100, half.multiplier, half.shift)).toBe(50);
    expect(multiplyByQuantizedMultiplier(101, half.multiplier, half.shift)).toBe(51); // 50.5 rounds away from zero
    // gemmlowp's doubling high multiply nudges by 1 - 2^30 below zero, so -50.5 comes out as -50.
    expect(multiplyByQuantizedMultiplier(-101, half.multiplier, half.shift)).toBe(-50);
    const quarter = quantizeMultiplier(0.25); // shift -1: the rounding divide by 2 rounds halves away from zero
    expect(multiplyByQuantizedMultiplier(-6, quarter.multiplier, quarter.shift)).toBe(-2);
    expect(multiplyByQuantizedMultiplier(6, quarter.multiplier, quarter.shift)).toBe(2);
    const m = quantizeMultiplier(0.0123);
    for (const x of [0, 1, -1, 1000, -1000, 123456, -98765]) {
      expect(Math.abs(multiplyByQuantizedMultiplier(x, m.multiplier, m.shift) - x * 0.0123)).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    const big = quantizeMultiplier(3.5);
    expect(multiplyByQuantizedMultiplier(10, big.multiplier, big.shift)).toBe(35);
  });
});
