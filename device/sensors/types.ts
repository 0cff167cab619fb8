/**
 * The engine-neutral sensor interfaces, types only: the sensor modules (device/sensors/<name>.ts) give
 * them to apps, the engine bindings (device/engines/<engine>.ts) implement them, and device/engine.ts
 * names them in EngineBinding, without any of these importing one another.
 */

/** One accelerometer sample, in g (1 g = 9.81 m/s^2); z is about -1 with the board lying face up. */
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

export interface Camera {
  /** Captures one frame into `into` (width x height int8 values), converting in JavaScript. */
  capture(into: Int8Array): void;
  /**
   * Captures one frame and returns its width x height 8-bit gray bytes as the sensor gave them
   * (valid until the next grab), for imagePreprocessor() to convert natively.
   */
  grab(): Uint8Array;
}

/** Where the camera is wired on an Espruino board (pin numbers: D2 is 2). */
export interface SpiCameraPins {
  sck: number;
  mosi: number;
  miso: number;
  cs: number;
  baud?: number;
}

/** A started microphone as the engine gives it: samples in, no buffering policy. */
export interface MicrophoneSource {
  /** Fills `into` with the samples that arrived, without waiting; returns how many. */
  read(into: Int16Array): number;
  stop(): void;
}
