/**
 * Espruino binding: the kernels as a position-independent Thumb-2 blob
 * (kernels-c/arm/) called through E.nativeCall on stock firmware.
 *
 * Memory rules this follows (Espruino 2v29 source):
 * - E.nativeCall keeps the code as a flat string and adds its address at
 *   call time, so the blob may move on defragmentation; our buffers may move
 *   too, so every address is fetched again for every call.
 * - E.getAddressOf(x, true) is 0 for anything that is not flat (or mapped
 *   flash): each address is checked before it reaches native code.
 * - A Storage file on internal flash (Jolt.js, nRF52840 DK) is memory-mapped
 *   and is used in place; on Bangle.js 2 Storage is external SPI flash and is
 *   copied into a flat RAM buffer.
 *
 * It is the bundle's engine binding on Espruino boards (device/engine.ts):
 * the build links it as device/engine.ts, so it exports every name of
 * EngineBinding.
 *
 * ES5 only.
 */
import { Kernels, NativeBuffer } from '../kernels.js';
import { SpiBus, createCamera } from '../sensors/arducam.js';
import type { Accelerometer, AccelSample, Camera, MicrophoneSource, SpiCameraPins } from '../sensors/types.js';
import type { TargetInfo } from '../target.js';

// Espruino's built-ins used here (module-scoped declarations: the host type-check must not see them).
declare var E: {
  nativeCall(addr: number, sig: string, data?: string): (...args: number[]) => number;
  getAddressOf(v: unknown, flatAddress: boolean): number;
  toFlatString(...args: unknown[]): string | undefined;
  toArrayBuffer(str: string): ArrayBuffer;
  CRC32(data: unknown): number;
  getSizeOf(v: unknown, depth?: number): number;
};
declare var process: { env: { VERSION?: string; BOARD?: string }; memory(gc?: boolean): { free: number; usage: number; total: number; blocksize?: number } };
declare function require(module: 'Storage'): {
  read(name: string, offset?: number, length?: number): string | undefined;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  write(name: string, data: string | ArrayBuffer | Uint8Array, offset?: number, size?: number): boolean;
  list(pattern?: RegExp | string): string[];
  erase(name: string): void;
};

/** Where the blob's entry points are (byte offsets, thumb bit clear), from kernels-c/out/tinysense-m4.json. */
export interface BlobEntries {
  invoke: number;
  /** ts_invoke_ops: a range of op records in one call. */
  invokeOps: number;
  checksum: number;
  /** Absent in blobs built before the preprocessing entry existed. */
  preprocess?: number;
}

/**
 * The `tinysense` class of an Espruino firmware built with the tinysense module
 * (firmware/espruino/jswrap_tinysense.c): the blob's entries as native functions
 * taking the same addresses, plus preprocess() taking typed arrays, whose real
 * lengths the C checks against the params.
 */
export interface EspruinoFirmwareNatives {
  invoke(record: number, arena: number, pack: number): number;
  invokeOps(pack: number, arena: number, first: number, count: number): number;
  checksum(address: number, length: number): number;
  preprocess(params: Uint8Array, src: ArrayBufferView, dst: ArrayBufferView, arg: number): number;
}

// The firmware module's class, when the firmware has it (module-scoped: the host type-check must not see it).
declare var tinysense: EspruinoFirmwareNatives | undefined;

function notFlat(what: string): never {
  throw new Error('tinysense: ' + what + ' is not in flat memory (defragment or free memory)');
}

/**
 * A typed array the native code can address; its address is looked up on every call. Short on
 * purpose: Espruino runs address() from source for every invoke, and a global name (E) costs a
 * search of every scope up to the built-ins, so getAddressOf is kept in this closure.
 */
function nativeBuffer(bytes: Uint8Array, what: string): NativeBuffer {
  var addressOf = E.getAddressOf;
  return {
    length: bytes.length,
    view: function () {
      return bytes;
    },
    address: function () {
      return addressOf(bytes, true) || notFlat(what);
    },
  };
}

/**
 * Allocates a flat, zeroed byte buffer or throws an error naming the size.
 *
 * On Espruino running out of memory is not an exception: `new Uint8Array(n)` with too few free
 * JsVars prints OUT OF MEMORY and interrupts the whole execution, catch blocks included. So the
 * memory is checked first (process.memory() collects garbage, then counts free JsVars), and the
 * buffer is made from E.toFlatString, which returns undefined, instead of interrupting, when no
 * contiguous block is large enough; E.toArrayBuffer then views that flat string without a copy.
 */
