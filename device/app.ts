/**
 * What an app imports: open a model pack with the kernels of the engine the
 * bundle runs on. The build (host/build) defines TINYSENSE_TARGET for the
 * bundle: which engine, where the kernel blob is and its entry points.
 *
 * ES5 only.
 */
import { Kernels } from './kernels.js';
import { Model } from './runtime.js';
import { espruinoFirmwareKernels, espruinoKernels, storageBytes, storage } from './engines/espruino.js';
import { flashBytes, jerryKernels } from './engines/jerryscript.js';

export interface TargetInfo {
  engine: 'espruino' | 'jerryscript';
  /** Board id the bundle was built for. */
  board?: string;
  /** Espruino only: the Storage file holding the kernel blob and its entry offsets. */
  blobFile?: string;
  invoke?: number;
  checksum?: number;
  /** The blob's preprocessing entry (absent in blobs built before it existed). */
  preprocess?: number;
}

declare var TINYSENSE_TARGET: TargetInfo;

var kernels: Kernels | undefined;

/** The kernels for this engine, created once. */
export function engineKernels(): Kernels {
  if (kernels) return kernels;
  var target = TINYSENSE_TARGET;
  if (target.engine === 'espruino') {
    // A firmware built with the tinysense module (firmware/espruino) has the kernels linked in.
    var linked = espruinoFirmwareKernels();
    if (linked) return (kernels = linked);
    if (!target.blobFile) {
      throw new Error('tinysense: board ' + target.board + ' cannot run the kernel blob (its RAM is not executable); it needs firmware with the tinysense kernels built in');
    }
    var code = storage().read(target.blobFile as string);
    if (code === undefined) throw new Error('tinysense: kernel blob ' + target.blobFile + ' is not in Storage; upload it with `tinysense upload`');
    kernels = espruinoKernels(code, { invoke: target.invoke as number, checksum: target.checksum as number, preprocess: target.preprocess });
    return kernels;
  }
  if (target.engine === 'jerryscript') {
    kernels = jerryKernels(); // the firmware's global `tinysense` (kernels-c/jerryscript)
    return kernels;
  }
  throw new Error('tinysense: engine ' + target.engine + ' is not supported by this build');
}

/**
 * Loads and validates a model pack: on Espruino the Storage file `file`, on
 * JerryScript the flash partition `file` (used in place).
 */
export function openModel(file: string): Model {
  var bytes = TINYSENSE_TARGET.engine === 'jerryscript' ? flashBytes(file) : storageBytes(file);
  return new Model(bytes, engineKernels());
}
