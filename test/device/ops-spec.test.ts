// The op spec (kernels-c/spec/ops.json) is the one source of the record format and the record rules:
// scripts/gen-ops.mjs generates the C structs, device/records.ts and the rule programs both validators run.
// This checks that the generated files are what the spec gives now, that every field of the spec sits
// where the C compiler puts it (offsetof, through the hand-written parameter structs the records embed),
// and that the two validators, running the same programs, give not only the same verdicts but the same
// messages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as R from '../../device/records.js';
import { validatePack } from '../../device/validate.js';
import { compileTflite } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
// @ts-expect-error: a plain ES module script, no types
import { SPEC_PATH, generate, layouts } from '../../scripts/gen-ops.mjs';
import { CheckCase, buildHarness, compareChecks, crc, tsVerdict, withWord, wordAt } from '../jerryscript/glue-harness.js';
import { ARENA_BYTES, buildPack } from '../jerryscript/packs.js';
import { sharedBytes } from '../shared.js';

interface SpecField { ts: string; c: string; at: number; words: number }
interface SpecRecord { name: string; c: string; fields: SpecField[]; words: number }

const spec = JSON.parse(readFileSync(join(PACKAGE_ROOT, SPEC_PATH), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'tinysense-ops-spec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('op spec', () => {
  it('the generated files are up to date (node scripts/gen-ops.mjs regenerates them)', () => {
    const files = generate() as Record<string, string>;
    expect(Object.keys(files).length).toBe(4);
    for (const [path, text] of Object.entries(files)) {
      expect(readFileSync(join(PACKAGE_ROOT, path), 'utf8') === text, `${path} is stale: run node scripts/gen-ops.mjs`).toBe(true);
    }
  });

  it('every field of every record sits where the C compiler puts it', () => {
    const L = layouts(spec) as { records: Record<string, SpecRecord>; entries: Record<string, SpecRecord> };
    const all = [...Object.values(L.records), ...Object.values(L.entries)];
    const lines: string[] = [];
    for (const r of all) {
      lines.push(`  printf("${r.name}.words=%d\\n", (int)(sizeof(${r.c}) / 4));`);
      for (const f of r.fields) lines.push(`  printf("${r.name}.${f.ts}=%d\\n", (int)(offsetof(${r.c}, ${f.c}) / 4));`);
    }
    const src = join(work, 'spec-layout.c');
    writeFileSync(src, `#include <stddef.h>\n#include <stdio.h>\n#include "tinysense_nn.h"\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`);
    execFileSync('cc', ['-std=c99', '-Wall', '-Werror', '-I', join(PACKAGE_ROOT, 'kernels-c', 'include'), src, '-o', join(work, 'spec-layout')]);
    const c = Object.fromEntries(execFileSync(join(work, 'spec-layout'), { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('=')).map(([k, v]) => [k, Number(v)]));
    let checked = 0;
    for (const r of all) {
      expect(r.words, r.name).toBe(c[`${r.name}.words`]);
      for (const f of r.fields) {
        expect(f.at, `${r.name}.${f.ts}`).toBe(c[`${r.name}.${f.ts}`]);
        // device/records.ts exports the same index.
        expect((R as unknown as Record<string, Record<string, number>>)[r.name][f.ts], `records.ts ${r.name}.${f.ts}`).toBe(f.at);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(240);
  });

  it('every op code has a name, a layout and a rule program; codes are unique', () => {
    const codes = spec.ops.map((o: { code: number }) => o.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const op of spec.ops) {
      expect(R.OP_NAMES[op.code]).toBe(op.name);
      expect(R.LAYOUTS[op.code]).toBe((R as unknown as Record<string, R.Layout>)[op.record]);
    }
  });
});

describe('one rule program, two interpreters', () => {
  it('validate.ts and the C check refuse mutated records with the same message', () => {
    const stub = buildHarness(work, false).exe!;
    const built = buildPack();
    const audio = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
    const audioLayout = validatePack(audio, (f, l) => crc(audio.subarray(f, f + l)));
    const svdf = compileTflite(new Uint8Array(readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'ops-reduce', 'kws_8bit_body.tflite')))).pack;
    const svdfLayout = validatePack(svdf, (f, l) => crc(svdf.subarray(f, f + l)));
    const targets = [
      ...built.records.map((r) => ({ pack: built.pack, rec: r, arena: ARENA_BYTES })),
      ...audioLayout.records.map((r) => ({ pack: audio, rec: r, arena: audioLayout.arenaBytes })),
      // SVDF keeps its state in the state region: its first record in the keyword body (ops-reduce fixtures).
      ...[svdfLayout.records[svdfLayout.ops.indexOf(R.OP.SVDF)]].map((r) => ({ pack: svdf, rec: r, arena: svdfLayout.arenaBytes })),
    ];
    const value = (original: number) => fc.oneof(
      fc.constantFrom(0, 1, -1, 2, 4, 255, 65535, 1 << 20, 0x7fffffff, -0x80000000),
      fc.integer({ min: -8, max: 8 }).map((d) => original + d),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    );
    const arb = fc.integer({ min: 0, max: targets.length - 1 }).chain((t) => {
      const { pack, rec } = targets[t];
      const words = wordAt(pack, rec + 4);
      return fc.tuple(fc.constant(t), fc.integer({ min: 2, max: words - 1 }).chain((w) => fc.tuple(fc.constant(w), value(wordAt(pack, rec + 4 * w)))));
    });
    const cases: CheckCase[] = fc.sample(arb, { numRuns: 600, seed: 16 }).map(([t, [w, v]]) => ({
      pack: withWord(targets[t].pack, targets[t].rec + 4 * w, v), record: targets[t].rec, arena: targets[t].arena, ts: 'pack' as const,
    }));
    const { verdicts } = compareChecks(stub, work, 'messages', cases);
    let compared = 0;
    const differ: string[] = [];
    cases.forEach((c, k) => {
      const ts = tsVerdict(c);
      if (!ts.startsWith('reject ') || !verdicts[k].startsWith('reject ')) return;
      // TS: "tinysense: invalid model pack: op 3 (ADD): <why>"; C: "op record at 512: <why>".
      const tsWhy = ts.replace(/^reject tinysense: invalid model pack: op \d+ \([A-Z0-9_]+\): /, '');
      const cWhy = verdicts[k].replace(/^reject op record at \d+: /, '');
      compared++;
      if (tsWhy !== cWhy) differ.push(`TS "${tsWhy}" / C "${cWhy}"`);
    });
    expect(differ.slice(0, 10)).toEqual([]);
    expect(compared).toBeGreaterThan(150);
  });
});
