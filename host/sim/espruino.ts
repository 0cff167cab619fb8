/**
 * An emulated Espruino board for the simulator: the globals a bundle uses on
 * the device (E, print, timers, require('Storage'), Bangle, SPI/I2C, peek/poke,
 * pins), inside a node:vm context stripped to Espruino's language profile.
 * Anything not emulated throws an error that names it.
 */
import vm from 'node:vm';
import { crc32 } from '../compiler/crc32.js';
import { ESPRUINO_PROFILE } from './engine-profile.js';
import { SandboxBoard } from './sandbox.js';
import { DeviceMemory, FLAT_MIN_BYTES, regionBytes } from './memory.js';
import { flatStringJsVars, typedArrayJsVars } from '../engines/espruino-heap.js';
import { minify } from '../bundler/minify.js';
import type { CpuName } from '../bundler/boards.js';
import { SimulatedNative } from './native.js';
import { BTN1_PIN, BangleDevice, type AccelSample } from './bangle.js';
import { FlashStorage, StorageError } from './storage.js';

export interface BoardInfo {
  id: string;
  /** The engine to emulate (default Espruino). */
  engine?: 'espruino' | 'jerryscript';
  /** Bytes of JS heap (Espruino: variables x bytes per JsVar). */
  heapBytes: number;
  jsVarBytes: number;
  /**
   * Free stack when app code runs (board file stack.freeBytes): Storage.write copies data that is
   * neither flat nor memory-mapped onto it and fails beyond it. Default: no limit.
   */
  stackBytes?: number;
  /** Storage files are memory-mapped (internal flash) and usable in place by native code. */
  storageMapped: boolean;
  storageBytes: number;
  /** Board objects present (e.g. 'Bangle'). */
  objects: string[];
  /** The CPU and its clock: each model op run advances virtual time by its estimated duration (host/bundler/latency.ts). */
  cpu?: CpuName;
  clockMHz?: number;
}

/** A scripted SPI device: gets the bytes sent, returns the bytes clocked back. */
export type SpiDevice = (sent: Uint8Array) => Uint8Array;
/** A scripted I2C device: register reads and writes. */
export interface I2cDevice {
  write(data: Uint8Array): void;
  read(count: number): Uint8Array;
}

export type { AccelSample } from './bangle.js';

export interface EspruinoHooks {
  /** One console line (print/console.log), at virtual time t ms. */
  output(line: string, t: number): void;
  /** Accelerometer sample for virtual time t (Bangle.js), or undefined when the trace has none. */
  accel?(t: number): AccelSample | undefined;
  spiDevices?: Record<number, SpiDevice>;
  i2cDevices?: Record<number, I2cDevice>;
  /** A scalar trace column at time t (Bangle.js: `btn1`, `battery`), or undefined when the trace has none. */
  column?(name: string, t: number): number | undefined;
  /** Where a scalar trace column changes value (from 0), in order. */
  edges?(name: string): { t: number; value: number }[];
}

/**
 * What an out-of-memory interrupt throws through the app's JavaScript. Espruino does not throw
 * on OUT OF MEMORY: it sets its interrupt flag and the interpreter stops executing, catch blocks
 * included. V8 cannot be stopped like that from the host, so the board marks itself interrupted:
 * every Espruino API the app then calls (in a catch block, say) throws this again, and the end
 * of the execution prints "Execution Interrupted" instead of any error the app made.
 */
const INTERRUPTED = Symbol.for('tinysense.espruino.interrupted');
export function isInterruption(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[INTERRUPTED] === true;
}
function interruption(): object {
  return { [INTERRUPTED]: true, name: 'Interrupted', message: 'Execution Interrupted (OUT OF MEMORY)' };
}

function strict<T extends object>(target: T, name: string, guard?: () => void): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      guard?.();
      if (typeof key === 'string' && !(key in t) && key !== 'toJSON' && key !== 'then') {
        throw new Error(`${name}.${key} is not emulated by the tinysense simulator`);
      }
      return Reflect.get(t, key, receiver) as unknown;
    },
  });
}

