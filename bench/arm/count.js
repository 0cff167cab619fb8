#!/usr/bin/env node
// Exact instruction counts of the Cortex-M4 kernel blob, per model and per operator kind.
//
//   npm run build:ts && node bench/arm/count.js [--json FILE] [--hot N] [--user]
//
// Each model runs once (one invoke) on the bare-metal Cortex-M4 harness (test/arm/harness/m4.c)
// under qemu-system-arm -M mps2-an386, with a QEMU plugin of our own (bench/arm/plugin/
// insn-count.c) counting every instruction executed inside the blob's address range, split at
// each entry into the blob. Counts are exact and the same on every run. The cycle figures are an
// ESTIMATE from a simple Cortex-M4 timing model (see the plugin's header), not a measurement.
//   --json FILE  also write the figures as JSON
//   --hot N      list the N functions of the blob that execute the most instructions per model
//   --user       also count under qemu-arm (Linux user mode) and require identical counts
//   --only a,b   only these models
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SHARED = resolve(ROOT, '../shared/models');
const MHZ = 64;
const M4_BLOB_AT = 0x21000004; // test/arm/harness/m4.c
const USER_BLOB_AT = 0x50000004; // test/arm/harness/linux.c

const ALL_MODELS = [
  { name: 'hello_world', model: 'hello_world/hello_world_int8.tflite', input: () => Uint8Array.of(0x40) },
  { name: 'micro_speech', model: 'micro_speech/micro_speech_quantized_int8.tflite', input: () => readFileSync(join(SHARED, 'testdata/yes_features_49x40_int8.bin')) },
  { name: 'person_detect', model: 'person_detection/person_detect_int8.tflite', input: () => readFileSync(join(SHARED, 'testdata/person_96x96_int8.bin')) },
  // MLPerf Tiny v1 reference models (../shared/models/mlperf_tiny): the field's speed yardstick; input 0 is the benchmark's own sample.
  ...['mlperf_kws_dscnn', 'mlperf_vww_mobilenetv1', 'mlperf_ic_resnet8', 'mlperf_ad_autoencoder'].map((name) => ({
    name,
    model: `mlperf_tiny/models/${name}.tflite`,
    input: () => readFileSync(join(SHARED, `mlperf_tiny/inputs/${name}.0.bin`)),
  })),
  // The audio front end: one invoke is one 30 ms window of 16 kHz audio -> one feature frame (stateful ops start from reset state).
  { name: 'audio_preprocessor', model: 'micro_speech/audio_preprocessor_int8.tflite', input: () => readFileSync(join(SHARED, 'testdata/yes_30ms_s16le.raw')) },
];

// Op names by record code, from the device's own table (device/records.ts, built to dist/).
let OP_NAMES = [];

function args(argv) {
  const o = { json: null, hot: 0, user: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') o.json = argv[++i];
    else if (argv[i] === '--hot') o.hot = +argv[++i];
    else if (argv[i] === '--user') o.user = true;
    else if (argv[i] === '--only') o.only = argv[++i].split(',');
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return o;
}

function sh(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Op code and multiply-accumulates of each record, from the pack itself (docs/model-pack.md). */
function packOps(pack) {
  const v = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  const count = v.getUint32(24, true);
  const table = v.getUint32(28, true);
  const ops = [];
  for (let i = 0; i < count; i++) {
    const rec = v.getUint32(table + 4 * i, true);
    const w = (k) => v.getInt32(rec + 4 * k, true);
    const code = w(0);
    let macs = 0;
    if (code === 1) macs = w(17) * w(18) * w(19) * w(20) * w(14) * w(15) * w(16); // out n*h*w*c x filter h*w*c
    else if (code === 2) macs = w(17) * w(18) * w(19) * w(20) * w(14) * w(15); // out n*h*w*c x filter h*w
    else if (code === 3) macs = w(10) * w(11) * w(12); // batches x accum_depth x output_depth
    ops.push({ code, name: OP_NAMES[code] ?? `op${code}`, macs });
  }
  return ops;
}

function parseCounts(text) {
  const out = { total: null, classes: {}, calls: [], pcs: [] };
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'total') out.total = { insns: +f[1], cycles: +f[2], taken: +f[3] };
    else if (f[0] === 'class') out.classes[f[1]] = +f[2];
    else if (f[0] === 'call') out.calls.push({ entry: +f[2], insns: +f[3], cycles: +f[4] });
    else if (f[0] === 'pc') out.pcs.push({ addr: parseInt(f[1], 16), count: +f[2] });
  }
  return out;
}

