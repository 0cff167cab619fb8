/** Paths and readers for the reference models and TFLM goldens in ../shared/models (see its README). */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
