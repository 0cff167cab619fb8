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

/** One sample, in g (1 g = 9.81 m/s^2); z is about -1 with the board lying face up. */
export interface AccelSample {
  x: number;
  y: number;
  z: number;
}

export interface AccelerometerOptions {
  /** JerryScript boards: the part on the I2C bus, 'lis3dh' | 'lis2dh12' | 'mpu6050' (default 'lis3dh'). */
  chip?: string;
  /** JerryScript boards: its 7-bit I2C address (default 0x18, the LIS3DH's with SA0 low). */
  address?: number;
  /** JerryScript boards: full scale in g, 2, 4, 8 or 16 (default 8, as Bangle.js 2 reports). */
  rangeG?: number;
}

export interface Accelerometer {
  /** The rate samples arrive at (Hz). */
  readonly rateHz: number;
  /** No more samples. */
  stop(): void;
}

/** Starts the accelerometer: onSample is called with every sample, about rateHz times a second. */
export function openAccelerometer(rateHz: number, onSample: (a: AccelSample) => void, options?: AccelerometerOptions): Accelerometer {
  if (!(rateHz > 0 && rateHz <= 1000)) throw new Error('accelerometer: rateHz must be in (0, 1000], not ' + rateHz);
  return accelerometerBackend(rateHz, onSample, options);
}
