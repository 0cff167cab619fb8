// The JerryScript glue (kernels-c/jerryscript/) without a JavaScript engine: it compiles with the host
// and target C compilers against the JerryScript v3 API declarations, its handlers run in a C harness
// on a fake JerryScript (test/jerryscript/fake_jerry.c, a test double), its per-record check agrees
// with device/validate.ts on mutations of every op code's records (the hand-built pack's 19 network ops,
// the compiled audio preprocessor's ops 20-30 and its state region), and, when the kernels build, invoke through the glue is bit-exact with
// ts_invoke called directly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackLayout, validatePack } from '../../device/validate.js';
import { H, TENSOR_ENTRY_BYTES } from '../../device/pack.js';
import { ADD, ELEMENTWISE_S32, GATHER, Layout, MAX_DIMS, MEAN, MUL, OP, SIGNAL_OP, SIGNAL_SPECTRAL_SUBTRACTION, VIEW } from '../../device/records.js';
import { compileTflite } from '../../host/model.js';
import { MODELS_DIR, sharedBytes } from '../shared.js';
import { CheckCase, GLUE, GLUE_SOURCES, INCLUDE, buildHarness, compareChecks, crc, has, run, withWord, wordAt } from './glue-harness.js';
import { ARENA_BYTES, OUT, buildPack } from './packs.js';

