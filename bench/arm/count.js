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
//   --json FILE       also write all the figures as JSON
//   --m4-cycles FILE  write the per-op-kind cycle figures the build's latency estimate reads
//                     (bench/arm/m4-cycles.json is the committed copy; see README.md)
//   --hot N           list the N functions of the blob that execute the most instructions per model
//   --functions N     rows of the per-function table per model (default 8; 0: none)
//   --user            also count under qemu-arm (Linux user mode) and require identical counts
//   --only a,b        only these models
//   --keep            keep the work folder (packs, inputs, the plugin's raw counts) and print its path
//
// Per model it prints: the totals; per op kind (instructions, MACs, insn/MAC, est. cycles); per
// kernel path (each op is attributed to the function of the blob that executed most of its
// instructions, dispatch and fixed-point helpers aside: the fast paths are functions of their own);
// per function (calls, instructions, est. cycles). Then a comparison with the TFLM figures quoted in
// issue 12.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
// The model corpus committed in the repository (models/, a copy of ../shared/models; host/paths.ts MODELS_DIR).
const SHARED = resolve(ROOT, 'models');
const MHZ = 64;
const M4_BLOB_AT = 0x21000004; // test/arm/harness/m4.c
const USER_BLOB_AT = 0x50000004; // test/arm/harness/linux.c

const ALL_MODELS = [
  { name: 'hello_world', model: 'hello_world/hello_world_int8.tflite', input: () => Uint8Array.of(0x40) },
  { name: 'micro_speech', model: 'micro_speech/micro_speech_quantized_int8.tflite', input: () => readFileSync(join(SHARED, 'testdata/yes_features_49x40_int8.bin')) },
  { name: 'person_detect', model: 'person_detection/person_detect_int8.tflite', input: () => readFileSync(join(SHARED, 'testdata/person_96x96_int8.bin')) },
  // MLPerf Tiny v1 reference models (models/mlperf_tiny): the field's speed yardstick; input 0 is the benchmark's own sample.
  ...['mlperf_kws_dscnn', 'mlperf_vww_mobilenetv1', 'mlperf_ic_resnet8', 'mlperf_ad_autoencoder'].map((name) => ({
    name,
    model: `mlperf_tiny/models/${name}.tflite`,
    input: () => readFileSync(join(SHARED, `mlperf_tiny/inputs/${name}.0.bin`)),
  })),
  // The audio front end: one invoke is one 30 ms window of 16 kHz audio -> one feature frame (stateful ops start from reset state).
  { name: 'audio_preprocessor', model: 'micro_speech/audio_preprocessor_int8.tflite', input: () => readFileSync(join(SHARED, 'testdata/yes_30ms_s16le.raw')) },
];

// Whole-model figures quoted from issue 12 (measured there with the same plugin and cycle model:
// TFLM at 90b983c2 built with its own Makefile for cortex-m4, -O2, -DNDEBUG). NOT re-measured here.
const QUOTED = {
  source: 'issue 12, TFLM 90b983c2 (cortex-m4, -O2, -DNDEBUG), same plugin and cycle model; quoted, not re-measured here',
  models: {
    person_detect: { cmsis: { insns: 22.9e6, cycles: 28.2e6 }, reference: { insns: 95.6e6, cycles: 144.9e6 } },
    micro_speech: { cmsis: { insns: 1.50e6, cycles: 2.35e6 }, reference: { insns: 9.31e6, cycles: 13.5e6 } },
    mlperf_kws_dscnn: { cmsis: { insns: 7.70e6, cycles: 9.35e6 }, reference: { insns: 43.0e6, cycles: 65.6e6 } },
    mlperf_vww_mobilenetv1: { cmsis: { insns: 24.1e6, cycles: 29.8e6 }, reference: { insns: 100.1e6, cycles: 152.8e6 } },
    mlperf_ic_resnet8: { cmsis: { insns: 29.9e6, cycles: 37.3e6 }, reference: { insns: 107.3e6, cycles: 171.5e6 } },
    mlperf_ad_autoencoder: { cmsis: { insns: 0.58e6, cycles: 0.73e6 }, reference: { insns: 1.95e6, cycles: 3.04e6 } },
  },
};

// Functions that are never "the path" of an op: the entry slots and dispatch, the pack checksum and
// the shared fixed-point helpers (they run under every path).
const NOT_A_PATH = /^(ts_blob_entry_|ts_invoke$|ts_invoke_signal$|ts_checksum$|ts_crc32$|crc_nibble$|ts_mbqm$|ts_srdhm$|ts_rdbpot$|shr64$|.*quant_set$)/;

// Op names by record code, from the device's own table (device/records.ts, built to dist/).
let OP_NAMES = [];

