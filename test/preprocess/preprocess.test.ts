// Native preprocessing (kernels-c/src/preprocess.c through device/preprocess.ts) against straightforward
// JavaScript references, byte for byte: on WebAssembly here, and on the Cortex-M4 blob under qemu-arm.
// The person example's old JS loop (gray - 128 from the camera's burst reply) is the oracle for frames;
// quantize() (device/quant.ts) for sample windows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kernels, NativeBuffer } from '../../device/kernels.js';
import type { TensorInfo } from '../../device/pack.js';
import { imagePreprocessor, sampleWindow } from '../../device/preprocess.js';
import { quantize } from '../../device/quant.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';

/** xorshift32: the same cases on every run. */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** A step's native calls, recorded so the Arm blob can be given the very same params and source. */
interface Call { params: Uint8Array; src: Uint8Array; dst: Uint8Array; arg: number; status: number }

/** WasmKernels that keep the last call's params, source and result. */
function recording(): Kernels & { last?: Call } {
  const wasm = new WasmKernels({ guardBytes: 64 });
  const k: Kernels & { last?: Call } = {
    name: 'wasm-recorded',
    allocate: (bytes: number) => wasm.allocate(bytes),
    place: (data: Uint8Array) => wasm.place(data),
    invoke: (r: number, a: number, p: number) => wasm.invoke(r, a, p),
    invokeOps: (p: number, a: number, first: number, count: number) => wasm.invokeOps(p, a, first, count),
    crc32: (a: number, l: number) => wasm.crc32(a, l),
    preprocess(params: NativeBuffer, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number) {
      const srcBytes = new Uint8Array(src.buffer, src.byteOffset + srcOffset, src.byteLength - srcOffset).slice();
      const status = wasm.preprocess(params, src, srcOffset, dst, arg);
      wasm.checkGuards();
      k.last = { params: params.view().slice(), src: srcBytes, dst: new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).slice(), arg, status };
      return status;
    },
  };
  return k;
}

const tensor = (shape: number[], type: 'int8' | 'uint8', scale: number, zeroPoint: number): TensorInfo => ({
  type, shape, offset: 0, bytes: shape.reduce((a, b) => a * b, 1), inPack: false, scale: Math.fround(scale), zeroPoint,
});

// ---- the JavaScript references ---------------------------------------------------------------

const BPP: Record<string, number> = { gray8: 1, rgb565be: 2, rgb565le: 2, rgb888: 3, yuyv: 2 };
const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** [r, g, b] of pixel (x, y), or [gray] when gray. */
function refPixel(format: string, f: Uint8Array, stride: number, x: number, y: number, gray: boolean): number[] {
  const row = y * stride;
  let r: number, g: number, b: number;
  if (format === 'gray8') return gray ? [f[row + x]] : [f[row + x], f[row + x], f[row + x]];
  if (format === 'yuyv') {
    const Y = f[row + 2 * x];
    if (gray) return [Y];
    const u = f[row + (x & ~1) * 2 + 1] - 128;
    const v = f[row + (x & ~1) * 2 + 3] - 128;
    return [clamp(Y + ((359 * v + 128) >> 8)), clamp(Y - ((88 * u + 183 * v + 128) >> 8)), clamp(Y + ((454 * u + 128) >> 8))];
  }
  if (format === 'rgb888') [r, g, b] = [f[row + 3 * x], f[row + 3 * x + 1], f[row + 3 * x + 2]];
  else {
    const w = format === 'rgb565be' ? (f[row + 2 * x] << 8) | f[row + 2 * x + 1] : (f[row + 2 * x + 1] << 8) | f[row + 2 * x];
    const r5 = w >> 11, g6 = (w >> 5) & 63, b5 = w & 31;
    [r, g, b] = [(r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2)];
  }
  return gray ? [(77 * r + 150 * g + 29 * b + 128) >> 8] : [r, g, b];
}

interface ImageCase { format: string; width: number; height: number; stride: number; crop: { x: number; y: number; width: number; height: number }; resize: 'nearest' | 'area'; out: TensorInfo; range?: number[]; raw?: boolean }

