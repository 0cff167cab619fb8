/**
 * The board's camera: width x height grayscale frames as the int8 a model
 * input takes (gray - 128), whichever engine runs the bundle. The engine
 * binding (device/engine.ts) provides the backend:
 * - Espruino: an ArduCAM-style SPI module (arducam.ts) on SPI1 with the
 *   given pins.
 * - JerryScript: the firmware's camera native (tinysense.sensors.camera).
 *
 * ES5 only.
 */
import { cameraBackend } from '../engine.js';
import type { Camera, SpiCameraPins } from './types.js';

export { createCamera } from './arducam.js';
export type { SpiBus } from './arducam.js';
export type { Camera, SpiCameraPins } from './types.js';

/** The board's camera, for frames of width x height pixels. */
export function openCamera(width: number, height: number, pins: SpiCameraPins): Camera {
  return cameraBackend(width, height, pins);
}
