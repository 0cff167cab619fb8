/**
 * The engine binding of a bundle: what device/ needs from the JavaScript
 * engine it runs on. Each engine has one module that exports these names:
 *
 *   device/engines/espruino.ts     Thumb-2 blob through E.nativeCall, Storage files, Bangle/SPI sensors
 *   device/engines/jerryscript.ts  the firmware's `tinysense` natives, flash partitions, sensor natives
 *
 * device/ imports the binding from HERE ('./engine.js'); the tinysense build
 * (host/bundler/plugin.ts, the board's engine in host/engines/) links the
 * target engine's binding in place of this module, so a bundle carries its
 * own engine's code and nothing of the other's. Outside a tinysense bundle
 * (Node, the type check of device/) this module stands for "some engine":
 * its functions throw.
 *
 * Adding an engine: a device/engines/<name>.ts exporting everything in
 * EngineBinding (the type check below fails until it does) and a host
 * description in host/engines/ (docs/extending.md).
 *
 * ES5 only.
 */
import type { Kernels } from './kernels.js';
import type { Accelerometer, AccelerometerOptions, AccelSample, Camera, MicrophoneSource, SpiCameraPins } from './sensors/types.js';
import type { TargetInfo } from './target.js';
import type * as Espruino from './engines/espruino.js';
import type * as JerryScript from './engines/jerryscript.js';

export interface EngineBinding {
  /** The engine's kernels for the bundle's target (TINYSENSE_TARGET: board, blob file and entries). */
  createKernels(target: TargetInfo): Kernels;
  /** A model pack by name, in place where the engine can: a Storage file (Espruino), a flash partition (JerryScript). */
  packBytes(file: string): Uint8Array;
  /** Starts the board's accelerometer; onSample gets x, y, z in g at about rateHz (device/sensors/accelerometer.ts). */
  accelerometerBackend(rateHz: number, onSample: (a: AccelSample) => void, options: AccelerometerOptions | undefined): Accelerometer;
  /** The board's camera for width x height grayscale frames (device/sensors/camera.ts). */
  cameraBackend(width: number, height: number, pins: SpiCameraPins): Camera;
  /** Starts the board's microphone at sampleRate Hz (device/sensors/mic.ts). */
  microphoneBackend(sampleRate: number): MicrophoneSource;
}

/** Every binding exports the whole of EngineBinding, with the same signatures (a type check, no code). */
type Binding<T extends EngineBinding> = T;
export type EngineBindings = [Binding<typeof Espruino>, Binding<typeof JerryScript>];

function unbound(): never {
  throw new Error('tinysense: no engine binding: device code runs in a bundle the tinysense build made for a board (it links device/engines/<engine>.ts in place of device/engine.ts)');
}

export var createKernels: EngineBinding['createKernels'] = unbound;
export var packBytes: EngineBinding['packBytes'] = unbound;
export var accelerometerBackend: EngineBinding['accelerometerBackend'] = unbound;
export var cameraBackend: EngineBinding['cameraBackend'] = unbound;
export var microphoneBackend: EngineBinding['microphoneBackend'] = unbound;
