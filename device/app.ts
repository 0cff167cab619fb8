/**
 * What an app imports: open a model pack with the kernels of the engine the
 * bundle runs on. The build (host/bundler) defines TINYSENSE_TARGET for the
 * bundle (which engine and board, where the kernel blob is and its entry
 * points) and links that engine's binding as './engine.js' (device/engine.ts).
 *
 * ES5 only.
 */
import { Kernels } from './kernels.js';
import { Model } from './runtime.js';
import { createKernels, packBytes } from './engine.js';
import type { TargetInfo } from './target.js';

export type { TargetInfo } from './target.js';

declare var TINYSENSE_TARGET: TargetInfo;

var kernels: Kernels | undefined;

/** The kernels for this engine, created once. */
export function engineKernels(): Kernels {
  if (!kernels) kernels = createKernels(TINYSENSE_TARGET);
  return kernels;
}

/**
 * Loads and validates a model pack: on Espruino the Storage file `file`, on
 * JerryScript the flash partition `file` (used in place).
 */
export function openModel(file: string): Model {
  var bytes = packBytes(file);
  return new Model(bytes, engineKernels());
}