function refImage(c: ImageCase, frame: Uint8Array): Uint8Array {
  const [, dh, dw, ch] = c.out.shape;
  const gray = ch === 1;
  const out = new Uint8Array(dw * dh * ch);
  const [lo, hi] = c.range ?? [0, 1];
  const table = (v: number) => (c.raw ? v - (c.out.type === 'int8' ? 128 : 0) : quantize(lo + (v * (hi - lo)) / 255, c.out)) & 0xff;
  let k = 0;
  for (let oy = 0; oy < dh; oy++) {
    for (let ox = 0; ox < dw; ox++) {
      let values: number[];
      if (c.resize === 'nearest') {
        const sy = c.crop.y + Math.floor(((2 * oy + 1) * c.crop.height) / (2 * dh));
        const sx = c.crop.x + Math.floor(((2 * ox + 1) * c.crop.width) / (2 * dw));
        values = refPixel(c.format, frame, c.stride, sx, sy, gray);
      } else {
        const y0 = c.crop.y + Math.floor((oy * c.crop.height) / dh);
        const y1 = Math.max(y0 + 1, c.crop.y + Math.floor(((oy + 1) * c.crop.height) / dh));
        const x0 = c.crop.x + Math.floor((ox * c.crop.width) / dw);
        const x1 = Math.max(x0 + 1, c.crop.x + Math.floor(((ox + 1) * c.crop.width) / dw));
        const sums = [0, 0, 0];
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) refPixel(c.format, frame, c.stride, x, y, gray).forEach((v, i) => (sums[i] += v));
        const n = (x1 - x0) * (y1 - y0);
        values = sums.slice(0, ch).map((s) => Math.floor((s + Math.floor(n / 2)) / n));
      }
      for (const v of values) out[k++] = table(v);
    }
  }
  return out;
}

function imageCases(): ImageCase[] {
  const rnd = random(18);
  const cases: ImageCase[] = [];
  for (const format of Object.keys(BPP)) {
    for (const resize of ['nearest', 'area'] as const) {
      for (const ch of [1, 3]) {
        for (let n = 0; n < 3; n++) {
          const width = 2 * (1 + Math.floor(rnd() * 40));
          const height = 1 + Math.floor(rnd() * 40);
          const stride = width * BPP[format] + Math.floor(rnd() * 5);
          const cx = Math.floor(rnd() * (width / 2));
          const cy = Math.floor(rnd() * (height / 2));
          const crop = { x: cx, y: cy, width: 1 + Math.floor(rnd() * (width - cx)), height: 1 + Math.floor(rnd() * (height - cy)) };
          const out = tensor([1, 1 + Math.floor(rnd() * 30), 1 + Math.floor(rnd() * 30), ch], rnd() < 0.5 ? 'int8' : 'uint8', 0.5 / (1 + rnd() * 200), Math.floor(rnd() * 40) - 20);
          cases.push({ format, width, height, stride, crop, resize, out, range: n === 2 ? [-1, 1] : undefined, raw: n === 1 });
        }
      }
    }
  }
  return cases;
}

function frameFor(c: ImageCase, seed: number): Uint8Array {
  const rnd = random(seed);
  return new Uint8Array(c.stride * (c.height - 1) + c.width * BPP[c.format]).map(() => Math.floor(rnd() * 256));
}

// ---- sample windows ------------------------------------------------------------------------

/** Values that sit on and right beside rounding ties, zeros, huge values and infinities, as float32. */
function sampleValues(scale: number, n: number, seed: number): Float32Array {
  const rnd = random(seed);
  const s = Math.fround(scale);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * 300) - 150;
    const pick = rnd();
    let v: number;
    if (pick < 0.3) v = (k + 0.5) * s; // a tie (rounded to float32 it may land either side)
    else if (pick < 0.4) v = Math.fround((k + 0.5) * s) + (rnd() < 0.5 ? -1 : 1) * 1e-9;
    else if (pick < 0.45) v = [0, -0, 1e30, -1e30, Infinity, -Infinity, 1e-40][Math.floor(rnd() * 7)];
    else v = (rnd() - 0.5) * 400 * s;
    out[i] = v;
  }
  return out;
}

