/**
 * The Storage an install needs (host/install.ts) in the build's budget: the person app's files on
 * Jolt.js (409,600 B) cannot be installed by copying (two copies), fit in place, and a build that
 * does not fit even in place is refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../host/bundler/boards.js';
import { formatBudget } from '../../host/bundler/budget.js';
import { boardBudget } from '../../host/engines/index.js';
import { loaderCode, planInstall } from '../../host/install.js';
import { storageCost } from '../../host/sim/storage.js';

// examples/person for Jolt.js as issue 18 measured it: 316,962 bytes in three files.
const PERSON = { bundle: { file: 'app.js', bytes: 64_770 }, models: [{ file: 'person.tsm', packBytes: 244_748, arenaBytes: 55_296 }], blob: { file: 'tinysense-m4.bin', bytes: 7_444 } };
const cost = (n: number) => 32 + Math.ceil(n / 4) * 4;

describe('install plan in the budget', () => {
  it('person on Jolt.js: staged needs both copies (too much), in place fits', () => {
    const r = boardBudget({ board: loadBoard('JOLTJS'), ...PERSON });
    const files = cost(64_770) + cost(244_748) + cost(7_444);
    const loader = cost(loaderCode().length);
    expect(r.fits).toBe(true);
    expect(r.install!.fresh.mode).toBe('in-place');
    expect(r.install!.fresh.stagedPeak).toBeGreaterThan(409_600);
    expect(r.install!.fresh.inPlacePeak).toBeGreaterThan(files + loader);
    expect(r.install!.fresh.inPlacePeak).toBeLessThan(files + loader + 200); // + the journal
    expect(r.install!.upgrade.mode).toBe('in-place');
    expect(r.install!.upgrade.stagedPeak).toBeGreaterThan(2 * files);
    expect(formatBudget(r)).toMatch(/install on an empty board: in-place, peak 319 KB of 410 KB Storage \(keeping the old app bootable needs 56\d KB/);
    console.log(formatBudget(r).split('\n').filter((l) => l.includes('install')).join('\n'));
  });

  it('person on Bangle.js 2 (8 MB Storage): staged, the old app stays bootable', () => {
    const r = boardBudget({ board: loadBoard('BANGLEJS2'), ...PERSON });
    expect(r.install!.fresh.mode).toBe('staged');
    expect(r.install!.upgrade.mode).toBe('staged');
  });

  it('a build that fits Storage but not an install of it is refused with the reason', () => {
    // 409,600 B: files of 408,000 B fit the Storage figure but not with the boot file and journal.
    const r = boardBudget({ board: loadBoard('JOLTJS'), bundle: { file: 'app.js', bytes: 1_000 }, models: [{ file: 'big.tsm', packBytes: 400_000, arenaBytes: 1000 }], blob: { file: 'tinysense-m4.bin', bytes: 7_444 } });
    expect(r.storage.used).toBeLessThanOrEqual(409_600);
    expect(r.fits).toBe(false);
    expect(r.problems.join('\n')).toMatch(/Jolt\.js: the build cannot be installed: Storage holds 409\.6 KB; the install needs 41\d\.\d KB even replacing the old files in place/);
  });

  it('peaks: the copy of the largest file counts once the old versions are erased', () => {
    const changed = [{ name: 'a', bytes: 1000 }, { name: 'b', bytes: 5000 }];
    const p = planInstall({ capacity: 1e6, base: 10_000, changed, oldChanged: 2000 });
    const t = storageCost(1000) + storageCost(5000);
    expect(p.mode).toBe('staged');
    expect(p.stagedPeak - (10_000 + t + Math.max(0, storageCost(5000) - 2000))).toBeGreaterThan(0); // + journal
    expect(p.inPlacePeak - (10_000 - 2000 + t)).toBeGreaterThan(0);
  });
});