function allocateFlat(bytes: number, what: string): Uint8Array {
  if (bytes <= 0) return new Uint8Array(0);
  var memory = process.memory();
  var perVar = memory.blocksize || 14;
  // The flat string's header and data JsVars, the ArrayBuffer and the view.
  var needed = 3 + Math.ceil(bytes / perVar);
  if (memory.free < needed) {
    throw new Error('tinysense: cannot allocate ' + bytes + ' bytes for the ' + what + ': it needs ' + needed +
      ' JsVars and ' + memory.free + ' of ' + memory.total + ' are free');
  }
  var flat = E.toFlatString({ data: 0, count: bytes });
  var buffer = flat === undefined ? undefined : new Uint8Array(E.toArrayBuffer(flat));
  if (!buffer || !E.getAddressOf(buffer, true)) {
    throw new Error('tinysense: cannot allocate ' + bytes + ' contiguous bytes for the ' + what + ' (' + memory.free +
      ' JsVars free, but no block of ' + needed + ' in one piece: free memory or call E.defrag() first)');
  }
  return buffer;
}

/** Memory and Storage, whichever way the kernels are reached. */
function espruinoMemory(kernels: {
  name: string;
  invoke: (record: number, arena: number, pack: number) => number;
  invokeOps: (pack: number, arena: number, first: number, count: number) => number;
  checksum: (address: number, length: number) => number;
  preprocess: (params: NativeBuffer, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number) => number;
}): Kernels {
  return {
    name: kernels.name,
    allocate: function (bytes: number): NativeBuffer {
      return nativeBuffer(allocateFlat(bytes, 'arena'), 'the arena');
    },
    place: function (data: Uint8Array): NativeBuffer {
      // Mapped flash (or an already flat buffer) is used in place; anything else is copied.
      if (E.getAddressOf(data, true)) return nativeBuffer(data, 'the model pack');
      var copy = allocateFlat(data.length, 'model pack');
      copy.set(data);
      return nativeBuffer(copy, 'the model pack');
    },
    invoke: kernels.invoke,
    invokeOps: kernels.invokeOps,
    crc32: function (address: number, length: number): number {
      return kernels.checksum(address, length) >>> 0;
    },
    preprocess: kernels.preprocess,
  };
}

/**
 * The kernels of a firmware built with the tinysense module (ESP32, whose RAM cannot run the blob),
 * or undefined when this firmware has none.
 */
export function espruinoFirmwareKernels(): Kernels | undefined {
  if (typeof tinysense === 'undefined' || !tinysense || typeof tinysense.invoke !== 'function') return undefined;
  var n = tinysense;
  return espruinoMemory({
    name: 'espruino-firmware',
    invoke: function (record: number, arena: number, pack: number): number {
      return n.invoke(record, arena, pack);
    },
    invokeOps: function (pack: number, arena: number, first: number, count: number): number {
      return n.invokeOps(pack, arena, first, count);
    },
    checksum: function (address: number, length: number): number {
      return n.checksum(address, length);
    },
    preprocess: function (params: NativeBuffer, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number): number {
      // Four arguments at most for an Espruino native: the offset becomes a view.
      var from = srcOffset ? new Uint8Array(src.buffer, src.byteOffset + srcOffset, src.byteLength - srcOffset) : src;
      return n.preprocess(params.view(), from, dst, arg);
    },
  });
}

/**
 * Creates the kernels from the blob's code (a string: a Storage file's
 * contents or atob(...)) and its entry offsets.
 */
export function espruinoKernels(code: string, entries: BlobEntries): Kernels {
  // nativeCall would copy a non-flat string (a memory-mapped Storage file is not flat) for EACH entry
  // it makes: flatten once here, so the blob sits in RAM once, and report failure clearly.
  var flat = E.toFlatString(code);
  if (flat === undefined) throw new Error('tinysense: no room for the ' + code.length + '-byte kernel blob in flat memory');
  var invokeOps = E.nativeCall(entries.invokeOps | 1, 'int(int,int,int,int)', flat);
  var addressOf = E.getAddressOf;
  var checksum = E.nativeCall(entries.checksum | 1, 'int(int,int)', flat);
  // Made on first use: apps that do no preprocessing spend no JsVars on it, and only
  // Model.invokeOp (debugging) runs a single record.
  var invoke: ((record: number, arena: number, pack: number) => number) | undefined;
  var preprocess: ((params: number, src: number, dst: number, arg: number) => number) | undefined;
  function makePreprocess(): (params: number, src: number, dst: number, arg: number) => number {
    if (entries.preprocess === undefined) throw new Error('tinysense: this kernel blob has no preprocessing kernels (the build adds them when the app\'s entry file calls imagePreprocessor or sampleWindow); rebuild the app');
    return (preprocess = E.nativeCall(entries.preprocess | 1, 'int(int,int,int,int)', flat as string));
  }
  return espruinoMemory({
    name: 'espruino',
    invoke: function (record: number, arena: number, pack: number): number {
      if (!invoke) invoke = E.nativeCall(entries.invoke | 1, 'int(int,int,int)', flat as string);
      return invoke(record, arena, pack);
    },
    invokeOps: invokeOps,
    checksum: checksum,
    // Per frame: the first-use set-up is a function of its own, so later calls do not lex its text.
    preprocess: function (params: NativeBuffer, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number): number {
      return (preprocess || makePreprocess())(params.address(), (addressOf(src, true) || notFlat('the preprocessing source')) + srcOffset, addressOf(dst, true) || notFlat('the model input'), arg);
    },
  });
}

