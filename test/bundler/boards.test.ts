/**
 * Board definitions: every file validates, the key figures are the ones
 * checked in Espruino's source (and, where a copy of Espruino's repository is
 * at hand, re-read from its board files), and the loader's errors say what
 * is wrong.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOARDS_DIR, listBoards, loadBoard, simBoardInfo, validateBoard } from '../../host/bundler/boards.js';
import { engineOf } from '../../host/engines/index.js';
import { tempDir } from './support.js';

const ESPRUINO_REPO = '/work/.mirror/espruino+Espruino/repo';
const haveEspruino = existsSync(ESPRUINO_REPO);

/** A numeric field of an Espruino board file at the 2v29 release. */
function espruinoBoardFigure(board: string, pattern: RegExp): number {
  const text = execFileSync('git', ['-C', ESPRUINO_REPO, 'show', `RELEASE_2V29:boards/${board}.py`], { encoding: 'utf8' });
  const m = pattern.exec(text);
  if (!m) throw new Error(`${pattern} not found in boards/${board}.py`);
  return Number(m[1]);
}

describe('boards', () => {
  it('has the five boards, each valid', () => {
    expect(listBoards()).toEqual(['BANGLEJS2', 'ESP32', 'ESP32_JERRYSCRIPT', 'JOLTJS', 'NRF52840DK']);
    for (const id of listBoards()) expect(loadBoard(id).id).toBe(id);
  });

  it('carries the figures checked in Espruino 2v29', () => {
    const bangle = loadBoard('banglejs2');
    expect(bangle.jsHeap).toEqual({ kind: 'jsvars', variables: 12000, bytesPerVariable: 14, bytes: 168000, exact: true });
    expect(bangle).toMatchObject({ engine: 'espruino', cpu: 'cortex-m4f', clockMHz: 64, ramBytes: 256 * 1024, flashBytes: 1024 * 1024 });
    expect(bangle.storage).toMatchObject({ bytes: 8 * 1024 * 1024, memoryMapped: false });
    expect(bangle.nativeCall).toMatchObject({ supported: true, kernels: 'blob', blob: 'tinysense-m4' });
    expect(bangle.sensors.find((s) => s.name === 'accelerometer')?.defaultRateHz).toBe(12.5);
    expect(loadBoard('JOLTJS').storage).toMatchObject({ bytes: 409600, memoryMapped: true });
    expect(loadBoard('NRF52840DK').jsHeap.bytes).toBe(12500 * 14);
    expect(loadBoard('ESP32').nativeCall).toMatchObject({ supported: false, kernels: 'firmware' });
    expect(loadBoard('ESP32').jsHeap.exact).toBe(false);
    expect(loadBoard('ESP32_JERRYSCRIPT')).toMatchObject({ engine: 'jerryscript', jsHeap: { kind: 'heap', bytes: 65536 } });
  });

  it.skipIf(!haveEspruino)('matches the board files of Espruino RELEASE_2V29', () => {
    for (const id of ['BANGLEJS2', 'JOLTJS', 'NRF52840DK', 'ESP32']) {
      const board = loadBoard(id);
      const variables = espruinoBoardFigure(id, /'variables'\s*:\s*(\d+)/);
      expect(board.jsHeap.kind === 'jsvars' && board.jsHeap.variables, id).toBe(variables);
      expect(board.clockMHz, id).toBe(espruinoBoardFigure(id, /'speed'\s*:\s*(\d+)/));
      if (id !== 'ESP32') {
        expect(board.ramBytes, id).toBe(espruinoBoardFigure(id, /'ram'\s*:\s*(\d+)/) * 1024);
        expect(board.flashBytes, id).toBe(espruinoBoardFigure(id, /'flash'\s*:\s*(\d+)/) * 1024);
      }
      const pages = espruinoBoardFigure(id, /^\s*'pages'\s*:\s*(\d+)/m);
      expect(board.storage.bytes, id).toBe(pages * 4096);
    }
  });

  it('names the known boards when the board is unknown, and accepts a board file path', () => {
    expect(() => loadBoard('PUCKJS')).toThrow('unknown board "PUCKJS"; known boards: BANGLEJS2, ESP32, ESP32_JERRYSCRIPT, JOLTJS, NRF52840DK');
    expect(loadBoard(join(BOARDS_DIR, 'JOLTJS.json')).id).toBe('JOLTJS');
    expect(() => loadBoard('/nonexistent/board.json')).toThrow('does not exist');
  });

  it('lists every problem of an invalid board file', () => {
    const jolt = loadBoard('JOLTJS') as unknown as Record<string, unknown>;
    const broken = { ...jolt, cpu: 'z80', clockMHz: -1, jsHeap: { kind: 'jsvars', variables: 100, bytesPerVariable: 14, bytes: 1, exact: true }, sources: {} };
    const dir = tempDir('tinysense-board-');
    const path = join(dir, 'BROKEN.json');
    writeFileSync(path, JSON.stringify(broken));
    let message = '';
    try {
      loadBoard(path);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('invalid board definition');
    expect(message).toContain('cpu must be one of cortex-m4f, xtensa-lx6');
    expect(message).toContain('clockMHz must be a number > 0');
    expect(message).toContain('jsHeap.bytes (1) must equal variables x bytesPerVariable (100 x 14 = 1400)');
    expect(message).toContain('sources.jsHeap must say where the figure comes from');
    // What an engine requires of its boards is the engine's (host/engines/): engineOf refuses such a board.
    const jerryBlob = validateBoard({ ...jolt, engine: 'jerryscript', nativeHeap: { bytes: 1000, exact: false }, sources: { ...(jolt.sources as object), nativeHeap: 'x' } }, 'x');
    expect(() => engineOf(jerryBlob)).toThrow(/board JOLTJS: JerryScript cannot call a kernel blob: nativeCall.kernels must be "firmware"/);
    expect(() => engineOf({ ...jerryBlob, nativeHeap: undefined })).toThrow(/a JerryScript board gives nativeHeap/);
    expect(() => engineOf({ ...loadBoard('JOLTJS'), jsHeap: { kind: 'heap', bytes: 1000, exact: true } })).toThrow(/an Espruino board gives jsHeap as jsvars/);
    // An Espruino board states its free stack (Storage.write copies onto it), with a source.
    const { stack: _stack, ...noStack } = loadBoard('JOLTJS');
    expect(() => engineOf(noStack)).toThrow(/an Espruino board gives stack\.freeBytes/);
    expect(() => validateBoard({ ...jolt, sources: { ...(jolt.sources as object), stack: undefined } }, 'x')).toThrow(/sources\.stack must say/);
  });

  it('describes a board the way the simulator takes it', () => {
    expect(simBoardInfo(loadBoard('BANGLEJS2'))).toEqual({
      id: 'BANGLEJS2', engine: 'espruino', heapBytes: 168000, jsVarBytes: 14, stackBytes: 38000, storageMapped: false, storageBytes: 8388608, objects: ['Bangle', 'g', 'Graphics', 'NRF', 'Bluetooth'], cpu: 'cortex-m4f', clockMHz: 64,
    });
  });
});
