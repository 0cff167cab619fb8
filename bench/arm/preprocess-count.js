#!/usr/bin/env node
// Exact instruction counts of the blob's preprocessing entry (ts_preprocess, offset 8) per frame,
// under qemu-arm with the counting plugin (bench/arm/plugin/insn-count.c), through the Linux harness
// test/arm/harness/preprocess.c. The params are the ones device/preprocess.ts builds (dist/).
//
//   npm run build && node bench/arm/preprocess-count.js [--json FILE]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const { WasmKernels } = await import(join(ROOT, 'dist/host/wasm/kernels.js'));
const { imagePreprocessor, sampleWindow } = await import(join(ROOT, 'dist/device/preprocess.js'));
const BLOB = join(ROOT, 'kernels-c/out/tinysense-m4.bin');
const BLOB_AT = 0x50000004; // test/arm/harness/preprocess.c
const work = mkdtempSync(join(tmpdir(), 'tinysense-preprocess-bench-'));
const harness = join(work, 'preprocess-harness');
execFileSync('arm-linux-gnueabihf-gcc', ['-static', '-O2', '-std=gnu11', '-o', harness, join(ROOT, 'test/arm/harness/preprocess.c')]);
execFileSync('bash', [join(ROOT, 'bench/arm/build-plugin.sh')], { stdio: 'ignore' });
const plugin = join(ROOT, 'out/arm/insn-count.so');

/** Kernels that keep the last preprocess call, so the blob gets the very same params and source. */
function recording() {
  const wasm = new WasmKernels();
  const k = {
    name: 'recording', allocate: (n) => wasm.allocate(n), place: (d) => wasm.place(d), invoke: () => 0, crc32: () => 0,
    preprocess(params, src, offset, dst, arg) {
      k.last = { params: params.view().slice(), src: new Uint8Array(src.buffer, src.byteOffset + offset, src.byteLength - offset).slice(), dst: dst.byteLength, arg };
      return wasm.preprocess(params, src, offset, dst, arg);
    },
  };
  return k;
}

function count(name, call) {
  const p = join(work, `${name}.params`);
  const s = join(work, `${name}.src`);
  writeFileSync(p, call.params);
  writeFileSync(s, call.src);
  const counts = join(work, `${name}.counts`);
  const bytes = statSync(BLOB).size;
  execFileSync('qemu-arm', [
    '-plugin', `${plugin},lo=0x${BLOB_AT.toString(16)},hi=0x${(BLOB_AT + bytes).toString(16)},entries=0x${(BLOB_AT + 8).toString(16)},out=${counts}`,
    harness, BLOB, p, s, String(call.dst), String(call.arg), join(work, `${name}.out`),
  ]);
  const status = readFileSync(join(work, `${name}.out`)).readInt32LE(0);
  if (status !== 0) throw new Error(`${name}: status ${status}`);
  const total = readFileSync(counts, 'utf8').split('\n').find((l) => l.startsWith('total ')).split(' ');
  return { instructions: +total[1], cycles: +total[2] };
}

const tensor = (shape, type, scale, zeroPoint) => ({ type, shape, offset: 0, bytes: shape.reduce((a, b) => a * b, 1), inPack: false, scale: Math.fround(scale), zeroPoint });
const bytes = (n, seed) => new Uint8Array(n).map((_, i) => (i * 2654435761 + seed) >>> 24);
const cases = [];
{
  const k = recording();
  imagePreprocessor(tensor([1, 96, 96, 1], 'int8', 2 / 255, -1), { format: 'gray8', width: 96, height: 96, raw: true }, k).run(bytes(9216, 1), new Int8Array(9216));
  cases.push(['person frame: gray8 96x96 -> int8 96x96 (raw)', k.last, 9216]);
}
{
  const k = recording();
  imagePreprocessor(tensor([1, 96, 96, 1], 'int8', 1 / 255, -128), { format: 'rgb565be', width: 160, height: 120, crop: { x: 20, y: 0, width: 120, height: 120 }, resize: 'area' }, k).run(bytes(38400, 2), new Int8Array(9216));
  cases.push(['RGB565 160x120, crop 120x120, area -> gray int8 96x96', k.last, 9216]);
}
{
  const k = recording();
  imagePreprocessor(tensor([1, 96, 96, 3], 'int8', 1 / 255, -128), { format: 'yuyv', width: 160, height: 120, resize: 'nearest' }, k).run(bytes(38400, 3), new Int8Array(27648));
  cases.push(['YUYV 160x120, nearest -> RGB int8 96x96x3', k.last, 27648]);
}
{
  const k = recording();
  const w = sampleWindow(tensor([1, 32, 3], 'int8', 0.0235294122248888, -2), { channels: 3, frames: 32 }, k);
  for (let f = 0; f < 40; f++) w.push(Math.sin(f) * 1.5, Math.cos(f), f / 40 - 0.5);
  w.write(new Int8Array(96));
  cases.push(['gesture window: 32 x 3 float32 -> int8', k.last, 96]);
}
const rows = cases.map(([name, call, values]) => ({ name, values, ...count(name.replace(/\W+/g, '_'), call) }));
console.log('ts_preprocess on the Cortex-M4 blob (qemu-arm, exact instruction counts; cycles: the plugin\'s M4 estimate)');
for (const r of rows) console.log(`  ${r.name.padEnd(56)} ${r.instructions.toLocaleString('en-US').padStart(10)} insns  ${(r.instructions / r.values).toFixed(2).padStart(6)} / value  ~${r.cycles.toLocaleString('en-US')} cycles`);
const j = process.argv.indexOf('--json');
if (j > 0) writeFileSync(process.argv[j + 1], JSON.stringify({ blobBytes: statSync(BLOB).size, cases: rows }, null, 2) + '\n');
