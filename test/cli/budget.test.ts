// Issue 14, item 7: ESP32 (Espruino) said "fits", exit 0, while warning that stock Espruino cannot run the
// kernels; Xtensa latency came from an unmeasured 4 cycles/MAC; the NRF52840DK refusal did not mention
// --minify; "-33 KB free".
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../host/bundler/boards.js';
import { formatBudget, formatFree } from '../../host/bundler/budget.js';
import { boardBudget } from '../../host/engines/index.js';
import { cli } from './helpers.js';
import { tmpdir } from 'node:os';

const out = (name: string) => join(tmpdir(), `tinysense-cli-budget-${process.pid}-${name}`);

describe('honest budgets', () => {
  it('ESP32 (Espruino) with a model fails the build with the reason, exit 1', async () => {
    // The gesture model in an app without Bangle (the gesture example's Bangle is a global ESP32 lacks, refused first).
    const r = await cli(['build', 'test/bundler/fixtures/app.ts', '--model', 'examples/gesture/gesture.tflite', '--board', 'ESP32', '-o', out('esp32')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tinysense: the build does not fit ESP32 (Espruino):\nESP32 (Espruino) (ESP32) budget: DOES NOT FIT');
    expect(r.stderr).toContain('problem: ESP32 (Espruino): stock Espruino cannot run the model kernels on this board. Stock Espruino cannot run the kernels on ESP32: the blob is Thumb-2');
    expect(r.stderr).toContain('Use an nRF52840 board (JOLTJS, BANGLEJS2, NRF52840DK) or ESP32_JERRYSCRIPT with the tinysense firmware.');
    expect(r.stdout).not.toContain('fits');
  });

  it('Xtensa latency is labelled "not measured", the Cortex-M4 one an estimate from measured cycles', () => {
    const model = { file: 'm.tsm', packBytes: 2000, arenaBytes: 400, macs: 10_288 };
    const xtensa = boardBudget({ board: loadBoard('ESP32_JERRYSCRIPT'), bundle: { file: 'app.js', bytes: 10_000 }, models: [model] });
    expect(formatBudget(xtensa)).toContain(
      '  invoke latency of m.tsm: not measured for xtensa-lx6 (10288 MACs x 4 cycles/MAC at 160 MHz (assumed for xtensa-lx6, not measured) would give ~0.3 ms; give --cycles-per-mac once measured on the board)',
    );
    const m4 = boardBudget({ board: loadBoard('JOLTJS'), bundle: { file: 'app.js', bytes: 10_000 }, models: [model] });
    expect(formatBudget(m4)).toContain('  invoke latency of m.tsm: ~0.6 ms (estimate: 10288 MACs x 4 cycles/MAC at 64 MHz (the bench models\' average under qemu, bench/arm/m4-cycles.json))');
  });

  it('NRF52840DK: the unminified gesture app is refused with "over by" and --minify; even a small app minified is refused with why and what to do', async () => {
    // The gesture model in an app without Bangle (a global the DK lacks, which the build refuses first).
    const big = await cli(['build', 'test/bundler/fixtures/app.ts', '--model', 'examples/gesture/gesture.tflite', '--board', 'NRF52840DK', '-o', out('dk')]);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/Storage \(internal flash \(10 pages of 4 KB\)\): \d+ KB of 41 KB used, over by \d+ KB\n/);
    expect(big.stderr).not.toMatch(/-\d+(\.\d)? KB free/);
    expect(big.stderr).toMatch(/problem: nRF52840 Development Kit: Storage .* holds 41 KB, the build needs \d+ KB, over by \d+ KB \(.*\)\. Build with --minify \(minify: true\) to drop comments and indentation from the bundle\. Espruino's nRF52840 DK build keeps only 10 pages \(40 KB\) of Storage/);
    // A small app (one FULLY_CONNECTED model, minified, portable-C blob) just fits, now that a bundle carries
    // only its own engine's binding: installed in place, as keeping the old app bootable needs twice the room.
    const small = await cli(['build', 'test/bundler/fixtures/app.ts', '--model', 'models/hello_world/hello_world_int8.tflite', '--board', 'NRF52840DK', '--minify', '-o', out('dk-min')]);
    expect(small.code).toBe(0);
    const report = small.stdout + small.stderr;
    expect(report).toMatch(/budget: fits/);
    expect(report).toMatch(/install on an empty board: in-place, peak [\d.]+ KB of 41 KB Storage \(keeping the old app bootable needs [\d.]+ KB/);
    // Twice the app is over, and the refusal says why and what to do instead.
    const twice = await cli(['build', 'examples/keyword', '--board', 'NRF52840DK', '--minify', '-o', out('dk-keyword')]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('build Espruino for the DK with more saved_code pages (boards/NRF52840DK.py) or use Jolt.js (400 KB of Storage)');
  });

  it('negative free space reads "over by"', () => {
    expect(formatFree(-33_000)).toBe('over by 33 KB');
    expect(formatFree(30_000)).toBe('30 KB free');
  });
});
