// The Cortex-M4 fast paths (kernels-c/src, `#if TS_DSP`) against the portable C, case by case: the
// differential harness of kernels-c/test-dsp/ built natively (portable) and for ARMv7 Thumb-2 with
// the DSP extension under qemu-arm. A bounded slice here; `bash kernels-c/test-dsp/run.sh --cases N`
// runs a campaign of any size.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';

const CASES = 3000;
// Every fast path (its TS_PATH name, kernels-c/src/dsp.h) must run on some of the cases, or the
// differential test proves nothing about it.
const FAST_PATHS: Record<string, string[]> = {
  fc: ['fc_rows4', 'fc_rows1', 'fc_portable'],
  conv: ['conv_1x1', 'conv_im2col', 'conv_general'],
  dw: ['dw_m1', 'dw_m1_k3', 'dw_m1_k3_band', 'dw_c3', 'dw_c1'],
  add: ['add_row'],
};

it(`fast paths equal the portable C on ${CASES} random cases per family`, () => {
  const out = execFileSync('bash', [join(PACKAGE_ROOT, 'kernels-c', 'test-dsp', 'run.sh'), '--cases', String(CASES), '--seed', '7'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  for (const [family, paths] of Object.entries(FAST_PATHS)) {
    expect(out).toMatch(new RegExp(`^dsp-diff ${family}: ${CASES} cases \\(seed 7\\), 0 differences$`, 'm'));
    const section = out.slice(out.indexOf(`dsp-diff ${family}:`)).split(/^dsp-diff /m)[1];
    for (const path of paths) expect(section, `${family}: fast path ${path} never ran`).toMatch(new RegExp(`^  path ${path} [1-9]`, 'm'));
  }
  expect(out).toMatch(new RegExp(`^${Object.keys(FAST_PATHS).length * CASES} passed, 0 failed$`, 'm'));
}, 600_000);
