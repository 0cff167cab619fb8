// device/engines/jerryscript.ts (the Kernels binding over the firmware's `tinysense` natives), run on
// Node against a JavaScript double of the natives. The double checks its arguments the way the C glue
// does and, when the WebAssembly kernels are built, runs them for real.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Model } from '../../device/runtime.js';
import { JerryNatives, SPAN, flashBytes, jerryKernels, jerryNatives } from '../../device/engines/jerryscript.js';
import { KERNELS_WASM } from '../../host/paths.js';
import { ARENA_BYTES, OUT, buildPack } from './packs.js';

function crc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

interface Call {
  pack: Uint8Array;
  record: number;
  arena: Uint8Array;
}

/** TEST DOUBLE of the firmware's natives: argument checks as in tinysense_jerry.c, kernels optional. */
function fakeNatives(kernel?: (pack: Uint8Array, record: number, arena: Uint8Array) => number) {
  const calls: Call[] = [];
  const flash = new Uint8Array(new ArrayBuffer(256));
  const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array || v instanceof Int8Array;
  const natives: JerryNatives = {
    version: 'tinysense-jerry 1 (test double)',
    invoke(pack, record, arena) {
      if (!isBytes(pack) || !isBytes(arena)) throw new TypeError('tinysense.invoke: pack and arena must be Uint8Array or Int8Array');
      if (!Number.isInteger(record) || record < 64 || record % 4 !== 0 || record + 8 > pack.length) throw new RangeError('tinysense.invoke: bad record offset');
      if (pack.byteOffset % 4 !== 0 || arena.byteOffset % 4 !== 0) throw new RangeError('tinysense.invoke: not 4-byte aligned');
      calls.push({ pack, record, arena });
      return kernel ? kernel(pack, record, arena) : 0;
    },
    // As the glue: the op table's records first .. first + count - 1, each through invoke's checks.
    invokeOps(pack, arena, first, count) {
      const dv = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
      const ops = dv.getUint32(24, true);
      const table = dv.getUint32(28, true);
      if (!(first >= 0 && count >= 0 && first + count <= ops)) throw new RangeError('tinysense.invokeOps: range outside the op table');
      for (let i = first; i < first + count; i++) {
        const status = natives.invoke(pack, dv.getUint32(table + 4 * i, true), arena);
        if (status !== 0) return -((i << 8) | -status);
      }
      return 0;
    },
    checksum(data, offset, length) {
      if (!(offset >= 0 && length >= 0 && offset + length <= data.length)) throw new RangeError('tinysense.checksum: out of range');
      return crc(data.subarray(offset, offset + length));
    },
    allocate(bytes) {
      return new Uint8Array(bytes);
    },
    aligned(data) {
      return data.byteOffset % 4 === 0;
    },
    flash(name) {
      return name === 'model' ? flash : undefined;
    },
    memory() {
      return { jsHeapSize: 20480, jsHeapUsed: 1000, jsHeapPeak: 2000, nativeFree: -1, nativeLargest: -1 };
    },
    sensors: {},
  };
  return { natives, calls, flash };
}

