// `tinysense build` ships a kernel blob with only the kernels of the app's packs (built once per op
// set into kernels-c/out/app/), reports the full blob's size beside it, and the simulator runs that
// blob as the board would: its ts_invoke refuses an op it was built without. The device validator in
// the bundle likewise carries only the rule programs of the app's ops, and refuses another op by name.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { H } from '../../device/pack.js';
import { OP } from '../../device/records.js';
import { recordChecks } from '../../device/record-checks.js';
import { checkRecord, validateTables } from '../../device/validate.js';
import { buildApp } from '../../host/bundler/index.js';
import { keepRecordChecks } from '../../host/bundler/plugin.js';
import { compileTflite } from '../../host/model.js';
import { appKernelBlob } from '../../host/bundler/kernel-blob.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { SimulatedNative } from '../../host/sim/native.js';
import { DeviceMemory } from '../../host/sim/memory.js';

/** Per check function of record-checks.ts: its op codes and the string literals only it has. */
function checkMessages(): Map<string, { codes: number[]; strings: string[] }> {
  const file = join(PACKAGE_ROOT, 'device', 'record-checks.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2020, true);
  const others = readdirSync(join(PACKAGE_ROOT, 'device'))
    .filter((f) => f.endsWith('.ts') && f !== 'record-checks.ts')
    .map((f) => readFileSync(join(PACKAGE_ROOT, 'device', f), 'utf8'))
    .join('\n');
  const literals = new Map<string, string[]>();
  for (const statement of source.statements) {
    if (!ts.isFunctionDeclaration(statement) || !statement.name?.text.startsWith('check')) continue;
    const found: string[] = [];
    const walk = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) && node.text.length >= 6) found.push(node.text);
      ts.forEachChild(node, walk);
    };
    walk(statement);
    literals.set(statement.name.text, found);
  }
  const result = new Map<string, { codes: number[]; strings: string[] }>();
  for (const [fn, strings] of literals) {
    const own = strings.filter((text) => !others.includes(text) && [...literals].every(([g, list]) => g === fn || !list.includes(text)));
    const codes = [...source.text.matchAll(new RegExp(`checks\\[(\\d+)\\] = ${fn};`, 'g'))].map((m) => Number(m[1]));
    if (own.length && codes.length) result.set(fn, { codes, strings: own });
  }
  return result;
}

const out = mkdtempSync(join(tmpdir(), 'tinysense-app-blob-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('per-app kernel blob', () => {
  it('the gesture app ships only its kernels, and the budget says how much that saves', async () => {
    const app = join(PACKAGE_ROOT, 'examples', 'gesture');
    const { report, files } = await buildApp({ entry: join(app, 'app.ts'), board: 'BANGLEJS2', model: join(app, 'gesture.tflite'), outDir: out });
    expect(report.blob?.file).toMatch(/^tinysense-m4-[0-9a-f]{8}\.bin$/);
    expect(report.blob!.bytes).toBeLessThan(report.blob!.fullBytes * 0.7);
    expect(files.map((f) => f.split('/').pop())).toContain(report.blob!.file);
    expect(readFileSync(join(out, report.blob!.file)).length).toBe(report.blob!.bytes);
    const line = report.budget.items.find((i) => i.what === 'kernel blob');
    expect(line?.note).toContain(`all kernels: ${report.blob!.fullBytes} B`);
  }, 120_000);

  it("the gesture bundle's validator has the checks of the gesture model's ops only", async () => {
    const app = join(PACKAGE_ROOT, 'examples', 'gesture');
    const dir = join(out, 'rules');
    await buildApp({ entry: join(app, 'app.ts'), board: 'BANGLEJS2', model: join(app, 'gesture.tflite'), outDir: dir, minify: true });
    const bundle = readFileSync(join(dir, 'app.js'), 'utf8');
    const codes = new Set(compileTflite(new Uint8Array(readFileSync(join(app, 'gesture.tflite')))).ops.map((op) => OP[op.kernel as keyof typeof OP]));
    // Each check function's own messages (string literals no other function or device file has) show
    // whether it is in the bundle: the used ops' must be, the others' must not.
    const own = checkMessages();
    const present = [...own].filter(([, m]) => m.strings.some((text) => bundle.includes(JSON.stringify(text))));
    const expected = [...own].filter(([, m]) => m.codes.some((code) => codes.has(code)));
    expect(present.map(([fn]) => fn).sort()).toEqual(expected.map(([fn]) => fn).sort());
    expect(expected.length).toBeGreaterThan(1);
    expect(own.size - expected.length).toBeGreaterThan(10);
  }, 120_000);

  it('keepRecordChecks keeps exactly the asked checks and fails on a stale checks file', () => {
    const source = readFileSync(join(PACKAGE_ROOT, 'device', 'record-checks.ts'), 'utf8');
    const kept = keepRecordChecks(source, new Set([OP.CONV_2D, OP.SOFTMAX]));
    expect([...kept.matchAll(/^\s*checks\[(\d+)\]/gm)].map((m) => Number(m[1]))).toEqual([OP.CONV_2D, OP.SOFTMAX]);
    expect(() => keepRecordChecks(source, new Set([OP.CONV_2D, 999]))).toThrow(/1 of the app's 2 op codes/);
  });

  it("a pack with an op the app's validator has no rules for is refused by name before any kernel runs", () => {
    const compiled = compileTflite(new Uint8Array(readFileSync(join(PACKAGE_ROOT, 'examples', 'gesture', 'gesture.tflite'))));
    const pack = compiled.pack;
    const tables = validateTables(pack, () => new DataView(pack.buffer, pack.byteOffset).getUint32(H.crc, true));
    const rules = recordChecks();
    const first = compiled.ops[0];
    expect(checkRecord(pack, first.recordOffset, compiled.packBytes, 0, tables, undefined, rules)).toBe(OP[first.kernel as keyof typeof OP]);
    delete rules.checks[OP[first.kernel as keyof typeof OP]];
    expect(() => checkRecord(pack, first.recordOffset, compiled.packBytes, 0, tables, undefined, rules)).toThrow(
      `op 0 (${first.kernel}): this app's validator has no checks for ${first.kernel} (it was built for other models: rebuild the app with this model)`,
    );
  });

  it('the simulator answers TS_ERROR_UNKNOWN_OP for an op the blob lacks, and runs the ones it has', () => {
    const { blob } = appKernelBlob('tinysense-m4', [6]); // SOFTMAX only
    const memory = new DeviceMemory(64 * 1024);
    const native = new SimulatedNative(memory);
    const code = Buffer.from(blob.bytes).toString('latin1');
    const invoke = native.nativeCall(blob.entries.invoke | 1, 'int(int,int,int)', code);
    // A pack buffer with two records: a SOFTMAX over one row of 4, and an op code the blob lacks (CONV_2D).
    const pack = new Int32Array(64);
    const arena = new Int8Array(256).fill(5);
    pack.set([6, 9, /* input, output */ 0, 8, /* rows, row_size */ 1, 4, /* params */ 1 << 30, 0, -32], 0);
    pack.set([1, 35], 32);
    const packAddr = memory.addressOf(pack);
    const arenaAddr = memory.addressOf(arena);
    expect(invoke(packAddr + 128, arenaAddr, packAddr)).toBe(-1);
    expect(invoke(packAddr, arenaAddr, packAddr)).toBe(0);
    // Equal inputs: an even split of 256 over 4 outputs, i.e. -128 + 64 each.
    expect([...arena.subarray(8, 12)]).toEqual([-64, -64, -64, -64]);
  });
});