function functionsOf(elf) {
  const fns = [];
  for (const line of execFileSync('arm-none-eabi-nm', ['-S', '--defined-only', elf], { encoding: 'utf8' }).split('\n')) {
    const m = line.match(/^([0-9a-f]+) ([0-9a-f]+) [tT] (\S+)$/);
    if (m) fns.push({ start: parseInt(m[1], 16) & ~1, size: parseInt(m[2], 16), name: m[3] });
  }
  return fns;
}

function count(tool, harnessArgs, plugin, blobAt, bytes, work) {
  const countsFile = join(work, `counts-${tool}.txt`);
  const pluginArg = `${plugin},lo=0x${blobAt.toString(16)},hi=0x${(blobAt + bytes).toString(16)},entries=0x${blobAt.toString(16)}:0x${(blobAt + 4).toString(16)},out=${countsFile}`;
  if (tool === 'm4') {
    sh('qemu-system-arm', [
      '-M', 'mps2-an386', '-cpu', 'cortex-m4', '-nographic', '-monitor', 'none', '-serial', 'none', '-plugin', pluginArg,
      '-semihosting-config', `enable=on,target=native,arg=m4-harness,${harnessArgs.map((a) => `arg=${a}`).join(',')}`,
      '-kernel', join(ROOT, 'out/arm/m4-harness.elf'),
    ]);
  } else {
    sh('qemu-arm', ['-plugin', pluginArg, join(ROOT, 'out/arm/linux-harness'), ...harnessArgs]);
  }
  return parseCounts(readFileSync(countsFile, 'utf8'));
}

const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const pad = (s, n) => String(s).padStart(n);