/** The window the old gesture loop built: oldest frame first, quantize() per sample. */
function refWindow(samples: ArrayLike<number>, channels: number, frames: number, oldest: number, q: TensorInfo, sampleScale = 1): Uint8Array {
  const out = new Uint8Array(channels * frames);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) out[f * channels + c] = quantize(samples[((oldest + f) % frames) * channels + c] * sampleScale, q) & 0xff;
  }
  return out;
}

// ---- Arm (qemu-arm) ------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'tinysense-preprocess-'));
const harness = join(work, 'preprocess-harness');
const blob = join(PACKAGE_ROOT, 'kernels-c', 'out', 'tinysense-m4.bin');

/** Runs one recorded call on the Cortex-M4 blob under qemu-arm: [status, dst bytes]. */
function onArm(call: Call, name: string): { status: number; dst: Uint8Array } {
  const p = join(work, `${name}.params`);
  const s = join(work, `${name}.src`);
  const o = join(work, `${name}.out`);
  writeFileSync(p, call.params);
  writeFileSync(s, call.src);
  const r = spawnSync('qemu-arm', [harness, blob, p, s, String(call.dst.length), String(call.arg), o], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`preprocess harness failed (${r.status}): ${r.stdout}${r.stderr}`);
  const out = readFileSync(o);
  return { status: out.readInt32LE(0), dst: new Uint8Array(out.subarray(4)) };
}

beforeAll(() => {
  const r = spawnSync('arm-linux-gnueabihf-gcc', ['-static', '-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-o', harness, join(PACKAGE_ROOT, 'test/arm/harness/preprocess.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the preprocess harness failed: ${r.stderr}`);
  const json = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'kernels-c', 'out', 'tinysense-m4.json'), 'utf8'));
  if (json.ts_preprocess !== 8) throw new Error(`the blob's ts_preprocess entry is at ${json.ts_preprocess}, not 8`);
});

