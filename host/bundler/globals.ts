/**
 * The globals of a board, typed: what an app may use beyond the standard built-ins and the timers.
 *
 * Which globals exist comes from two places only: host/engines/espruino-2v29.ts GLOBALS (on every
 * Espruino board: E, require, setWatch, digitalWrite ...) and the board file (boards/<ID>.json:
 * "objects" such as Bangle, g, NRF, or the JerryScript firmware's tinysense; "pins"; "interfaces", whose
 * counts give SPI1.., I2C1.., Serial1..). Their types are in types/espruino.d.ts and
 * types/jerryscript.d.ts. From these the build writes a declaration file per board (the app's type
 * check sees exactly that board's globals) and `tinysense init` writes the same as the app's
 * tinysense-env.d.ts for the editor; the globals check (globals-check.ts) refuses an app that uses a
 * global another board has and the target lacks.
 */
import { join } from 'node:path';
import type { BoardGlobal } from '../engines/engine.js';
import { engineOf } from '../engines/index.js';
import { PACKAGE_ROOT } from '../paths.js';
import { Board, listBoards, loadBoard } from './boards.js';

export const TYPES_DIR = join(PACKAGE_ROOT, 'types');

/** A global of a board with its TypeScript type. */
export type { BoardGlobal } from '../engines/engine.js';

/** Every global the board's firmware defines for apps, with its type (the engine's: host/engines/<engine>.ts). */
export function boardGlobals(board: Board): BoardGlobal[] {
  return engineOf(board).boardGlobals(board);
}

/**
 * The board's globals as a declaration file. `packageDir` is where the tinysense package is, as the
 * file refers to it: an absolute path (the build) or one relative to the file (node_modules/tinysense
 * in an app made by `tinysense init`).
 */
export function boardGlobalsDts(board: Board, packageDir: string): string {
  const types = engineOf(board).language.globalsTypes;
  const lines = [
    `// The globals of ${board.name} (${board.id}, ${board.engine}) for a tinysense app: what the firmware`,
    '// defines beyond the standard built-ins and the timers. Generated from the board file by tinysense',
    '// (host/bundler/globals.ts); the build type-checks the app against the same declarations.',
    `/// <reference path="${packageDir}/${types}" />`,
    `/// <reference path="${packageDir}/device/engine-globals.d.ts" />`,
    ...boardGlobals(board).map((g) => `declare var ${g.name}: ${g.type};`),
  ];
  return lines.join('\n') + '\n';
}

/** Where a global exists: the built-in boards that define it. */
export interface KnownGlobal {
  name: string;
  boards: Board[];
}

let known: Map<string, Board[]> | undefined;

/** Every global some built-in board defines, with the boards that do (boards/*.json). */
export function knownGlobals(): Map<string, Board[]> {
  if (!known) {
    known = new Map();
    for (const id of listBoards()) {
      const board = loadBoard(id);
      for (const g of boardGlobals(board)) known.set(g.name, [...(known.get(g.name) ?? []), board]);
    }
  }
  return known;
}

/**
 * The globals other boards define and `board` lacks, each with the boards that have it: what the
 * globals check refuses.
 */
export function missingGlobals(board: Board): Map<string, Board[]> {
  const present = new Set(boardGlobals(board).map((g) => g.name));
  const missing = new Map<string, Board[]>();
  for (const [name, boards] of knownGlobals()) if (!present.has(name)) missing.set(name, boards);
  return missing;
}

/** "Jolt.js (JOLTJS)", "ESP32 (JerryScript, ESP32_JERRYSCRIPT)". */
export function boardLabel(board: Board): string {
  return board.name.endsWith(')') ? `${board.name.slice(0, -1)}, ${board.id})` : `${board.name} (${board.id})`;
}

/** "Bangle is a global of Bangle.js 2 (BANGLEJS2), not of Jolt.js (JOLTJS)". */
export function missingGlobalMessage(name: string, board: Board, boards: Board[]): string {
  return `${name} is a global of ${boards.map(boardLabel).join(', ')}, not of ${boardLabel(board)}`;
}
