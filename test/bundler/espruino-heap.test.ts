// The Espruino JS heap estimate against the real interpreter: bench/espruino/heap-measured.json holds
// process.memory() figures of the example apps run by the project's boot file in Espruino 2v29 (LINUX
// board for 32-bit Arm under qemu-arm, 12,000 14-byte JsVars as Jolt.js and Bangle.js 2;
// bench/espruino/real.js). The build's budget (computeBudget, from the same build figures) and the
// simulator's process.memory() must each be within 15% of every recorded figure.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { join } from 'node:path';
import { boardBudget } from '../../host/engines/index.js';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../host/bundler/boards.js';
import { ESPRUINO_JSVARS_PER_CODE_BYTE, cameraBuffers, codeJsVars, typedArrayJsVars } from '../../host/engines/espruino-heap.js';
import type { EspruinoBoard } from '../../host/sim/espruino.js';
import { simulate } from '../../host/sim/index.js';

interface HeapRecord {
  example: string;
  board: string;
  build: {
    bundleBytes: number;
    codeBytes: number;
    blobBytes: number;
    models: { file: string; packBytes: number; arenaBytes: number }[];
    buffers: { what: string; bytes: number }[];
  };
  packMapped: boolean;
  measured: { total: number; blocksize: number; usage: number; noAppUsage: number; appJsVars: number };
}

const ROOT = join(new URL('.', import.meta.url).pathname, '../..');
const measured = JSON.parse(readFileSync(join(ROOT, 'bench/espruino/heap-measured.json'), 'utf8')) as { records: HeapRecord[] };
const TOLERANCE = 0.15;

/** A full V8 collection, then a turn of the event loop so FinalizationRegistry callbacks run. */
async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The build's JS heap estimate for a recorded build, in JsVars. */
function estimate(r: HeapRecord): number {
  const board = loadBoard(r.board);
  const report = boardBudget({
    board,
    bundle: { file: 'app.js', bytes: r.build.bundleBytes, codeBytes: r.build.codeBytes },
    models: r.build.models.map((m) => ({ file: m.file, packBytes: m.packBytes, arenaBytes: m.arenaBytes })),
    blob: { file: 'tinysense-m4.bin', bytes: r.build.blobBytes },
    buffers: r.build.buffers,
  });
  return report.jsHeap.used / (board.jsHeap.kind === 'jsvars' ? board.jsHeap.bytesPerVariable : 1);
}

describe('the Espruino JS heap estimate, calibrated on Espruino 2v29', () => {
  it('has real-interpreter figures for the three examples, on heaps shaped like the boards', () => {
    expect(new Set(measured.records.map((r) => r.example))).toEqual(new Set(['gesture', 'keyword', 'person']));
    for (const r of measured.records) {
      const board = loadBoard(r.board);
      if (board.jsHeap.kind !== 'jsvars') throw new Error(`${r.board} is not an Espruino board`);
      expect(r.measured.total).toBe(board.jsHeap.variables);
      expect(r.measured.blocksize).toBe(board.jsHeap.bytesPerVariable);
      // The interpreter used the pack the way the board does: in place from mapped Storage, or copied.
      expect(r.packMapped).toBe(board.storage.memoryMapped);
      expect(r.measured.appJsVars).toBe(r.measured.usage - r.measured.noAppUsage);
    }
  });

  for (const r of measured.records) {
    it(`${r.example} on ${r.board}: the budget is within 15% of the ${r.measured.appJsVars} JsVars measured`, () => {
      const est = estimate(r);
      expect(Math.abs(est - r.measured.appJsVars) / r.measured.appJsVars).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('the old budget (flat buffers only) was low by 1.4-3.5x: the calibrated part is most of a small app', () => {
    for (const r of measured.records) {
      const flatOnly = estimate(r) - codeJsVars(r.build.codeBytes) - r.build.buffers.reduce((n, b) => n + typedArrayJsVars(b.bytes, 14), 0);
      expect(r.measured.appJsVars / flatOnly).toBeGreaterThan(1.3);
    }
    expect(ESPRUINO_JSVARS_PER_CODE_BYTE).toBeGreaterThan(0);
  });

  it("finds the camera's frame buffer in person's code, and none in gesture's", () => {
    const person = readFileSync(join(ROOT, 'examples/person/app.ts'), 'utf8');
    expect(cameraBuffers(person)).toEqual([{ what: 'camera frame buffer (96x96)', bytes: 96 * 96 + 1 }]);
    expect(cameraBuffers(readFileSync(join(ROOT, 'examples/gesture/app.ts'), 'utf8'))).toEqual([]);
    expect(cameraBuffers('openCamera(160,120,{cs:5})')).toEqual([{ what: 'camera frame buffer (160x120)', bytes: 160 * 120 + 1 }]);
  });
});

describe("the simulator's process.memory() counts JsVars as Espruino does", () => {
  const steady = [
    { example: 'person', board: 'JOLTJS', trace: 'traces/hall.json', ms: 3500 },
    { example: 'gesture', board: 'BANGLEJS2', trace: 'traces/heldout.csv', ms: 3000 },
  ];
  for (const s of steady) {
    const r = measured.records.find((x) => x.example === s.example && x.board === s.board)!;
    it(`${s.example} on ${s.board}: usage within 15% of the real interpreter's ${r.measured.appJsVars} JsVars`, async () => {
      const app = join(ROOT, 'examples', s.example);
      const sim = await simulate({ app, board: s.board, trace: join(app, s.trace), outDir: join('out', 'test', `heap-${s.example}-${s.board}`) });
      sim.advance(s.ms);
      expect(sim.errors).toEqual([]);
      // Espruino's process.memory() collects garbage before it counts; the simulator counts a buffer until
      // V8 collects it, so collect here (frames the camera returned earlier are garbage on both).
      await collectGarbage();
      const m = (sim.board as EspruinoBoard).evaluate('process.memory()') as { usage: number; free: number; total: number; blocksize: number };
      expect(m.total).toBe(r.measured.total);
      expect(m.blocksize).toBe(r.measured.blocksize);
      expect(m.free).toBe(m.total - m.usage);
      expect(Math.abs(m.usage - r.measured.appJsVars) / r.measured.appJsVars).toBeLessThanOrEqual(TOLERANCE);
    }, 120_000);
  }
});
