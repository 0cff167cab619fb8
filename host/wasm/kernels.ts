/**
 * The WebAssembly binding of the kernels: the same C as on the devices,
 * compiled by kernels-c/build-wasm.sh, behind the device runtime's Kernels
 * interface. Each WasmKernels owns one instance (its own linear memory), so
 * models do not share memory and a stray write cannot reach another model.
 */
import { readFileSync } from 'node:fs';
import type { Kernels, NativeBuffer } from '../../device/kernels.js';
import { KERNELS_WASM } from '../paths.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  ts_invoke(record: number, arena: number, pack: number): number;
  ts_invoke_ops(pack: number, arena: number, first: number, count: number): number;
  ts_checksum(data: number, length: number): number;
  ts_preprocess(params: number, src: number, dst: number, arg: number): number;
}

let compiled: WebAssembly.Module | undefined;

function wasmModule(): WebAssembly.Module {
  if (!compiled) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(KERNELS_WASM);
    } catch {
      throw new Error(`tinysense: ${KERNELS_WASM} is missing; run \`npm run build:kernels\` (or scripts/setup.sh)`);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const PAGE = 65536;
const ALIGN = 16;
const GUARD_BYTE = 0xa5;

export interface WasmKernelsOptions {
  /**
   * Bytes of a known pattern placed before and after every allocation;
   * checkGuards() then proves no kernel wrote outside its buffers.
   */
  guardBytes?: number;
}

export class WasmKernels implements Kernels {
  readonly name = 'wasm';
  private readonly exports: KernelExports;
  private top: number;
  private readonly guardBytes: number;
  private readonly guards: { address: number; bytes: number }[] = [];

  constructor(options: WasmKernelsOptions = {}) {
    const instance = new WebAssembly.Instance(wasmModule(), {});
    this.exports = instance.exports as unknown as KernelExports;
    this.top = Number(this.exports.__heap_base.value);
    this.guardBytes = Math.ceil((options.guardBytes ?? 0) / ALIGN) * ALIGN;
  }

  /** Throws if any guard zone around an allocation was written. */
  checkGuards(): void {
    const mem = this.memory();
    for (const g of this.guards) {
      for (let i = g.address; i < g.address + g.bytes; i++) {
        if (mem[i] !== GUARD_BYTE) throw new Error(`tinysense: memory at ${i} outside every buffer was written (guard zone ${g.address}..${g.address + g.bytes})`);
      }
    }
  }

  private reserve(bytes: number): number {
    const address = Math.ceil(this.top / ALIGN) * ALIGN;
    const end = address + bytes;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) {
      const pages = Math.ceil((end - memory.buffer.byteLength) / PAGE);
      try {
        memory.grow(pages);
      } catch {
        throw new Error(`tinysense: cannot allocate ${bytes} bytes of WebAssembly memory`);
      }
    }
    this.top = end;
    return address;
  }

  private guard(): void {
    if (this.guardBytes === 0) return;
    const address = this.reserve(this.guardBytes);
    this.memory().fill(GUARD_BYTE, address, address + this.guardBytes);
    this.guards.push({ address, bytes: this.guardBytes });
  }

  /** The whole linear memory (for the simulator's address checks and debugging). */
  memory(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  allocate(bytes: number): NativeBuffer {
    if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`tinysense: cannot allocate ${bytes} bytes`);
    this.guard();
    const address = this.reserve(bytes);
    this.guard();
    const mem = this.exports.memory;
    return {
      length: bytes,
      // The view is made anew each time: growing memory replaces the ArrayBuffer.
      view: () => new Uint8Array(mem.buffer, address, bytes),
      address: () => address,
    };
  }

  place(data: Uint8Array): NativeBuffer {
    const buffer = this.allocate(data.length);
    buffer.view().set(data);
    return buffer;
  }

  invoke(record: number, arena: number, pack: number): number {
    return this.exports.ts_invoke(record, arena, pack);
  }

  invokeOps(pack: number, arena: number, first: number, count: number): number {
    return this.exports.ts_invoke_ops(pack, arena, first, count);
  }

  crc32(address: number, length: number): number {
    return this.exports.ts_checksum(address, length) >>> 0;
  }

  /** Scratch copies of preprocessing buffers that live outside this instance's memory, by role. */
  private scratch: { src?: NativeBuffer; dst?: NativeBuffer } = {};

  /** A scratch buffer of at least `bytes` (allocating may grow the memory and detach older views). */
  private scratchFor(role: 'src' | 'dst', bytes: number): NativeBuffer {
    let buffer = this.scratch[role];
    if (!buffer || buffer.length < bytes) buffer = this.scratch[role] = this.allocate(bytes);
    return buffer;
  }

  /** ts_preprocess on addresses in this instance's memory (the simulator's E.nativeCall). */
  preprocessAt(params: number, src: number, dst: number, arg: number): number {
    return this.exports.ts_preprocess(params, src, dst, arg);
  }

  preprocess(params: NativeBuffer, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number): number {
    if (!Number.isInteger(srcOffset) || srcOffset < 0 || srcOffset > src.byteLength) throw new Error(`tinysense: preprocess: source offset ${srcOffset} is outside the ${src.byteLength}-byte source`);
    // Decide what is inside this memory before any allocation can detach views of it.
    const memory = this.exports.memory.buffer;
    const srcInside = src.buffer === memory;
    const dstInside = dst.buffer === memory;
    const srcBytes = srcInside ? undefined : new Uint8Array(src.buffer, src.byteOffset, src.byteLength).slice();
    const dstBytes = dstInside ? undefined : new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).slice();
    let srcAddress = src.byteOffset;
    let dstAddress = dst.byteOffset;
    let dstScratch: NativeBuffer | undefined;
    if (srcBytes) {
      const buffer = this.scratchFor('src', srcBytes.length);
      buffer.view().set(srcBytes);
      srcAddress = buffer.address();
    }
    if (dstBytes) {
      dstScratch = this.scratchFor('dst', dstBytes.length);
      dstScratch.view().set(dstBytes);
      dstAddress = dstScratch.address();
    }
    const status = this.exports.ts_preprocess(params.address(), srcAddress + srcOffset, dstAddress, arg);
    if (dstScratch) new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(dstScratch.view().subarray(0, dst.byteLength));
    return status;
  }
}
