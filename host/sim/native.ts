/**
 * E.nativeCall for the simulator: the bundle hands E.nativeCall the kernel
 * blob built for Cortex-M4 (kernels-c/out/tinysense-m4.bin) and an entry
 * offset; the simulator recognises the blob and entry and runs the same C
 * compiled to WebAssembly instead. Every address argument is resolved to the
 * buffer it points into (device memory), copied into the WebAssembly memory
 * around guard zones, and copied back after the call, so a wrong pointer or
 * an out-of-bounds write is an error here rather than a hard fault on a board.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeBuffer } from '../../device/kernels.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { CpuName } from '../bundler/boards.js';
import type { VirtualClock } from './clock.js';
import { WasmKernels } from '../wasm/kernels.js';
import { DeviceMemory, Region, regionBytes } from './memory.js';
import type { OpObserver } from './observe.js';
import { ModelTimer } from './timing.js';

export interface KernelBlob {
  /** The blob as Espruino sees it: a binary string, one char per byte. */
  code: string;
  sha256: string;
  entries: Record<string, number>;
  /** The op codes it has kernels for (a per-app blob, kernels-c/arm/build.sh --ops); null: all. */
  ops: number[] | null;
}

export const BLOB_BIN = join(PACKAGE_ROOT, 'kernels-c', 'out', 'tinysense-m4.bin');
export const BLOB_JSON = join(PACKAGE_ROOT, 'kernels-c', 'out', 'tinysense-m4.json');

/** Per-app blobs (host/bundler/kernel-blob.ts APP_BLOBS_DIR): one folder each, <name>/<name>.bin + .json. */
export const APP_BLOBS = join(PACKAGE_ROOT, 'kernels-c', 'out', 'app');

let cached: KernelBlob | undefined;

function readBlob(bin: string, json: string): KernelBlob {
  const bytes = readFileSync(bin);
  const facts = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
  const entries: Record<string, number> = {};
  for (const [k, v] of Object.entries(facts)) if (typeof v === 'number') entries[k] = v;
  const ops = Array.isArray(facts.ops) ? (facts.ops as number[]) : null;
  return { code: bytes.toString('latin1'), sha256: createHash('sha256').update(bytes).digest('hex'), entries, ops };
}

/** The full blob (every kernel), kernels-c/out/tinysense-m4.bin. */
export function kernelBlob(): KernelBlob {
  if (cached) return cached;
  if (!existsSync(BLOB_BIN) || !existsSync(BLOB_JSON)) {
    throw new Error(`the Cortex-M4 kernel blob is not built (${BLOB_BIN}); run \`npm run build:kernels\``);
  }
  cached = readBlob(BLOB_BIN, BLOB_JSON);
  return cached;
}

/** The blob whose bytes are `code`: the full one or a per-app one the build made; undefined if none. */
function blobWithCode(code: string): KernelBlob | undefined {
  const full = kernelBlob();
  if (code === full.code) return full;
  if (!existsSync(APP_BLOBS)) return undefined;
  for (const name of readdirSync(APP_BLOBS)) {
    const bin = join(APP_BLOBS, name, `${name}.bin`);
    const json = join(APP_BLOBS, name, `${name}.json`);
    if (!existsSync(bin) || !existsSync(json)) continue;
    if (readFileSync(bin).length !== code.length) continue;
    const blob = readBlob(bin, json);
    if (blob.code === code) return blob;
  }
  return undefined;
}

type NativeFunction = (...args: number[]) => number;
/** A device address resolved to the buffer it points into (DeviceMemory.resolve). */
type Resolved = { region: Region; offset: number };

export class SimulatedNative {
  private readonly mirrors = new WeakMap<Region, NativeBuffer>();
  /** Native calls made, by entry name. */
  readonly calls: Record<string, number> = {};
  /** Called after every ts_invoke (one op), for tools that watch the run (host/sim/observe.ts). */
  onOp?: OpObserver;

  private wasmKernels?: WasmKernels;

  /** Model runs and their board time (host/sim/timing.ts); undefined without figures for the board's CPU. */
  readonly timer?: ModelTimer;

  constructor(
    private readonly memory: DeviceMemory,
    /**
     * When given, every ts_invoke advances `clock` by the op's estimated time on the board (work x
     * cycles per unit, host/sim/timing.ts), as a blocking native call takes time on the board.
     */
    timing?: { clock: VirtualClock; cpu: CpuName; mhz: number },
  ) {
    this.timer = timing ? (ModelTimer.forBoard(timing.clock, timing.cpu, timing.mhz) ?? undefined) : undefined;
  }

  /** Estimated device time the model ops took, in ms. */
  get deviceMs(): number {
    return this.timer?.deviceMs ?? 0;
  }

