/**
 * TFLM's int16 lookup tables (LUTPopulateInt16<float>, kernels/internal/common.h), computed here as TFLM
 * computes them in its Prepare: 512 segments plus an end point, in float32 arithmetic (every step rounded
 * to float32 with Math.fround), each sample biased by half the interpolation error at the segment's
 * midpoint. The transform gets a float32 and returns a float32 (expf: the correctly rounded float32 of
 * exp; 1 / (1 + x) in float32).
 */
const f = Math.fround;

/** TfLiteRound on a float: round half away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

export function int16Lut(inputScale: number, inputZeroPoint: number, outputScale: number, outputZeroPoint: number, transform: (x: number) => number): Int16Array {
  const inputMin = f(inputScale * (-32768 - inputZeroPoint));
  const inputMax = f(inputScale * (32767 - inputZeroPoint));
  const outputMin = f(outputScale * (-32768 - outputZeroPoint));
  const outputMax = f(outputScale * (32767 - outputZeroPoint));
  const steps = 512;
  const step = f(f(inputMax - inputMin) / steps);
  const halfStep = f(step / 2);
  const scalingInv = f(65536 / f(outputMax - outputMin));
  const lut = new Int16Array(steps + 1);
  const clamp = (x: number) => Math.min(Math.max(x, -32768), 32767);
  for (let i = 0; i < steps; i++) {
    const at = f(inputMin + f(i * step));
    const val = transform(at);
    const valMidpoint = transform(f(at + halfStep));
    const valNext = transform(f(inputMin + f((i + 1) * step)));
    const sample = roundHalfAway(f(val * scalingInv));
    const midpointInterp = roundHalfAway(f(f(f(valNext * scalingInv) + roundHalfAway(f(val * scalingInv))) / 2));
    const midpoint = roundHalfAway(f(valMidpoint * scalingInv));
    const bias = roundHalfAway(f(f(midpointInterp - midpoint) / 2));
    lut[i] = clamp(f(sample - bias));
  }
  lut[steps] = clamp(roundHalfAway(f(transform(inputMax) * scalingInv)));
  return lut;
}

/** expf as a float32 function. */
export const expF32 = (x: number): number => f(Math.exp(x));
/** 1.0f / (1.0f + x). */
export const oneOverOnePlusF32 = (x: number): number => f(1 / f(1 + x));