function args(argv) {
  const o = { json: null, m4Cycles: null, hot: 0, functions: 8, user: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') o.json = argv[++i];
    else if (argv[i] === '--m4-cycles') o.m4Cycles = argv[++i];
    else if (argv[i] === '--functions') o.functions = +argv[++i];
    else if (argv[i] === '--hot') o.hot = +argv[++i];
    else if (argv[i] === '--user') o.user = true;
    else if (argv[i] === '--keep') o.keep = true;
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

function parseCounts(text) {
  const out = { total: null, classes: {}, calls: [], pcs: [] };
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'total') out.total = { insns: +f[1], cycles: +f[2], taken: +f[3] };
    else if (f[0] === 'class') out.classes[f[1]] = +f[2];
    else if (f[0] === 'call') out.calls.push({ index: +f[1], entry: +f[2], insns: +f[3], cycles: +f[4], pcs: [] });
    else if (f[0] === 'cpc') out.calls[+f[1]].pcs.push({ addr: parseInt(f[2], 16), insns: +f[3], cycles: +f[4] });
    else if (f[0] === 'pc') out.pcs.push({ addr: parseInt(f[1], 16), count: +f[2] });
  }
  return out;
}

/** Maps a blob offset to the function holding it (sorted ranges, binary search). */
function functionFinder(fns) {
  const sorted = [...fns].sort((a, b) => a.start - b.start);
  return (off) => {
    let lo = 0, hi = sorted.length - 1, best = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].start <= off) { best = sorted[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    return best && off < best.start + Math.max(best.size, 2) ? best : null;
  };
}

/** Instructions and cycles per function of one call, from the plugin's per-call address counts. */
function byFunction(call, findFn, blobAt) {
  const m = new Map();
  for (const p of call.pcs) {
    const fn = findFn(p.addr - blobAt);
    const name = fn ? fn.name : 'other';
    const e = m.get(name) ?? { insns: 0, cycles: 0, calls: 0 };
    e.insns += p.insns;
    e.cycles += p.cycles;
    if (fn && p.addr - blobAt === fn.start) e.calls += p.insns; // executions of the first instruction
    m.set(name, e);
  }
  return m;
}

/** The function that ran most of an op's instructions, dispatch and helpers aside. */
function mainPath(fnMap) {
  let best = null;
  for (const [name, e] of fnMap) {
    if (NOT_A_PATH.test(name)) continue;
    if (!best || e.insns > best.insns) best = { name, insns: e.insns };
  }
  return best ? best.name : 'ts_invoke';
}

const perMac = (x, macs) => (macs ? (x / macs).toFixed(2) : '-');

function functionsOf(elf) {
  const fns = [];
  for (const line of execFileSync('arm-none-eabi-nm', ['-S', '--defined-only', elf], { encoding: 'utf8' }).split('\n')) {
    const m = line.match(/^([0-9a-f]+) ([0-9a-f]+) [tT] (\S+)$/);
    if (m) fns.push({ start: parseInt(m[1], 16) & ~1, size: parseInt(m[2], 16), name: m[3] });
  }
  return fns;
}

