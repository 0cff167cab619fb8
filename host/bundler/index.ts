/**
 * `tinysense build` as a function: bundles an app for a board with the
 * tinysense rollup plugin and writes everything the board needs into outDir:
 *   app.js (+ app.js.map)   the bundle, uploaded to Storage and run
 *   <model>.tsm             the model pack(s) (Storage)
 *   tinysense-m4.bin        the kernel blob (Storage; Espruino nRF52 boards)
 *   budget.json             sizes and where they live, against the board
 *   datasheet.md/.html      the ML sensor datasheet
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rollup, type RollupLog } from 'rollup';
import type { Board } from './boards.js';
import type { ModelCard } from './datasheet.js';
import type { ModelFacts } from './model-facts.js';
import { BuildReport, tinysense } from './plugin.js';

export interface BuildAppOptions {
  /** The app's entry .ts file. */
  entry: string;
  /** Board id, board file path, or a loaded board. */
  board: string | Board;
  /** A .tflite (compiled here) or .tsm file, or model facts already loaded. */
  model?: string | ModelFacts;
  /** Storage name of the pack (default: what the app passes to openModel()). */
  modelFile?: string;
  /** Several packs by Storage name, instead of model/modelFile (see TinysenseOptions.models). */
  models?: Record<string, string | ModelFacts>;
  modelCard?: string | ModelCard;
  outDir: string;
  minify?: boolean;
  cyclesPerMac?: number;
  /** Where the kernel blob is (default kernels-c/out). */
  kernelsDir?: string;
  /** Ship the kernel blob with every kernel instead of one built for the app's ops. Default false. */
  fullBlob?: boolean;
  /** Write the build even when it does not fit the board (the report says why). Default false. */
  allowOverBudget?: boolean;
  /** false: type errors and unresolved imports are warnings instead of failing the build (TinysenseOptions.typecheck). */
  typecheck?: boolean;
  /** Globals the board lacks are warnings, not errors (tinysense.json "allowMissingGlobals"; TinysenseOptions.missingGlobals). */
  allowMissingGlobals?: boolean;
}

export interface BuildAppResult {
  /** Absolute paths of the files written. */
  files: string[];
  report: BuildReport;
}

export async function buildApp(options: BuildAppOptions): Promise<BuildAppResult> {
  const plugin = tinysense({
    board: options.board,
    model: options.model,
    modelFile: options.modelFile,
    models: options.models,
    modelCard: options.modelCard,
    kernelsDir: options.kernelsDir,
    fullBlob: options.fullBlob,
    minify: options.minify,
    cyclesPerMac: options.cyclesPerMac,
    budget: options.allowOverBudget ? 'warn' : 'error',
    typecheck: options.typecheck,
    missingGlobals: options.allowMissingGlobals ? 'warn' : 'error',
  });
  const warnings: string[] = [];
  const bundle = await rollup({
    input: resolve(options.entry),
    plugins: [plugin],
    onLog(level, log: RollupLog) {
      // TypeScript diagnostics and tinysense warnings end up in the report; rollup's info/debug chatter does not.
      // Without rollup's "[plugin x]" tag: the line names what it is about itself.
      if (level === 'warn' && log.plugin !== 'tinysense') warnings.push(log.message.replace(/^\[plugin [^\]]+\]\s*/, ''));
    },
  });
  try {
    mkdirSync(options.outDir, { recursive: true });
    const { output } = await bundle.write({ dir: options.outDir, entryFileNames: 'app.js', sourcemap: 'hidden' });
    const report = plugin.api?.report();
    if (!report) throw new Error('tinysense: the build produced no report');
    report.warnings.push(...warnings);
    return { files: output.map((f) => join(resolve(options.outDir), f.fileName)), report };
  } finally {
    await bundle.close();
  }
}

export { tinysense } from './plugin.js';
export type { BuildReport, TinysenseApi, TinysenseOptions } from './plugin.js';
export { loadBoard, listBoards, validateBoard, simBoardInfo, BOARDS_DIR } from './boards.js';
export type { Board } from './boards.js';
export { checkEspruinoCompat, checkJerryScriptCompat, formatCompat, ESPRUINO_RULES } from './compat.js';
export { checkCompat, engineOf, engineNamed } from '../engines/index.js';
export type { CompatResult, CompatIssue, CompatRule } from './compat.js';
export { computeBudget, formatBudget, formatBytes, DEFAULT_CYCLES_PER_MAC, ESPRUINO_BUDGET, JERRYSCRIPT_BUDGET } from './budget.js';
export type { BudgetReport, BudgetInput, EngineBudget } from './budget.js';
export { datasheetMarkdown, datasheetHtml, loadModelCard } from './datasheet.js';
export type { ModelCard, DatasheetInput } from './datasheet.js';
export { loadModelFacts, factsFromPack, factsFromCompiled } from './model-facts.js';
export type { ModelFacts } from './model-facts.js';
export { loadKernelBlob, KERNELS_OUT } from './kernel-blob.js';
export { minify } from './minify.js';
export { resolveApp } from './project.js';
export type { AppProject, ResolvedApp } from './project.js';
