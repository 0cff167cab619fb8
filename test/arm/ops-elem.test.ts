// ops-elem on the Cortex-M4 blob (bare-metal qemu-system-arm): every ops-elem fixture model
// (test/compiler/ops-elem.test.ts; SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, PRELU, the comparisons,
// SELECT_V2 and the table ops) must give TFLM's goldens byte for byte, as on WebAssembly.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, OPS_ELEM_DIR } from '../compiler/ops-elem-cases.js';
import { Blob, buildHarnesses, buildPrivateBlob, requireTools, runQemuM4 } from './arm.js';
import { ArmCase, compareOutputs, expectedOf, inputsOf, packOf } from './models.js';

function armCase(name: string, outputs: number): ArmCase {
  const file = (f: string) => join(OPS_ELEM_DIR, f);
  const golden: string[] = [];
  for (const k of [0, 1]) for (let j = 0; j < outputs; j++) golden.push(file(`${name}.${k}.${j}.golden.bin`));
  return { name, category: 'ops-elem', model: file(`${name}.tflite`), inputs: [0, 1].map((k) => file(`${name}.${k}.in.bin`)), golden };
}

describe('ops-elem models on a bare-metal Cortex-M4 (qemu-system-arm) match TFLM byte for byte', () => {
  let blob: Blob;
  let harness: string;
  beforeAll(() => {
    requireTools();
    blob = buildPrivateBlob();
    harness = buildHarnesses().m4;
  });
  afterAll(() => {
    if (blob) rmSync(blob.dir, { recursive: true, force: true });
  });
  for (const c of CASES.map((e) => armCase(e.name, e.outputs.length))) {
    it(c.name, () => {
      expect(c.golden.every((g) => existsSync(g))).toBe(true);
      const run = runQemuM4(harness, blob, packOf(c), inputsOf(c));
      expect(compareOutputs(run.output, expectedOf(c)), run.stdout).toBe('equal');
    }, 120_000);
  }
});
