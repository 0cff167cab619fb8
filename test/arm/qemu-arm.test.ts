// Every reference model (models/: the 56 operator models and the reference models),
// compiled by the project's compiler, run on the Cortex-M4 blob through the ARM Linux harness
// under qemu-arm, must match TFLM's golden outputs byte for byte.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Blob, buildHarnesses, buildPrivateBlob, requireTools, runQemuArm } from './arm.js';
import { ArmCase, REFERENCE_CASES, compareOutputs, expectedOf, inputsOf, moveCases, opsCases, packOf } from './models.js';

describe('reference models on the blob under qemu-arm match TFLM byte for byte', () => {
  let blob: Blob;
  let harness: string;
  beforeAll(() => {
    requireTools();
    blob = buildPrivateBlob();
    harness = buildHarnesses().linux;
  });
  afterAll(() => {
    if (blob) rmSync(blob.dir, { recursive: true, force: true });
  });

  const check = (c: ArmCase) => {
    const run = runQemuArm(harness, blob, packOf(c), inputsOf(c));
    expect(compareOutputs(run.output, expectedOf(c)), run.stdout).toBe('equal');
  };

  for (const c of REFERENCE_CASES) {
    it(c.name, (ctx) => {
      if (c.missing) {
        console.warn(c.missing);
        ctx.skip(c.missing);
      }
      check(c);
    }, 300_000);
  }
  for (const c of opsCases()) it(`ops/${c.name}`, () => check(c));
  for (const c of moveCases()) it(`move/${c.name}`, () => check(c));
});
