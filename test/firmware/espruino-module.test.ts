// firmware/espruino/jswrap_tinysense.c compiles, with -Wall -Wextra -Werror, against the declarations of
// the Espruino API it uses (firmware/espruino/espruino-api-check.h, our own text: Espruino's sources are
// never committed), together with the kernels, for a 32-bit target; and refuses a 64-bit one, where
// Espruino's 32-bit E.getAddressOf/JsVarInt cannot hold addresses. Its JSON wrapper comments are the ones
// Espruino's build_jswrapper.py reads, with at most four parameters (it refuses more without JsVarArray).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';

const DIR = join(PACKAGE_ROOT, 'firmware', 'espruino');
const SRC = join(PACKAGE_ROOT, 'kernels-c', 'src');
const work = mkdtempSync(join(tmpdir(), 'tinysense-espruino-module-'));

function compile(cc: string, flags: string[], file: string) {
  return spawnSync(cc, ['-std=gnu99', '-Wall', '-Wextra', '-Werror', '-DTINYSENSE_ESPRUINO_API_CHECK', `-I${DIR}`, `-I${join(PACKAGE_ROOT, 'kernels-c', 'include')}`, ...flags, '-c', file, '-o', join(work, `${file.replace(/.*\//, '')}.o`)], { encoding: 'utf8' });
}

describe('the Espruino firmware module', () => {
  it('compiles with the kernels for a 32-bit target (Cortex-M4 and Xtensa-like portable C) with -Werror', () => {
    for (const flags of [['-Os', '-mthumb', '-mcpu=cortex-m4'], ['-O2', '-mthumb', '-mcpu=cortex-m4', '-DTS_NO_DSP']]) {
      const r = compile('arm-none-eabi-gcc', flags, join(DIR, 'jswrap_tinysense.c'));
      expect(r.status, r.stderr).toBe(0);
      for (const f of readdirSync(SRC).filter((n) => n.endsWith('.c'))) {
        const k = compile('arm-none-eabi-gcc', [...flags, '-Wno-unused-parameter'], join(SRC, f));
        expect(k.status, `${f}: ${k.stderr}`).toBe(0);
      }
    }
  });

  it('refuses a 64-bit address space with a reason', () => {
    const r = compile('gcc', [], join(DIR, 'jswrap_tinysense.c'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/needs a 32-bit address space/);
  });

  it("declares each native in Espruino's JSON wrapper style, generate names matching the C and the header", () => {
    const c = readFileSync(join(DIR, 'jswrap_tinysense.c'), 'utf8');
    const h = readFileSync(join(DIR, 'jswrap_tinysense.h'), 'utf8');
    const blocks = [...c.matchAll(/\/\*JSON(\{[\s\S]*?\n\})/g)].map((m) => JSON.parse(m[1]) as { type: string; class: string; name?: string; generate?: string; params?: unknown[] });
    expect(blocks[0]).toEqual({ type: 'class', class: 'tinysense' });
    const methods = blocks.slice(1);
    expect(methods.map((b) => b.name)).toEqual(['invoke', 'invokeOps', 'checksum', 'preprocess']);
    for (const m of methods) {
      expect(m.type).toBe('staticmethod');
      expect(m.class).toBe('tinysense');
      expect((m.params ?? []).length).toBeLessThanOrEqual(4);
      expect(c).toMatch(new RegExp(`\\n\\w+ \\*?${m.generate}\\(`));
      expect(h).toContain(`${m.generate}(`);
    }
  });
});
