/**
 * The board's accelerometer as a stream of samples in g, whichever engine
 * runs the bundle. The engine binding (device/engine.ts) provides the
 * backend:
 * - Espruino on Bangle.js: the built-in accelerometer through
 *   Bangle.setPollInterval and Bangle.on('accel'); samples come at the poll
 *   interval, and the callback is the firmware's own event.
 * - JerryScript: the firmware's I2C driver (tinysense.sensors.accel: LIS3DH,
 *   LIS2DH12 or MPU-6050 at `address`), read from setInterval at rateHz.
 *
 * ES5 only: this file runs on the microcontroller.
 */
import { accelerometerBackend } from '../engine.js';
import type { Accelerometer, AccelerometerOptions, AccelSample } from './types.js';

export type { Accelerometer, AccelerometerOptions, AccelSample } from './types.js';

/** Starts the accelerometer: onSample is called with every sample, about rateHz times a second. */
export function openAccelerometer(rateHz: number, onSample: (a: AccelSample) => void, options?: AccelerometerOptions): Accelerometer {
  if (!(rateHz > 0 && rateHz <= 1000)) throw new Error('accelerometer: rateHz must be in (0, 1000], not ' + rateHz);
  return accelerometerBackend(rateHz, onSample, options);
}
