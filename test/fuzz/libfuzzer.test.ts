// The libFuzzer targets (kernels-c/fuzz/) as a short deterministic slice of `npm test`: built with
// clang 14 -fsanitize=fuzzer,address,undefined, each replays every regression input (kernels-c/fuzz/
// regressions/: every finding of a campaign) and 100 mutations from a fixed seed over the seed corpus
// (packs compiled from models/). A crash, a sanitizer report or a run over 1 s fails the test.
// `npm run fuzz -- --seconds N` is the campaign.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';
// @ts-expect-error: a plain ES module script
import { buildTargets, writeSeeds } from '../../scripts/fuzz.js';

const hasFuzzer = existsSync('/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a') || spawnSync('sh', ['-c', 'ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'tinysense-libfuzzer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(hasFuzzer)('libFuzzer targets: deterministic slice', () => {
  it('record check + ts_invoke, and the JerryScript natives: regressions replayed, 100 seeded mutations, no finding', async () => {
    const exes = buildTargets(work) as Record<string, string>;
    const seeds = join(work, 'seeds');
    expect(await writeSeeds(seeds)).toBeGreaterThan(10);
    for (const name of ['record', 'glue']) {
      const regressions = join(PACKAGE_ROOT, 'kernels-c', 'fuzz', 'regressions', name);
      const files = existsSync(regressions) ? readdirSync(regressions).map((f) => join(regressions, f)) : [];
      if (files.length) {
        const replay = spawnSync(exes[name], ['-timeout=1', ...files], { encoding: 'utf8' });
        expect(replay.status, `${name} regressions:\n${replay.stderr.slice(-3000)}`).toBe(0);
      }
      const corpus = join(work, `corpus-${name}`);
      spawnSync('mkdir', ['-p', corpus]);
      const r = spawnSync(exes[name], ['-seed=15', '-runs=100', '-timeout=1', `-artifact_prefix=${work}/`, '-max_len=524288', corpus, join(seeds, name)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status, `${name}:\n${r.stderr.slice(-3000)}`).toBe(0);
      expect(r.stderr).toMatch(/Done \d+ runs/);
    }
  }, 600_000);
});
