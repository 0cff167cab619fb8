/**
 * Helpers for the ARM tests: build the Cortex-M4 blob (kernels-c/arm/build.sh) and the harnesses
 * (test/arm/build-harness.sh), and run a model pack through qemu-arm (Linux user mode, fast) or
 * qemu-system-arm -M mps2-an386 (bare-metal Cortex-M4, exact ISA). The tools are installed by
 * scripts/setup.sh: a missing one fails loudly, it is never skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../host/paths.js';

export const ROOT = PACKAGE_ROOT;
export const BUILD_SH = join(ROOT, 'kernels-c', 'arm', 'build.sh');
export const PIC_CHECK = join(ROOT, 'kernels-c', 'arm', 'pic-check.mjs');

export const TOOLS = [
  'arm-none-eabi-gcc', 'arm-none-eabi-ld', 'arm-none-eabi-objcopy', 'arm-none-eabi-readelf', 'arm-none-eabi-objdump',
  'arm-none-eabi-nm', 'arm-linux-gnueabihf-gcc', 'qemu-arm', 'qemu-system-arm',
];

/** Throws naming every missing tool (scripts/setup.sh installs them all). */
export function requireTools(): void {
  const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) throw new Error(`ARM toolchain missing: ${missing.join(', ')}; run scripts/setup.sh`);
}

export interface BlobEntries {
  ts_invoke: number;
  ts_checksum: number;
  bytes: number;
  sha256: string;
  functions: Record<string, number>;
}

export interface Blob {
  dir: string;
  bin: string;
  json: BlobEntries;
  /** build.sh's stdout (the PIC check's summary). */
  log: string;
}

/**
 * Runs build.sh into `out` (default kernels-c/out) from `src` (default kernels-c/src, or
 * TINYSENSE_ARM_SRC when set); throws with its output when it fails.
 */
export function buildBlob(out = join(ROOT, 'kernels-c', 'out'), src = process.env.TINYSENSE_ARM_SRC): Blob {
  const args = [BUILD_SH, '--out', out, ...(src ? ['--src', src] : [])];
  const r = spawnSync('bash', args, { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`build.sh failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return {
    dir: out,
    bin: join(out, 'tinysense-m4.bin'),
    json: JSON.parse(readFileSync(join(out, 'tinysense-m4.json'), 'utf8')) as BlobEntries,
    log: r.stdout,
  };
}

/** A private build of the blob (each test file its own: files run in parallel workers). */
export function buildPrivateBlob(): Blob {
  return buildBlob(mkdtempSync(join(tmpdir(), 'tinysense-m4-')));
}

export function buildHarnesses(out = join(ROOT, 'out', 'arm')): { linux: string; m4: string } {
  execFileSync('bash', [join(ROOT, 'test', 'arm', 'build-harness.sh'), out], { stdio: 'pipe' });
  return { linux: join(out, 'linux-harness'), m4: join(out, 'm4-harness.elf') };
}

export interface HarnessRun {
  /** Every invoke's outputs, concatenated in order. */
  output: Uint8Array;
  stdout: string;
  ms: number;
  /** Bytes of stack the deepest call used (bare-metal harness only). */
  stack?: number;
}

export interface RunOptions {
  /** Extra -plugin argument (bench). */
  plugin?: string;
  verbose?: boolean;
  timeoutMs?: number;
}

function harnessArgs(blob: Blob, pack: string, out: string, inputs: string[], verbose?: boolean): string[] {
  return ['-e', `${blob.json.ts_invoke}:${blob.json.ts_checksum}`, ...(verbose ? ['-v'] : []), blob.bin, pack, out, ...inputs];
}

function run(cmd: string, args: string[], out: string, work: string, opts: RunOptions): HarnessRun {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 110_000 });
  const ms = performance.now() - t0;
  const stdout = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  try {
    if (r.error) throw new Error(`${cmd}: ${r.error.message}\n${stdout}`);
    if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}:\n${stdout}`);
    const stack = stdout.match(/stack: (\d+) bytes at most/);
    return { output: new Uint8Array(readFileSync(out)), stdout, ms, stack: stack ? +stack[1] : undefined };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Writes the pack and inputs to a temporary folder (the harnesses read files). */
function stage(pack: Uint8Array, inputs: Uint8Array[]): { work: string; packPath: string; inputPaths: string[]; out: string } {
  const work = mkdtempSync(join(tmpdir(), 'tinysense-arm-'));
  const packPath = join(work, 'model.tsm');
  writeFileSync(packPath, pack);
  const inputPaths = inputs.map((bytes, i) => {
    const p = join(work, `in${i}.bin`);
    writeFileSync(p, bytes);
    return p;
  });
  return { work, packPath, inputPaths, out: join(work, 'out.bin') };
}

/** Runs the pack on the Linux user-mode harness under qemu-arm. */
export function runQemuArm(harness: string, blob: Blob, pack: Uint8Array, inputs: Uint8Array[], opts: RunOptions = {}): HarnessRun {
  const s = stage(pack, inputs);
  const plugin = opts.plugin ? ['-plugin', opts.plugin] : [];
  return run('qemu-arm', [...plugin, harness, ...harnessArgs(blob, s.packPath, s.out, s.inputPaths, opts.verbose)], s.out, s.work, opts);
}

/** Runs the pack on the bare-metal Cortex-M4 harness under qemu-system-arm -M mps2-an386. */
export function runQemuM4(harness: string, blob: Blob, pack: Uint8Array, inputs: Uint8Array[], opts: RunOptions = {}): HarnessRun {
  const s = stage(pack, inputs);
  let command: string[];
  try {
    command = m4Command(harness, harnessArgs(blob, s.packPath, s.out, s.inputPaths, opts.verbose), opts.plugin);
  } catch (e) {
    rmSync(s.work, { recursive: true, force: true });
    throw e;
  }
  return run('qemu-system-arm', command, s.out, s.work, opts);
}

/** qemu-system-arm arguments for the M4 harness; harness arguments travel through semihosting. */
export function m4Command(harness: string, args: string[], plugin?: string): string[] {
  for (const a of args) if (/[\s,]/.test(a)) throw new Error(`semihosting argument with a space or comma: ${a}`);
  return [
    '-M', 'mps2-an386', '-cpu', 'cortex-m4', '-nographic', '-monitor', 'none', '-serial', 'none',
    ...(plugin ? ['-plugin', plugin] : []),
    '-semihosting-config', `enable=on,target=native,arg=m4-harness,${args.map((a) => `arg=${a}`).join(',')}`,
    '-kernel', harness,
  ];
}

