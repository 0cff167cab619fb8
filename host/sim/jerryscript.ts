/**
 * An emulated JerryScript v3 board running tinysense's firmware glue
 * (kernels-c/jerryscript): the global `tinysense` natives (invoke, checksum,
 * allocate, flash, memory, sensors), timers and print, in a node:vm context
 * with JerryScript's language profile. The natives validate their arguments
 * as the C glue does (tinysense.invoke also checks the op record, as the
 * glue's ts_check_record does before every ts_invoke), then run the same
 * kernels compiled to WebAssembly.
 */
import vm from 'node:vm';
import { HEADER_BYTES, H, TENSOR_ENTRY_BYTES, u32 } from '../../device/pack.js';
import { PackLayout, checkRecord, validateTables } from '../../device/validate.js';
import { WasmKernels } from '../wasm/kernels.js';
import { JERRYSCRIPT_PROFILE } from './engine-profile.js';
import { MicStats, TraceMic } from './mic.js';
import { SandboxBoard } from './sandbox.js';
import type { BoardInfo, EspruinoHooks } from './espruino.js';
import type { AudioTrace, FrameTrace } from './traces.js';
import type { OpObserver } from './observe.js';
import { ModelTimer } from './timing.js';

export interface JerryHooks extends Pick<EspruinoHooks, 'output' | 'accel'> {
  /** Frames for tinysense.sensors.camera. */
  frames?: FrameTrace;
  /** The recording tinysense.sensors.mic hears (host/sim/mic.ts). */
  audio?: AudioTrace;
}

