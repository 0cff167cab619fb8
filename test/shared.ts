/** Paths and readers for the reference models and TFLM goldens in ../shared/models (see its README). */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CRC_START, H } from '../device/pack.js';
import { crc32 } from '../host/compiler/crc32.js';
import { PACKAGE_ROOT } from '../host/paths.js';

export const SHARED_MODELS = resolve(PACKAGE_ROOT, '../shared/models');

export function shared(...parts: string[]): string {
  return join(SHARED_MODELS, ...parts);
}

export function sharedBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(shared(...parts)));
}

export function sharedJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(shared(...parts), 'utf8')) as T;
}

export interface OpsIndexEntry {
  name: string;
  ops: string[];
  arena_used_bytes: number;
  files: { model: string; inputs: string[]; golden: string[][] };
}

export function opsIndex(): OpsIndexEntry[] {
  return sharedJson<{ models: OpsIndexEntry[] }>('ops', 'index.json').models;
}

/** First differing byte, for messages that localise a mismatch. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} vs ${b[i]}`;
  return 'equal';
}

/** A small seeded PRNG (mulberry32) so every run of a mutation test mutates the same way. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Recomputes a (mutated) pack's CRC so validation gets past the checksum to the parts under test. */
export function resign(pack: Uint8Array): Uint8Array {
  new DataView(pack.buffer, pack.byteOffset).setUint32(H.crc, crc32(pack.subarray(CRC_START)), true);
  return pack;
}
