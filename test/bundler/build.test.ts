/**
 * buildApp end to end: the fixture app built for every board, what lands in
 * dist/, the compat check and budget wired into the build, the bundle running
 * on a stand-in Espruino (stripped sandbox, stubbed E and Storage), and the
 * failures a user must see clearly.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rollup, type Plugin } from 'rollup';
import { buildApp, tinysense } from '../../host/bundler/index.js';
import { factsFromCompiled } from '../../host/bundler/model-facts.js';
import type { ModelFacts } from '../../host/bundler/model-facts.js';
import { crc32 } from '../../host/compiler/crc32.js';
import { APP, FAKE_BLOB_BYTES, FAKE_ENTRIES, espruinoSandbox, fakeKernels, tempDir } from './support.js';
import { FIXTURE_OUT, fixtureModel } from './fixtures/model.js';

let kernelsDir: string;
let model: ModelFacts;

beforeAll(() => {
  kernelsDir = fakeKernels();
  model = factsFromCompiled(fixtureModel(), 'fixture.tflite');
});

/** Stand-ins for the Espruino built-ins the device runtime uses; native code is a stub that checksums and does nothing else. */
function runOnStandInEspruino(bundle: string, storage: Record<string, Uint8Array>): { printed: string[]; nativeCalls: { addr: number; sig: string; code: string }[] } {
  const sandbox = espruinoSandbox();
  const regions: { base: number; bytes: Uint8Array }[] = [];
  let next = 0x20000000;
  // Typed arrays get a fake flat address; strings (the blob) are not flat, as a Storage read is not.
  const addressOf = (v: Uint8Array | string): number => {
    if (typeof v === 'string') return 0;
    const found = regions.find((r) => r.bytes.buffer === v.buffer && r.bytes.byteOffset === v.byteOffset);
    if (found) return found.base;
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    regions.push({ base: next, bytes });
    next += bytes.length + 16;
    return regions[regions.length - 1].base;
  };
  const nativeCalls: { addr: number; sig: string; code: string }[] = [];
  const checksum = (address: number, length: number): number => {
    const r = regions.find((x) => address >= x.base && address + length <= x.base + x.bytes.length)!;
    return crc32(r.bytes.subarray(address - r.base, address - r.base + length)) | 0;
  };
  const intervals: (() => void)[] = [];
  Object.assign(sandbox.context, {
    E: {
      nativeCall: (addr: number, sig: string, code: string) => {
        nativeCalls.push({ addr, sig, code });
        return (addr & ~1) === FAKE_ENTRIES.ts_checksum ? checksum : () => 0;
      },
      getAddressOf: (v: Uint8Array | string) => addressOf(v),
      // Espruino's iterable forms: a string, or { data, count } (the binding's zeroed flat buffers).
      toFlatString: (s: string | { data: number; count: number }) => (typeof s === 'string' ? s : String.fromCharCode(s.data).repeat(s.count)),
      toArrayBuffer: (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0)).buffer,
    },
    process: { memory: () => ({ free: 11000, usage: 1000, total: 12000, blocksize: 14 }) },
    require: (name: string) => {
      if (name !== 'Storage') throw new Error(`no module ${name}`);
      return { read: (file: string) => (storage[file] ? Buffer.from(storage[file]).toString('latin1') : undefined) };
    },
    setInterval: (fn: () => void) => intervals.push(fn),
  });
  sandbox.run(bundle);
  for (const fn of intervals) fn();
  return { printed: sandbox.output, nativeCalls };
}