/** Typed array names in the order of JerryScript's jerry_typedarray_type_t (from 1), for the glue's messages. */
const TYPED_ARRAY_TYPES = ['Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];

/** v's jerry_typedarray_type_t, or 0 when v is not a typed array. */
function typedArrayType(v: unknown): number {
  return ArrayBuffer.isView(v) ? TYPED_ARRAY_TYPES.indexOf(Object.prototype.toString.call(v).slice(8, -1)) + 1 : 0;
}

/** A pack's validated tables, and the bytes they were read from (header and tensor table). */
interface PackTables {
  layout: PackLayout;
  /** Index of each record offset in the op table, for messages. */
  index: Map<number, number>;
  source: Uint8Array;
}

/** The bytes a pack's tables were validated from: its header and its tensor table (with the state region's entry). */
function tableBytes(pack: Uint8Array): Uint8Array {
  if (pack.length < HEADER_BYTES) return pack.slice();
  const at = u32(pack, H.tensorTable);
  const end = Math.min(pack.length, at + TENSOR_ENTRY_BYTES * Math.min(u32(pack, H.tensorCount), pack.length));
  const out = new Uint8Array(HEADER_BYTES + Math.max(0, end - at));
  out.set(pack.subarray(0, HEADER_BYTES));
  if (end > at) out.set(pack.subarray(at, end), HEADER_BYTES);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isBytes(v: unknown): v is Uint8Array | Int8Array {
  const tag = Object.prototype.toString.call(v);
  return tag === '[object Uint8Array]' || tag === '[object Int8Array]';
}

export class JerryScriptBoard extends SandboxBoard {
  /** Flash partitions (model packs) by name. */
  readonly storage = new Map<string, Uint8Array>();
  readonly calls: Record<string, number> = {};
  nativeBytes = 0;
  nativePeak = 0;
  /** Called after every tinysense.invoke (one op), for tools that watch the run (host/sim/observe.ts). */
  onOp?: OpObserver;
  cameraCaptures = 0;
  /** The microphone, when the trace is audio. */
  readonly mic?: TraceMic;
  /**
   * Model runs and their board time (host/sim/timing.ts): each tinysense.invoke moves the clock by the
   * op's estimate. Xtensa has no measured figures: the assumed ones are labelled "not measured".
   */
  readonly timer?: ModelTimer;
  private readonly wasm = new WasmKernels({ guardBytes: 64 });
  private readonly mirrors = new WeakMap<ArrayBufferLike, { address: () => number; view: () => Uint8Array }>();
  /** Validated tables per pack typed array tinysense.invoke was given. */
  private readonly packTables = new WeakMap<object, PackTables>();

  constructor(
    readonly board: BoardInfo,
    private readonly hooks: JerryHooks,
  ) {
    super(JERRYSCRIPT_PROFILE);
    if (hooks.audio) this.mic = new TraceMic(hooks.audio, this.clock);
    this.timer = ModelTimer.forBoard(this.clock, board.cpu, board.clockMHz) ?? undefined;
    this.installGlobals();
  }

  /** What the microphone delivered, dropped and blocked (zeros without a microphone). */
  micStats(): MicStats {
    return this.mic?.micStats() ?? { delivered: 0, dropped: 0, blockedMs: 0 };
  }

  protected uncaughtLine(error: Error): string {
    return `Unhandled exception: ${error.name ?? 'Error'}: ${error.message}`;
  }

  protected printLine(line: string): void {
    this.hooks.output(line, this.clock.now);
  }

  /** The WebAssembly copy of a buffer the natives were given, refreshed from it. */
  private enter(bytes: Uint8Array): { address: number; view: () => Uint8Array } {
    let mirror = this.mirrors.get(bytes.buffer);
    if (!mirror) {
      const native = this.wasm.allocate(bytes.buffer.byteLength);
      mirror = { address: () => native.address(), view: () => native.view() };
      this.mirrors.set(bytes.buffer, mirror);
    }
    mirror.view().set(new Uint8Array(bytes.buffer));
    return { address: mirror.address() + bytes.byteOffset, view: mirror.view };
  }

  /**
   * What the glue's ts_check_record does before every ts_invoke: the record at `record` of `pack` must
   * pass device/validate.ts's checkRecord() against the pack's constants and state region and an arena
   * of `arenaBytes` bytes (the arena actually given, not the size the header plans). The pack's tables
   * are validated once per pack typed array (again only when its header or tensor table bytes change);
   * the record is checked on every call, from the current bytes. Like the glue, this does not check
   * the CRC (the runtime did, when it loaded the pack); unlike it, it checks all of validatePack()'s
   * tables, so it refuses a few broken headers the firmware would not. Throws validate.ts's Error.
   */
  private checkInvoke(key: object, pack: Uint8Array, record: number, arenaBytes: number): void {
    let tables = this.packTables.get(key);
    if (!tables || !sameBytes(tables.source, tableBytes(pack))) {
      this.packTables.delete(key);
      const layout = validateTables(pack, () => u32(pack, H.crc));
      const index = new Map<number, number>();
      layout.records.forEach((offset, i) => {
        if (!index.has(offset)) index.set(offset, i);
      });
      tables = { layout, index, source: tableBytes(pack) };
      this.packTables.set(key, tables);
    }
    const layout = { ...tables.layout, arenaBytes };
    checkRecord(pack, record, layout.packBytes, tables.index.get(record) ?? '?', layout);
  }

  private installGlobals(): void {
    const g = vm.runInContext('this', this.context) as Record<string, unknown>;
    const clock = this.clock;
    const ctxUint8 = g.Uint8Array as Uint8ArrayConstructor;
    const print = (...args: unknown[]) => {
      const text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      for (const line of text.split('\n')) this.hooks.output(line, clock.now);
    };
    g.print = print;
    g.console = { log: print, warn: print, error: print };
    g.setTimeout = (fn: () => void, ms?: number) => clock.setTimeout(fn, ms ?? 0);
    g.setInterval = (fn: () => void, ms?: number) => clock.setInterval(fn, ms ?? 0);
    g.clearTimeout = (id?: number) => clock.clear(id);
    g.clearInterval = (id?: number) => clock.clear(id);

    const count = (name: string) => (this.calls[name] = (this.calls[name] ?? 0) + 1);
    const typeError = (message: string) => new (g.TypeError as ErrorConstructor)(message);
    const rangeError = (message: string) => new (g.RangeError as ErrorConstructor)(message);
    const commonError = (message: string) => new (g.Error as ErrorConstructor)(message);
    // int_arg in the glue: a number out of range is a RangeError, anything else a TypeError.
    const intArg = (v: unknown, lo: number, hi: number, fn: string, what: string): number => {
      if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
      const message = `${fn}: ${what} must be an integer from ${lo} to ${hi}`;
      throw typeof v === 'number' ? rangeError(message) : typeError(message);
    };
    // typed_arg in the glue: a Uint8Array or Int8Array (TypeError naming the typed array type otherwise)
    // whose ArrayBuffer has memory (TypeError when detached).
    const bytesArg = (v: unknown, fn: string, what: string): Uint8Array => {
      const type = typedArrayType(v);
      if (!isBytes(v)) throw typeError(`${fn}: ${what} must be a Uint8Array or Int8Array${type ? ` (typed array type ${type})` : ''}`);
      if ((v.buffer as ArrayBuffer & { detached?: boolean }).detached) throw typeError(`${fn}: ${what}'s ArrayBuffer has no memory (detached, or its allocation failed)`);
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    };
    // The glue's writable(): natives that write refuse views of flash (tinysense.flash()).
    const flashBuffers = new WeakSet<ArrayBufferLike>();
    const writable = (v: Uint8Array, fn: string, what: string): void => {
      if (flashBuffers.has(v.buffer)) throw typeError(`${fn}: ${what} is a view of flash, which is read-only`);
    };
    // Native memory (allocate(), flash) and the JerryScript heap are 8-aligned: a view's first byte is
    // as aligned as its byteOffset.
    const alignedTo = (v: Uint8Array, to: number) => v.byteOffset % to === 0;
    const frames = this.hooks.frames;
    const accel = this.hooks.accel;
    const mic = this.mic;

    // The glue's arena_arg: writable, aligned as the kernels need, not overlapping the pack.
    const arenaArg = (v: unknown, fn: string, pack: Uint8Array): Uint8Array => {
      const arena = bytesArg(v, fn, 'arena');
      writable(arena, fn, 'arena');
      if (!alignedTo(pack, 4)) throw rangeError(`${fn}: the pack's first byte is not 4-byte aligned (copy it into tinysense.allocate())`);
      if (arena.length > 0 && !alignedTo(arena, 8)) throw rangeError(`${fn}: the arena's first byte is not 8-byte aligned (use tinysense.allocate())`);
      // As the glue: byte ranges that overlap in the same memory (two views of one buffer may not).
      const overlaps = pack.buffer === arena.buffer && pack.length > 0 && arena.length > 0 &&
        arena.byteOffset < pack.byteOffset + pack.length && pack.byteOffset < arena.byteOffset + arena.length;
      if (overlaps) throw rangeError(`${fn}: the arena overlaps the pack`);
      return arena;
    };
    // The glue's ts_check_record before a record runs (RangeError naming the record).
    const checkRecordAt = (key: object, fn: string, pack: Uint8Array, recordOffset: number, arena: Uint8Array): void => {
      if (recordOffset % 4 || recordOffset < HEADER_BYTES || recordOffset + 8 > pack.length) {
        throw rangeError(`${fn}: op record at ${recordOffset}: the offset is not 4-aligned inside the pack`);
      }
      try {
        this.checkInvoke(key, pack, recordOffset, arena.length);
      } catch (e) {
        const why = (e as Error).message.replace(/^tinysense: invalid model pack: /, '');
        throw rangeError(`${fn}: op record at ${recordOffset}: ${why}`);
      }
    };
    // Runs one checked record (through ts_invoke_ops(pack, arena, op, 1) when op is given) and hands
    // the arena back; returns the kernel's status.
    const runRecord = (key: object, pack: Uint8Array, recordOffset: number, arena: Uint8Array, p: { address: number }, op?: number): number => {
      const a = this.enter(arena);
      const started = this.onOp ? performance.now() : 0;
      let status = op === undefined ? this.wasm.invoke(p.address + recordOffset, a.address, p.address) : this.wasm.invokeOps(p.address, a.address, op, 1);
      if (op !== undefined && status !== 0) status = -(-status & 255);
      const hostMs = this.onOp ? performance.now() - started : 0;
      this.wasm.checkGuards();
      arena.set(a.view().subarray(arena.byteOffset, arena.byteOffset + arena.length));
      this.onOp?.({ pack, record: recordOffset, arena, hostMs });
      this.timer?.afterOp(key, 0, recordOffset, () => pack);
      return status;
    };

    const natives = {
      version: 'tinysense-sim',
      invoke: (...args: unknown[]) => {
        count('invoke');
        const fn = 'tinysense.invoke';
        const pack = bytesArg(args[0], fn, 'pack');
        const recordOffset = intArg(args[1], 0, 4294967295, fn, 'recordOffset');
        const arena = arenaArg(args[2], fn, pack);
        checkRecordAt(args[0] as object, fn, pack, recordOffset, arena);
        return runRecord(args[0] as object, pack, recordOffset, arena, this.enter(pack));
      },
      // The glue's tinysense.invokeOps: ops first .. first + count - 1 of the op table, each record
      // checked just before it runs, each run through ts_invoke_ops(pack, arena, i, 1).
      invokeOps: (...args: unknown[]) => {
        count('invokeOps');
        const fn = 'tinysense.invokeOps';
        const pack = bytesArg(args[0], fn, 'pack');
        const arena = arenaArg(args[1], fn, pack);
        const first = intArg(args[2], 0, 2147483647, fn, 'first');
        const n = intArg(args[3], 0, 2147483647, fn, 'count');
        if (pack.length < HEADER_BYTES) throw rangeError(`${fn}: the pack is shorter than its 64-byte header`);
        const ops = u32(pack, H.opCount);
        const table = u32(pack, H.opTable);
        if (table % 4 || table < HEADER_BYTES || table + ops * 4 > pack.length) throw rangeError(`${fn}: the pack's op table lies outside it`);
        if (first + n > ops) throw rangeError(`${fn}: ops ${first} to ${first + n - 1} are not all among the pack's ${ops}`);
        const p = this.enter(pack);
        for (let i = first; i < first + n; i++) {
          const recordOffset = u32(pack, table + 4 * i);
          checkRecordAt(args[0] as object, fn, pack, recordOffset, arena);
          const status = runRecord(args[0] as object, pack, recordOffset, arena, p, i);
          if (status !== 0) return -((i << 8) | (-status & 255));
        }
        return 0;
      },
      checksum: (...args: unknown[]) => {
        count('checksum');
        const fn = 'tinysense.checksum';
        const data = bytesArg(args[0], fn, 'data');
        const offset = intArg(args[1], 0, data.length, fn, 'offset');
        const length = intArg(args[2], 0, data.length - offset, fn, 'length');
        if (length === 0) return 0;
        const d = this.enter(data);
        return this.wasm.crc32(d.address + offset, length);
      },
      // tinysense_jerry_preprocess: the same checks, in the same order, then the C.
      preprocess: (...args: unknown[]) => {
        count('preprocess');
        const fn = 'tinysense.preprocess';
        const params = bytesArg(args[0], fn, 'params');
        const srcType = TYPED_ARRAY_TYPES[typedArrayType(args[1]) - 1];
        if (!isBytes(args[1]) && srcType !== 'Int16Array' && srcType !== 'Float32Array') {
          throw typeError(`${fn}: src must be a Uint8Array, Int8Array, Int16Array or Float32Array`);
        }
        const srcView = args[1] as ArrayBufferView;
        const src = new Uint8Array(srcView.buffer, srcView.byteOffset, srcView.byteLength);
        const offset = intArg(args[2], 0, src.length, fn, 'srcOffset');
        const dst = bytesArg(args[3], fn, 'dst');
        writable(dst, fn, 'dst');
        const arg = intArg(args[4], -2147483648, 2147483647, fn, 'arg');
        if (!alignedTo(params, 4) || params.length < 16) {
          throw rangeError(`${fn}: params must be at least 16 bytes from a 4-byte aligned first byte (use tinysense.allocate())`);
        }
        const header = new Int32Array(params.slice(0, 16).buffer);
        if (header[1] < 16 || header[1] > params.length) throw rangeError(`${fn}: params is shorter than the size its header states`);
        if (header[2] < 0 || header[2] > src.length - offset) throw rangeError(`${fn}: src holds fewer bytes from srcOffset than the params state`);
        if (header[3] < 0 || header[3] > dst.length) throw rangeError(`${fn}: dst holds fewer bytes than the params state`);
        const p = this.enter(params);
        const s = this.enter(src);
        const d = this.enter(dst);
        const status = this.wasm.preprocessAt(p.address, s.address + offset, d.address, arg);
        this.wasm.checkGuards();
        dst.set(d.view().subarray(dst.byteOffset, dst.byteOffset + dst.length));
        return status;
      },
      allocate: (...args: unknown[]) => {
        const bytes = intArg(args[0], 0, 2147483647, 'tinysense.allocate', 'bytes');
        this.nativeBytes += bytes;
        this.nativePeak = Math.max(this.nativePeak, this.nativeBytes);
        return new ctxUint8(bytes);
      },
      aligned: (...args: unknown[]) => alignedTo(bytesArg(args[0], 'tinysense.aligned', 'data'), 4),
      flash: (...args: unknown[]) => {
        const fn = 'tinysense.flash';
        const name = args[0];
        if (typeof name !== 'string') throw typeError(`${fn}: name must be a string`);
        const size = Buffer.byteLength(name, 'utf8');
        if (size === 0 || size >= 32) throw rangeError(`${fn}: name must be 1 to 31 bytes`);
        const file = this.storage.get(name);
        if (!file) return undefined;
        const view = new ctxUint8(file.length);
        view.set(file);
        flashBuffers.add(view.buffer);
        return view;
      },
      // The glue reports what the firmware cannot know as -1; nativeThreshold is the firmware's
      // tinysense_jerry_config.native_threshold (JerryScript's default, 256, in the simulator).
      memory: () => ({ jsHeapSize: this.board.heapBytes, jsHeapUsed: -1, jsHeapPeak: -1, nativeFree: -1, nativeLargest: -1, nativeThreshold: 256 }),
      sensors: {
        ...(frames
          ? {
              camera: {
                capture: (into: unknown, width: number, height: number) => {
                  const out = bytesArg(into, 'tinysense.sensors.camera.capture', 'into');
                  writable(out, 'tinysense.sensors.camera.capture', 'into');
                  if (width !== frames.width || height !== frames.height || out.length !== width * height) {
                    throw rangeError(`tinysense.sensors.camera.capture: the camera gives ${frames.width}x${frames.height} frames`);
                  }
                  let frame = frames.frames[0];
                  for (const f of frames.frames) if (f.t <= clock.now) frame = f;
                  this.cameraCaptures++;
                  const signed = Object.prototype.toString.call(into) === '[object Int8Array]';
                  for (let i = 0; i < out.length; i++) out[i] = signed ? (frame.pixels[i] - 128) & 0xff : frame.pixels[i];
                },
              },
            }
          : {}),
        ...(accel
          ? {
              accel: {
                open: () => undefined,
                read: (into: Int16Array, index: number) => {
                  const s = accel(clock.now) ?? { x: 0, y: 0, z: -1 };
                  into[3 * index] = Math.round(s.x * 1000);
                  into[3 * index + 1] = Math.round(s.y * 1000);
                  into[3 * index + 2] = Math.round(s.z * 1000);
                },
              },
            }
          : {}),
        ...(mic
          ? {
              mic: {
                start: (rate: unknown) => {
                  const fn = 'tinysense.sensors.mic.start';
                  const hz = intArg(rate, 8000, 48000, fn, 'sampleRate');
                  // On the board a second start() keeps the running channel whatever the rate (port_mic_start).
                  if (mic.running) return;
                  if (hz !== mic.trace.sampleRate) {
                    throw commonError(`${fn}: the audio trace is recorded at ${mic.trace.sampleRate} Hz, not ${hz} Hz (the simulator does not resample)`);
                  }
                  mic.start();
                },
                read: (into: unknown, timeoutMs: unknown) => {
                  const fn = 'tinysense.sensors.mic.read';
                  const type = typedArrayType(into);
                  if (TYPED_ARRAY_TYPES[type - 1] !== 'Int16Array') throw typeError(`${fn}: into must be an Int16Array${type ? ` (typed array type ${type})` : ''}`);
                  const timeout = intArg(timeoutMs, 0, 60000, fn, 'timeoutMs');
                  // The glue's 2-byte alignment check cannot fail here: JavaScript only makes aligned Int16Arrays.
                  const got = mic.read(into as Int16Array, timeout);
                  if (got < 0) throw commonError(`${fn}: the microphone read failed (not started?)`);
                  return got;
                },
                stop: () => mic.stop(),
              },
            }
          : {}),
      },
    };
    g.tinysense = natives;
  }
}
