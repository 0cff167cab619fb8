// The C kernels built natively with the host compiler: exact known values (also under UBSan), and the
// shared TFLM goldens through an independent Python reimplementation of the compiler's arithmetic
// (kernels-c/test-native/README.md).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';

it('kernels-c/test-native: unit values and goldens', () => {
  const out = execFileSync('bash', [join(PACKAGE_ROOT, 'kernels-c', 'test-native', 'run.sh')], { encoding: 'utf8' });
  expect(out).toMatch(/^unit: \d+ passed, 0 failed$/m);
  expect(out).toMatch(/^ubsan \d+ passed, 0 failed$/m);
  expect(out).toMatch(/^golden: 430 passed, 0 failed$/m);
});