function count(tool, harnessArgs, plugin, blobAt, bytes, work) {
  const countsFile = join(work, `counts-${tool}-${harnessArgs[3].replace(/.*\//, '').replace(/\.tsm$/, '')}.txt`);
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
  let recordWork;
  try {
    ({ compileTflite } = await import(join(ROOT, 'dist/host/model.js')));
    ({ recordWork } = await import(join(ROOT, 'dist/host/bundler/latency.js')));
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
  const findFn = functionFinder(fns);
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
      // Each record's work as the validator counts it (MACs, or element operations for the other ops):
      // the unit the build's latency estimate multiplies by the cycles per unit written below.
      const ops = recordWork(pack).map((w) => ({ code: w.code, name: w.kernel, macs: w.macs, workOps: w.ops }));
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
      // Output elements of each op (for the per-element cost of ops without MACs: MACs are counted
      // for CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED only, from their records).
      const graphOps = new Map((compiled.graph?.operators ?? []).map((o) => [o.index, o]));
      ops.forEach((op, i) => {
        const c = compiled.ops?.[i];
        const g = c ? graphOps.get(c.index) : undefined;
        const t = g && g.outputs.length ? compiled.graph.tensors[g.outputs[0]] : undefined;
        op.elements = t ? t.shape.reduce((x, y) => x * y, 1) : 0;
        op.fns = byFunction(invokes[i], findFn, M4_BLOB_AT);
        op.path = mainPath(op.fns);
      });
      const kinds = new Map();
      const paths = new Map();
      const functions = new Map();
      ops.forEach((op, i) => {
        const k = kinds.get(op.name) ?? { op: op.name, count: 0, insns: 0, cycles: 0, macs: 0, elements: 0, workOps: 0 };
        k.workOps += op.workOps;
        k.count++;
        k.insns += invokes[i].insns;
        k.cycles += invokes[i].cycles;
        k.macs += op.macs;
        k.elements += op.elements;
        kinds.set(op.name, k);
        const key = `${op.name} ${op.path}`;
        const p = paths.get(key) ?? { op: op.name, path: op.path, count: 0, calls: 0, insns: 0, cycles: 0, macs: 0, elements: 0, workOps: 0 };
        p.workOps += op.workOps;
        p.count++;
        p.calls += op.fns.get(op.path)?.calls ?? 0;
        p.insns += invokes[i].insns;
        p.cycles += invokes[i].cycles;
        p.macs += op.macs;
        p.elements += op.elements;
        paths.set(key, p);
        for (const [name, e] of op.fns) {
          const f = functions.get(name) ?? { fn: name, calls: 0, insns: 0, cycles: 0, ops: new Set() };
          f.calls += e.calls;
          f.insns += e.insns;
          f.cycles += e.cycles;
          f.ops.add(op.name);
          functions.set(name, f);
        }
      });
      const total = { insns: 0, cycles: 0, macs: 0 };
      for (const k of kinds.values()) {
        total.insns += k.insns;
        total.cycles += k.cycles;
        total.macs += k.macs;
      }
      const rows = [...kinds.values()].sort((a, b) => b.insns - a.insns);
      const pathRows = [...paths.values()].sort((a, b) => b.insns - a.insns);
      const fnRows = [...functions.values()].sort((a, b) => b.insns - a.insns).map((f) => ({ ...f, ops: [...f.ops].sort() }));
      const ms = (c) => (c / (MHZ * 1000)).toFixed(3);
      console.log(`${m.name}: ${ops.length} ops, ${fmt(total.insns)} instructions, ${fmt(total.macs)} MACs, ` +
        `${total.macs ? (total.insns / total.macs).toFixed(2) : '-'} instructions/MAC; estimate ${fmt(total.cycles)} cycles = ` +
        `${(total.cycles / (MHZ * 1000)).toFixed(2)} ms at ${MHZ} MHz; pack checksum ${fmt(checksum[0].insns)} instructions`);
      console.log(`  ${'op kind'.padEnd(20)}${pad('n', 4)}${pad('instructions', 15)}${pad('MACs', 13)}${pad('insn/MAC', 10)}${pad('est. cycles', 15)}${pad('cyc/MAC', 9)}${pad('est. ms', 9)}`);
      for (const k of rows) {
        console.log(`  ${k.op.padEnd(20)}${pad(k.count, 4)}${pad(fmt(k.insns), 15)}${pad(k.macs ? fmt(k.macs) : '-', 13)}` +
          `${pad(perMac(k.insns, k.macs), 10)}${pad(fmt(k.cycles), 15)}${pad(perMac(k.cycles, k.macs), 9)}${pad(ms(k.cycles), 9)}`);
      }
      console.log(`  ${'kernel path (op kind / main function)'.padEnd(52)}${pad('ops', 4)}${pad('calls', 7)}${pad('instructions', 14)}${pad('MACs', 12)}${pad('insn/MAC', 9)}${pad('est. cycles', 14)}${pad('cyc/MAC', 8)}`);
      for (const p of pathRows) {
        console.log(`  ${`${p.op} / ${p.path}`.padEnd(52)}${pad(p.count, 4)}${pad(fmt(p.calls), 7)}${pad(fmt(p.insns), 14)}${pad(p.macs ? fmt(p.macs) : '-', 12)}` +
          `${pad(perMac(p.insns, p.macs), 9)}${pad(fmt(p.cycles), 14)}${pad(perMac(p.cycles, p.macs), 8)}`);
      }
      if (opts.functions > 0) {
        console.log(`  ${'function'.padEnd(34)}${pad('calls', 8)}${pad('instructions', 14)}${pad('share', 7)}${pad('est. cycles', 14)}  op kinds`);
        for (const f of fnRows.slice(0, opts.functions)) {
          console.log(`  ${f.fn.padEnd(34)}${pad(fmt(f.calls), 8)}${pad(fmt(f.insns), 14)}${pad(`${((100 * f.insns) / total.insns).toFixed(1)}%`, 7)}` +
            `${pad(fmt(f.cycles), 14)}  ${f.ops.join(', ')}`);
        }
      }
      const classes = Object.entries(counts.classes).map(([c, n]) => `${c} ${((100 * n) / counts.total.insns).toFixed(1)}%`).join(', ');
      console.log(`  instruction mix (whole run, checksum included): ${classes}`);
      let hot = [];
      if (opts.hot > 0) {
        const byFn = new Map();
        for (const p of counts.pcs) {
          const fn = findFn(p.addr - M4_BLOB_AT);
          const name = fn ? fn.name : `0x${(p.addr - M4_BLOB_AT).toString(16)}`;
          byFn.set(name, (byFn.get(name) ?? 0) + p.count);
        }
        hot = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, opts.hot);
        console.log(`  hottest functions (whole run): ${hot.map(([n, c]) => `${n} ${((100 * c) / counts.total.insns).toFixed(1)}%`).join(', ')}`);
      }
      console.log('');
      report.models.push({
        name: m.name, ops: ops.length, ...total, checksumInsns: checksum[0].insns, kinds: rows, paths: pathRows, functions: fnRows,
        perOp: ops.map((op, i) => ({ op: op.name, path: op.path, macs: op.macs, elements: op.elements, insns: invokes[i].insns, cycles: invokes[i].cycles })),
        classes: counts.classes, hot,
      });
    }
  } finally {
    if (opts.keep) console.log(`work folder kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  comparison(report);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
  if (opts.m4Cycles) writeFileSync(opts.m4Cycles, JSON.stringify(m4Cycles(report), null, 2) + '\n');
}

/** Our estimated cycles per model against the TFLM figures quoted from issue 12. */
function comparison(report) {
  const rows = report.models.filter((m) => QUOTED.models[m.name]);
  if (!rows.length) return;
  report.quoted = QUOTED;
  console.log(`Against TFLM (figures QUOTED from ${QUOTED.source}):`);
  console.log(`  ${'model'.padEnd(24)}${pad('our cycles', 13)}${pad('our ms', 9)}${pad('CMSIS-NN cyc', 14)}${pad('ours/CMSIS', 12)}${pad('TFLM ref cyc', 14)}${pad('ours/ref', 10)}${pad('our insns', 13)}${pad('CMSIS insns', 13)}`);
  for (const m of rows) {
    const q = QUOTED.models[m.name];
    console.log(`  ${m.name.padEnd(24)}${pad(fmt(m.cycles), 13)}${pad((m.cycles / (MHZ * 1000)).toFixed(1), 9)}${pad(fmt(q.cmsis.cycles), 14)}` +
      `${pad((m.cycles / q.cmsis.cycles).toFixed(2), 12)}${pad(fmt(q.reference.cycles), 14)}${pad((m.cycles / q.reference.cycles).toFixed(2), 10)}` +
      `${pad(fmt(m.insns), 13)}${pad(fmt(q.cmsis.insns), 13)}`);
  }
  console.log('');
}

/**
 * The figures the build's latency estimate reads (bench/arm/m4-cycles.json): per model, per op kind,
 * estimated cycles per MAC (ops with MACs) or per output element (the others), and per kernel path.
 */
function m4Cycles(report) {
  const round = (x) => Math.round(x * 1000) / 1000;
  const models = {};
  for (const m of report.models) {
    const kinds = {};
    for (const k of m.kinds) {
      kinds[k.op] = { ops: k.count, cycles: k.cycles, macs: k.macs, elements: k.elements,
        ...(k.macs ? { cyclesPerMac: round(k.cycles / k.macs) } : { cyclesPerElement: k.elements ? round(k.cycles / k.elements) : null }) };
    }
    const paths = {};
    for (const p of m.paths) {
      paths[`${p.op} ${p.path}`] = { ops: p.count, cycles: p.cycles, macs: p.macs, elements: p.elements,
        ...(p.macs ? { cyclesPerMac: round(p.cycles / p.macs) } : { cyclesPerElement: p.elements ? round(p.cycles / p.elements) : null }) };
    }
    models[m.name] = { cycles: m.cycles, macs: m.macs, ms: round(m.cycles / (report.mhz * 1000)), kinds, paths };
  }
  // Over all models: each op kind's cycles over its MACs (or elements), a default for other models.
  const all = {};
  for (const m of report.models) {
    for (const k of m.kinds) {
      const a = all[k.op] ?? { cycles: 0, macs: 0, elements: 0, workOps: 0 };
      a.workOps += k.workOps;
      a.cycles += k.cycles;
      a.macs += k.macs;
      a.elements += k.elements;
      all[k.op] = a;
    }
  }
  const opKinds = {};
  for (const [op, a] of Object.entries(all)) {
    // Per unit of the validator's work (host/bundler/latency.ts): MACs, or element operations.
    opKinds[op] = a.macs ? { cyclesPerMac: round(a.cycles / a.macs) } : { cyclesPerOp: a.workOps ? round(a.cycles / a.workOps) : null, cyclesPerElement: a.elements ? round(a.cycles / a.elements) : null };
  }
  return {
    about: 'Estimated Cortex-M4 cycles of the tinysense blob (bench/arm/count.js; cycle model in bench/arm/README.md), ' +
      'zero wait states. Regenerate with: npm run build:ts && node bench/arm/count.js --m4-cycles bench/arm/m4-cycles.json',
    blob: report.blob,
    mhz: report.mhz,
    opKinds,
    models,
  };
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
