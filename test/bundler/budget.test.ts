/**
 * The budget report against figures computed here, independently, from the
 * rules it implements (Espruino 2v29: 14-byte JsVars, flat buffers of
 * 1 + ceil(n / 14) JsVars, typed arrays 2 JsVars more, the app's own objects
 * 0.051 JsVars per byte of code as measured on the real interpreter, 32-byte
 * Storage headers) and the board files.
 */
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../host/bundler/boards.js';
import { formatBudget, formatBytes } from '../../host/bundler/budget.js';
import { boardBudget } from '../../host/engines/index.js';

// A person-detection-sized model and a kernel blob.
const MODEL = { file: 'person.tsm', packBytes: 300_000, arenaBytes: 85_024, macs: 7_200_000 };
const BLOB = { file: 'tinysense-m4.bin', bytes: 12_000 };
const BUNDLE = { file: 'app.js', bytes: 24_000 };

const jsvars = (bytes: number): number => 1 + Math.ceil(bytes / 14);
/** The app's and the runtime's objects: 0.051 JsVars per byte of code (bench/espruino/heap-measured.json). */
const CODE = Math.ceil(24_000 * 0.051) * 14;

describe('budget', () => {
  it('Jolt.js: pack in place in memory-mapped Storage, arena and blob in the JS heap', () => {
    const r = boardBudget({ board: loadBoard('JOLTJS'), bundle: BUNDLE, models: [MODEL], blob: BLOB });
    expect(r.storage.capacity).toBe(100 * 4096);
    expect(r.storage.used).toBe(24_000 + 300_000 + 12_000 + 3 * 32);
    const heap = CODE + jsvars(12_000) * 14 + (jsvars(85_024) + 2) * 14; // app objects + blob copy + arena Uint8Array
    expect(r.jsHeap.capacity).toBe(12_000 * 14);
    expect(r.jsHeap.used).toBe(heap);
    expect(r.jsHeap.free).toBe(168_000 - heap);
    expect(r.items.find((i) => i.what === 'model pack' && i.region === 'jsHeap')!.cost).toBe(0);
    expect(r.fits).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    // 7.2 M MACs x 4 cycles at 64 MHz = 450 ms, labelled an estimate.
    expect(r.latencies).toHaveLength(1);
    expect(r.latencies[0]).toMatchObject({ file: 'person.tsm', estimate: true, macs: 7_200_000, cyclesPerMac: 4, clockMHz: 64 });
    expect(r.latencies[0].ms).toBeCloseTo((7_200_000 * 4) / 64_000, 6);
    expect(r.latencies[0].basis).toMatch(/the bench models' average under qemu/);
  });

  it('Bangle.js 2: Storage is not memory-mapped, so the pack is copied to RAM and does not fit', () => {
    const r = boardBudget({ board: loadBoard('BANGLEJS2'), bundle: BUNDLE, models: [MODEL], blob: BLOB });
    const pack = (jsvars(300_000) + 2) * 14;
    const used = CODE + pack + jsvars(12_000) * 14 + (jsvars(85_024) + 2) * 14;
    expect(r.jsHeap.used).toBe(used);
    expect(r.storage.capacity).toBe(8 * 1024 * 1024);
    expect(r.fits).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain(`Bangle.js 2 Storage is not memory-mapped: the pack needs ${Math.round(pack / 1000)} KB of RAM, the JS heap has 168 KB`);
    expect(formatBudget(r)).toContain('DOES NOT FIT');
  });

  it('nRF52840 DK: 40 KB of Storage does not hold the pack', () => {
    const r = boardBudget({ board: loadBoard('NRF52840DK'), bundle: BUNDLE, models: [MODEL], blob: BLOB });
    expect(r.storage.capacity).toBe(10 * 4096);
    expect(r.fits).toBe(false);
    expect(r.problems[0]).toMatch(/^nRF52840 Development Kit: Storage .* holds 41 KB, the build needs 336 KB, over by 295 KB \(app\.js 24 KB \+ person\.tsm 300 KB \+ tinysense-m4\.bin 12 KB\)/);
    // The JS heap (12500 JsVars) would hold it.
    expect(r.jsHeap.capacity).toBe(175_000);
    expect(r.jsHeap.used).toBeLessThan(175_000);
  });

  it('ESP32 with Espruino: no blob, an upper-bound heap, and a refusal: the kernels need custom firmware', () => {
    const r = boardBudget({ board: loadBoard('ESP32'), bundle: BUNDLE, models: [MODEL] });
    expect(r.items.some((i) => i.what.startsWith('kernel blob'))).toBe(false);
    expect(r.jsHeap).toMatchObject({ capacity: 16_383 * 14, exact: false });
    expect(r.jsHeap.used).toBe(CODE + (jsvars(85_024) + 2) * 14);
    expect(r.fits).toBe(false);
    expect(r.warnings.join('\n')).toMatch(/upper bound/);
    expect(r.problems.join('\n')).toMatch(/stock Espruino cannot run the model kernels on this board\. .*custom firmware/);
    expect(r.latencies[0].ms).toBeCloseTo((7_200_000 * 4) / 240_000, 6);
    expect(r.latencies[0].measured).toBe(false);
  });

  it('ESP32 with JerryScript: the program in the 64 KB heap, the arena in native memory, the pack in mapped flash', () => {
    const board = loadBoard('ESP32_JERRYSCRIPT');
    const r = boardBudget({ board, bundle: { ...BUNDLE, codeBytes: 15_000 }, models: [MODEL], cyclesPerMac: 2.5 });
    // 1.2 heap bytes per byte of code: byte code plus the app's objects (measured on JerryScript v3.0.0).
    expect(r.jsHeap).toMatchObject({ capacity: 64 * 1024, used: 18_000 });
    expect(r.nativeHeap).toMatchObject({ capacity: 532_480 - 65_536, used: 85_024, exact: false });
    expect(r.storage.used).toBe(24_000 + 300_000);
    expect(r.fits).toBe(true);
    expect(r.warnings.join('\n')).toMatch(/native memory is an upper bound/);
    expect(r.latencies[0]).toMatchObject({ cyclesPerMac: 2.5, clockMHz: 160 });
    expect(r.latencies[0].ms).toBeCloseTo((7_200_000 * 2.5) / 160_000, 6);
    expect(r.latencies[0].basis).toMatch(/cycles\/MAC given/);
    // A program too big for the heap: the hint says how to grow it.
    const big = boardBudget({ board, bundle: { ...BUNDLE, codeBytes: 58_000 }, models: [MODEL] });
    expect(big.fits).toBe(false);
    expect(big.problems[0]).toMatch(/JS heap has 66 KB, the build needs 70 KB .*--mem-heap/);
    // An arena beyond native memory.
    const huge = boardBudget({ board, bundle: { ...BUNDLE, codeBytes: 15_000 }, models: [{ ...MODEL, arenaBytes: 600_000 }] });
    expect(huge.problems[0]).toMatch(/native memory holds at most 467 KB, the build needs 600 KB \(arena 600 KB\)/);
  });

  it('two models (an audio front end and a classifier): each pack in Storage, each arena in RAM, latency only where there are MACs', () => {
    const frontEnd = { file: 'frontend.tsm', packBytes: 9_000, arenaBytes: 3_044, macs: 0 };
    const speech = { file: 'speech.tsm', packBytes: 17_000, arenaBytes: 5_960, macs: 336_000 };
    const r = boardBudget({ board: loadBoard('JOLTJS'), bundle: BUNDLE, models: [frontEnd, speech], blob: BLOB });
    expect(r.storage.used).toBe(24_000 + 9_000 + 17_000 + 12_000 + 4 * 32);
    expect(r.jsHeap.used).toBe(CODE + jsvars(12_000) * 14 + (jsvars(3_044) + 2) * 14 + (jsvars(5_960) + 2) * 14);
    // RAM parts name their pack, so the two arenas are told apart.
    expect(r.items.filter((i) => i.what === 'arena').map((i) => [i.file, i.cost])).toEqual([
      ['frontend.tsm', (jsvars(3_044) + 2) * 14],
      ['speech.tsm', (jsvars(5_960) + 2) * 14],
    ]);
    // The front end's signal ops have no MACs: no estimate for it rather than "0 ms".
    expect(r.latencies.map((l) => l.file)).toEqual(['speech.tsm']);
    expect(r.latencies[0].ms).toBeCloseTo((336_000 * 4) / 64_000, 6);
    expect(formatBudget(r)).toContain('invoke latency of speech.tsm');
    // Too big for the JS heap: the problem names each arena by its pack; Storage names are checked once each.
    const big = boardBudget({ board: loadBoard('JOLTJS'), bundle: BUNDLE, models: [{ ...frontEnd, arenaBytes: 90_000 }, { ...speech, arenaBytes: 90_000 }], blob: BLOB });
    expect(big.problems).toHaveLength(1);
    expect(big.problems[0]).toMatch(/arena \(frontend\.tsm\) 90 KB \+ arena \(speech\.tsm\) 90 KB/);
    const long = boardBudget({ board: loadBoard('JOLTJS'), bundle: BUNDLE, models: [{ ...frontEnd, file: 'a-front-end-pack-name-too-long.tsm' }, speech], blob: BLOB });
    expect(long.problems).toEqual(['Storage file name "a-front-end-pack-name-too-long.tsm" is longer than 28 characters']);
  });

  it('warns when little heap is left, refuses Storage names over 28 characters, and has no latency without MACs', () => {
    const tight = boardBudget({
      board: loadBoard('JOLTJS'), bundle: BUNDLE, blob: BLOB,
      models: [{ file: 'a-model-pack-name-that-is-too-long.tsm', packBytes: 1000, arenaBytes: 125_000 }],
    });
    expect(tight.latencies).toEqual([]);
    expect(tight.jsHeap.free).toBeLessThan(16_800);
    expect(tight.warnings.join('\n')).toMatch(/only .* of the JS heap is left/);
    expect(tight.problems).toEqual(['Storage file name "a-model-pack-name-that-is-too-long.tsm" is longer than 28 characters']);
  });

  it('formats sizes as board makers count them (1 KB = 1000 bytes)', () => {
    expect([formatBytes(999), formatBytes(1500), formatBytes(168_000), formatBytes(8_388_608), formatBytes(12_345_678), formatBytes(-4772)]).toEqual([
      '999 B', '1.5 KB', '168 KB', '8.39 MB', '12.3 MB', '-4.8 KB',
    ]);
  });
});
