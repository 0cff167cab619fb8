/**
 * JerryScript binding: the kernels as native functions compiled into the
 * firmware (kernels-c/jerryscript/tinysense_jerry.c), reached through the
 * global object `tinysense` that the firmware defines (docs/jerryscript.md).
 *
 * JerryScript hands natives typed arrays, not addresses, while the Kernels
 * interface speaks in integer addresses. So the "addresses" this binding
 * gives out are handles: buffer number n (from 1) covers [n * SPAN,
 * (n + 1) * SPAN), and invoke()/crc32() map an address back to its typed
 * array and offset before calling the native. The natives check every typed
 * array, offset and length again in C, and every op record before it runs.
 *
 * Memory rules (JerryScript v3.0):
 * - Its garbage collector does not move objects, so a typed array's memory
 *   stays put while the binding holds it: anything 4-aligned is used in place,
 *   including views of memory-mapped flash (tinysense.flash(name)); anything
 *   else is copied into native memory from tinysense.allocate().
 * - Buffers the binding hands out live as long as the Kernels object does
 *   (a model lives for the app's lifetime; there is no free in Kernels).
 *
 * It is the bundle's engine binding on JerryScript boards (device/engine.ts):
 * the build links it as device/engine.ts, so it exports every name of
 * EngineBinding.
 *
 * ES5 only.
 */
import { Kernels, NativeBuffer } from '../kernels.js';
import type { Accelerometer, AccelerometerOptions, AccelSample, Camera, MicrophoneSource } from '../sensors/types.js';

/** What tinysense.memory() reports, in bytes; -1 where the firmware cannot tell. */
export interface JerryMemory {
  jsHeapSize: number;
  jsHeapUsed: number;
  jsHeapPeak: number;
  nativeFree: number;
  nativeLargest: number;
}

/** tinysense.sensors: each group is present only on boards that have the sensor. */
export interface JerrySensors {
  accel?: {
    /** chip: 'lis3dh' | 'lis2dh12' | 'mpu6050'; address: 7-bit I2C address; rangeG: 2, 4, 8 or 16. */
    open(chip: string, address: number, rangeG: number, rateHz: number): void;
    /** Writes x, y, z in milli-g at into[3 * index], into[3 * index + 1], into[3 * index + 2]. */
    read(into: Int16Array, index: number): void;
  };
  mic?: {
    start(sampleRate: number): void;
    /** Fills into with 16-bit PCM; returns how many samples arrived before timeoutMs. */
    read(into: Int16Array, timeoutMs: number): number;
    stop(): void;
  };
  camera?: {
    /** One width x height grayscale frame: 0..255 into a Uint8Array, gray - 128 into an Int8Array. */
    capture(into: Uint8Array | Int8Array, width: number, height: number, timeoutMs?: number): void;
  };
}

/** The global `tinysense` of a tinysense-enabled JerryScript firmware. */
export interface JerryNatives {
  version: string;
  invoke(pack: Uint8Array, recordOffset: number, arena: Uint8Array): number;
  /** ts_invoke_ops, the glue checking each record before it runs (as invoke does). Absent before v3. */
  invokeOps?(pack: Uint8Array, arena: Uint8Array, first: number, count: number): number;
  checksum(data: Uint8Array, offset: number, length: number): number;
  /** ts_preprocess: params from tinysense.allocate(); the C checks every length against the typed arrays. Absent before v2. */
  preprocess?(params: Uint8Array, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number): number;
  allocate(bytes: number): Uint8Array;
  aligned(data: Uint8Array): boolean;
  flash(name: string): Uint8Array | undefined;
  memory(): JerryMemory;
  sensors: JerrySensors;
}

// The firmware's global (module-scoped declaration: the host type-check must not see it).
declare var tinysense: JerryNatives | undefined;

/** Handle space per buffer: 256 MiB, far above any model a board can hold. */
export var SPAN = 0x10000000;

/** The firmware's natives, or an Error saying the firmware lacks them. */
export function jerryNatives(): JerryNatives {
  if (typeof tinysense === 'undefined' || !tinysense || typeof tinysense.invoke !== 'function') {
    throw new Error('tinysense: this JerryScript firmware has no tinysense natives (see docs/jerryscript.md)');
  }
  return tinysense;
}

/**
 * Creates the kernels over the natives (by default the firmware's global
 * `tinysense`; tests pass a double).
 */
