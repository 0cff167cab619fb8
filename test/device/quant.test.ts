// tinysense/device's quantize/dequantize: TFLite's rounding (halves away from zero) and saturation, equal to
// the host's quantizeValue (the quantizer's arithmetic) on int8, the other integer ranges, and clear errors.
import { describe, expect, it } from 'vitest';
import { dequantize, quantize } from 'tinysense/device';
import { dequantizeValue, quantizeValue } from 'tinysense/host';
import { prng } from '../shared.js';

describe('quantize / dequantize (tinysense/device)', () => {
  it('equals the host quantizer on int8 for values across and beyond the range', () => {
    const random = prng(14);
    const q = { scale: 0.0244801, zeroPoint: -128 };
    for (let i = 0; i < 5000; i++) {
      const x = (random() - 0.3) * 10;
      expect(quantize(x, q), `x = ${x}`).toBe(quantizeValue(x, q));
    }
  });

  it('rounds halves away from zero, as std::round in TFLite (not Math.round, which rounds -2.5 to -2)', () => {
    const q = { scale: 0.5, zeroPoint: 0 };
    expect([1.25, -1.25, 0.25, -0.25, 0.75].map((x) => quantize(x, q))).toEqual([3, -3, 1, -1, 2]);
  });

  it('saturates to the tensor type: int8 by default, uint8, int16, int32', () => {
    expect(quantize(1e9, { scale: 1, zeroPoint: 0 })).toBe(127);
    expect(quantize(-1e9, { scale: 1, zeroPoint: 0 })).toBe(-128);
    expect(quantize(-5, { scale: 1, zeroPoint: 0, type: 'uint8' })).toBe(0);
    expect(quantize(300, { scale: 1, zeroPoint: 0, type: 'uint8' })).toBe(255);
    expect(quantize(40000, { scale: 1, zeroPoint: 0, type: 'int16' })).toBe(32767);
    expect(quantize(-40000, { scale: 1, zeroPoint: 0, type: 'int16' })).toBe(-32768);
    expect(quantize(-1e12, { scale: 1, zeroPoint: 0, type: 'int32' })).toBe(-2147483648);
  });

  it('dequantize is (q - zeroPoint) * scale, the host formula', () => {
    const q = { scale: 1 / 256, zeroPoint: -128 };
    for (const v of [-128, -1, 0, 77, 127]) expect(dequantize(v, q)).toBe(dequantizeValue(v, q));
    expect(dequantize(77, q)).toBeCloseTo(0.80078125, 12);
  });

  it('refuses what has no integer meaning, saying why', () => {
    expect(() => quantize(1, { scale: 1, zeroPoint: 0, type: 'float32' })).toThrow(/float32 tensor holds real values already/);
    expect(() => quantize(1, { scale: 0, zeroPoint: 0 })).toThrow(/scale must be a positive number, not 0/);
    expect(() => dequantize(1, { scale: NaN, zeroPoint: 0 })).toThrow(/scale must be a positive number, not NaN/);
    expect(() => quantize(NaN, { scale: 1, zeroPoint: 0 })).toThrow(/NaN/);
  });
});
