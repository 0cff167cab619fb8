// Generative parity: device/validate.ts and the glue's C check (tinysense_record_check.c) give the same
// verdict on records fast-check generates from valid ones (every op code: the hand-built pack's network
// ops and the compiled audio preprocessor's ops 20-30), 1-4 words set to boundary, derived or random values.
// Deterministic (fixed seed): `npm test` runs the same cases every time; the libFuzzer campaign
// (npm run fuzz) explores further.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePack } from '../../device/validate.js';
import { compileTflite } from '../../host/model.js';
import { sharedBytes } from '../shared.js';
import { CheckCase, buildHarness, compareChecks, crc, withWord, wordAt } from '../jerryscript/glue-harness.js';
import { ARENA_BYTES, buildPack } from '../jerryscript/packs.js';

const work = mkdtempSync(join(tmpdir(), 'tinysense-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('TS validator and C check: same verdict on generated records', () => {
  it('2,000 generated records over every op code, fixed seed', () => {
    const stub = buildHarness(work, false).exe!;
    const built = buildPack();
    const audio = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
    const audioLayout = validatePack(audio, (f, l) => crc(audio.subarray(f, f + l)));
    const targets = [
      ...built.records.map((r) => ({ pack: built.pack, rec: r, arena: ARENA_BYTES })),
      ...audioLayout.records.map((r) => ({ pack: audio, rec: r, arena: audioLayout.arenaBytes })),
    ];
    const value = (original: number) => fc.oneof(
      fc.constantFrom(0, 1, -1, 2, 3, 4, 7, 8, 255, 65535, 65536, 1 << 20, 1 << 24, 1 << 30, 0x7fffffff, -0x80000000),
      fc.integer({ min: -8, max: 8 }).map((d) => original + d),
      fc.integer({ min: 0, max: 4 }).map((k) => original * (1 << k)),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    );
    const arb = fc.integer({ min: 0, max: targets.length - 1 }).chain((t) => {
      const { pack, rec } = targets[t];
      const words = wordAt(pack, rec + 4);
      return fc.tuple(fc.constant(t), fc.array(fc.integer({ min: 2, max: words - 1 }).chain((w) => fc.tuple(fc.constant(w), value(wordAt(pack, rec + 4 * w)))), { minLength: 1, maxLength: 4 }));
    });
    const cases: CheckCase[] = fc.sample(arb, { numRuns: 2000, seed: 15 }).map(([t, sets]) => {
      let pack = targets[t].pack;
      for (const [w, v] of sets) pack = withWord(pack, targets[t].rec + 4 * w, v);
      return { pack, record: targets[t].rec, arena: targets[t].arena, ts: 'pack' };
    });
    const { mismatches, rejected } = compareChecks(stub, work, 'generative', cases);
    expect(mismatches.slice(0, 10), `${mismatches.length} of ${cases.length} disagree`).toEqual([]);
    // Both verdicts occur often enough for the comparison to mean something.
    expect(rejected).toBeGreaterThan(cases.length / 4);
    expect(cases.length - rejected).toBeGreaterThan(cases.length / 20);
  });
});
