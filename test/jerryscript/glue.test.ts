// The JerryScript glue (kernels-c/jerryscript/) without a JavaScript engine: it compiles with the host
// and target C compilers against the JerryScript v3 API declarations, its handlers run in a C harness
// on a fake JerryScript (test/jerryscript/fake_jerry.c, a test double), its per-record check agrees
// with device/validate.ts, and, when the kernels build, invoke through the glue is bit-exact with
// ts_invoke called directly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { validatePack } from '../../device/validate.js';
import { u32 } from '../../device/pack.js';
import { ARENA_BYTES, OUT, buildPack } from './packs.js';

const ROOT = PACKAGE_ROOT;
const GLUE = join(ROOT, 'kernels-c', 'jerryscript');
const INCLUDE = join(ROOT, 'kernels-c', 'include');
const HERE = join(ROOT, 'test', 'jerryscript');
const KERNEL_SRC = join(ROOT, 'kernels-c', 'src');
const GLUE_SOURCES = [join(GLUE, 'tinysense_jerry.c'), join(GLUE, 'tinysense_record_check.c'), join(GLUE, 'tinysense_timers.c')];
const STRICT = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'];
const work = mkdtempSync(join(tmpdir(), 'tinysense-jerry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

function run(cmd: string, args: string[]): { status: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function compileOk(cmd: string, args: string[]): void {
  const r = run(cmd, args);
  expect(r.status, `${cmd} ${args.join(' ')}\n${r.out}`).toBe(0);
}

const kernelSources = existsSync(KERNEL_SRC)
  ? readdirSync(KERNEL_SRC).filter((f) => f.endsWith('.c')).sort().map((f) => join(KERNEL_SRC, f))
  : [];

/** Links the harness with the stub kernels, or with the real ones; undefined when they do not build. */
function buildHarness(real: boolean): { exe?: string; why?: string } {
  const exe = join(work, real ? 'harness-real' : 'harness-stub');
  const sanitize = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
  let kernels = [join(HERE, 'stub_kernels.c')];
  if (real) {
    if (kernelSources.length === 0) return { why: 'kernels-c/src has no C sources yet' };
    // The kernels are another component: their own flags (C99, no -Werror), objects linked in.
    kernels = [];
    for (const src of kernelSources) {
      const o = join(work, `kernel-${kernels.length}.o`);
      const k = run('gcc', ['-std=c99', '-O1', '-g', ...sanitize, '-ffp-contract=off', `-I${INCLUDE}`, '-c', src, '-o', o]);
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
    // Undefined symbols: only JerryScript's API, the two kernel entries and libgcc's AEABI helpers
    // (double and 64-bit arithmetic, which JerryScript itself needs): no libc.
    const symbols = (flag: string) => {
      const nm = run('arm-none-eabi-nm', [flag, ...objects]);
      expect(nm.status).toBe(0);
      return new Set(nm.out.split('\n').map((l) => l.trim().split(/\s+/).pop() ?? '').filter((s) => s && !s.endsWith(':')));
    };
    const defined = symbols('--defined-only');
    const foreign = [...symbols('-u')].filter(
      (s) => !defined.has(s) && !s.startsWith('jerry_') && !s.startsWith('__aeabi_') && s !== 'ts_invoke' && s !== 'ts_checksum',
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
    stub = buildHarness(false).exe!;
  });

  it('the hand-built pack passes device/validate.ts (one record of every op)', () => {
    const layout = validatePack(built.pack, (from, length) => crc(built.pack.subarray(from, from + length)));
    expect(layout.records).toEqual(built.records);
    expect(built.names.length).toBe(19);
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
    const cases: { pack: Uint8Array; record: number }[] = [];
    const interesting = (v: number) => [v + 1, v - 1, -v, 0, -1, 1, 2 * v + 1, 4096, 2047, 0x7fffffff, -0x80000000, 0x10000, built.constOffset, built.pack.length];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    built.records.forEach((rec, i) => {
      const end = i + 1 < built.records.length ? built.records[i + 1] : built.constOffset;
      for (let at = rec + 4; at < end; at += 4) {
        const original = new DataView(built.pack.buffer).getInt32(at, true);
        const values = interesting(original).concat([random() | 0, (random() % 9000) - 100]);
        for (const v of values) {
          if ((v | 0) === original) continue;
          const pack = built.pack.slice();
          new DataView(pack.buffer).setInt32(at, v | 0, true);
          cases.push({ pack, record: rec });
        }
      }
    });
    const file = join(work, 'cases.bin');
    const chunks: Uint8Array[] = [];
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, cases.length, true);
    chunks.push(head);
    for (const c of cases) {
      const h = new Uint8Array(12);
      const dv = new DataView(h.buffer);
      dv.setUint32(0, c.pack.length, true);
      dv.setUint32(4, c.record, true);
      dv.setUint32(8, ARENA_BYTES, true);
      const padded = new Uint8Array(Math.ceil(c.pack.length / 4) * 4);
      padded.set(c.pack);
      chunks.push(h, padded);
    }
    writeFileSync(file, Buffer.concat(chunks));
    const r = run(stub, ['check', file]);
    expect(r.status, r.out).toBe(0);
    const verdicts = r.out.trim().split('\n');
    expect(verdicts.length).toBe(cases.length);
    const mismatches: string[] = [];
    let rejected = 0;
    cases.forEach((c, k) => {
      let ts = 'ok';
      try {
        // The CRC is not what this compares: hand back the stored one.
        validatePack(c.pack, () => u32(c.pack, 12));
      } catch (e) {
        ts = `reject ${(e as Error).message}`;
      }
      const cSays = verdicts[k].startsWith('ok') ? 'ok' : 'reject';
      if (cSays === 'reject') rejected++;
      if (cSays !== (ts === 'ok' ? 'ok' : 'reject')) {
        mismatches.push(`record ${c.record}: C ${verdicts[k]} / TS ${ts}`);
      }
    });
    expect(mismatches.slice(0, 20), `${mismatches.length} of ${cases.length} disagree`).toEqual([]);
    expect(cases.length).toBeGreaterThan(5000);
    expect(rejected).toBeGreaterThan(cases.length / 3);
  });
});

describe('JerryScript glue: bit-exact with ts_invoke (real kernels)', () => {
  const real = buildHarness(true);

  it('every op of the hand-built pack: tinysense.invoke == ts_invoke, byte for byte', (ctx) => {
    if (!real.exe) {
      ctx.skip(real.why);
      return;
    }
    const built = buildPack();
    const packPath = join(work, 'handmade-real.tsm');
    writeFileSync(packPath, built.pack);
    const arena = new Uint8Array(ARENA_BYTES);
    let seed = 99;
    for (let i = 0; i < arena.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      arena[i] = seed >>> 24;
    }
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
    const models = join(ROOT, '..', 'shared', 'models');
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

function crc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}