describe('JerryScript binding (device/engines/jerryscript.ts)', () => {
  it('a Model validates and runs a pack through the natives with the right buffers and offsets', () => {
    const built = buildPack();
    const { natives, calls } = fakeNatives();
    const kernels = jerryKernels(natives);
    expect(kernels.name).toBe('jerryscript');
    const model = new Model(built.pack, kernels);
    expect(model.layout.records).toEqual(built.records);
    model.invoke();
    expect(calls.map((c) => c.record)).toEqual(built.records);
    // The pack was 4-aligned: used in place, not copied. The arena is the header's size.
    expect(calls.every((c) => c.pack === built.pack)).toBe(true);
    expect(calls[0].arena.length).toBe(ARENA_BYTES);
    expect(calls.every((c) => c.arena === calls[0].arena)).toBe(true);
    // Views of the model's tensors share the arena's memory.
    model.input(0)[0] = 42;
    expect(calls[0].arena[0]).toBe(42);
    expect(model.output(0).byteOffset - calls[0].arena.byteOffset).toBe(OUT);
  });

  it('place() keeps aligned data in place and copies the rest into allocate()d memory', () => {
    const { natives } = fakeNatives();
    const kernels = jerryKernels(natives);
    const backing = new Uint8Array(new ArrayBuffer(104));
    backing.forEach((_, i) => (backing[i] = i));
    const aligned = backing.subarray(4, 100);
    const misaligned = backing.subarray(1, 97);
    expect(kernels.place(aligned).view()).toBe(aligned);
    const copied = kernels.place(misaligned);
    expect(copied.view()).not.toBe(misaligned);
    expect(Array.from(copied.view())).toEqual(Array.from(misaligned));
    const flash = flashBytes('model', natives);
    expect(kernels.place(flash).view()).toBe(flash);
    expect(() => flashBytes('missing', natives)).toThrow(/no flash region named missing/);
  });

  it('addresses are handles: distinct, mapped back for crc32, and unknown ones throw', () => {
    const { natives } = fakeNatives();
    const kernels = jerryKernels(natives);
    const a = kernels.allocate(100);
    const b = kernels.allocate(0);
    const data = new Uint8Array(64).map((_, i) => i * 3);
    const c = kernels.place(data);
    expect(a.address()).toBe(SPAN);
    expect(new Set([a.address(), b.address(), c.address()]).size).toBe(3);
    expect(a.view().length).toBe(100);
    expect(kernels.crc32(c.address() + 8, 40)).toBe(crc(data.subarray(8, 48)));
    expect(() => kernels.crc32(12345, 4)).toThrow(/not an address this binding gave out/);
    expect(() => kernels.crc32(c.address() + SPAN * 10, 4)).toThrow(/not an address/);
    expect(() => kernels.invoke(a.address() + 64, c.address(), c.address())).toThrow(/record is not inside the pack/);
    expect(() => kernels.invoke(c.address() + 64, c.address() + 4, c.address())).toThrow(/buffer starts/);
    expect(() => kernels.allocate(-1)).toThrow(/cannot allocate -1 bytes/);
    expect(() => kernels.allocate(1.5)).toThrow(/cannot allocate 1.5 bytes/);
  });

  it('an op that fails in the kernel surfaces as the runtime error naming the op', () => {
    const built = buildPack();
    const { natives } = fakeNatives(() => -2);
    const model = new Model(built.pack, jerryKernels(natives));
    expect(() => model.invokeOp(0)).toThrow(/op 0 \(CONV_2D\) failed with status -2/);
    // invoke(): one tinysense.invokeOps call, whose result names the op that failed.
    expect(() => model.invoke()).toThrow(/^tinysense: op 0 \(CONV_2D\) failed with status -2$/);
    // A firmware from before invokeOps is told to be rebuilt.
    delete (natives as { invokeOps?: unknown }).invokeOps;
    expect(() => new Model(built.pack, jerryKernels(natives)).invoke()).toThrow(/predates tinysense\.invokeOps \(rebuild it\)/);
  });

  it('a firmware without the natives is reported plainly', () => {
    expect(() => jerryNatives()).toThrow(/no tinysense natives/);
    expect(() => jerryKernels()).toThrow(/no tinysense natives/);
  });

  it.runIf(existsSync(KERNELS_WASM))('with the WebAssembly kernels behind the double: same arena as WasmKernels, op by op', async () => {
    const { WasmKernels } = await import('../../host/wasm/kernels.js');
    const built = buildPack();
    // The double copies pack and arena into a wasm instance for each call, and the arena back.
    const wasm = new WasmKernels();
    const wasmPack = wasm.place(built.pack);
    const wasmArena = wasm.allocate(ARENA_BYTES);
    const { natives } = fakeNatives((pack, record, arena) => {
      wasmPack.view().set(pack);
      wasmArena.view().set(arena);
      const status = wasm.invoke(wasmPack.address() + record, wasmArena.address(), wasmPack.address());
      arena.set(wasmArena.view());
      return status;
    });
    const viaJerry = new Model(built.pack, jerryKernels(natives));
    const direct = new Model(built.pack, new WasmKernels());
    const input = new Int8Array(64).map((_, i) => (i * 37) % 256 - 128);
    viaJerry.arenaBytes().set(new Uint8Array(input.buffer), 0);
    direct.arenaBytes().set(new Uint8Array(input.buffer), 0);
    for (let i = 0; i < built.records.length; i++) {
      viaJerry.invokeOp(i);
      direct.invokeOp(i);
      expect(Buffer.from(viaJerry.arenaBytes()).equals(Buffer.from(direct.arenaBytes())), `after op ${i} (${built.names[i]})`).toBe(true);
    }
  });
});
