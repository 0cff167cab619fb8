// The Cortex-M4 fast paths (kernels-c/src, `#if TS_DSP`) against the portable C, case by case: the
// differential harness of kernels-c/test-dsp/ built natively (portable) and for ARMv7 Thumb-2 with
// the DSP extension under qemu-arm. A bounded slice here; `bash kernels-c/test-dsp/run.sh --cases N`
// runs a campaign of any size.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../host/paths.js';

const CASES = 3000;

it(`fast paths equal the portable C on ${CASES} random cases per family`, () => {
  const out = execFileSync('bash', [join(PACKAGE_ROOT, 'kernels-c', 'test-dsp', 'run.sh'), '--cases', String(CASES), '--seed', '7'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  for (const family of ['fc', 'conv', 'dw']) {
    expect(out).toMatch(new RegExp(`^dsp-diff ${family}: ${CASES} cases \\(seed 7\\), 0 differences$`, 'm'));
  }
  expect(out).toMatch(new RegExp(`^${3 * CASES} passed, 0 failed$`, 'm'));
}, 600_000);