describe('buildApp', () => {
  for (const board of ['BANGLEJS2', 'JOLTJS', 'NRF52840DK', 'ESP32', 'ESP32_JERRYSCRIPT']) {
    it(`builds the fixture app for ${board}`, async () => {
      const outDir = tempDir(`tinysense-dist-${board}-`);
      // ESP32 (Espruino) cannot run the kernels: refused (allowOverBudget writes it anyway, to check the rest).
      // The DK's 40 KB of Storage holds this small app minified (the runtime's bundle is ~33 KB minified).
      const refused = board === 'ESP32';
      const result = await buildApp({ entry: APP, board, model, outDir, kernelsDir, minify: board === 'NRF52840DK', allowOverBudget: refused });
      const { report } = result;
      const names = result.files.map((f) => f.slice(outDir.length + 1)).sort();
      const blob = board === 'ESP32' || board === 'ESP32_JERRYSCRIPT' ? [] : ['tinysense-m4.bin'];
      expect(names).toEqual(['app.js', 'app.js.map', 'budget.json', 'datasheet.html', 'datasheet.md', 'fixture.tsm', ...blob].sort());
      for (const f of result.files) expect(existsSync(f)).toBe(true);

      const code = readFileSync(join(outDir, 'app.js'), 'utf8');
      expect(report.bundle.bytes).toBe(Buffer.byteLength(code));
      expect(report.compat.issues).toEqual([]);
      expect(report.openModelFiles).toEqual(['fixture.tsm']);
      expect(report.models).toHaveLength(1);
      expect(report.models[0]).toMatchObject({ file: 'fixture.tsm', packBytes: model.packBytes, arenaBytes: model.arenaBytes, macs: 128 });
      expect(readFileSync(join(outDir, 'fixture.tsm'))).toEqual(Buffer.from(model.pack));
      // Only the board engine's binding is in the bundle (device/engine.ts, linked by the plugin).
      if (report.engine === 'espruino') {
        expect(code).toContain("require('Storage')");
        expect(code).toContain('E.nativeCall(');
        expect(code).not.toContain('tinysense.flash');
        expect(code).not.toMatch(/jerryNatives|SPAN/);
      } else {
        expect(code).not.toContain("require('Storage')");
        expect(code).not.toContain('E.nativeCall(');
        expect(code).toMatch(/jerryNatives/);
      }
      expect(code).not.toContain('no engine binding');
      expect(code).not.toContain('sourceMappingURL');
      expect(code).toMatch(/^\(function ?\(\) ?\{/);

      const budget = JSON.parse(readFileSync(join(outDir, 'budget.json'), 'utf8')) as { board: string; budget: { fits: boolean; problems: string[] } };
      expect(budget.board).toBe(board);
      if (board === 'ESP32_JERRYSCRIPT') {
        expect(report.target).toEqual({ engine: 'jerryscript', board });
        expect(budget.budget.fits).toBe(true);
      } else {
        expect(budget.budget.fits).toBe(!refused);
        if (board === 'ESP32') expect(budget.budget.problems.join('\n')).toContain('stock Espruino cannot run the model kernels on this board');
        expect(code).toMatch(/^\s*var TINYSENSE_TARGET ?= ?\{"engine":"espruino"/m);
      }
      if (blob.length > 0) {
        expect(report.target).toEqual({ engine: 'espruino', board, blobFile: 'tinysense-m4.bin', invoke: FAKE_ENTRIES.ts_invoke, checksum: FAKE_ENTRIES.ts_checksum });
        expect(report.blob?.bytes).toBe(FAKE_BLOB_BYTES);
      }
      const md = readFileSync(join(outDir, 'datasheet.md'), 'utf8');
      expect(md).toContain(`| output 0 | int8 | [1, ${FIXTURE_OUT}] |`);
      expect(md).toContain('Multiply-accumulates per inference: 128');
    }, 60_000);
  }

  it('produces a bundle that runs on a stand-in Espruino: TINYSENSE_TARGET, Storage, the blob entries and the pack checksum', async () => {
    const outDir = tempDir('tinysense-dist-run-');
    await buildApp({ entry: APP, board: 'JOLTJS', model, outDir, kernelsDir, minify: true });
    const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(outDir, name)));
    const { printed, nativeCalls } = runOnStandInEspruino(readFileSync(join(outDir, 'app.js'), 'utf8'), {
      'fixture.tsm': file('fixture.tsm'),
      'tinysense-m4.bin': file('tinysense-m4.bin'),
    });
    expect(nativeCalls.map((c) => [c.addr, c.sig])).toEqual([[FAKE_ENTRIES.ts_invoke | 1, 'int(int,int,int)'], [FAKE_ENTRIES.ts_checksum | 1, 'int(int,int)']]);
    expect(nativeCalls[0].code.length).toBe(FAKE_BLOB_BYTES);
    // The pack validated (its CRC went through the "native" checksum) and the app ran its first interval.
    expect(printed).toEqual(['@tinysense class 0']);
  }, 60_000);

  it('minifies on request, keeping the bundle compatible', async () => {
    const plain = await buildApp({ entry: APP, board: 'JOLTJS', model, outDir: tempDir('tinysense-dist-plain-'), kernelsDir });
    const small = await buildApp({ entry: APP, board: 'JOLTJS', model, outDir: tempDir('tinysense-dist-min-'), kernelsDir, minify: true });
    expect(small.report.bundle.minified).toBe(true);
    expect(small.report.bundle.bytes).toBeLessThan(plain.report.bundle.bytes * 0.7);
    expect(small.report.compat.issues).toEqual([]);
  }, 60_000);

  it('builds from a .tsm pack (latency op by op from its records) and takes a model card into the datasheet', async () => {
    const dir = tempDir('tinysense-dist-tsm-');
    writeFileSync(join(dir, 'gesture.tsm'), model.pack);
    const card = {
      name: 'Gesture <classifier>',
      description: 'Classifies wrist gestures.',
      classes: ['idle', 'wave'],
      dataset: { name: 'Wrist IMU 2024', size: '12 subjects, 3 h' },
      evaluation: { dataset: 'held-out subjects', metrics: [{ name: 'accuracy', value: 0.93 }] },
      intendedUse: 'Hands-free control.',
      firmware: 'custom field',
    };
    writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
    const outDir = join(dir, 'dist');
    const { report } = await buildApp({ entry: APP, board: 'JOLTJS', model: join(dir, 'gesture.tsm'), modelCard: join(dir, 'card.json'), outDir, kernelsDir });
    expect(report.models).toHaveLength(1);
      expect(report.models[0]).toMatchObject({ format: 'tsm', file: 'fixture.tsm', packBytes: model.packBytes });
    expect(report.models[0]?.macs).toBeUndefined();
    // A pack keeps no MAC count, but its records give each op's work: the latency comes op by op.
    expect(report.budget.latencies).toHaveLength(1);
    expect(report.budget.latencies[0].basis).toMatch(/^\d+ ops, \d+ cycles at 64 MHz, op by op from bench\/arm\/m4-cycles\.json/);
    const md = readFileSync(join(outDir, 'datasheet.md'), 'utf8');
    expect(md).toContain('# Gesture <classifier> on Jolt.js');
    expect(md).toContain('Name: Wrist IMU 2024');
    expect(md).toContain('| accuracy | 0.93 |');
    expect(md).toContain('classes: idle, wave');
    expect(md).toContain('firmware: custom field');
    expect(md).toMatch(/Estimated invoke latency: [\d.]+ ms. This is an estimate \(\d+ ops, /);
    const html = readFileSync(join(outDir, 'datasheet.html'), 'utf8');
    expect(html).toContain('<title>Gesture &lt;classifier&gt; on Jolt.js</title>');
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<(script|link|img)\b|src=|href=/);
  }, 60_000);

  it('emits several packs by Storage name (models), reports each, and warns about a pack the app does not open', async () => {
    const dir = tempDir('tinysense-dist-two-');
    writeFileSync(join(dir, 'second.tsm'), model.pack);
    const outDir = join(dir, 'dist');
    const { report, files } = await buildApp({
      entry: APP, board: 'ESP32_JERRYSCRIPT', outDir, kernelsDir,
      models: { 'fixture.tsm': model, 'extra.tsm': join(dir, 'second.tsm') },
    });
    expect(files.map((f) => f.slice(outDir.length + 1)).filter((f) => f.endsWith('.tsm')).sort()).toEqual(['extra.tsm', 'fixture.tsm']);
    expect(readFileSync(join(outDir, 'extra.tsm'))).toEqual(Buffer.from(model.pack));
    expect(report.models.map((m) => [m.file, m.format, m.packBytes])).toEqual([['fixture.tsm', 'tflite', model.packBytes], ['extra.tsm', 'tsm', model.packBytes]]);
    // Both arenas are native memory on JerryScript, both packs flash.
    expect(report.budget.nativeHeap?.used).toBe(2 * model.arenaBytes);
    expect(report.budget.storage.used).toBe(report.bundle.bytes + 2 * model.packBytes);
    const md = readFileSync(join(outDir, 'datasheet.md'), 'utf8');
    expect(md).toContain('## Interface of fixture.tsm');
    expect(md).toContain('## Model characteristics of extra.tsm');
    const json = JSON.parse(readFileSync(join(outDir, 'budget.json'), 'utf8')) as { models: { file: string }[] };
    expect(json.models.map((m) => m.file)).toEqual(['fixture.tsm', 'extra.tsm']);

    // The app opens fixture.tsm; a build that names no such pack says so.
    const other = await buildApp({ entry: APP, board: 'ESP32_JERRYSCRIPT', outDir: join(dir, 'dist2'), kernelsDir, models: { 'a.tsm': model, 'b.tsm': model } });
    expect(other.report.warnings).toContain('the app opens fixture.tsm but the build emits model packs named a.tsm, b.tsm');
  }, 60_000);

  it('refuses models together with model, bad Storage names, and an unreadable model, naming which', async () => {
    const outDir = tempDir('tinysense-dist-bad-models-');
    await expect(buildApp({ entry: APP, board: 'ESP32_JERRYSCRIPT', outDir, kernelsDir, model, models: { 'fixture.tsm': model } }))
      .rejects.toThrow(/either model \(one pack\) or models/);
    await expect(buildApp({ entry: APP, board: 'ESP32_JERRYSCRIPT', outDir, kernelsDir, models: { 'dir/x.tsm': model } }))
      .rejects.toThrow(/models: "dir\/x\.tsm" is not a Storage name/);
    await expect(buildApp({ entry: APP, board: 'ESP32_JERRYSCRIPT', outDir, kernelsDir, models: { 'x.tsm': join(outDir, 'missing.tflite') } }))
      .rejects.toThrow(/models\["x\.tsm"\]: ENOENT/);
    await expect(buildApp({ entry: APP, board: 'ESP32_JERRYSCRIPT', outDir, kernelsDir, models: {} })).rejects.toThrow(/models is empty/);
  }, 60_000);

  it('fails an Espruino build whose kernel blob is not built, saying what is missing', async () => {
    await expect(buildApp({ entry: APP, board: 'JOLTJS', model, outDir: tempDir('tinysense-dist-noblob-'), kernelsDir: tempDir('tinysense-empty-') }))
      .rejects.toThrow(/tinysense \(JOLTJS\): the Cortex-M4 kernel blob is not built: .*tinysense-m4\.json and .*tinysense-m4\.bin missing/);
  }, 60_000);

  it('fails a build that does not fit, with the budget and a hint', async () => {
    await expect(buildApp({ entry: APP, board: 'NRF52840DK', model, outDir: tempDir('tinysense-dist-dk-'), kernelsDir }))
      .rejects.toThrow(/does not fit nRF52840 Development Kit:[\s\S]*Storage holds 41(\.0)? KB/);
  }, 60_000);

  it('rejects what Espruino cannot run, naming the TypeScript line', async () => {
    const dir = tempDir('tinysense-bad-');
    const entry = join(dir, 'bad.ts');
    writeFileSync(entry, [
      "import { report } from '" + join(APP, '..', '..', '..', '..', 'device', 'events.js').replace(/\\/g, '/') + "';",
      'var seen = new Map<string, number>();',
      "seen.set('a', Math.imul(3, 4));",
      "report('seen', seen.size);",
      '',
    ].join('\n'));
    let message = '';
    // typecheck: false, as with --no-typecheck (the type check would stop at "Cannot find name 'Map'" first):
    // the compat check is what catches such code in plain JavaScript and in prototypes.
    await buildApp({ entry, board: 'ESP32', outDir: join(dir, 'dist'), typecheck: false }).catch((e: Error) => (message = e.message));
    expect(message).toContain('uses what ESP32 (Espruino) (espruino) cannot run');
    expect(message).toMatch(/bad\.ts:2:\d+ \(app\.js:\d+\): error \[missing-global\] Map does not exist on Espruino/);
    expect(message).toMatch(/bad\.ts:3:\d+ \(app\.js:\d+\): error \[missing-static\] Math\.imul does not exist on Espruino/);
  }, 60_000);

  it('is an ordinary rollup plugin, and refuses a second @rollup/plugin-typescript next to the one it adds', async () => {
    const seen: string[] = [];
    const spy: Plugin = { name: 'user-plugin', renderChunk: (code) => (seen.push(code.slice(0, 12)), null) };
    const build = await rollup({ input: APP, plugins: [tinysense({ board: 'ESP32', reports: false }), spy] });
    await build.generate({});
    await build.close();
    expect(seen).toHaveLength(1);
    await expect(rollup({ input: APP, plugins: [tinysense({ board: 'ESP32' }), { name: 'typescript' }] })).rejects.toThrow(/adds @rollup\/plugin-typescript itself/);
  }, 60_000);

  it('refuses TypeScript output that needs helpers Espruino cannot have', async () => {
    const dir = tempDir('tinysense-async-iter-');
    const entry = join(dir, 'iter.ts');
    writeFileSync(entry, 'declare var source: AsyncIterable<number>;\nasync function drain() { for await (var x of source) print(x); }\ndeclare function print(v: unknown): void;\ndrain();\n');
    await expect(buildApp({ entry, board: 'ESP32', outDir: join(dir, 'dist') }))
      .rejects.toThrow(/iter\.ts: TypeScript emitted the helper __asyncValues .* 'for await' needs Symbol\.asyncIterator/);
  }, 60_000);
});
