/**
 * An engine described once: everything the host does differently for the
 * JavaScript engine a board runs is read from its description here, never
 * decided by testing the engine's name elsewhere.
 *
 *   host/engines/espruino.ts     Espruino 2v29 (facts: espruino-2v29.ts)
 *   host/engines/jerryscript.ts  JerryScript v3 with the tinysense firmware
 *   host/engines/index.ts        engineOf(board), engineNamed(name)
 *
 * Adding an engine: a description here, a device binding (device/engines/,
 * device/engine.ts), a simulated board (host/sim/) and its name in
 * boards/*.json (docs/extending.md).
 */
import type { Board, EngineName } from '../bundler/boards.js';
import type { EngineBudget } from '../bundler/budget.js';
import type { CompatOptions, CompatResult } from '../bundler/compat.js';
import type { EngineSimulator } from '../sim/board.js';

/** How TypeScript compiles an app (and device/) for the engine, and what the bundle may contain. */
export interface EngineLanguage {
  /** TypeScript's target and lib. */
  target: 'es5' | 'es2020';
  lib: string[];
  /** rollup's generatedCode preset for the bundle's own glue. */
  generatedCode: 'es5' | 'es2015';
  /** A module the bundle takes TypeScript's helpers from instead of tslib (absolute path), if any. */
  tslib?: string;
  /**
   * The helpers that module provides, and why the others are refused (a build that needs a refused
   * helper fails naming it); undefined: any tslib helper is fine.
   */
  helpers?: { provided: readonly string[]; refused: Readonly<Record<string, string>> };
  /** The engine does not hoist function declarations: the build moves them up (host/bundler/hoist.ts). */
  hoistFunctions: boolean;
  /** The package's declarations of the engine's globals (types/*.d.ts), for the board globals file. */
  globalsTypes: string;
}

/** A global the board's firmware defines for apps, and its TypeScript type (host/bundler/globals.ts). */
export interface BoardGlobal {
  name: string;
  type: string;
}

/** How a build gets onto a board of this engine. */
export interface EngineInstall {
  /** `tinysense upload` writes the files through the espruino CLI (host/upload.ts); otherwise the firmware is flashed with them. */
  espruinoCli: boolean;
  /** How to install when not through the espruino CLI, for messages. */
  how: string;
}

export interface Engine {
  name: EngineName;
  /** Its name for people ("Espruino"). */
  title: string;
  /** The version its facts were taken from ("2v29"). */
  version: string;
  language: EngineLanguage;
  /** The device binding (device/engines/<name>.ts) the build links as device/engine.ts. */
  deviceBinding: string;
  /** Checks a bundle against what the engine runs (host/bundler/compat.ts). */
  checkCompat(code: string, options?: CompatOptions): CompatResult;
  /** Where a build's parts live and what they cost (host/bundler/budget.ts). */
  budget: EngineBudget;
  /** What a board file of this engine must say (checked by engineOf). */
  boardProblems(board: Board): string[];
  /** The globals a board's firmware of this engine defines for apps, with their types. */
  boardGlobals(board: Board): BoardGlobal[];
  /** The emulated engine (host/sim/). */
  simulator: EngineSimulator;
  install: EngineInstall;
}