/** The bytes of a Storage file without copying when the file is memory-mapped. */
export function storageBytes(file: string): Uint8Array {
  var contents = storage().read(file);
  if (contents === undefined) throw new Error('tinysense: Storage file ' + file + ' not found');
  return new Uint8Array(E.toArrayBuffer(contents));
}

/** Espruino's Storage module. */
export function storage() {
  return require('Storage');
}

// ---- EngineBinding (device/engine.ts) ----

declare var TINYSENSE_TARGET: TargetInfo;

/** The kernels from the blob the build put into Storage (its name and entry offsets are in the target). */
export function createKernels(target: TargetInfo): Kernels {
  // A firmware built with the tinysense module (firmware/espruino) has the kernels linked in.
  var linked = espruinoFirmwareKernels();
  if (linked) return linked;
  if (!target.blobFile) {
    throw new Error('tinysense: board ' + target.board + ' cannot run the kernel blob (its RAM is not executable); it needs firmware with the tinysense kernels built in');
  }
  var code = storage().read(target.blobFile as string);
  if (code === undefined) throw new Error('tinysense: kernel blob ' + target.blobFile + ' is not in Storage; upload it with `tinysense upload`');
  if (target.invokeOps === undefined) throw new Error('tinysense: this kernel blob has no ts_invoke_ops entry (built by an older tinysense); rebuild the app');
  return espruinoKernels(code, { invoke: target.invoke as number, invokeOps: target.invokeOps, checksum: target.checksum as number, preprocess: target.preprocess });
}

/** A model pack is a Storage file. */
export var packBytes = storageBytes;

// Bangle.js firmware's accelerometer (module-scoped declaration: the host type-check must not see it).
declare var Bangle: {
  setPollInterval(ms: number): void;
  on(event: 'accel', listener: (a: AccelSample) => void): void;
  removeListener(event: 'accel', listener: (a: AccelSample) => void): void;
} | undefined;

/**
 * The Bangle.js accelerometer: the firmware polls it every 1000 / rateHz ms and emits 'accel' with
 * x, y, z in g; onSample is that listener itself (no wrapper between the firmware and the app).
 */
export function accelerometerBackend(rateHz: number, onSample: (a: AccelSample) => void): Accelerometer {
  if (typeof Bangle === 'undefined') {
    throw new Error('accelerometer: ' + (TINYSENSE_TARGET.board || 'this board') + ' has no built-in accelerometer (Espruino: Bangle.js only)');
  }
  var bangle = Bangle!;
  bangle.setPollInterval(1000 / rateHz);
  bangle.on('accel', onSample);
  return {
    rateHz: rateHz,
    stop: function (): void {
      bangle.removeListener('accel', onSample);
    },
  };
}

declare var SPI1: SpiBus & { setup(options: { sck: number; mosi: number; miso: number; baud: number }): void };

/** An ArduCAM-style SPI camera module (device/sensors/arducam.ts) on SPI1 with these pins. */
export function cameraBackend(width: number, height: number, pins: SpiCameraPins): Camera {
  SPI1.setup({ sck: pins.sck, mosi: pins.mosi, miso: pins.miso, baud: pins.baud || 8000000 });
  return createCamera(SPI1, pins.cs, width, height);
}

/** No Espruino board here has a microphone driver. */
export function microphoneBackend(): MicrophoneSource {
  throw new Error('microphone: ' + (TINYSENSE_TARGET.board || 'this board') + ' has no microphone driver (Espruino has no I2S API); use a JerryScript board with an I2S microphone');
}