async function main() {
  const opts = args(process.argv.slice(2));
  let compileTflite;
  try {
    ({ compileTflite } = await import(join(ROOT, 'dist/host/model.js')));
    const records = await import(join(ROOT, 'dist/device/records.js'));
    OP_NAMES = records.OP_NAMES.slice();
    for (const [name, code] of Object.entries(records.SIGNAL_OP ?? {})) OP_NAMES[code] = name;
  } catch (e) {
    throw new Error(`the compiler is not built (run npm run build:ts): ${e.message}`);
  }
  // TINYSENSE_ARM_SRC=DIR counts a stand-in source set (built into out/arm/alt-blob, not kernels-c/out).
  const altSrc = process.env.TINYSENSE_ARM_SRC;
  const blobOut = altSrc ? join(ROOT, 'out/arm/alt-blob') : join(ROOT, 'kernels-c/out');
  sh('bash', ['kernels-c/arm/build.sh', '--out', blobOut, ...(altSrc ? ['--src', altSrc] : [])]);
  sh('bash', ['test/arm/build-harness.sh']);
  sh('bash', ['bench/arm/build-plugin.sh']);
  const blobBin = join(blobOut, 'tinysense-m4.bin');
  const entries = JSON.parse(readFileSync(join(blobOut, 'tinysense-m4.json'), 'utf8'));
  const plugin = join(ROOT, 'out/arm/insn-count.so');
  const fns = functionsOf(join(blobOut, 'arm/blob.elf'));
  const work = mkdtempSync(join(tmpdir(), 'tinysense-count-'));
  const report = { blob: { bytes: entries.bytes, sha256: entries.sha256 }, mhz: MHZ, models: [] };

  console.log(`Cortex-M4 blob: ${entries.bytes} bytes (sha256 ${entries.sha256.slice(0, 16)}...)`);
  console.log(`Instructions: exact, counted inside the blob by a QEMU plugin (qemu-system-arm -M mps2-an386).`);
  console.log(`Cycles and ms: ESTIMATE from a simple Cortex-M4 timing model at ${MHZ} MHz, zero wait states.\n`);
  try {
    for (const m of ALL_MODELS.filter((x) => !opts.only || opts.only.includes(x.name))) {
      const compiled = compileTflite(new Uint8Array(readFileSync(join(SHARED, m.model))));
      const pack = compiled.pack;
      const packPath = join(work, `${m.name}.tsm`);
      const inPath = join(work, `${m.name}.in`);
      writeFileSync(packPath, pack);
      writeFileSync(inPath, m.input());
      const hargs = ['-e', `${entries.ts_invoke}:${entries.ts_checksum}`, blobBin, packPath, join(work, `${m.name}.out`), inPath];
      const ops = packOps(pack);
      // The compiler's own MAC figures must agree with the ones read back from the records.
      if (Array.isArray(compiled.ops) && compiled.ops.length === ops.length) {
        ops.forEach((op, i) => {
          const theirs = compiled.ops[i].macs;
          if (op.macs && typeof theirs === 'number' && theirs !== op.macs) console.warn(`  note: op ${i} ${op.name}: ${op.macs} MACs from the record, ${theirs} from the compiler`);
        });
      }
      const counts = count('m4', hargs, plugin, M4_BLOB_AT, entries.bytes, work);
      if (opts.user) {
        const user = count('user', hargs, plugin, USER_BLOB_AT, entries.bytes, work);
        const a = JSON.stringify(counts.calls);
        if (a !== JSON.stringify(user.calls)) throw new Error(`${m.name}: qemu-arm and qemu-system-arm counts differ`);
      }
      // Calls: ts_checksum (entry 1) once, then one ts_invoke (entry 0) per op record.
      const invokes = counts.calls.filter((c) => c.entry === 0);
      const checksum = counts.calls.filter((c) => c.entry === 1);
      if (invokes.length !== ops.length || checksum.length !== 1) {
        throw new Error(`${m.name}: ${invokes.length} invokes and ${checksum.length} checksums counted for ${ops.length} ops`);
      }
      const kinds = new Map();
      ops.forEach((op, i) => {
        const k = kinds.get(op.name) ?? { op: op.name, count: 0, insns: 0, cycles: 0, macs: 0 };
        k.count++;
        k.insns += invokes[i].insns;
        k.cycles += invokes[i].cycles;
        k.macs += op.macs;
        kinds.set(op.name, k);
      });
      const total = { insns: 0, cycles: 0, macs: 0 };
      for (const k of kinds.values()) {
        total.insns += k.insns;
        total.cycles += k.cycles;
        total.macs += k.macs;
      }
      const rows = [...kinds.values()].sort((a, b) => b.insns - a.insns);
      console.log(`${m.name}: ${ops.length} ops, ${fmt(total.insns)} instructions, ${fmt(total.macs)} MACs, ` +
        `${total.macs ? (total.insns / total.macs).toFixed(2) : '-'} instructions/MAC; estimate ${fmt(total.cycles)} cycles = ` +
        `${(total.cycles / (MHZ * 1000)).toFixed(2)} ms at ${MHZ} MHz; pack checksum ${fmt(checksum[0].insns)} instructions`);
      console.log(`  ${'op kind'.padEnd(20)}${pad('n', 4)}${pad('instructions', 15)}${pad('MACs', 13)}${pad('insn/MAC', 10)}${pad('est. cycles', 15)}${pad('est. ms', 9)}`);
      for (const k of rows) {
        console.log(`  ${k.op.padEnd(20)}${pad(k.count, 4)}${pad(fmt(k.insns), 15)}${pad(k.macs ? fmt(k.macs) : '-', 13)}` +
          `${pad(k.macs ? (k.insns / k.macs).toFixed(2) : '-', 10)}${pad(fmt(k.cycles), 15)}${pad((k.cycles / (MHZ * 1000)).toFixed(3), 9)}`);
      }
      const classes = Object.entries(counts.classes).map(([c, n]) => `${c} ${((100 * n) / counts.total.insns).toFixed(1)}%`).join(', ');
      console.log(`  instruction mix (whole run, checksum included): ${classes}`);
      let hot = [];
      if (opts.hot > 0) {
        const byFn = new Map();
        for (const p of counts.pcs) {
          const off = p.addr - M4_BLOB_AT;
          const fn = fns.find((f) => off >= f.start && off < f.start + Math.max(f.size, 2));
          const name = fn ? fn.name : `0x${off.toString(16)}`;
          byFn.set(name, (byFn.get(name) ?? 0) + p.count);
        }
        hot = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, opts.hot);
        console.log(`  hottest functions (whole run): ${hot.map(([n, c]) => `${n} ${((100 * c) / counts.total.insns).toFixed(1)}%`).join(', ')}`);
      }
      console.log('');
      report.models.push({ name: m.name, ops: ops.length, ...total, checksumInsns: checksum[0].insns, kinds: rows, classes: counts.classes, hot });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
