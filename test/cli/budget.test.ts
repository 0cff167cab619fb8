// Issue 14, item 7: ESP32 (Espruino) said "fits", exit 0, while warning that stock Espruino cannot run the
// kernels; Xtensa latency came from an unmeasured 4 cycles/MAC; the NRF52840DK refusal did not mention
// --minify; "-33 KB free".
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../host/build/boards.js';
import { computeBudget, formatBudget, formatFree } from '../../host/build/budget.js';
import { cli } from './helpers.js';
import { tmpdir } from 'node:os';

const out = (name: string) => join(tmpdir(), `tinysense-cli-budget-${process.pid}-${name}`);

describe('honest budgets', () => {
  it('ESP32 (Espruino) with a model fails the build with the reason, exit 1', async () => {
    const r = await cli(['build', 'examples/gesture', '--board', 'ESP32', '-o', out('esp32')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tinysense: the build does not fit ESP32 (Espruino):\nESP32 (Espruino) (ESP32) budget: DOES NOT FIT');
    expect(r.stderr).toContain('problem: ESP32 (Espruino): stock Espruino cannot run the model kernels on this board. Stock Espruino cannot run the kernels on ESP32: the blob is Thumb-2');
    expect(r.stderr).toContain('Use an nRF52840 board (JOLTJS, BANGLEJS2, NRF52840DK) or ESP32_JERRYSCRIPT with the tinysense firmware.');
    expect(r.stdout).not.toContain('fits');
  });

  it('Xtensa latency is labelled "not measured", the Cortex-M4 one an estimate from measured cycles', () => {
    const model = { file: 'm.tsm', packBytes: 2000, arenaBytes: 400, macs: 10_288 };
    const xtensa = computeBudget({ board: loadBoard('ESP32_JERRYSCRIPT'), bundle: { file: 'app.js', bytes: 10_000 }, models: [model] });
    expect(formatBudget(xtensa)).toContain(
      '  invoke latency of m.tsm: not measured for xtensa-lx6 (10288 MACs x 4 cycles/MAC at 160 MHz (assumed for xtensa-lx6, not measured) would give ~0.3 ms; give --cycles-per-mac once measured on the board)',
    );
    const m4 = computeBudget({ board: loadBoard('JOLTJS'), bundle: { file: 'app.js', bytes: 10_000 }, models: [model] });
    expect(formatBudget(m4)).toContain('  invoke latency of m.tsm: ~0.6 ms (estimate: 10288 MACs x 4 cycles/MAC at 64 MHz (the bench models\' average under qemu, bench/arm/m4-cycles.json))');
  });

  it('NRF52840DK: the unminified gesture app is refused with "over by" and --minify; a small app minified fits', async () => {
    const big = await cli(['build', 'examples/gesture', '--board', 'NRF52840DK', '-o', out('dk')]);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/Storage \(internal flash \(10 pages of 4 KB\)\): \d+ KB of 41 KB used, over by \d+ KB\n/);
    expect(big.stderr).not.toMatch(/-\d+(\.\d)? KB free/);
    expect(big.stderr).toMatch(/problem: nRF52840 Development Kit: Storage .* holds 41 KB, the build needs \d+ KB, over by \d+ KB \(.*\)\. Build with --minify \(minify: true\) to drop comments and indentation from the bundle\. Espruino's nRF52840 DK build keeps only 10 pages \(40 KB\) of Storage/);
    // A small app (one FULLY_CONNECTED model, minified, portable-C blob) fits the DK with its install: the
    // runtime's bundle is ~33 KB minified.
    const small = await cli(['build', 'test/build/fixtures/app.ts', '--model', 'models/hello_world/hello_world_int8.tflite', '--board', 'NRF52840DK', '--minify', '-o', out('dk-min')]);
    expect(small.code, small.stderr).toBe(0);
    expect(small.stdout).toMatch(/budget: fits\n\s+Storage \(internal flash \(10 pages of 4 KB\)\): \d+ KB of 41 KB used, [\d.]+ KB free/);
  });

  it('negative free space reads "over by"', () => {
    expect(formatFree(-33_000)).toBe('over by 33 KB');
    expect(formatFree(30_000)).toBe('30 KB free');
  });
});