describe('image preprocessing', () => {
  it("person: one native call gives the bytes of the old JavaScript loop (gray - 128 from the burst reply), on wasm and on the Arm blob", () => {
    const k = recording();
    const input = tensor([1, 96, 96, 1], 'int8', 0.007843137718737125, -1); // person_detect's input
    const pre = imagePreprocessor(input, { format: 'gray8', width: 96, height: 96, raw: true }, k);
    const rnd = random(96);
    for (let frame = 0; frame < 3; frame++) {
      const reply = new Uint8Array(9217).map(() => Math.floor(rnd() * 256)); // byte 0 answers the command byte
      const expected = new Int8Array(9216);
      for (let i = 0; i < 9216; i++) expected[i] = reply[i + 1] - 128; // the loop it replaces
      const into = new Int8Array(9216);
      pre.run(reply.subarray(1), into);
      expect(into).toEqual(expected);
      const arm = onArm(k.last!, `person${frame}`);
      expect(arm.status).toBe(0);
      expect(new Int8Array(arm.dst.buffer)).toEqual(expected);
    }
  });

  it('every pixel format, crop, nearest and area resize, gray and RGB, quantized or raw: equal to the JavaScript reference on wasm and on the Arm blob', () => {
    const cases = imageCases();
    expect(cases.length).toBe(5 * 2 * 2 * 3);
    cases.forEach((c, n) => {
      const k = recording();
      const pre = imagePreprocessor(c.out, { format: c.format as 'gray8', width: c.width, height: c.height, stride: c.stride, crop: c.crop, resize: c.resize, range: c.range, raw: c.raw }, k);
      const frame = frameFor(c, n + 1);
      expect(pre.frameBytes).toBe(frame.length);
      const into = new Uint8Array(c.out.bytes);
      pre.run(frame, into);
      const expected = refImage(c, frame);
      expect(into, JSON.stringify(c)).toEqual(expected);
      const arm = onArm(k.last!, `image${n}`);
      expect(arm.status).toBe(0);
      expect(arm.dst, `arm ${JSON.stringify(c)}`).toEqual(expected);
    });
  });

  it('the device wrapper refuses what does not fit, naming it', () => {
    const k = recording();
    const gray = tensor([1, 8, 8, 1], 'int8', 1 / 255, -128);
    expect(() => imagePreprocessor(tensor([1, 8, 8, 1], 'int16' as 'int8', 1, 0), { format: 'gray8', width: 8, height: 8 }, k)).toThrow(/int16; it must be int8 or uint8/);
    expect(() => imagePreprocessor(tensor([8, 8], 'int8', 1, 0), { format: 'gray8', width: 8, height: 8 }, k)).toThrow(/shape \[8,8\]/);
    expect(() => imagePreprocessor(gray, { format: 'bgr' as 'gray8', width: 8, height: 8 }, k)).toThrow(/unknown pixel format bgr/);
    expect(() => imagePreprocessor(gray, { format: 'gray8', width: 8, height: 8, crop: { x: 4, y: 0, width: 5, height: 8 } }, k)).toThrow(/crop.width must be a whole number from 1 to 4/);
    expect(() => imagePreprocessor(gray, { format: 'yuyv', width: 7, height: 8 }, k)).toThrow(/even width/);
    expect(() => imagePreprocessor(gray, { format: 'gray8', width: 8, height: 8, stride: 7 }, k)).toThrow(/stride must be/);
    const pre = imagePreprocessor(gray, { format: 'gray8', width: 8, height: 8 }, k);
    expect(() => pre.run(new Uint8Array(63), new Int8Array(64))).toThrow(/64 bytes from byte 0, not 63/);
    expect(() => pre.run(new Uint8Array(64), new Int8Array(63))).toThrow(/must be a 64-byte Int8Array or Uint8Array/);
    expect(() => pre.run(new Uint8Array(64), new Int16Array(32) as unknown as Int8Array)).toThrow(/2-byte elements/);
  });

  it('the C refuses inconsistent params before touching dst (status -2), on wasm and on the Arm blob', () => {
    const k = recording();
    const pre = imagePreprocessor(tensor([1, 8, 8, 3], 'uint8', 1 / 255, 0), { format: 'rgb565be', width: 16, height: 8, resize: 'area' }, k);
    pre.run(new Uint8Array(256), new Uint8Array(192));
    const good = k.last!;
    expect(good.status).toBe(0);
    const wasm = new WasmKernels({ guardBytes: 64 });
    // [word index, bad value, what it breaks]
    const breaks: [number, number][] = [
      [0, 3], [1, 831], [2, 255], [3, 191], [4, 0], [4, 6], [5, 0], [5, 4097], [6, 0], [7, 31], [8, -1], [8, 1], [9, 8],
      [10, 0], [10, 17], [11, 9], [12, 0], [12, 4097], [13, 0], [14, 2], [15, 2], [2, -1], [3, -5],
    ];
    for (const [word, value] of breaks) {
      const params = good.params.slice();
      new DataView(params.buffer).setInt32(word * 4, value, true);
      const buffer = wasm.allocate(params.length);
      buffer.view().set(params);
      const dst = new Uint8Array(192).fill(7);
      expect(wasm.preprocess(buffer, good.src, 0, dst, 0), `word ${word} = ${value}`).toBe(-2);
      expect(dst.every((b) => b === 7)).toBe(true);
      const arm = onArm({ ...good, params, dst: new Uint8Array(192) }, `bad${word}_${value}`);
      expect(arm.status, `arm: word ${word} = ${value}`).toBe(-2);
      expect(arm.dst.every((b) => b === 0xa5)).toBe(true);
    }
    // An image step takes no argument.
    const buffer = wasm.allocate(good.params.length);
    buffer.view().set(good.params);
    expect(wasm.preprocess(buffer, good.src, 0, new Uint8Array(192), 1)).toBe(-2);
  });
});