function toBytes(data: unknown): Uint8Array {
  // Espruino's iterable forms (jsvIterateCallback): { data, count } repeats data count times.
  if (data && typeof data === 'object' && 'data' in data && 'count' in data && !ArrayBuffer.isView(data)) {
    const one = toBytes((data as { data: unknown }).data);
    const count = Number((data as { count: unknown }).count) || 0;
    const out = new Uint8Array(one.length * count);
    for (let i = 0; i < count; i++) out.set(one, i * one.length);
    return out;
  }
  // latin1 keeps each char code's low byte, as Espruino's 8-bit strings do.
  if (typeof data === 'string') return new Uint8Array(Buffer.from(data, 'latin1'));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Uint8Array.from(data as number[]);
  if (typeof data === 'number') return Uint8Array.of(data);
  throw new Error(`cannot turn ${typeof data} into bytes`);
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

export class EspruinoBoard extends SandboxBoard {
  readonly memory: DeviceMemory;
  readonly native: SimulatedNative;
  /** Storage with Espruino's space rules: size, per-file header, trash until compaction. */
  readonly storage: FlashStorage;
  /** Bangle.js 2's screen, button, buzzer and the rest (host/sim/bangle.ts), on boards with `Bangle`. */
  readonly bangle?: BangleDevice;

  constructor(
    readonly board: BoardInfo,
    private readonly hooks: EspruinoHooks,
    /** The board's Storage (default: empty, board.storageBytes large); tests pass one to boot a given flash state. */
    storage?: FlashStorage,
  ) {
    super(ESPRUINO_PROFILE);
    this.storage = storage ?? new FlashStorage(board.storageBytes);
    this.memory = new DeviceMemory(board.heapBytes, board.jsVarBytes);
    this.native = new SimulatedNative(this.memory, board.cpu && board.clockMHz ? { clock: this.clock, cpu: board.cpu, mhz: board.clockMHz } : undefined);
    if (board.objects.includes('Bangle')) this.bangle = new BangleDevice({ clock: this.clock, context: this.context }, hooks);
    this.installGlobals();
  }

  /**
   * Board time the emulated work takes, for a served board that keeps the real one's pace
   * (host/sim/serve.ts boardTime): ms per byte of E.CRC32. 0 (default): instant.
   */
  readonly costs = { crcMsPerByte: 0 };
  /** Board time spent in costed work so far (ms). */
  busyMs = 0;

  /** An OUT OF MEMORY interrupt is stopping the current execution. */
  private interrupted = false;

  /** Espruino's OUT OF MEMORY: prints it and interrupts the execution (see isInterruption). */
  private outOfMemory(): never {
    if (!this.interrupted) {
      this.interrupted = true;
      this.hooks.output('OUT OF MEMORY', this.clock.now);
    }
    throw interruption();
  }

  private guard = (): void => {
    if (this.interrupted) throw interruption();
  };

  /**
   * Ends an execution (a script, a timer callback, a console line): true, after printing
   * "Execution Interrupted", when it was interrupted, whether or not the app caught what was thrown.
   */
  endExecution(error?: unknown): boolean {
    if (!this.interrupted && !isInterruption(error)) return false;
    this.interrupted = false;
    this.hooks.output('Execution Interrupted', this.clock.now);
    return true;
  }

  override run(code: string, filename = 'app.js'): void {
    super.run(code, filename);
    this.endExecution();
  }

  /**
   * Runs the app's bundle as the board's boot does, charging the JsVars its code and start-up objects
   * take on Espruino (the calibrated estimate of host/engines/espruino-heap.ts, from the code without
   * comments and indentation, as the build's budget counts it).
   */
  startApp(bundle: string, filename = 'app.js'): void {
    this.memory.chargeCode(Buffer.byteLength(minify(bundle, filename).code));
    this.run(bundle, filename);
  }

  override advance(ms: number): void {
    super.advance(ms);
    this.endExecution();
  }

  protected override reportError(e: unknown): void {
    if (this.endExecution(e)) return;
    super.reportError(e);
  }

  protected uncaughtLine(error: Error): string {
    return `Uncaught ${error.name ?? 'Error'}: ${error.message}`;
  }

  protected printLine(line: string): void {
    this.hooks.output(line, this.clock.now);
  }

  private print(args: unknown[]): void {
    const text = args.map((a) => (typeof a === 'string' ? a : typeof a === 'object' && a !== null ? JSON.stringify(a) : String(a))).join(' ');
    for (const line of text.split('\n')) this.hooks.output(line, this.clock.now);
  }

  private installGlobals(): void {
    // A fresh interpreter (here, and again on reset(), load(), E.reboot()) starts with an empty heap.
    this.memory.resetHeap();
    this.flashReads.clear();
    const g = vm.runInContext('this', this.context) as Record<string, unknown>;
    const clock = this.clock;
    const memory = this.memory;
    const board = this.board;
    const print = (...args: unknown[]) => this.print(args);
    // Functions made in the context's realm, so results are context arrays/objects.
    const ctxUint8 = g.Uint8Array as Uint8ArrayConstructor;

    g.print = (...args: unknown[]) => {
      this.guard();
      print(...args);
    };
    this.typedArraysWithHeap(g);
    g.console = strict({ log: print, warn: print, error: print, info: print, debug: print }, 'console');
    g.setTimeout = (fn: () => void, ms?: number) => clock.setTimeout(fn, ms ?? 0);
    g.setInterval = (fn: () => void, ms?: number) => clock.setInterval(fn, ms ?? 0);
    g.clearTimeout = (id?: number) => clock.clear(id);
    g.clearInterval = (id?: number) => clock.clear(id);
    g.changeInterval = (id: number, ms: number) => clock.changeInterval(id, ms);
    g.getTime = () => clock.now / 1000;
    g.atob = (s: string) => Buffer.from(s, 'base64').toString('latin1');
    g.btoa = (s: string) => Buffer.from(s, 'latin1').toString('base64');
    g.process = strict(
      {
        env: { VERSION: '2v29', BOARD: board.id, MODULES: 'Storage' },
        version: '2v29',
        // In JsVars, as Espruino counts them (host/sim/memory.ts: code, held buffers, flat strings).
        memory: () => {
          const total = memory.jsVarsTotal;
          const usage = Math.min(total, memory.jsVarsInUse);
          return { free: total - usage, usage, total, history: 0, gc: 0, gctime: 0, blocksize: board.jsVarBytes };
        },
      },
      'process',
      this.guard,
    );

    const toArrayBuffer = (str: string): ArrayBuffer => {
      // A mapped Storage string becomes an ArrayBuffer over the same flash (no copy), as on the board.
      const mapped = memory.addressOf(str);
      if (mapped) {
        const { region } = memory.resolve(mapped, 0, 'mapped string');
        return regionBytes(region).buffer as ArrayBuffer;
      }
      // A flat string's JsVars become the buffer's (a board views the same data); any other string is copied.
      memory.takeFlatString(str);
      const bytes = new ctxUint8(str.length);
      for (let i = 0; i < str.length; i++) bytes[i] = str.charCodeAt(i) & 0xff;
      memory.hold(bytes.buffer);
      return bytes.buffer;
    };
    const e: Record<string, unknown> = {
        nativeCall: (addr: number, sig: string, code?: string) => this.native.nativeCall(addr, sig, code),
        getAddressOf: (v: unknown, flat?: boolean) => {
          if (!flat) throw new Error('E.getAddressOf(v, false) (the JsVar address) is not emulated; pass true for data');
          return memory.addressOf(v);
        },
        toFlatString: (...args: unknown[]) => {
          const s = args.map((a) => (typeof a === 'string' ? a : latin1(toBytes(a)))).join('');
          // No contiguous block of that size: undefined, not OUT OF MEMORY (jsvNewFlatStringOfLength fails quietly).
          if (memory.ramInUse + s.length > board.heapBytes) return undefined;
          if (memory.jsVarsInUse + flatStringJsVars(s.length, board.jsVarBytes) > memory.jsVarsTotal) return undefined;
          memory.holdFlatString(s);
          return s;
        },
        toArrayBuffer,
        toUint8Array: (...args: unknown[]) => {
          const parts = args.map(toBytes);
          const out = new ctxUint8(parts.reduce((n, p) => n + p.length, 0));
          memory.hold(out.buffer);
          let at = 0;
          for (const p of parts) {
            out.set(p, at);
            at += p.length;
          }
          return out;
        },
        toString: (...args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : latin1(toBytes(a)))).join(''),
        CRC32: (data: unknown) => {
          const bytes = toBytes(data);
          this.busyMs += bytes.length * this.costs.crcMsPerByte;
          return crc32(bytes);
        },
        getSizeOf: () => 1,
        defrag: () => undefined,
    };
    const bangle = this.bangle;
    if (bangle) {
      e.showMessage = (message: unknown, options?: unknown) => bangle.showMessage(message, options);
      e.getBattery = () => bangle.battery();
    }
    g.E = strict(e, 'E', this.guard);

    const storage = this.storage;
    const storageModule = strict(
      {
        read: (name: string, offset = 0, length?: number) => {
          const file = storage.get(name);
          if (!file) return undefined;
          // Espruino clips the range; a length of 0 or less means to the end.
          const bytes = file.subarray(Math.max(0, offset), length === undefined || length <= 0 ? undefined : Math.max(0, offset) + length);
          const text = latin1(bytes);
          this.noteFlashRead(text, name, Math.min(Math.max(0, offset), file.length));
          // Internal flash is memory-mapped: the string's data has a flash address native code can use.
          if (board.storageMapped && offset === 0 && bytes.length === file.length) memory.mapFlash(name, text, bytes);
          return text;
        },
        readArrayBuffer: (name: string) => {
          const file = storage.get(name);
          if (!file) return undefined;
          if (board.storageMapped) return toArrayBuffer(storageModule.read(name) as string);
          return new ctxUint8(file).buffer;
        },
        write: (name: string, data: unknown, offset?: number, size?: number) => this.storageWrite(String(name), data, offset, size),
        list: (pattern?: RegExp | string) =>
          [...storage.keys()].filter((n) => pattern === undefined || (typeof pattern === 'string' ? n.includes(pattern) : pattern.test(n))),
        erase: (name: string) => void storage.erase(String(name)),
        getFree: () => storage.getFree(),
        getStats: () => storage.getStats(),
        compact: () => storage.compact(),
      },
      'require("Storage")',
      this.guard,
    );
    g.require = (name: string) => {
      if (name === 'Storage') return storageModule;
      throw new Error(`require("${name}"): module not emulated by the tinysense simulator`);
    };

    for (let pin = 0; pin < 48; pin++) g[`D${pin}`] = pin;
    const pinState = new Map<number, boolean>();
    g.digitalWrite = (pin: number, value: number | boolean) => void pinState.set(pin, !!value);
    g.digitalRead = (pin: number) => this.bangle?.pinValue(pin) ?? (pinState.get(pin) ? 1 : 0);
    g.pinMode = () => undefined;

    const spiDevices = this.hooks.spiDevices ?? {};
    g.SPI1 = strict(
      {
        setup: () => undefined,
        send: (data: unknown, cs?: number) => {
          const device = cs === undefined ? undefined : spiDevices[cs];
          if (!device) throw new Error(`SPI1.send: no device on chip-select pin ${cs} in this simulation`);
          const reply = device(toBytes(data));
          if (typeof data === 'string') return latin1(reply);
          if (typeof data === 'number') return reply[0];
          const out = new ctxUint8(reply.length);
          out.set(reply);
          return out;
        },
        write: (...args: unknown[]) => {
          const cs = typeof args[args.length - 1] === 'number' && args.length > 1 ? (args.pop() as number) : undefined;
          const device = cs === undefined ? undefined : spiDevices[cs];
          if (!device) throw new Error(`SPI1.write: no device on chip-select pin ${cs} in this simulation`);
          device(toBytes(args.length === 1 ? args[0] : args));
        },
      },
      'SPI1',
    );
    const i2cDevices = this.hooks.i2cDevices ?? {};
    g.I2C1 = strict(
      {
        setup: () => undefined,
        writeTo: (address: number, ...data: unknown[]) => {
          const device = i2cDevices[address];
          if (!device) throw new Error(`I2C1.writeTo: no device at address 0x${address.toString(16)} in this simulation`);
          device.write(toBytes(data.length === 1 ? data[0] : data));
        },
        readFrom: (address: number, count: number) => {
          const device = i2cDevices[address];
          if (!device) throw new Error(`I2C1.readFrom: no device at address 0x${address.toString(16)} in this simulation`);
          const out = new ctxUint8(count);
          out.set(device.read(count).subarray(0, count));
          return out;
        },
      },
      'I2C1',
    );

    const peek = (bytes: number) => (address: number) => {
      const { region, offset } = memory.resolve(address, bytes, 'peek address');
      const v = new DataView(regionBytes(region).buffer as ArrayBuffer, offset);
      return bytes === 1 ? v.getUint8(0) : bytes === 2 ? v.getUint16(0, true) : v.getUint32(0, true);
    };
    const poke = (bytes: number) => (address: number, value: number) => {
      const { region, offset } = memory.resolve(address, bytes, 'poke address');
      if (region.kind !== 'ram') throw new Error(`poke${bytes * 8}: 0x${address.toString(16)} is flash`);
      const v = new DataView(regionBytes(region).buffer as ArrayBuffer, offset);
      if (bytes === 1) v.setUint8(0, value);
      else if (bytes === 2) v.setUint16(0, value, true);
      else v.setUint32(0, value >>> 0, true);
    };
    g.peek8 = peek(1);
    g.peek16 = peek(2);
    g.peek32 = peek(4);
    g.poke8 = poke(1);
    g.poke16 = poke(2);
    g.poke32 = poke(4);

    if (bangle) {
      g.Bangle = bangle.bangle();
      g.g = bangle.graphics();
      g.BTN1 = g.BTN = BTN1_PIN;
      g.setWatch = (fn: unknown, pin: unknown, options?: unknown) => bangle.setWatch(fn, pin, options);
      g.clearWatch = (id?: unknown) => bangle.clearWatch(id);
    }
  }

  /**
   * The context's ArrayBuffer and typed-array constructors, checked against the heap: a buffer
   * larger than the free JS heap is Espruino's OUT OF MEMORY (an interrupt, not an exception).
   * The free heap is the board's heap less the flat buffers in use (DeviceMemory); the rest of
   * the app's objects are not counted, so a board runs out sooner than this.
   */
  private typedArraysWithHeap(g: Record<string, unknown>): void {
    const names = ['ArrayBuffer', 'Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array'];
    for (const name of names) {
      const ctor = g[name] as (new (...args: unknown[]) => object) & { BYTES_PER_ELEMENT?: number };
      if (typeof ctor !== 'function') continue;
      const per = ctor.BYTES_PER_ELEMENT ?? 1;
      g[name] = new Proxy(ctor, {
        construct: (target, args, newTarget) => {
          this.guard();
          const first = args[0];
          const length = typeof first === 'number' ? first : Array.isArray(first) ? first.length : 0;
          // New data (a length or an array; not a view of an existing buffer) takes JsVars the heap must have.
          const fresh = typeof first === 'number' || Array.isArray(first);
          if (length * per > this.board.heapBytes - this.memory.ramInUse) this.outOfMemory();
          if (fresh && this.memory.jsVarsInUse + typedArrayJsVars(length * per, this.board.jsVarBytes) > this.memory.jsVarsTotal) this.outOfMemory();
          const made = Reflect.construct(target, args, newTarget) as object;
          if (fresh) this.memory.hold(ArrayBuffer.isView(made) ? made.buffer : (made as ArrayBuffer));
          return made;
        },
      });
    }
  }

  /**
   * Strings Storage.read returned lately, with where they are: on the board they are the flash itself
   * (a native string on memory-mapped Storage, a flash string on SPI flash), not RAM copies. Strings
   * are values here, so the last few reads are kept by contents.
   */
  private readonly flashReads = new Map<string, { file: string; offset: number }>();

  private noteFlashRead(text: string, file: string, offset: number): void {
    if (text.length <= 10) return; // fits in one JsVar: copied into RAM on a board too
    this.flashReads.delete(text);
    this.flashReads.set(text, { file, offset });
    if (this.flashReads.size > 8) this.flashReads.delete(this.flashReads.keys().next().value as string);
  }

  /**
   * Storage.write as src/jsflash.c jsfWriteFile does it: it first gets a pointer to the data
   * (src/jsvar.h JSV_GET_AS_CHAR_ARRAY_NO_ERROR). A flat string or buffer and a memory-mapped Storage
   * file give their own address; anything else (a flash string from Storage.read on SPI flash, a
   * non-flat RAM string, an array, an iterable) is copied onto the stack, which fails with "Can't get
   * pointer to data to write" when its length + 256 exceeds the free stack. A memory-mapped file's
   * address is a raw flash pointer: if the write compacts Storage, what gets written is what the
   * compaction moved there (FlashStorage.write `source`).
   */
  private storageWrite(name: string, data: unknown, offset?: number, size?: number): boolean {
    const bytes = toBytes(data);
    const flash = typeof data === 'string' ? this.flashReads.get(data) : undefined;
    if (flash && this.board.storageMapped) {
      const at = this.storage.dataOffset(flash.file);
      return this.storage.write(name, bytes, offset, size, at === undefined ? undefined : { flashOffset: at + flash.offset });
    }
    if (this.copiedOntoStack(data) && bytes.length + 256 > (this.board.stackBytes ?? Infinity)) {
      throw new StorageError("Can't get pointer to data to write");
    }
    return this.storage.write(name, bytes, offset, size);
  }

  /** Whether Espruino copies `data` onto the stack to get a pointer to it (jsvGetDataPointer gives none). */
  private copiedOntoStack(data: unknown): boolean {
    if (typeof data === 'string') return data.length > 10 && !this.memory.isFlatString(data);
    if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
      const length = (data as ArrayBufferLike).byteLength;
      return length >= FLAT_MIN_BYTES ? false : length > 10; // flat from FLAT_MIN_BYTES (memory.ts)
    }
    return true; // arrays, {data, count} iterables, numbers: iterated into a stack buffer
  }
}
