/**
 * Builds and drives the C harness of the JerryScript glue (harness.c on fake_jerry.c, see glue.test.ts),
 * and compares its per-record check with device/validate.ts's on many cases.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACK_FLAG_WORK, checkRecord, validatePack, validateTables } from '../../device/validate.js';
import { u32 } from '../../device/pack.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { kernelCflags } from '../../scripts/cflags.js';

export const ROOT = PACKAGE_ROOT;
export const GLUE = join(ROOT, 'kernels-c', 'jerryscript');
export const INCLUDE = join(ROOT, 'kernels-c', 'include');
export const HERE = join(ROOT, 'test', 'jerryscript');
const KERNEL_SRC = join(ROOT, 'kernels-c', 'src');
export const GLUE_SOURCES = [join(GLUE, 'tinysense_jerry.c'), join(GLUE, 'tinysense_record_check.c'), join(GLUE, 'tinysense_timers.c')];

export function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

export function run(cmd: string, args: string[]): { status: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const kernelSources = existsSync(KERNEL_SRC)
  ? readdirSync(KERNEL_SRC).filter((f) => f.endsWith('.c')).sort().map((f) => join(KERNEL_SRC, f))
  : [];

/** Links the harness (in `work`) with the stub kernels, or with the real ones; no exe when they do not build. */
export function buildHarness(work: string, real: boolean): { exe?: string; why?: string } {
  const exe = join(work, real ? 'harness-real' : 'harness-stub');
  const sanitize = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
  let kernels = [join(HERE, 'stub_kernels.c')];
  if (real) {
    if (kernelSources.length === 0) return { why: 'kernels-c/src has no C sources yet' };
    // The kernels are another component: the flags every kernels-c build shares (kernels-c/cflags.txt), objects linked in.
    kernels = [];
    for (const src of kernelSources) {
      const o = join(work, `kernel-${kernels.length}.o`);
      const k = run('gcc', [...kernelCflags(), '-O1', '-g', ...sanitize, `-I${INCLUDE}`, '-c', src, '-o', o]);
      if (k.status !== 0) return { why: `kernels-c/src does not compile yet:\n${k.out.slice(0, 2000)}` };
      kernels.push(o);
    }
  }
  const r = run('gcc', [
    '-std=c11', '-g', '-O1', '-Wall', '-Wextra', '-Werror', ...sanitize,
    '-DTINYSENSE_JERRY_V3_DECLS', ...(real ? [] : ['-DSTUB_KERNELS']),
    `-I${GLUE}`, `-I${INCLUDE}`, `-I${HERE}`,
    join(HERE, 'harness.c'), join(HERE, 'fake_jerry.c'), ...GLUE_SOURCES, ...kernels,
    '-Wl,--wrap=ts_invoke', '-o', exe,
  ]);
  if (r.status !== 0) {
    if (real) return { why: `kernels-c/src does not compile with the harness yet:\n${r.out.slice(0, 2000)}` };
    throw new Error(`harness build failed:\n${r.out}`);
  }
  return { exe };
}

export function crc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

/**
 * One record of one pack for both checkers. `ts` says what validate.ts is asked: 'pack' validatePack()
 * on the whole pack (the mutation touched this record only, so the pack's verdict is the record's),
 * 'record' validateTables() then checkRecord() on this record alone (the mutation touched the header
 * or the tensor table, which every record sees).
 */
export interface CheckCase {
  pack: Uint8Array;
  record: number;
  arena: number;
  ts: 'pack' | 'record';
}

/** validate.ts's verdict: 'ok' or 'reject <message>'. The CRC is not what this compares: the stored one is handed back. */
export function tsVerdict(c: CheckCase): string {
  const storedCrc = () => u32(c.pack, 12);
  try {
    if (c.ts === 'pack') {
      // The C check sees one record; the pack's declared work (flags bit 1, a sum over all records) is
      // validatePack()'s alone: compare the records' verdicts without it.
      const pack = c.pack.slice();
      if (u32(pack, 20) & PACK_FLAG_WORK) pack[20] &= ~PACK_FLAG_WORK;
      validatePack(pack, storedCrc);
    } else {
      const layout = validateTables(c.pack, storedCrc);
      layout.arenaBytes = c.arena;
      checkRecord(c.pack, c.record, layout.packBytes, layout.records.indexOf(c.record), layout);
    }
    return 'ok';
  } catch (e) {
    return `reject ${(e as Error).message}`;
  }
}

/**
 * Runs ts_check_record (harness `check`) and validate.ts on every case; returns the disagreements and how
 * many cases the C check rejected.
 */
export function compareChecks(exe: string, work: string, name: string, cases: CheckCase[]): { mismatches: string[]; rejected: number; verdicts: string[] } {
  const file = join(work, `${name}.bin`);
  const chunks: Uint8Array[] = [];
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, cases.length, true);
  chunks.push(head);
  for (const c of cases) {
    const h = new Uint8Array(12);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, c.pack.length, true);
    dv.setUint32(4, c.record, true);
    dv.setUint32(8, c.arena, true);
    const padded = new Uint8Array(Math.ceil(c.pack.length / 4) * 4);
    padded.set(c.pack);
    chunks.push(h, padded);
  }
  writeFileSync(file, Buffer.concat(chunks));
  const r = run(exe, ['check', file]);
  if (r.status !== 0) throw new Error(`harness check failed:\n${r.out.slice(0, 4000)}`);
  const verdicts = r.out.trim().split('\n');
  if (verdicts.length !== cases.length) throw new Error(`harness check gave ${verdicts.length} verdicts for ${cases.length} cases`);
  const mismatches: string[] = [];
  let rejected = 0;
  cases.forEach((c, k) => {
    const ts = tsVerdict(c);
    const cSays = verdicts[k].startsWith('ok') ? 'ok' : 'reject';
    if (cSays === 'reject') rejected++;
    if (cSays !== (ts === 'ok' ? 'ok' : 'reject')) mismatches.push(`record ${c.record}: C ${verdicts[k]} / TS ${ts}`);
  });
  return { mismatches, rejected, verdicts };
}

/** A copy of `pack` with the int32 at byte `at` set to each value. */
export function withWord(pack: Uint8Array, at: number, value: number): Uint8Array {
  const copy = pack.slice();
  new DataView(copy.buffer).setInt32(at, value | 0, true);
  return copy;
}

export function wordAt(pack: Uint8Array, at: number): number {
  return new DataView(pack.buffer, pack.byteOffset).getInt32(at, true);
}