describe('sample windows', () => {
  const gesture = tensor([1, 32, 3], 'int8', 0.0235294122248888, -2); // a window of 32 x (x, y, z)

  it('float32 rings: oldest frame first, each sample equal to quantize() (ties, infinities, saturation), on wasm and on the Arm blob', () => {
    for (const [n, q] of [[0, gesture], [1, tensor([1, 50, 2], 'uint8', 0.1, 100)], [2, tensor([1, 7, 1], 'int8', 3e-3, 127)]] as const) {
      const k = recording();
      const [, frames, channels] = q.shape;
      const w = sampleWindow(q, { channels, frames }, k);
      const values = sampleValues(q.scale, frames * channels * 3, 40 + n);
      for (let f = 0; f < frames * 3; f++) {
        const v = values.subarray(f * channels, f * channels + channels);
        if (channels === 3) w.push(v[0], v[1], v[2]);
        else if (channels === 2) w.push(v[0], v[1]);
        else w.push(v[0]);
        if (f % 5 !== 4) continue;
        const into = new Uint8Array(q.bytes);
        w.write(into);
        const expected = refWindow(w.samples, channels, frames, w.next, q);
        expect(into, `case ${n} frame ${f}`).toEqual(expected);
        const arm = onArm(k.last!, `window${n}_${f}`);
        expect(arm.status).toBe(0);
        expect(arm.dst).toEqual(expected);
      }
    }
  });

  it('int16 rings with a sample scale (milli-g), equal to quantize(sample x scale), on wasm and on the Arm blob', () => {
    const k = recording();
    const w = sampleWindow(gesture, { channels: 3, frames: 32, type: 'int16', sampleScale: 0.001 }, k);
    const rnd = random(7);
    for (let f = 0; f < 40; f++) w.push(Math.floor(rnd() * 8000) - 4000, Math.floor(rnd() * 65536) - 32768, [0, 12, -12, 35, -35][f % 5]);
    const into = new Int8Array(96);
    w.write(into);
    const expected = refWindow(w.samples, 3, 32, w.next, gesture, Math.fround(0.001));
    expect(new Uint8Array(into.buffer)).toEqual(expected);
    const arm = onArm(k.last!, 'window-int16');
    expect(arm.status).toBe(0);
    expect(arm.dst).toEqual(expected);
  });

  it('a NaN sample throws as quantize() does (the C answers -3 before writing); bad params are refused', () => {
    const k = recording();
    const w = sampleWindow(gesture, { channels: 3, frames: 32 }, k);
    w.push(0, NaN, 0);
    const into = new Int8Array(96).fill(5);
    expect(() => w.write(into)).toThrow(/a sample of the window is NaN/);
    expect(into.every((b) => b === 5)).toBe(true);
    expect(onArm(k.last!, 'nan').status).toBe(-3);
    expect(() => sampleWindow(gesture, { channels: 3, frames: 31 }, k)).toThrow(/holds 96 values, the window 31 x 3/);
    expect(() => sampleWindow(gesture, { channels: 3, frames: 32, type: 'int16' }, k)).toThrow(/needs sampleScale/);
    expect(() => sampleWindow(gesture, { channels: 0, frames: 32 }, k)).toThrow(/channels must be a whole number from 1 to 64/);
    expect(() => w.write(new Int8Array(95))).toThrow(/96-byte/);
    // The C's own checks: a ring position outside the ring, a zero scale, qmin above qmax.
    w.push(0, 0, 0);
    const good = k.last!;
    const wasm = new WasmKernels();
    const run = (params: Uint8Array, arg: number) => {
      const b = wasm.allocate(params.length);
      b.view().set(params);
      return wasm.preprocess(b, good.src, 0, new Uint8Array(96), arg);
    };
    expect(run(good.params, 32)).toBe(-2);
    expect(run(good.params, -1)).toBe(-2);
    for (const [word, value] of [[8, 0], [10, 128], [5, 65], [6, 0], [4, 3], [2, 100]] as const) {
      const params = good.params.slice();
      new DataView(params.buffer).setInt32(word * 4, value, true);
      expect(run(params, 0), `word ${word} = ${value}`).toBe(-2);
      expect(onArm({ ...good, params, arg: 0 }, `sbad${word}`).status).toBe(-2);
    }
  });
});
