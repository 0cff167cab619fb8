/**
 * The engines tinysense builds for, by name (a board file's "engine"). Every
 * engine-specific choice on the host goes through these descriptions
 * (engine.ts).
 */
import type { Board, EngineName } from '../bundler/boards.js';
import { BudgetInput, BudgetReport, computeBudget } from '../bundler/budget.js';
import type { CompatOptions, CompatResult } from '../bundler/compat.js';
import type { Engine } from './engine.js';
import { espruino } from './espruino.js';
import { jerryscript } from './jerryscript.js';

export type { Engine, EngineInstall, EngineLanguage } from './engine.js';

export const ENGINES: Readonly<Record<EngineName, Engine>> = { espruino, jerryscript };

/** The engine named `name`. */
export function engineNamed(name: EngineName): Engine {
  const engine = (ENGINES as Record<string, Engine | undefined>)[name];
  if (!engine) throw new Error(`unknown engine "${name}" (known: ${Object.keys(ENGINES).join(', ')})`);
  return engine;
}

/** The engine a board runs; throws, listing them, when the board file breaks the engine's rules for its boards. */
export function engineOf(board: Board): Engine {
  const engine = engineNamed(board.engine);
  const problems = engine.boardProblems(board);
  if (problems.length > 0) throw new Error(`board ${board.id}: ${problems.join('; ')}`);
  return engine;
}

/** Checks a bundle against an engine (host/bundler/compat.ts rules for Espruino, ES2020 for JerryScript). */
export function checkCompat(engine: EngineName, code: string, options: CompatOptions = {}): CompatResult {
  return engineNamed(engine).checkCompat(code, options);
}

/** The budget of a build on input.board, with its engine's budget model (host/bundler/budget.ts). */
export function boardBudget(input: BudgetInput): BudgetReport {
  return computeBudget(input, engineOf(input.board).budget);
}