  /** The WebAssembly kernels, instantiated at the first native call. */
  private get wasm(): WasmKernels {
    this.wasmKernels ??= new WasmKernels({ guardBytes: 64 });
    return this.wasmKernels;
  }

  /** E.nativeCall(addr, signature, code). */
  nativeCall(addr: number, signature: string, code?: string): NativeFunction {
    if (code === undefined) throw new Error('E.nativeCall: the simulator only runs code passed as a string (the tinysense kernel blob), not absolute addresses');
    const blob = blobWithCode(code);
    if (!blob) {
      const full = kernelBlob();
      const sha = createHash('sha256').update(Buffer.from(code, 'latin1')).digest('hex');
      throw new Error(`E.nativeCall: code (${code.length} bytes, sha256 ${sha.slice(0, 12)}) is not a tinysense kernel blob (the full blob is ${full.code.length} bytes, ${full.sha256.slice(0, 12)}; per-app blobs are in ${APP_BLOBS})`);
    }
    if ((addr & 1) !== 1) throw new Error(`E.nativeCall: address ${addr} lacks the thumb bit; the call would fault on a Cortex-M4`);
    const offset = addr & ~1;
    const sig = signature.replace(/\s+/g, '');
    if (offset === blob.entries.ts_invoke) {
      expectSignature(sig, 'int(int,int,int)', 'ts_invoke');
      return (record, arena, pack) => this.invoke(blob, record, arena, pack);
    }
    if (blob.entries.ts_invoke_ops !== undefined && offset === blob.entries.ts_invoke_ops) {
      expectSignature(sig, 'int(int,int,int,int)', 'ts_invoke_ops');
      return (pack, arena, first, count) => this.invokeOps(blob, pack, arena, first, count);
    }
    if (offset === blob.entries.ts_checksum) {
      expectSignature(sig, 'int(int,int)', 'ts_checksum');
      return (data, length) => this.checksum(data, length);
    }
    if (blob.entries.ts_preprocess !== undefined && offset === blob.entries.ts_preprocess) {
      expectSignature(sig, 'int(int,int,int,int)', 'ts_preprocess');
      return (params, src, dst, arg) => this.preprocess(params, src, dst, arg);
    }
    throw new Error(`E.nativeCall: offset ${offset} is not an entry point of the kernel blob (entries: ${JSON.stringify(blob.entries)})`);
  }

  private invoke(blob: KernelBlob, record: number, arena: number, pack: number): number {
    this.calls.ts_invoke = (this.calls.ts_invoke ?? 0) + 1;
    const p = this.memory.resolve(pack, 0, 'pack pointer');
    const a = this.memory.resolve(arena, 0, 'arena pointer');
    const r = this.memory.resolve(record, 8, 'record pointer');
    if (r.region !== p.region) throw new Error('native call: the op record does not lie inside the model pack');
    return this.runRecord(blob, p, a, r.offset - p.offset, this.enter(p.region));
  }

  /**
   * ts_invoke_ops(pack, arena, first, count): the blob's loop over the pack's op table, run here one
   * record at a time through the same C entry (count 1) so that each op is observed and timed as a
   * ts_invoke call is; each record pointer must lie inside the pack, as for ts_invoke.
   */
  private invokeOps(blob: KernelBlob, pack: number, arena: number, first: number, count: number): number {
    this.calls.ts_invoke_ops = (this.calls.ts_invoke_ops ?? 0) + 1;
    const p = this.memory.resolve(pack, 64, 'pack pointer');
    const a = this.memory.resolve(arena, 0, 'arena pointer');
    const bytes = regionBytes(p.region);
    const header = new DataView(bytes.buffer, bytes.byteOffset + p.offset, 64);
    const ops = header.getUint32(24, true);
    const table = header.getUint32(28, true);
    // As the C: a range outside the op table fails at op `first` with TS_ERROR_ARGUMENT.
    if (first < 0 || count < 0 || first > ops || count > ops - first) return invokeOpsFailed(Math.max(first, 0), -2);
    const packMirror = this.enter(p.region);
    for (let i = first; i < first + count; i++) {
      const at = this.memory.resolve(pack + table + 4 * i, 4, 'op table entry');
      const recordOffset = new DataView(regionBytes(at.region).buffer, regionBytes(at.region).byteOffset + at.offset, 4).getUint32(0, true);
      const r = this.memory.resolve(pack + recordOffset, 8, 'record pointer');
      if (r.region !== p.region) throw new Error(`native call: op ${i}'s record does not lie inside the model pack`);
      const status = this.runRecord(blob, p, a, recordOffset, packMirror, i);
      if (status !== 0) return invokeOpsFailed(i, status);
    }
    return 0;
  }