const STRICT = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'];
const work = mkdtempSync(join(tmpdir(), 'tinysense-jerry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function compileOk(cmd: string, args: string[]): void {
  const r = run(cmd, args);
  expect(r.status, `${cmd} ${args.join(' ')}\n${r.out}`).toBe(0);
}

describe('JerryScript glue: compiles against the JerryScript v3 API', () => {
  it('gcc -std=c99 -Wall -Wextra -Werror -pedantic (host)', () => {
    for (const src of GLUE_SOURCES) {
      compileOk('gcc', [...STRICT, '-DTINYSENSE_JERRY_V3_DECLS', `-I${GLUE}`, `-I${INCLUDE}`, '-c', src, '-o', join(work, 'gcc.o')]);
    }
  });

  it.runIf(has('clang'))('clang -std=c99 -Wall -Wextra -Werror -pedantic (host)', () => {
    for (const src of GLUE_SOURCES) {
      compileOk('clang', [...STRICT, '-DTINYSENSE_JERRY_V3_DECLS', `-I${GLUE}`, `-I${INCLUDE}`, '-c', src, '-o', join(work, 'clang.o')]);
    }
  });

  it.runIf(has('arm-none-eabi-gcc'))('arm-none-eabi-gcc for Cortex-M4 (nRF52840), freestanding, no libc calls', () => {
    const objects: string[] = [];
    GLUE_SOURCES.forEach((src, i) => {
      const o = join(work, `m4-${i}.o`);
      objects.push(o);
      compileOk('arm-none-eabi-gcc', [
        ...STRICT, '-mthumb', '-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-ffreestanding',
        '-fno-builtin', '-ffunction-sections', '-DTINYSENSE_JERRY_V3_DECLS', `-I${GLUE}`, `-I${INCLUDE}`, '-c', src, '-o', o,
      ]);
    });
    // Undefined symbols: only JerryScript's API, the three kernel entries and libgcc's AEABI helpers
    // (double and 64-bit arithmetic, which JerryScript itself needs): no libc.
    const symbols = (flag: string) => {
      const nm = run('arm-none-eabi-nm', [flag, ...objects]);
      expect(nm.status).toBe(0);
      return new Set(nm.out.split('\n').map((l) => l.trim().split(/\s+/).pop() ?? '').filter((s) => s && !s.endsWith(':')));
    };
    const defined = symbols('--defined-only');
    const foreign = [...symbols('-u')].filter(
      (s) => !defined.has(s) && !s.startsWith('jerry_') && !s.startsWith('__aeabi_') && s !== 'ts_invoke' && s !== 'ts_checksum' && s !== 'ts_preprocess',
    );
    expect(foreign).toEqual([]);
  });
});

describe('JerryScript glue: natives on a fake JerryScript (C harness)', () => {
  const built = buildPack();
  const packPath = join(work, 'handmade.tsm');
  let stub: string;

  beforeAll(() => {
    writeFileSync(packPath, built.pack);
    stub = buildHarness(work, false).exe!;
  });

  it('the hand-built pack passes device/validate.ts (one record of every op)', () => {
    const layout = validatePack(built.pack, (from, length) => crc(built.pack.subarray(from, from + length)));
    expect(layout.records).toEqual(built.records);
    expect(built.names.length).toBe(25);
  });

  it('argument checks, allocator, flash, memory and sensors (selftest)', () => {
    const r = run(stub, ['selftest', packPath]);
    const failures = r.out.split('\n').filter((l) => l.startsWith('not ok'));
    expect(failures, r.out).toEqual([]);
    expect(r.status, r.out).toBe(0);
    const m = /selftest: (\d+) passed, 0 failed/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(80);
  });

  it('the C record check accepts and rejects exactly what device/validate.ts does', () => {
    const ends = built.records.map((_, i) => (i + 1 < built.records.length ? built.records[i + 1] : built.constOffset));
    const cases = wordMutations(built.pack, built.records, ends, ARENA_BYTES, [built.constOffset, built.pack.length]);
    const { mismatches, rejected } = compareChecks(stub, work, 'handmade-words', cases);
    expect(mismatches.slice(0, 20), `${mismatches.length} of ${cases.length} disagree`).toEqual([]);
    expect(cases.length).toBeGreaterThan(5000);
    expect(rejected).toBeGreaterThan(cases.length / 3);
  });

  it('the audio front end (ops 20-30): every record of the compiled audio preprocessor passes both checks, and ~7,000 mutations of them get the same verdict', () => {
    const audio = audioPack();
    const { pack, layout } = audio;
    expect(new Set(layout.ops)).toEqual(new Set([...Object.values(SIGNAL_OP), OP.GATHER_VIEW, OP.CONCATENATION]));
    // Unmutated: every record passes in C too (an unknown op code would throw on a real firmware).
    const clean = layout.records.map((record): CheckCase => ({ pack, record, arena: layout.arenaBytes, ts: 'pack' }));
    const accepted = compareChecks(stub, work, 'audio-clean', clean);
    expect(accepted.verdicts.filter((v) => v !== 'ok')).toEqual([]);
    const state = layout.state!;
    const extra = [layout.constOffset, pack.length, layout.constOffset + layout.constBytes - 2, state.offset + state.bytes, layout.arenaBytes - 4, layout.arenaBytes];
    const ends = layout.records.map((rec) => rec + 4 * wordAt(pack, rec + 4));
    const cases = wordMutations(pack, layout.records, ends, layout.arenaBytes, extra);
    const { mismatches, rejected } = compareChecks(stub, work, 'audio-words', cases);
    expect(mismatches.slice(0, 20), `${mismatches.length} of ${cases.length} disagree`).toEqual([]);
    expect(cases.length).toBeGreaterThan(6500);
    expect(rejected).toBeGreaterThan(cases.length / 3);
    expect(cases.length - rejected).toBeGreaterThan(cases.length / 10);
  });

  it('spectral subtraction: a noise estimate outside the state region, or a state region that is missing, malformed or moved, is refused by both', () => {
    const { pack, layout } = audioPack();
    const state = layout.state!;
    const S = SIGNAL_SPECTRAL_SUBTRACTION;
    const rec = layout.records[layout.ops.indexOf(SIGNAL_OP.SIGNAL_SPECTRAL_SUBTRACTION)];
    const field = (name: string) => rec + 4 * S[name];
    const n = wordAt(pack, field('numChannels'));
    const noise = wordAt(pack, field('noiseEstimate'));
    expect(noise).toBe(state.offset);
    expect(4 * n).toBe(state.bytes);
    const arena = layout.arenaBytes;
    const record = (changes: [string, number][]): CheckCase => {
      let p = pack;
      for (const [name, v] of changes) p = withWord(p, field(name), v);
      return { pack: p, record: rec, arena, ts: 'pack' };
    };
    // Record words: the noise estimate moved (in the arena, 4-aligned) or grown past the region's end.
    const moved = [state.offset + state.bytes, state.offset + 4, state.offset + state.bytes - 4, arena - state.bytes, wordAt(pack, field('input')), wordAt(pack, field('output'))];
    const recordCases = [
      ...moved.map((at) => record([['noiseEstimate', at]])),
      record([['numChannels', n + 1]]),
      record([['numChannels', n - 1]]), // inside: accepted
      record([['noiseEstimate', noise + 4], ['numChannels', n - 1]]), // the region's last n - 1 words: accepted
      record([['noiseEstimate', noise + 8], ['numChannels', n - 1]]),
    ];
    const refused = compareChecks(stub, work, 'state-record', recordCases);
    expect(refused.mismatches).toEqual([]);
    expect(refused.verdicts.map((v) => v.startsWith('ok'))).toEqual([false, false, false, false, false, false, false, true, true, false]);
    for (const v of refused.verdicts.slice(0, 6)) expect(v).toContain('noise estimate lies outside the state region');

    // The header and the state region's tensor-table entry, which every record's check reads.
    const count = wordAt(pack, H.tensorCount);
    const table = wordAt(pack, H.tensorTable);
    const entry = table + TENSOR_ENTRY_BYTES * (count - 1);
    const typeWord = wordAt(pack, entry);
    const header: [number, number][][] = [
      [[H.flags, 0]], [[H.flags, 2]], [[H.flags, 3]], [[H.flags, -1]],
      [[H.tensorCount, count - 1]], [[H.tensorCount, count + 1]], [[H.tensorCount, 0]], [[H.tensorCount, 0x7fffffff]],
      [[H.tensorTable, table + 2]], [[H.tensorTable, pack.length]], [[H.inputCount, wordAt(pack, H.inputCount) + 1]],
      [[entry, (typeWord & ~0xff) | 1]], [[entry, (typeWord & ~0xff00) | (2 << 8)]], [[entry, typeWord & ~0xff00]],
      [[entry, typeWord | (1 << 16)]], [[entry, typeWord | (2 << 16)]], [[entry, typeWord | (1 << 24)]],
      [[entry + 4, state.offset + 4]], [[entry + 4, -4]], [[entry + 4, arena - state.bytes + 4]], [[entry + 4, arena - state.bytes]],
      [[entry + 8, state.bytes - 4]], [[entry + 20, state.bytes + 1]],
      [[entry + 8, state.bytes - 4], [entry + 20, state.bytes - 4]],
      [[entry + 8, state.bytes + 4], [entry + 20, state.bytes + 4]],
      [[entry + 8, 0], [entry + 20, 0]],
      [[entry + 8, -4], [entry + 20, -4]],
    ];
    const headerCases: CheckCase[] = [];
    for (const changes of header) {
      let p = pack;
      for (const [at, v] of changes) p = withWord(p, at, v);
      for (const record of layout.records) headerCases.push({ pack: p, record, arena, ts: 'record' });
    }
    const headers = compareChecks(stub, work, 'state-header', headerCases);
    expect(headers.mismatches.slice(0, 20), `${headers.mismatches.length} of ${headerCases.length} disagree`).toEqual([]);
    expect(headers.rejected).toBeGreaterThan(headerCases.length / 2);
    expect(headerCases.length - headers.rejected).toBeGreaterThan(layout.records.length * 3);
  });

  it('empty views (a dim of 0) still need a non-negative span inside the tensor, as validate.ts\'s viewSpan() says', () => {
    const audio = audioPack();
    const targets: { pack: Uint8Array; rec: number; arena: number; sets: number[][] }[] = [];
    const binarySets = (B: Layout) =>
      Array.from({ length: MAX_DIMS }, (_, k) => [B.outputShape + k, B.view1 + VIEW.dims + k, B.view2 + VIEW.dims + k]);
    const viewSets = (...bases: number[]) => bases.flatMap((b) => Array.from({ length: MAX_DIMS }, (_, k) => [b + VIEW.dims + k]));
    built.names.forEach((name, i) => {
      const sets = name === 'ADD' ? binarySets(ADD) : name === 'MUL' ? binarySets(MUL) : name === 'MEAN' ? viewSets(MEAN.outer) : name === 'GATHER_VIEW' ? viewSets(GATHER.view) : [];
      if (sets.length) targets.push({ pack: built.pack, rec: built.records[i], arena: ARENA_BYTES, sets });
    });
    audio.layout.ops.forEach((op, i) => {
      const sets = op === SIGNAL_OP.ELEMENTWISE_S32 ? binarySets(ELEMENTWISE_S32) : op === OP.GATHER_VIEW ? viewSets(GATHER.view) : [];
      if (sets.length) targets.push({ pack: audio.pack, rec: audio.layout.records[i], arena: audio.layout.arenaBytes, sets });
    });
    const random = prngInts(11);
    const cases: CheckCase[] = [];
    for (const t of targets) {
      const words = wordAt(t.pack, t.rec + 4);
      for (const set of t.sets) {
        let empty = t.pack;
        for (const field of set) empty = withWord(empty, t.rec + 4 * field, 0);
        cases.push({ pack: empty, record: t.rec, arena: t.arena, ts: 'pack' });
        // A second word: a start or step far out, an operand moved, a flag flipped...
        for (let w = 2; w < words; w++) {
          if (set.includes(w)) continue;
          const original = wordAt(empty, t.rec + 4 * w);
          const values = [original + 8, -1, 0x40000000, t.arena + 64, -original - 4];
          for (const v of [values[random() % values.length], values[random() % values.length]]) {
            if ((v | 0) !== original) cases.push({ pack: withWord(empty, t.rec + 4 * w, v), record: t.rec, arena: t.arena, ts: 'pack' });
          }
        }
      }
    }
    const { mismatches, rejected } = compareChecks(stub, work, 'empty-views', cases);
    expect(mismatches.slice(0, 20), `${mismatches.length} of ${cases.length} disagree`).toEqual([]);
    expect(cases.length).toBeGreaterThan(3000);
    expect(rejected).toBeGreaterThan(cases.length / 4);
    expect(cases.length - rejected).toBeGreaterThan(cases.length / 10);
  });
});

/** A deterministic sequence of unsigned 32-bit integers (the LCG the first mutation test has always used). */
function prngInts(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
}

/**
 * Every word of every record after its op code (records[i] up to ends[i]), set in turn to boundary values,
 * values derived from the original, `extra` (offsets that matter for this pack) and two pseudo-random ones.
 */
function wordMutations(pack: Uint8Array, records: number[], ends: number[], arena: number, extra: number[]): CheckCase[] {
  const cases: CheckCase[] = [];
  const interesting = (v: number) => [v + 1, v - 1, -v, 0, -1, 1, 2 * v + 1, 4096, 2047, 0x7fffffff, -0x80000000, 0x10000, ...extra];
  const random = prngInts(7);
  records.forEach((rec, i) => {
    for (let at = rec + 4; at < ends[i]; at += 4) {
      const original = wordAt(pack, at);
      const values = interesting(original).concat([random() | 0, (random() % 9000) - 100]);
      for (const v of values) {
        if ((v | 0) === original) continue;
        cases.push({ pack: withWord(pack, at, v), record: rec, arena, ts: 'pack' });
      }
    }
  });
  return cases;
}

let audioCache: { pack: Uint8Array; layout: PackLayout } | undefined;

/** TFLM's micro_speech audio preprocessor, compiled: every audio front-end op code, and a state region. */
function audioPack(): { pack: Uint8Array; layout: PackLayout } {
  if (!audioCache) {
    const pack = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
    audioCache = { pack, layout: validatePack(pack, (from, length) => crc(pack.subarray(from, from + length))) };
  }
  return audioCache;
}

describe('JerryScript glue: bit-exact with ts_invoke (real kernels)', () => {
  const real = buildHarness(work, true);

  it('every op of the hand-built pack: tinysense.invoke == ts_invoke, byte for byte', (ctx) => {
    if (!real.exe) {
      ctx.skip(real.why);
      return;
    }
    const built = buildPack();
    const packPath = join(work, 'handmade-real.tsm');
    writeFileSync(packPath, built.pack);
    const arena = new Uint8Array(ARENA_BYTES);
    const next = prngInts(99);
    for (let i = 0; i < arena.length; i++) arena[i] = next() >>> 24;
    // QUANTIZE_F32 reads 16 float32 at OUT + 512: give it real numbers.
    new Float32Array(arena.buffer, OUT + 512, 16).set([0, 1, -1, 0.5, 3.25, -7.75, 100, -100, 0.0625, 2, -2, 15.9, -16, 1e-3, 42, -0.4]);
    writeFileSync(join(work, 'arena-in.bin'), arena);
    const r = run(real.exe, ['run', packPath, join(work, 'arena-in.bin'), join(work, 'arena-out.bin')]);
    expect(r.out).toContain('arenas identical');
    expect(r.status).toBe(0);
  });

  it('compiled reference models through the glue match TFLM (when the compiler works)', async (ctx) => {
    if (!real.exe) {
      ctx.skip(real.why);
      return;
    }
    let compileTflite: typeof import('../../host/model.js').compileTflite;
    try {
      ({ compileTflite } = await import('../../host/model.js'));
    } catch (e) {
      ctx.skip(`the host compiler does not load yet: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    const models = MODELS_DIR;
    const cases = [
      { model: 'micro_speech/micro_speech_quantized_int8.tflite', input: 'testdata/yes_features_49x40_int8.bin', golden: 'golden/micro_speech/yes_scores_int8.bin' },
      { model: 'person_detection/person_detect_int8.tflite', input: 'testdata/person_96x96_int8.bin', golden: 'golden/person_detection/person_scores_int8.bin' },
    ];
    for (const c of cases) {
      const compiled = compileTflite(new Uint8Array(readFileSync(join(models, c.model))));
      const pack = compiled.pack;
      const layout = validatePack(pack, (from, length) => crc(pack.subarray(from, from + length)));
      const arena = new Uint8Array(layout.arenaBytes);
      arena.set(new Uint8Array(readFileSync(join(models, c.input))), layout.inputs[0].offset);
      const packPath = join(work, 'model.tsm');
      writeFileSync(packPath, pack);
      writeFileSync(join(work, 'model-arena-in.bin'), arena);
      const r = run(real.exe, ['run', packPath, join(work, 'model-arena-in.bin'), join(work, 'model-arena-out.bin')]);
      expect(r.out, c.model).toContain('arenas identical');
      const out = new Uint8Array(readFileSync(join(work, 'model-arena-out.bin')));
      const o = layout.outputs[0];
      expect(Buffer.from(out.subarray(o.offset, o.offset + o.bytes)).equals(readFileSync(join(models, c.golden))), c.model).toBe(true);
    }
  });
});

