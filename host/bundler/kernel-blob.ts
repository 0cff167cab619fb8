/**
 * The Cortex-M4 kernel blob (kernels-c, built by another step): a
 * position-independent Thumb-2 image, tinysense-m4.bin, and the byte offsets
 * of its entry points, tinysense-m4.json = {"ts_invoke": n, "ts_checksum": n, ...}.
 * Espruino boards whose kernels are a blob upload the .bin to Storage; the
 * offsets go into TINYSENSE_TARGET.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

export const KERNELS_OUT = join(PACKAGE_ROOT, 'kernels-c', 'out');

export interface KernelBlob {
  /** Base name, e.g. tinysense-m4. */
  name: string;
  binPath: string;
  jsonPath: string;
  bytes: Uint8Array;
  /** Entry offsets the device binding calls (thumb bit clear; device/engines/espruino.ts sets it). */
  entries: { invoke: number; invokeOps: number; checksum: number; preprocess?: number };
  /** The entry points the .json lists (ts_invoke, ts_checksum), offsets with the thumb bit clear. */
  symbols: Record<string, number>;
}

/** Loads <dir>/<name>.bin and .json; throws an Error that says what is missing and how to get it. */
export function loadKernelBlob(name: string, dir = KERNELS_OUT): KernelBlob {
  const jsonPath = join(dir, `${name}.json`);
  const binPath = join(dir, `${name}.bin`);
  const missing = [jsonPath, binPath].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `the Cortex-M4 kernel blob is not built: ${missing.join(' and ')} missing. ` +
        'Espruino boards run the kernels from this blob through E.nativeCall; build it (kernels-c) before building an app for this board.',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new Error(`${jsonPath}: not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${jsonPath}: expected an object of symbol offsets`);
  const bytes = new Uint8Array(readFileSync(binPath));
  const symbols: Record<string, number> = {};
  // kernels-c/arm/build.sh writes the entry offsets next to facts about the image (bytes, sha256, cpu, ...).
  for (const symbol of ['ts_invoke', 'ts_invoke_ops', 'ts_checksum', 'ts_preprocess']) {
    const offset = (parsed as Record<string, unknown>)[symbol];
    if (offset === undefined) continue;
    if (typeof offset !== 'number' || !Number.isInteger(offset)) throw new Error(`${jsonPath}: ${symbol} must be an integer offset, got ${JSON.stringify(offset)}`);
    symbols[symbol] = offset;
  }
  const entry = (symbol: string): number => {
    const offset = symbols[symbol];
    if (offset === undefined) throw new Error(`${jsonPath}: no ${symbol} entry (it lists ${Object.keys(symbols).join(', ') || 'nothing'})`);
    // Thumb code is 2-byte aligned; an odd offset means the thumb bit was left in (the binding adds it).
    if (offset < 0 || offset >= bytes.length || offset % 2 !== 0) {
      throw new Error(`${jsonPath}: ${symbol} at ${offset} is not a 2-aligned offset inside the ${bytes.length}-byte ${name}.bin`);
    }
    return offset;
  };
  const entries: KernelBlob['entries'] = { invoke: entry('ts_invoke'), invokeOps: entry('ts_invoke_ops'), checksum: entry('ts_checksum') };
  // Blobs built before the preprocessing entry lack it, and a per-app blob built --no-preprocess has a stub
  // there: the device then says so when an app preprocesses.
  if (symbols.ts_preprocess !== undefined && (parsed as { preprocess?: unknown }).preprocess !== false) entries.preprocess = entry('ts_preprocess');
  return { name, binPath, jsonPath, bytes, entries, symbols };
}

/** Where per-app blobs are built and kept, one folder per op set (git-ignored, like kernels-c/out). */
export const APP_BLOBS_DIR = join(KERNELS_OUT, 'app');

/** The Storage-safe base name of the blob for one op set: tinysense-m4-<8 hex> (25 chars with .bin; Storage allows 28). */
export function appBlobName(base: string, opCodes: readonly number[], portable = false, preprocess = true): string {
  const key = [...new Set(opCodes)].sort((a, b) => a - b).join(',') + (portable ? ';portable' : '') + (preprocess ? '' : ';no-preprocess');
  return `${base}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** The op codes a blob's .json says it runs (null: all of them; older blobs say nothing, which means all). */
export function blobOps(blob: KernelBlob): number[] | null {
  const raw = (JSON.parse(readFileSync(blob.jsonPath, 'utf8')) as { ops?: unknown }).ops;
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || !raw.every((c) => Number.isInteger(c))) throw new Error(`${blob.jsonPath}: "ops" must be a list of op codes or null`);
  return raw as number[];
}

export interface AppBlobChoice {
  /** The blob the app ships: built for its op set, or the full one when that cannot be built here. */
  blob: KernelBlob;
  /** The blob with every kernel, for comparison in the budget. */
  full: KernelBlob;
  /** Why the full blob ships instead of a per-app one (undefined when the per-app blob ships). */
  fallback?: string;
}

/**
 * A blob holding only the kernels of `opCodes` (the record codes of the app's packs), built with
 * kernels-c/arm/build.sh --ops on first use and kept in APP_BLOBS_DIR. Espruino keeps the blob in its
 * JS heap, so the kernels an app never calls are RAM it cannot use. Needs arm-none-eabi-gcc (scripts/setup.sh);
 * without it, or with `full`, the full blob ships and `fallback` says why.
 */
export function appKernelBlob(
  base: string,
  opCodes: readonly number[],
  options: { kernelsDir?: string; full?: boolean; portable?: boolean; preprocess?: boolean } = {},
): AppBlobChoice {
  const full = loadKernelBlob(base, options.kernelsDir);
  if (options.full) return { blob: full, full, fallback: 'the full blob was asked for' };
  // A blob from elsewhere (tests, a prebuilt release) ships as it is: its sources are not here to rebuild.
  if (options.kernelsDir !== undefined) return { blob: full, full, fallback: `the blob of ${options.kernelsDir} ships as given` };
  if (opCodes.length === 0) return { blob: full, full, fallback: 'the app has no model' };
  const preprocess = options.preprocess ?? true;
  const name = appBlobName(base, opCodes, options.portable, preprocess);
  const buildScript = join(PACKAGE_ROOT, 'kernels-c', 'arm', 'build.sh');
  if (!existsSync(buildScript)) return { blob: full, full, fallback: `${buildScript} is not in this installation, so the per-app blob cannot be built` };
  const dir = join(APP_BLOBS_DIR, name);
  const fresh = existsSync(join(dir, `${name}.bin`)) && existsSync(join(dir, `${name}.json`)) && statSync(join(dir, `${name}.bin`)).mtimeMs >= statSync(full.binPath).mtimeMs;
  if (!fresh) {
    const gcc = spawnSync('arm-none-eabi-gcc', ['--version'], { encoding: 'utf8' });
    if (gcc.status !== 0) return { blob: full, full, fallback: 'arm-none-eabi-gcc is not installed (scripts/setup.sh installs it), so the per-app blob cannot be built' };
    const codes = [...new Set(opCodes)].sort((a, b) => a - b).join(',');
    const r = spawnSync('bash', [buildScript, '--out', dir, '--name', name, '--ops', codes, ...(options.portable ? ['--portable'] : []), ...(preprocess ? [] : ['--no-preprocess'])], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the kernel blob for op codes ${codes} failed:\n${r.stdout}${r.stderr}`);
  }
  return { blob: loadKernelBlob(name, dir), full };
}
