/**
 * The .tflite reader accepts a file's layout exactly when the real FlatBuffers Verifier does.
 *
 * The Verifier is the library's own (Debian's libflatbuffers-dev, installed by scripts/setup.sh),
 * compiled with the Verify() methods flatc generates from the TFLite schema. The schema text is
 * written from the description the project pins (host/quantize/tflite-schema.json), so no copy of
 * schema.fbs is kept. Both sides then judge the same damaged models: seeded mutations of the
 * structure (offsets, vtables, lengths) of small real models, and truncations.
 *
 * - verifyFlatbuffer's 'flatbuffers' flavour gives the Verifier's verdict on every file;
 * - parseTflite refuses every file the Verifier refuses, and never refuses one the Verifier accepts
 *   for a layout reason (it may still refuse it for its content: an index out of range, say).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describedSchemaToFbs, parseFbsSchema } from '../../host/quantize/fbs-schema.js';
import { verifyFlatbuffer } from '../../host/quantize/fbs-verifier.js';
import { pinnedTfliteSchema } from '../../host/quantize/tflite-schema.js';
import { parseTflite, TfliteFormatError } from '../../host/tflite/index.js';
import { modelBytes, prng, repoRoot } from './helpers.js';

const SCHEMA = pinnedTfliteSchema();
let work: string;
let verifierBinary: string;

/** The real Verifier's verdict on each file, in one run of the harness. */
function realVerdicts(files: Uint8Array[]): boolean[] {
  const dir = join(work, `batch-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const paths = files.map((bytes, i) => {
    const path = join(dir, `${i}.tflite`);
    writeFileSync(path, bytes);
    return path;
  });
  const out = execFileSync(verifierBinary, { input: paths.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 24 });
  rmSync(dir, { recursive: true });
  const verdicts = out.trim().split('\n').map((line) => line === '1');
  expect(verdicts).toHaveLength(files.length);
  return verdicts;
}

function ourVerdict(bytes: Uint8Array): boolean {
  return verifyFlatbuffer(bytes, SCHEMA, { flavour: 'flatbuffers' }).ok;
}

type ReaderOutcome = 'parsed' | 'layout' | 'content';
function readerOutcome(bytes: Uint8Array): ReaderOutcome {
  try {
    parseTflite(bytes);
    return 'parsed';
  } catch (e) {
    if (!(e instanceof TfliteFormatError)) throw e;
    return e.kind;
  }
}

/** Structure-damaging mutations: special and nearby values written over words and half-words. */
function mutations(bytes: Uint8Array, count: number, seed: number): Uint8Array[] {
  const random = prng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const specials = [0, 1, 2, 3, 4, 6, 8, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];
  const out: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const copy = bytes.slice();
    const view = new DataView(copy.buffer);
    const kind = pick(5);
    if (kind === 0) {
      out.push(copy.slice(0, pick(copy.length))); // truncated
      continue;
    }
    const width = kind === 1 ? 2 : 4;
    const at = kind === 4 ? pick(copy.length - width) : pick(Math.floor((copy.length - width) / width)) * width;
    const old = width === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
    const deltas = [1, -1, 2, -2, 4, -4, 8, -8, 16, -16];
    const value = random() < 0.5 ? specials[pick(specials.length)]! : old + deltas[pick(deltas.length)]!;
    if (width === 2) view.setUint16(at, value & 0xffff, true);
    else view.setUint32(at, value >>> 0, true);
    out.push(copy);
  }
  return out;
}

// Small real models: structure is most of their bytes, so most mutations land on it.
const MODELS = [
  'hello_world/hello_world_int8.tflite',
  'simple_add/simple_add_int8.tflite',
  'micro_speech/audio_preprocessor_int8.tflite',
  'ops/models/chain_tinycnn_00.tflite',
];

describe('the .tflite reader and the real FlatBuffers Verifier agree', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tinysense-fbs-'));
    const fbs = describedSchemaToFbs(SCHEMA);
    writeFileSync(join(work, 'schema.fbs'), fbs);
    execFileSync('flatc', ['--cpp', '-o', work, join(work, 'schema.fbs')]);
    verifierBinary = join(work, 'verify');
    execFileSync('g++', ['-O1', '-std=c++17', '-I', work, '-o', verifierBinary, join(repoRoot, 'test/tflite/flatbuffers-verify.cc')]);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes the pinned schema as .fbs text that reads back to the same description', () => {
    const back = { source: SCHEMA.source, ...parseFbsSchema(describedSchemaToFbs(SCHEMA)) };
    expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(SCHEMA)));
  });

  it('accepts every committed model, as the Verifier does', () => {
    const files = MODELS.map(modelBytes);
    expect(realVerdicts(files)).toEqual(files.map(() => true));
    for (const bytes of files) {
      expect(ourVerdict(bytes)).toBe(true);
      expect(readerOutcome(bytes)).toBe('parsed');
    }
  });

  it.each(MODELS)('judges damaged copies of %s (1,500 by default) as the Verifier does', (path) => {
    // TINYSENSE_PARITY_MUTATIONS runs a longer campaign by hand (30,000 per model agreed when written).
    const count = Number(process.env.TINYSENSE_PARITY_MUTATIONS ?? 1500);
    const files = mutations(modelBytes(path), count, path.length * 7919 + count);
    const real = realVerdicts(files);
    const disagreements: string[] = [];
    let refused = 0;
    files.forEach((bytes, i) => {
      const ours = ourVerdict(bytes);
      const reader = readerOutcome(bytes);
      if (!real[i]) refused++;
      if (ours !== real[i]) disagreements.push(`#${i}: Verifier ${real[i]}, ours ${ours}`);
      if (!real[i] && reader === 'parsed') disagreements.push(`#${i}: Verifier refuses, the reader parsed it`);
      if (real[i] && reader === 'layout') disagreements.push(`#${i}: Verifier accepts, the reader refused its layout`);
    });
    expect(disagreements).toEqual([]);
    // The mutations must exercise both verdicts, or the comparison shows nothing.
    expect(refused).toBeGreaterThan(150);
    expect(files.length - refused).toBeGreaterThan(150);
  }, 120_000);
});
