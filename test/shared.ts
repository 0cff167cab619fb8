/**
 * Paths and readers for the reference models and TFLM goldens committed in models/ (models/README.md, a
 * copy of the workspace's ../shared/models without mobilenet_v2). The `shared*` names are the corpus's
 * historical name; they read models/ through MODELS_DIR only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sealPack } from '../host/compiler/pack-writer.js';
import { MODELS_DIR, PACKAGE_ROOT } from '../host/paths.js';
import { Model } from '../device/runtime.js';
import { runOnce } from '../host/model.js';
import { WasmKernels } from '../host/wasm/kernels.js';
import { expect, type TestContext } from 'vitest';

export { MODELS_DIR };

/**
 * The workspace's corpus that models/ copies, when this checkout sits in the workspace. Read only by
 * test/repo/models-copy.test.ts (drift check) and as the second place to find mobilenet_v2; never required.
 */
export const WORKSPACE_MODELS = resolve(PACKAGE_ROOT, '../shared/models');

export function shared(...parts: string[]): string {
  return join(MODELS_DIR, ...parts);
}

export function sharedBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(shared(...parts)));
}

export function sharedJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(shared(...parts), 'utf8')) as T;
}

/** mobilenet_v2's files, relative to a corpus root: too large (3.9 MB) to commit, see models/README.md. */
export const MOBILENET_FILES = [
  'mobilenet_v2/mobilenet_v2_int8_1x3x224x224.tflite',
  'testdata/dog_1x3x224x224_int8.bin',
  'golden/mobilenet_v2/dog_logits_int8.bin',
  'golden/mobilenet_v2/dog.json',
];

/**
 * Where mobilenet_v2's files are: models/ if someone put them there, else the workspace's
 * ../shared/models; undefined when neither holds all of them.
 */
export const MOBILENET_ROOT = [MODELS_DIR, WORKSPACE_MODELS].find((root) => MOBILENET_FILES.every((f) => existsSync(join(root, f))));

export const MOBILENET_NOTICE =
  `mobilenet_v2 skipped: its files (${MOBILENET_FILES[0]} and its input and golden, 4.1 MB) are not in models/ ` +
  `(left out of the repository for size) nor in ${WORKSPACE_MODELS}; copy them into models/ to run its tests`;

/**
 * The folder holding mobilenet_v2's files, or (when absent) skips the calling test with MOBILENET_NOTICE,
 * printed as well, so a clone without the model says why a test did not run.
 */
export function mobilenetRoot(ctx: TestContext): string {
  if (MOBILENET_ROOT !== undefined) return MOBILENET_ROOT;
  console.warn(MOBILENET_NOTICE);
  return ctx.skip(MOBILENET_NOTICE);
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

/**
 * Deterministic unsigned 32-bit integers: the LCG of Numerical Recipes (1664525, 1013904223), exact in
 * uint32 arithmetic. Fixed byte patterns and random-but-repeatable test inputs come from it.
 */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** Bytes of `parts` concatenated. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Recomputes a (mutated) pack's CRC so validation gets past the checksum to the parts under test. */
export function resign(pack: Uint8Array): Uint8Array {
  return sealPack(pack);
}

/** One of TFLM's 1 s test recordings (testdata/<word>_1000ms_s16le.raw: 16 kHz, signed 16-bit little-endian). */
export function recording(word: string): Int16Array {
  return pcm16(`${word}_1000ms_s16le.raw`);
}

/** The samples of a testdata/ .raw file of signed 16-bit little-endian PCM. */
export function pcm16(name: string): Int16Array {
  const bytes = sharedBytes('testdata', name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int16Array.from({ length: bytes.length >> 1 }, (_, i) => view.getInt16(2 * i, true));
}

// The audio helpers the keyword example's tests use too: one copy, in the example (an app's tests
// may not import this folder; this folder may import the example's helpers).
export { concatSamples, speechSpan } from '../examples/keyword/recordings.js';

/**
 * A hostile (re-signed) pack, loaded and run once on kernels with guard zones around every buffer:
 * 'refused' when loading refuses it, 'ran' when it ran (a kernel may still refuse in-bounds but
 * meaningless parameters with a status). Either way it must not have touched memory outside its buffers.
 */
export function loadAndRunHostile(pack: Uint8Array, input: Uint8Array): 'refused' | 'ran' {
  const kernels = new WasmKernels({ guardBytes: 256 });
  let model: Model;
  try {
    model = new Model(pack, kernels);
  } catch (e) {
    expect((e as Error).message).toMatch(/invalid model pack|cannot allocate/);
    return 'refused';
  }
  try {
    runOnce(model, input);
  } catch (e) {
    // A kernel may refuse parameters that are in bounds but meaningless (an empty pooling window).
    expect((e as Error).message).toMatch(/failed with status|input has \d+ bytes/);
  }
  kernels.checkGuards();
  return 'ran';
}
