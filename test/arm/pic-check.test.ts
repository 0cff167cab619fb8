// kernels-c/arm/pic-check.mjs must reject every way C can stop being position-independent (or
// leave the blob), and accept the patterns that are fine. Each fixture in fixtures/pic/ is a
// source set built by the real build.sh; fixtures/pic/good must pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBlob, requireTools } from './arm.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'pic');

const MUST_FAIL: [string, RegExp[]][] = [
  ['pointer-table', [/section \.data holds 8 bytes \(table\)/, /R_ARM_ABS32 in \.rel\.data/]],
  ['global-state', [/section \.data holds 4 bytes \(last\)/, /section \.bss holds 4 bytes \(calls\)/]],
  ['div64', [/undefined symbol __aeabi_ldivmod .*64-bit division/]],
  ['double', [/undefined symbol __aeabi_dmul .*double-precision/]],
  ['memcpy', [/undefined symbol memcpy .*struct assignment/]],
  ['got', [/undefined symbol _GLOBAL_OFFSET_TABLE_ .*GOT/]],
  ['arm-state', [/ARM-state code at arm_add/]],
  ['neon', [/vadd\.i8.*Advanced SIMD/]],
  ['movw-abs', [/R_ARM_THM_MOVW_ABS_NC at get_table/, /image depends on its link address/]],
  ['literal-abs', [/R_ARM_ABS32 at get_table\+0x4 against table_lit/, /image depends on its link address/]],
  ['vla', [/run-time sized stack area/]],
];

describe('pic-check rejects what is not position-independent', () => {
  let out: string;
  beforeAll(() => {
    requireTools();
    out = mkdtempSync(join(tmpdir(), 'tinysense-pic-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('accepts const tables, switch tables, float, 32-bit division and calls across files', () => {
    const blob = buildBlob(join(out, 'good'), join(FIXTURES, 'good'));
    expect(blob.log).toMatch(/pic-check: ok/);
    expect(blob.log).toMatch(/R_ARM_REL32/); // a PC-relative literal for the const tables
  });

  for (const [name, patterns] of MUST_FAIL) {
    it(`rejects ${name}`, () => {
      let message = '';
      try {
        buildBlob(join(out, name), join(FIXTURES, name));
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, `build.sh must fail for ${name}`).toMatch(/build\.sh failed/);
      for (const p of patterns) expect(message).toMatch(p);
    });
  }
});