  /**
   * Runs the record at `recordOffset` of the pack: through ts_invoke, or through ts_invoke_ops(op, 1)
   * when `op` (its index in the op table) is given; the arena goes back to the app after it.
   */
  private runRecord(blob: KernelBlob, p: Resolved, a: Resolved, recordOffset: number, packMirror: NativeBuffer, op?: number): number {
    // A per-app blob lacks the other ops' kernels: its ts_invoke answers TS_ERROR_UNKNOWN_OP, as here.
    const rec = regionBytes(p.region);
    const code = new DataView(rec.buffer, rec.byteOffset + p.offset + recordOffset, 4).getInt32(0, true);
    if (blob.ops !== null && !blob.ops.includes(code)) return -1;
    const arenaMirror = this.enter(a.region);
    const packAt = packMirror.address() + p.offset;
    const arenaAt = arenaMirror.address() + a.offset;
    const started = this.onOp ? performance.now() : 0;
    let status = op === undefined ? this.wasm.invoke(packAt + recordOffset, arenaAt, packAt) : this.wasm.invokeOps(packAt, arenaAt, op, 1);
    // ts_invoke_ops reports the op with its status: hand back the bare status, as ts_invoke does.
    if (op !== undefined && status !== 0) status = -(-status & 255);
    const hostMs = this.onOp ? performance.now() - started : 0;
    this.wasm.checkGuards();
    this.leave(a.region, arenaMirror);
    this.onOp?.({ pack: regionBytes(p.region).subarray(p.offset), record: recordOffset, arena: regionBytes(a.region).subarray(a.offset), hostMs });
    // The board is busy for the op's duration: virtual time moves on (timers due meanwhile run late).
    this.timer?.afterOp(p.region, p.offset, recordOffset, () => regionBytes(p.region).subarray(p.offset));
    return status;
  }

  private checksum(data: number, length: number): number {
    this.calls.ts_checksum = (this.calls.ts_checksum ?? 0) + 1;
    const d = this.memory.resolve(data, length, 'checksum data');
    const mirror = this.enter(d.region);
    return this.wasm.crc32(mirror.address() + d.offset, length) | 0;
  }

  /**
   * ts_preprocess(params, src, dst, arg): the params' header states how many bytes src and dst
   * have; each pointer must lie inside a buffer for that many bytes (on a board a wrong one reads
   * or writes whatever is there). The C then checks the params themselves, as on the board.
   */
  private preprocess(params: number, src: number, dst: number, arg: number): number {
    this.calls.ts_preprocess = (this.calls.ts_preprocess ?? 0) + 1;
    const p = this.memory.resolve(params, 16, 'preprocessing params');
    const header = new DataView(regionBytes(p.region).buffer, regionBytes(p.region).byteOffset + p.offset, 16);
    const paramBytes = header.getInt32(4, true);
    const srcBytes = header.getInt32(8, true);
    const dstBytes = header.getInt32(12, true);
    if (paramBytes < 16 || srcBytes < 0 || dstBytes < 0) return -2; // the C refuses these before reading further
    this.memory.resolve(params, paramBytes, 'preprocessing params');
    const s = this.memory.resolve(src, srcBytes, 'preprocessing source');
    const d = this.memory.resolve(dst, dstBytes, 'preprocessing destination');
    if (d.region.kind !== 'ram') throw new Error('native call: the preprocessing destination is in flash, which the kernels cannot write');
    const pMirror = this.enter(p.region);
    const sMirror = this.enter(s.region);
    const dMirror = this.enter(d.region);
    const status = this.wasm.preprocessAt(pMirror.address() + p.offset, sMirror.address() + s.offset, dMirror.address() + d.offset, arg);
    this.wasm.checkGuards();
    this.leave(d.region, dMirror);
    return status;
  }

  /** Copies a region's current bytes into its WebAssembly mirror. */
  private enter(region: Region): NativeBuffer {
    let mirror = this.mirrors.get(region);
    if (!mirror) {
      mirror = this.wasm.allocate(region.length);
      this.mirrors.set(region, mirror);
    }
    mirror.view().set(regionBytes(region));
    return mirror;
  }

  /** Copies what native code wrote back to the app's buffer (RAM only: flash is read-only). */
  private leave(region: Region, mirror: NativeBuffer): void {
    if (region.kind === 'ram') regionBytes(region).set(mirror.view());
  }
}

/** tinysense_nn.h TS_INVOKE_OPS_FAILED: op `i` failed with `status` (-1..-255). */
function invokeOpsFailed(i: number, status: number): number {
  return -((i << 8) | (-status & 255));
}

function expectSignature(actual: string, expected: string, entry: string): void {
  if (actual !== expected) throw new Error(`E.nativeCall: ${entry} has signature "${expected}", not "${actual}"`);
}
