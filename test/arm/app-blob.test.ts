// Per-app blobs (kernels-c/arm/build.sh --ops): a blob built for a model's op codes runs that model
// byte for byte on the bare-metal Cortex-M4, is smaller than the full blob, and answers
// TS_ERROR_UNKNOWN_OP (-1) for an op it was not built with instead of running anything.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePack } from '../../device/validate.js';
import { crc32 } from '../../host/compiler/crc32.js';
import { BUILD_SH, Blob, BlobEntries, buildHarnesses, buildPrivateBlob, requireTools, runQemuM4 } from './arm.js';
import { REFERENCE_CASES, compareOutputs, expectedOf, inputsOf, int16Cases, opsReduceCases, packOf } from './models.js';

const person = REFERENCE_CASES.find((c) => c.name === 'person_detect')!;
const hello = REFERENCE_CASES.find((c) => c.name === 'hello_world')!;

function opCodes(pack: Uint8Array): number[] {
  const layout = validatePack(pack, (from, length) => crc32(pack.subarray(from, from + length)));
  return [...new Set(layout.ops)].sort((a, b) => a - b);
}

function buildAppBlob(codes: number[]): Blob {
  const out = mkdtempSync(join(tmpdir(), 'tinysense-app-blob-'));
  const r = spawnSync('bash', [BUILD_SH, '--out', out, '--ops', codes.join(',')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build.sh --ops failed:\n${r.stdout}${r.stderr}`);
  return { dir: out, bin: join(out, 'tinysense-m4.bin'), json: JSON.parse(readFileSync(join(out, 'tinysense-m4.json'), 'utf8')) as BlobEntries, log: r.stdout };
}

describe('a blob with only the kernels of one app', () => {
  let full: Blob;
  let app: Blob;
  let harness: string;
  const codes = opCodes(packOf(person));
  beforeAll(() => {
    requireTools();
    full = buildPrivateBlob();
    app = buildAppBlob(codes);
    harness = buildHarnesses().m4;
  });
  afterAll(() => {
    for (const b of [full, app]) if (b) rmSync(b.dir, { recursive: true, force: true });
  });

  it('lists its op codes and is smaller than the full blob', () => {
    expect((app.json as unknown as { ops: number[] }).ops).toEqual(codes);
    expect((full.json as unknown as { ops: null }).ops).toBeNull();
    expect(app.json.bytes).toBeLessThan(full.json.bytes * 0.8);
  });

  it('runs person_detect byte for byte', () => {
    const run = runQemuM4(harness, app, packOf(person), inputsOf(person));
    expect(compareOutputs(run.output, expectedOf(person)), run.stdout).toBe('equal');
  }, 300_000);

  it('refuses an op it lacks with TS_ERROR_UNKNOWN_OP', () => {
    expect(codes).not.toContain(3); // FULLY_CONNECTED: hello_world's only op
    expect(() => runQemuM4(harness, app, packOf(hello), inputsOf(hello))).toThrow(/op 0 \(code 3\) returned -1/);
  }, 300_000);
});

// Op codes 64 and above (TS_OPS_MASK2): a blob for the keyword body's SVDF (70) and FULLY_CONNECTED (3)
// runs it byte for byte across consecutive invokes and refuses TRANSPOSE_CONV (68), which it lacks.
describe('a per-app blob with op codes above 63', () => {
  let app: Blob;
  let harness: string;
  const kws = opsReduceCases().find((c) => c.name === 'kws_body')!;
  const tconv = opsReduceCases().find((c) => c.name === 'tconv_same_s2')!;
  const codes = opCodes(packOf(kws));
  beforeAll(() => {
    requireTools();
    app = buildAppBlob(codes);
    harness = buildHarnesses().m4;
  });
  afterAll(() => {
    if (app) rmSync(app.dir, { recursive: true, force: true });
  });

  it('runs the keyword body (SVDF) byte for byte', () => {
    expect(codes).toEqual([3, 70]);
    const run = runQemuM4(harness, app, packOf(kws), inputsOf(kws));
    expect(compareOutputs(run.output, expectedOf(kws)), run.stdout).toBe('equal');
  }, 300_000);

  it('refuses TRANSPOSE_CONV with TS_ERROR_UNKNOWN_OP', () => {
    expect(() => runQemuM4(harness, app, packOf(tconv), inputsOf(tconv))).toThrow(/op 0 \(code 68\) returned -1/);
  }, 300_000);
});

// Op codes 64-95 (the int16 ops) live in the third mask word (invoke.c TS_OPS_MASK2).
describe('a per-app blob for int16 models (op codes above 63)', () => {
  const conv = int16Cases().find((c) => c.name === 'zoo/tflm_seanet_conv0')!;
  const softmax = int16Cases().find((c) => c.name === 'int16/softmax_s16')!;
  let app: Blob;
  let harness: string;
  beforeAll(() => {
    requireTools();
    app = buildAppBlob(opCodes(packOf(conv)));
    harness = buildHarnesses().m4;
  });
  afterAll(() => {
    if (app) rmSync(app.dir, { recursive: true, force: true });
  });

  it('runs the SEANet int16 conv byte for byte and refuses an int16 op it lacks', () => {
    expect(opCodes(packOf(conv))).toEqual([80]);
    const run = runQemuM4(harness, app, packOf(conv), inputsOf(conv));
    expect(compareOutputs(run.output, expectedOf(conv)), run.stdout).toBe('equal');
    expect(() => runQemuM4(harness, app, packOf(softmax), inputsOf(softmax))).toThrow(/op 0 \(code 94\) returned -1/);
  }, 300_000);
});
