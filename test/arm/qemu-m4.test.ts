// The exact instruction set: a bare-metal Cortex-M4 (qemu-system-arm -M mps2-an386), where an
// instruction the M4 lacks faults. One operator model per category, hello_world, micro_speech
// and person_detect must match TFLM byte for byte; the stack the deepest call needs is reported.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Blob, buildHarnesses, buildPrivateBlob, requireTools, runQemuM4 } from './arm.js';
import { ArmCase, REFERENCE_CASES, compareOutputs, expectedOf, inputsOf, moveCases, opsCases, packOf } from './models.js';

const M4_REFERENCE = ['hello_world', 'micro_speech', 'person_detect'];

function onePerCategory(cases: ArmCase[]): ArmCase[] {
  const seen = new Set<string>();
  return cases.filter((c) => !seen.has(c.category) && seen.add(c.category));
}

describe('models on a bare-metal Cortex-M4 (qemu-system-arm) match TFLM byte for byte', () => {
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

  const check = (c: ArmCase) => {
    const run = runQemuM4(harness, blob, packOf(c), inputsOf(c));
    expect(compareOutputs(run.output, expectedOf(c)), run.stdout).toBe('equal');
    return run;
  };

  for (const c of REFERENCE_CASES.filter((r) => M4_REFERENCE.includes(r.name))) {
    it(c.name, () => {
      const run = check(c);
      // Espruino runs native code on its own stack: keep the kernels' need visible and bounded.
      expect(run.stack).toBeGreaterThan(0);
      expect(run.stack).toBeLessThan(4096);
    }, 300_000);
  }
  for (const c of onePerCategory(opsCases())) it(`ops/${c.name}`, () => void check(c));
  for (const c of onePerCategory(moveCases())) it(`move/${c.name}`, () => void check(c));
});
