#!/usr/bin/env node
// Coverage-guided fuzzing of the C side (kernels-c/fuzz/): libFuzzer with ASan and UBSan (clang 14,
// Debian's libfuzzer-14-dev and libclang-rt-14-dev, installed by scripts/setup.sh).
//
//   npm run fuzz -- --seconds N [--targets record,glue] [--jobs 1] [--out kernels-c/out/fuzz]
//   node scripts/fuzz.js --seeds-only       just write the seed corpus
//   node scripts/fuzz.js --replay DIR       run every file of DIR through each target once (regressions)
//
// Targets: `record` (tinysense_record_check.c + ts_invoke, fuzz_record.c) and `glue` (the JerryScript
// natives on the stand-in engine, fuzz_glue.c). Seeds: every .tflite under models/ that the
// compiler takes, compiled to a pack (dist/, so `npm run build:ts` first), plus every file of
// kernels-c/fuzz/regressions/. The corpus in OUT/corpus/<target> is kept across runs (a standing
// campaign); findings land in OUT/findings/<target>/. The figures of the run (executions, coverage,
// features, corpus size, findings, duration) are printed and written to OUT/figures.json.
// Exit status 1 when a target found something.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelCflags } from './cflags.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const OUT = resolve(ROOT, opt('out', join('kernels-c', 'out', 'fuzz')));
const SECONDS = Number(opt('seconds', '60'));
const TARGETS = opt('targets', 'record,glue').split(',');
const JOBS = Number(opt('jobs', '1'));
// The model corpus committed in the repository (models/, host/paths.ts MODELS_DIR).
const MODELS = join(ROOT, 'models');
const REGRESSIONS = join(ROOT, 'kernels-c', 'fuzz', 'regressions');
/** Packs above this are not seeds (libFuzzer's -max_len; mutations of huge inputs are slow). */
const MAX_LEN = 1 << 19;

const CLANG = ['clang-14', 'clang'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);

export function buildTargets(out) {
  if (!CLANG) throw new Error('fuzz: clang is missing (scripts/setup.sh installs clang 14)');
  mkdirSync(out, { recursive: true });
  const inc = ['-I', join(ROOT, 'kernels-c', 'include'), '-I', join(ROOT, 'kernels-c', 'jerryscript')];
  const san = ['-g', '-O1', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all', '-ffp-contract=off'];
  // The kernels with the flags every kernels-c build shares (kernels-c/cflags.txt), as objects.
  const kernels = [];
  for (const f of readdirSync(join(ROOT, 'kernels-c', 'src')).filter((f) => f.endsWith('.c')).sort()) {
    const o = join(out, `kernel-${f.replace(/\.c$/, '.o')}`);
    const r = spawnSync(CLANG, [...kernelCflags(), ...san.map((s) => s.replace('fuzzer,', 'fuzzer-no-link,')), ...inc, '-c', join(ROOT, 'kernels-c', 'src', f), '-o', o], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fuzz: compiling kernels-c/src/${f} failed:\n${r.stderr}`);
    kernels.push(o);
  }
  const check = join(ROOT, 'kernels-c', 'jerryscript', 'tinysense_record_check.c');
  const builds = {
    record: [...san, ...inc, join(ROOT, 'kernels-c', 'fuzz', 'fuzz_record.c'), check, ...kernels],
    glue: [...san, '-DTINYSENSE_JERRY_V3_DECLS', ...inc, '-I', join(ROOT, 'test', 'jerryscript'),
      join(ROOT, 'kernels-c', 'fuzz', 'fuzz_glue.c'), join(ROOT, 'test', 'jerryscript', 'fake_jerry.c'),
      join(ROOT, 'kernels-c', 'jerryscript', 'tinysense_jerry.c'), check, ...kernels, '-Wl,--wrap=ts_invoke'],
  };
  const exes = {};
  for (const [name, flags] of Object.entries(builds)) {
    const exe = join(out, `fuzz_${name}`);
    const r = spawnSync(CLANG, [...flags, '-o', exe], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fuzz: building fuzz_${name} failed:\n${r.stderr}`);
    exes[name] = exe;
  }
  return exes;
}

function tflites(dir) {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) found.push(...tflites(p));
    else if (e.name.endsWith('.tflite')) found.push(p);
  }
  return found.sort();
}

/**
 * Compiles every shared model the compiler takes; writes the packs (<= MAX_LEN) into `dir`/record, and
 * into `dir`/glue behind fuzz_glue.c's 16-byte argument script (all zeros: every argument well formed;
 * byte 0 = 3: the pack flash-mapped).
 */
