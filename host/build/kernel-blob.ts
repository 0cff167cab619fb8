/**
 * The Cortex-M4 kernel blob (kernels-c, built by another step): a
 * position-independent Thumb-2 image, tinysense-m4.bin, and the byte offsets
 * of its entry points, tinysense-m4.json = {"ts_invoke": n, "ts_checksum": n, ...}.
 * Espruino boards whose kernels are a blob upload the .bin to Storage; the
 * offsets go into TINYSENSE_TARGET.
 */
import { existsSync, readFileSync } from 'node:fs';
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
  entries: { invoke: number; checksum: number };
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
  for (const symbol of ['ts_invoke', 'ts_checksum']) {
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
  return { name, binPath, jsonPath, bytes, entries: { invoke: entry('ts_invoke'), checksum: entry('ts_checksum') }, symbols };
}