export function jerryKernels(natives?: JerryNatives): Kernels {
  var n = natives || jerryNatives();
  // buffers[k] is the typed array behind handle k * SPAN; slot 0 stays empty so no handle is 0.
  var buffers: Uint8Array[] = [];
  buffers.push(undefined as unknown as Uint8Array);

  function register(bytes: Uint8Array): NativeBuffer {
    if (bytes.length >= SPAN) throw new Error('tinysense: a ' + bytes.length + '-byte buffer is larger than ' + SPAN + ' bytes');
    var base = buffers.length * SPAN;
    buffers.push(bytes);
    return {
      length: bytes.length,
      view: function () {
        return bytes;
      },
      address: function () {
        return base;
      },
    };
  }

  /** The buffer number of a handle address, checked. */
  function owner(address: number, what: string): number {
    var k = Math.floor(address / SPAN);
    if (!(address >= SPAN && k < buffers.length && Math.floor(address) === address)) {
      throw new Error('tinysense: ' + what + ' ' + address + ' is not an address this binding gave out');
    }
    return k;
  }

  return {
    name: 'jerryscript',
    allocate: function (bytes: number): NativeBuffer {
      if (!(bytes >= 0 && bytes < SPAN && Math.floor(bytes) === bytes)) throw new Error('tinysense: cannot allocate ' + bytes + ' bytes');
      // tinysense.allocate throws a RangeError naming the size (and free memory) when it cannot.
      return register(n.allocate(bytes));
    },
    place: function (data: Uint8Array): NativeBuffer {
      // Flash views, allocate()d memory and aligned heap arrays stay where they are; the rest is copied.
      if (n.aligned(data)) return register(data);
      var copy = n.allocate(data.length);
      copy.set(data);
      return register(copy);
    },
    invoke: function (record: number, arena: number, pack: number): number {
      var p = owner(pack, 'pack');
      var a = owner(arena, 'arena');
      if (pack !== p * SPAN || arena !== a * SPAN) throw new Error('tinysense: pack and arena must be buffer starts');
      if (owner(record, 'record') !== p) throw new Error('tinysense: the record is not inside the pack');
      return n.invoke(buffers[p], record - pack, buffers[a]);
    },
    invokeOps: function (pack: number, arena: number, first: number, count: number): number {
      if (typeof n.invokeOps !== 'function') throw new Error('tinysense: this JerryScript firmware predates tinysense.invokeOps (rebuild it)');
      var p = owner(pack, 'pack');
      var a = owner(arena, 'arena');
      if (pack !== p * SPAN || arena !== a * SPAN) throw new Error('tinysense: pack and arena must be buffer starts');
      return n.invokeOps!(buffers[p], buffers[a], first, count);
    },
    crc32: function (address: number, length: number): number {
      var k = owner(address, 'checksum address');
      return n.checksum(buffers[k], address - k * SPAN, length) >>> 0;
    },
    preprocess: function (params: NativeBuffer, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number): number {
      if (typeof n.preprocess !== 'function') throw new Error('tinysense: this JerryScript firmware predates tinysense.preprocess (rebuild it)');
      return n.preprocess!(params.view(), src, srcOffset, dst, arg);
    },
  };
}

/**
 * The bytes of a model pack the firmware maps from flash by name (an ESP32
 * partition label, a Zephyr flash partition), without copying.
 */
export function flashBytes(name: string, natives?: JerryNatives): Uint8Array {
  var bytes = (natives || jerryNatives()).flash(name);
  if (!bytes) throw new Error('tinysense: no flash region named ' + name + ' on this board');
  return bytes;
}

/** The board's sensors (groups absent where the board has no such sensor). */
export function jerrySensors(natives?: JerryNatives): JerrySensors {
  return (natives || jerryNatives()).sensors;
}

/** Engine heap and native memory in bytes. */
export function jerryMemory(natives?: JerryNatives): JerryMemory {
  return (natives || jerryNatives()).memory();
}

// ---- EngineBinding (device/engine.ts) ----

/** The kernels compiled into the firmware (the global `tinysense`). */
export function createKernels(): Kernels {
  return jerryKernels();
}

/** A model pack is a flash partition the firmware maps, used in place. */
export function packBytes(file: string): Uint8Array {
  return flashBytes(file);
}

/**
 * The firmware's I2C accelerometer (tinysense.sensors.accel), read from a timer every 1000 / rateHz ms;
 * the part reports milli-g, the samples are in g as on Bangle.js.
 */
export function accelerometerBackend(rateHz: number, onSample: (a: AccelSample) => void, options: AccelerometerOptions | undefined): Accelerometer {
  var native = jerrySensors().accel;
  if (!native) throw new Error('accelerometer: this board has no accelerometer (the firmware was built without I2C)');
  var o = options || {};
  native.open(o.chip || 'lis3dh', o.address === undefined ? 0x18 : o.address, o.rangeG || 8, rateHz);
  var accel = native;
  var mg = new Int16Array(3);
  var timer = setInterval(function () {
    accel.read(mg, 0);
    onSample({ x: mg[0] / 1000, y: mg[1] / 1000, z: mg[2] / 1000 });
  }, 1000 / rateHz);
  return {
    rateHz: rateHz,
    stop: function (): void {
      clearInterval(timer);
    },
  };
}

/** The firmware's camera native (tinysense.sensors.camera): the firmware knows its wiring, the app's pins are not needed. */
export function cameraBackend(width: number, height: number): Camera {
  var native = jerrySensors().camera;
  if (!native) throw new Error('camera: this board has no camera');
  var camera = native;
  var gray: Uint8Array | undefined;
  return {
    capture: function (into: Int8Array): void {
      camera.capture(into, width, height);
    },
    grab: function (): Uint8Array {
      if (!gray) gray = new Uint8Array(width * height);
      camera.capture(gray, width, height);
      return gray;
    },
  };
}

/** The firmware's I2S microphone (tinysense.sensors.mic), read without waiting. */
export function microphoneBackend(sampleRate: number): MicrophoneSource {
  var native = jerrySensors().mic;
  if (!native) throw new Error('microphone: this board has no microphone (the firmware was built without the I2S microphone)');
  var mic = native;
  mic.start(sampleRate);
  return {
    read: function (into: Int16Array): number {
      return mic.read(into, 0);
    },
    stop: function (): void {
      mic.stop();
    },
  };
}