export async function writeSeeds(dir) {
  mkdirSync(join(dir, 'record'), { recursive: true });
  mkdirSync(join(dir, 'glue'), { recursive: true });
  const dist = join(ROOT, 'dist', 'host', 'model.js');
  if (!existsSync(dist)) throw new Error('fuzz: dist/ is missing: run `npm run build:ts` first');
  const { compileTflite } = await import(dist);
  let n = 0;
  for (const file of tflites(MODELS)) {
    let pack;
    try {
      pack = compileTflite(new Uint8Array(readFileSync(file))).pack;
    } catch {
      continue; // a model the compiler refuses (named error): not a seed
    }
    if (pack.length > MAX_LEN) continue;
    const name = relative(MODELS, file).replace(/[\\/]/g, '_').replace(/\.tflite$/, '.tsm');
    writeFileSync(join(dir, 'record', name), pack);
    for (const script of [0, 3]) {
      const input = new Uint8Array(16 + pack.length);
      input[0] = script;
      input.set(pack, 16);
      writeFileSync(join(dir, 'glue', `${script}-${name}`), input);
    }
    n++;
  }
  if (existsSync(REGRESSIONS)) {
    for (const t of readdirSync(REGRESSIONS)) {
      const sub = join(REGRESSIONS, t);
      if (!statSync(sub).isDirectory()) continue;
      if (existsSync(join(dir, t))) for (const f of readdirSync(sub)) copyFileSync(join(sub, f), join(dir, t, `regression-${f}`));
    }
  }
  return n;
}

/** Runs one target; resolves with its figures. */
function campaign(name, exe, seeds, seconds) {
  const corpus = join(OUT, 'corpus', name);
  const findings = join(OUT, 'findings', name);
  mkdirSync(corpus, { recursive: true });
  mkdirSync(findings, { recursive: true });
  const before = readdirSync(findings).length;
  const flags = [
    `-max_total_time=${seconds}`, '-timeout=1', '-rss_limit_mb=2048', `-max_len=${MAX_LEN}`, '-print_final_stats=1',
    `-artifact_prefix=${findings}/`, ...(JOBS > 1 ? [`-jobs=${JOBS}`, `-workers=${JOBS}`] : []), corpus, seeds,
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(exe, flags, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => {
      log += d;
      if (log.length > 4e6) log = log.slice(-2e6);
    });
    child.on('close', (code) => {
      writeFileSync(join(OUT, `${name}.log`), log);
      const last = (re) => {
        const all = [...log.matchAll(re)];
        return all.length ? all[all.length - 1] : undefined;
      };
      const status = last(/#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)\/(\S+)/g);
      const execs = last(/stat::number_of_executed_units: (\d+)/g);
      const found = readdirSync(findings).length - before;
      resolve({
        target: name,
        seconds: Math.round((Date.now() - started) / 1000),
        executions: execs ? Number(execs[1]) : status ? Number(status[1]) : 0,
        coverage: status ? Number(status[2]) : 0,
        features: status ? Number(status[3]) : 0,
        corpus: readdirSync(corpus).length,
        findings: found,
        exitCode: code,
        findingFiles: readdirSync(findings).slice(-found || 0).filter(() => found > 0).map((f) => join(findings, f)),
      });
    });
  });
}

async function main() {
  const seeds = join(OUT, 'seeds');
  const nSeeds = await writeSeeds(seeds);
  if (args.includes('--seeds-only')) {
    console.log(`fuzz: ${nSeeds} packs in ${seeds}`);
    return;
  }
  const exes = buildTargets(OUT);
  const replay = opt('replay', undefined);
  if (replay) {
    let bad = 0;
    for (const name of TARGETS) {
      const files = readdirSync(replay).map((f) => join(replay, f));
      const r = spawnSync(exes[name], ['-runs=1', ...files], { encoding: 'utf8' });
      console.log(`fuzz ${name}: replayed ${files.length} inputs, exit ${r.status}`);
      if (r.status !== 0) bad++;
    }
    process.exitCode = bad ? 1 : 0;
    return;
  }
  const figures = await Promise.all(TARGETS.map((t) => campaign(t, exes[t], join(seeds, t), SECONDS)));
  const report = { date: new Date().toISOString(), seeds: nSeeds, secondsPerTarget: SECONDS, targets: figures };
  writeFileSync(join(OUT, 'figures.json'), JSON.stringify(report, null, 2));
  for (const f of figures) {
    console.log(`fuzz ${f.target}: ${f.seconds} s, ${f.executions} executions, coverage ${f.coverage} edges (${f.features} features), corpus ${f.corpus}, findings ${f.findings}`);
  }
  console.log(`fuzz: figures in ${relative(ROOT, join(OUT, 'figures.json'))}`);
  process.exitCode = figures.some((f) => f.findings > 0) ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e.message);
    process.exitCode = 2;
  });
}
