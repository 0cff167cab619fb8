/**
 * The tinysense rollup plugin: bundles a TypeScript app for a board.
 *
 *   // rollup.config.js
 *   import { tinysense } from 'tinysense/host/bundler';
 *   export default { input: 'src/app.ts', output: { dir: 'dist' }, plugins: [tinysense({ board: 'JOLTJS', model: 'model.tflite' })] };
 *
 * Everything that depends on the board's engine comes from the engine's
 * description (host/engines/<engine>.ts): tinysense() adds
 * @rollup/plugin-typescript to the build (in its options hook, once the entry
 * is known) with the engine's target, lib and helpers (ES5 with the
 * Espruino-safe espruino-tslib.js on Espruino, ES2020 on JerryScript). The
 * bundle is a plain script (an IIFE: Espruino runs a file top to bottom;
 * require('Storage') stays a call to the built-in). It starts with
 * `var TINYSENSE_TARGET = {...}` for device/app.ts. An app's
 * `import ... from 'tinysense/device'` is bundled from this package's device/
 * sources (DEVICE_ENTRY), for the type check and the bundle alike, and
 * device/engine.ts is the engine's binding (device/engines/<engine>.ts), so
 * the bundle carries one engine's code. After bundling, the plugin checks the
 * bundle against the engine, then emits the model pack, the kernel blob,
 * budget.json and the datasheet next to it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import * as typescriptModule from '@rollup/plugin-typescript';
import type { JsonCompilerOptions, RollupTypescriptOptions } from '@rollup/plugin-typescript';
import type { OutputChunk, Plugin, RollupLog, SourceMapInput } from 'rollup';
import { PACKAGE_ROOT } from '../paths.js';
import { Board, loadBoard } from './boards.js';
import { BudgetReport, computeBudget, formatBudget } from './budget.js';
import { CompatResult, formatCompatIssue } from './compat.js';
import { ModelCard, checkModelCard, datasheetHtml, datasheetMarkdown, loadModelCard } from './datasheet.js';
import { boardGlobalsDts } from './globals.js';
import { globalsCheck } from './globals-check.js';
import { hoistFunctionDeclarations } from './hoist.js';
import { KernelBlob, appKernelBlob } from './kernel-blob.js';
import { cycleTable, estimateCycles, recordWork } from './latency.js';
import { minify } from './minify.js';
import { ModelFacts, defaultPackName, loadModelFacts } from './model-facts.js';
import type { SourceMapV3 } from './sourcemap.js';
import { TargetDefinition, blobStorageName, targetDefinition, targetIntro } from './target.js';
import type { Engine } from '../engines/engine.js';
import { engineOf } from '../engines/index.js';

// The package's types describe a CommonJS module, its "import" build is ES: take the default export either way.
type TypescriptPluginFactory = (options?: RollupTypescriptOptions) => Plugin;
const typescriptPlugin = ((typescriptModule as unknown as { default?: TypescriptPluginFactory }).default ?? typescriptModule) as TypescriptPluginFactory;

/** The device API's sources: bundled into the app, not checked by the globals check (they test for the engine at run time). */
const DEVICE_DIR = join(PACKAGE_ROOT, 'device');
/**
 * tslib's declarations, for the type check. importHelpers (which @rollup/plugin-typescript forces on)
 * makes TypeScript resolve 'tslib' from each app file; an app outside this package has no
 * node_modules/tslib beside it, so every class or spread got TS2354 "module 'tslib' cannot be found".
 * `paths` points TypeScript at the package's own copy; the bundle still takes its helpers from the
 * plugin's `tslib` option (espruino-tslib.js on Espruino).
 */
const TSLIB_TYPES = join(dirname(createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('tslib')), 'tslib.d.ts');
/**
 * What `import ... from 'tinysense/device'` in an app is bundled from: the TypeScript sources of the
 * device API in this package (docs/api.md), compiled for the board's engine like the app itself. The
 * package's "exports" entry (dist/device, ES2022) is for Node code, not for a bundle an ES5 engine runs.
 */
export const DEVICE_MODULE = 'tinysense/device';
export const DEVICE_ENTRY = join(PACKAGE_ROOT, 'device', 'index.ts');
/** The module device/ imports its engine binding from; the build links the board engine's binding in its place. */
export const DEVICE_ENGINE = join(PACKAGE_ROOT, 'device', 'engine.ts');
/** The generated record checks of every op code (scripts/gen-ops.mjs); an app bundles only its packs' ones. */
export const DEVICE_RECORD_CHECKS = join(PACKAGE_ROOT, 'device', 'record-checks.ts');


export interface TinysenseOptions {
  /** Board id (boards/<ID>.json), path of a board file, or a loaded board. */
  board: string | Board;
  /** A .tflite (compiled here) or .tsm model to emit as the pack, or facts already loaded. */
  model?: string | ModelFacts;
  /** Storage name of the pack; default: the name the app passes to openModel(), else <model>.tsm. */
  modelFile?: string;
  /**
   * Several packs, by the Storage name the app opens each under (an audio front end and a classifier):
   * `{ 'frontend.tsm': 'audio_preprocessor_int8.tflite', 'speech.tsm': 'speech.tflite' }`. Instead of
   * `model`/`modelFile`.
   */
  models?: Record<string, string | ModelFacts>;
  /** A model card (path or object) for the datasheet: dataset, evaluation, intended use. */
  modelCard?: string | ModelCard;
  /** Ship the blob with every kernel instead of one built for the app's ops (default false). */
  fullBlob?: boolean;
  /** Where tinysense-m4.bin/.json are (default kernels-c/out). */
  kernelsDir?: string;
  /** Drop comments and indentation (minify.ts). Default false. */
  minify?: boolean;
  /** Cycles per MAC for the latency estimate (default: budget.ts DEFAULT_CYCLES_PER_MAC). */
  cyclesPerMac?: number;
  /** What compat errors do: fail the build (default), only warn, or skip the check. */
  compat?: 'error' | 'warn' | 'off';
  /** What a budget that does not fit does: fail the build (default) or warn. */
  budget?: 'error' | 'warn';
  /** Emit budget.json and datasheet.md/.html (default true). */
  reports?: boolean;
  /** Options merged into @rollup/plugin-typescript's (e.g. a tsconfig); target is still set by the engine. */
  typescript?: RollupTypescriptOptions;
  /**
   * Type errors and unresolved imports fail the build (default true), each listed with file:line:column.
   * false: they are warnings and the bundle is written anyway (prototyping; `--no-typecheck`).
   */
  typecheck?: boolean;
  /**
   * What a global the board lacks (Bangle in a Jolt.js build) does: fail the build (default) or only
   * warn (prototyping; tinysense.json "allowMissingGlobals": true). globals-check.ts.
   */
  missingGlobals?: 'error' | 'warn';
}

/** A model pack the build emitted. */
export interface PackReport {
  source: string;
  /** Storage name (Espruino) or flash partition name (JerryScript). */
  file: string;
  format: ModelFacts['format'];
  packBytes: number;
  arenaBytes: number;
  constBytes: number;
  macs?: number;
  parameters?: number;
}

export interface BuildReport {
  board: string;
  boardName: string;
  engine: Board['engine'];
  bundle: { file: string; bytes: number; minified: boolean };
  /** The model packs, in the order they were given. */
  models: PackReport[];
  /** bytes: the blob shipped (only the app's kernels unless fullBlob); fullBytes: the blob with every kernel. */
  blob?: { file: string; bytes: number; fullBytes: number; entries: KernelBlob['entries'] };
  target: TargetDefinition;
  /** Storage names the app passes to openModel() as string literals. */
  openModelFiles: string[];
  compat: CompatResult;
  budget: BudgetReport;
  /** Files this build emitted beside the bundle (Storage files and reports). */
  files: string[];
  warnings: string[];
}

export interface TinysenseApi {
  /** The report of the last generated bundle. */
  report(): BuildReport | undefined;
}

function compilerOptions(engine: Engine): Partial<JsonCompilerOptions> {
  return {
    module: 'esnext',
    moduleResolution: 'bundler',
    // A file without import/export is a script to TypeScript, and a script gets bare calls to the
    // helpers with no import (importHelpers cannot add one) and no definitions: every file is a module.
    moduleDetection: 'force',
    strict: true,
    skipLibCheck: true,
    sourceMap: true,
    inlineSources: true,
    declaration: false,
    types: [],
    // tslib: see TSLIB_TYPES. The device API: the type check sees the same sources the bundle gets
    // (core.resolveId below).
    paths: { tslib: [TSLIB_TYPES], [DEVICE_MODULE]: [DEVICE_ENTRY] },
    target: engine.language.target,
    lib: engine.language.lib,
  };
}

/**
 * The TypeScript project of an app: its entries and the engine globals as
 * root files, written to a temporary tsconfig. (Without root files
 * @rollup/plugin-typescript would compile every .ts under the working
 * directory; files it discovers while bundling are not added to a one-off
 * build's program.)
 */
function appTsconfig(entries: string[], board: Board): string {
  const dir = join(tmpdir(), 'tinysense-build');
  mkdirSync(dir, { recursive: true });
  // The board's globals (globals.ts): the app type-checks against what this board has.
  const globals = boardGlobalsDts(board, PACKAGE_ROOT);
  const globalsPath = join(dir, `globals-${board.id}-${createHash('sha256').update(globals).digest('hex').slice(0, 16)}.d.ts`);
  writeFileSync(globalsPath, globals);
  const files = [...entries.map((e) => resolve(e)), globalsPath];
  const path = join(dir, `tsconfig-${createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16)}.json`);
  writeFileSync(path, JSON.stringify({ files }, null, 2));
  return path;
}

/** @rollup/plugin-typescript for the board's engine. */
function typescriptFor(engine: Engine, board: Board, entries: string[], user: RollupTypescriptOptions = {}): Plugin {
  return typescriptPlugin({
    tsconfig: appTsconfig(entries, board),
    // Apps and device/ live anywhere: match TypeScript files by extension from the file system root.
    include: ['**/*.ts', '**/*.mts', '**/*.cts'],
    filterRoot: parse(process.cwd()).root,
    ...user,
    compilerOptions: {
      ...compilerOptions(engine),
      ...(user.compilerOptions as Partial<JsonCompilerOptions> | undefined),
      target: engine.language.target,
    },
    ...(engine.language.tslib ? { tslib: engine.language.tslib } : {}),
  });
}

/** Storage names passed to openModel('...') in the bundle. */
function openModelFiles(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(/\bopenModel(?:\$\d+)?\s*\(\s*(['"])([^'"\\]+)\1\s*\)/g)) names.add(m[2]);
  return [...names];
}

/**
 * record-checks.ts with only the checks of `codes` in its table (one `checks[N] = checkName;` statement
 * per op code, as scripts/gen-ops.mjs writes them); rollup then drops the check functions nothing
 * refers to. A pack with another op is refused by the device validator with "this app's validator has
 * no checks for ..." instead of running unchecked.
 */
export function keepRecordChecks(code: string, codes: ReadonlySet<number>): string {
  let kept = 0;
  const out = code.replace(/^[ \t]*checks\[(\d+)\] = \w+;[^\n]*\n/gm, (line, n: string) => {
    if (!codes.has(Number(n))) return '';
    kept++;
    return line;
  });
  if (kept !== codes.size) throw new Error(`tinysense: device/record-checks.ts has ${kept} of the app's ${codes.size} op codes' checks (is it stale? npm run gen:ops)`);
  return out;
}

/** Names TypeScript imports from tslib in a transformed module. */
function importedHelpers(code: string): string[] {
  const names: string[] = [];
  for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']tslib["']/g)) {
    for (const part of m[1].split(',')) {
      const name = part.trim().split(/\s+as\s+/)[0];
      if (name) names.push(name);
    }
  }
  return names;
}

/** A TypeScript diagnostic or unresolved import as "file:line:column: TS2322: message", the file relative to the working directory. */
function problemLine(log: RollupLog): string {
  const file = log.loc?.file ?? log.id ?? log.exporter;
  const where = file ? `${relative(process.cwd(), file)}${log.loc ? `:${log.loc.line}:${log.loc.column}` : ''}: ` : '';
  if (log.code === 'UNRESOLVED_IMPORT') {
    const importer = log.id ? relative(process.cwd(), log.id) : 'the app';
    return `${importer}: cannot resolve import "${log.exporter ?? log.message}" (no such file or package)`;
  }
  // log.message is "[plugin typescript] file (l:c): @rollup/plugin-typescript TS2322: ...": keep "TS2322: ...".
  const at = log.pluginCode ? log.message.indexOf(`${String(log.pluginCode)}: `) : -1;
  return `${where}${at >= 0 ? log.message.slice(at) : log.message}`;
}

/** Names of the (synchronous) plugins in a rollup `plugins` option, nested arrays included. */
function namedPlugins(option: unknown): string[] {
  if (Array.isArray(option)) return option.flatMap((p: unknown) => namedPlugins(p));
  return option !== null && typeof option === 'object' && typeof (option as { name?: unknown }).name === 'string' ? [(option as { name: string }).name] : [];
}

/** Minification as its own plugin, so that it runs after tinysense's renderChunk (hoisting). */
function minifyPlugin(): Plugin {
  return {
    name: 'tinysense-minify',
    renderChunk(code, chunk) {
      const { code: small, map } = minify(code, chunk.fileName);
      return { code: small, map: map as SourceMapInput };
    },
  };
}

/** A model pack of the build and the Storage name it goes under. */
interface Pack {
  file: string;
  facts: ModelFacts;
}

function loadModel(model: string | ModelFacts): Promise<ModelFacts> | ModelFacts {
  return typeof model === 'string' ? loadModelFacts(model) : model;
}

/** The packs of `models`, checked: Storage names as the device opens them, each once. */
async function loadNamedModels(models: Record<string, string | ModelFacts>): Promise<Pack[]> {
  const packs: Pack[] = [];
  for (const [file, model] of Object.entries(models)) {
    // Storage and flash partition names are plain names: no folders, no spaces or quotes (openModel('...') literals).
    if (!/^[A-Za-z0-9_.-]+$/.test(file)) throw new Error(`models: "${file}" is not a Storage name (letters, digits, _ . - only)`);
    try {
      packs.push({ file, facts: await loadModel(model) });
    } catch (e) {
      throw new Error(`models["${file}"]: ${(e as Error).message}`);
    }
  }
  if (packs.length === 0) throw new Error('models is empty: give at least one pack, or leave it out');
  return packs;
}

/** The op-by-op cycle estimate of a pack on the board's CPU, when its cycles were measured (latency.ts). */
function packCycles(pack: Uint8Array, board: Board): { cycles: number; ops: number; source: string; unmeasured: string[] } | undefined {
  const table = cycleTable(board.cpu);
  if (!table) return undefined;
  const work = recordWork(pack);
  const estimate = estimateCycles(work, table);
  return { cycles: estimate.cycles, ops: work.length, source: table.source, unmeasured: estimate.unmeasured };
}

export function tinysense(options: TinysenseOptions): Plugin<TinysenseApi> {
  const board = typeof options.board === 'string' ? loadBoard(options.board) : options.board;
  const engine = engineOf(board);
  let blob: KernelBlob | undefined;
  let fullBlob: KernelBlob | undefined;
  let model: ModelFacts | undefined;
  let named: Pack[] | undefined;
  let card: ModelCard | undefined;
  let target: TargetDefinition | undefined;
  let last: BuildReport | undefined;
  let entry = 'app';
  /** The op codes of the app's packs when the build knows them: the validator keeps only their checks. */
  let ruleCodes: ReadonlySet<number> | undefined;
  const typecheck = options.typecheck !== false;
  /** Type errors and unresolved imports of the current build (fatal unless typecheck is false). */
  let typeProblems: string[] = [];
  const globals = globalsCheck(board, { mode: options.missingGlobals, skip: (id) => id.startsWith(DEVICE_DIR + sep) || id === engine.language.tslib });

  const core: Plugin<TinysenseApi> = {
    name: 'tinysense',
    api: { report: () => last },

    // The TypeScript plugin is created here, once the entries are known (its project lists them).
    options(input) {
      const entries = typeof input.input === 'string' ? [input.input] : Array.isArray(input.input) ? input.input : Object.values(input.input ?? {});
      const plugins = Array.isArray(input.plugins) ? input.plugins : input.plugins ? [input.plugins] : [];
      if (namedPlugins(plugins).includes('typescript')) {
        throw new Error('tinysense adds @rollup/plugin-typescript itself, set up for the board\'s engine: remove yours and pass its options as tinysense({ typescript: {...} })');
      }
      const added = [typescriptFor(engine, board, entries, options.typescript), globals.plugin, ...(options.minify ? [minifyPlugin()] : [])];
      return { ...input, plugins: [...plugins, ...added] };
    },

    // TypeScript's diagnostics reach rollup as warnings of the typescript plugin, unresolved imports as
    // rollup's UNRESOLVED_IMPORT: collected here and, unless typecheck is false, turned into one error.
    onLog(level, log) {
      if (!typecheck || level !== 'warn') return;
      const typeError = log.plugin === 'typescript' && typeof log.pluginCode === 'string' && /^TS\d+$/.test(log.pluginCode);
      if (!typeError && log.code !== 'UNRESOLVED_IMPORT') return;
      // A global of another board: the globals check reports it, naming the boards.
      if (globals.covers(log)) return false;
      typeProblems.push(problemLine(log));
      return false;
    },

    buildEnd(error) {
      if (error) return;
      // Globals the board lacks first (globals-check.ts): type errors often follow from them.
      const missing = globals.failure();
      const problems = typecheck ? typeProblems : [];
      typeProblems = [];
      if (problems.length === 0) {
        if (missing) this.error(missing);
        return;
      }
      const count = (n: number, what: string) => (n === 0 ? [] : [`${n} ${what}${n === 1 ? '' : 's'}`]);
      const unresolved = problems.filter((p) => p.includes(': cannot resolve import ')).length;
      const what = [...count(problems.length - unresolved, 'type error'), ...count(unresolved, 'unresolved import')].join(' and ');
      this.error(`${missing ? `${missing}\nand ` : 'the app '}has ${what} (build with --no-typecheck, or typecheck: false, to bundle anyway):\n  ${problems.join('\n  ')}`);
    },

    async buildStart(input) {
      typeProblems = [];
      const inputs = Array.isArray(input.input) ? input.input : Object.values(input.input);
      entry = inputs[0] ?? 'app';
      try {
        if (options.models !== undefined) {
          if (options.model !== undefined || options.modelFile !== undefined) throw new Error('give either model (one pack) or models (packs by Storage name), not both');
          named = await loadNamedModels(options.models);
        }
        if (options.model !== undefined) model = await loadModel(options.model);
        const codes = [...(named ?? []).map((p) => p.facts), ...(model ? [model] : [])].flatMap((f) => f.opCodes);
        // Like the per-app blob: the device validator carries the checks of the app's own ops only
        // (every op's checks would cost all apps bundle bytes as ops are added).
        ruleCodes = codes.length > 0 && !options.fullBlob ? new Set(codes) : undefined;
        if (board.nativeCall.kernels === 'blob') {
          // The blob holds the kernels of the app's packs only (per-app blob), unless asked for all.
          const choice = appKernelBlob(board.nativeCall.blob ?? 'tinysense-m4', codes, { kernelsDir: options.kernelsDir, full: options.fullBlob, portable: board.nativeCall.blobKernels === 'small', preprocess: usesPreprocessing(entry) });
          blob = choice.blob;
          fullBlob = choice.full;
          if (choice.fallback && !options.fullBlob && options.kernelsDir === undefined && codes.length > 0) this.warn(`tinysense: shipping the full kernel blob: ${choice.fallback}`);
        }
        target = targetDefinition(board, blob);
        if (options.modelCard !== undefined) card = typeof options.modelCard === 'string' ? loadModelCard(options.modelCard) : checkModelCard(options.modelCard, 'modelCard');
      } catch (e) {
        this.error(`tinysense (${board.id}): ${(e as Error).message}`);
      }
    },

    transform: {
      order: 'post',
      handler(code, id) {
        if (ruleCodes && id === DEVICE_RECORD_CHECKS) code = keepRecordChecks(code, ruleCodes);
        const helpers = engine.language.helpers;
        if (!helpers) return null;
        for (const name of importedHelpers(code)) {
          if (helpers.provided.includes(name)) continue;
          const why = helpers.refused[name] ?? `${engine.language.tslib ? basename(engine.language.tslib) : 'the helper module'} does not provide it`;
          this.error(`${relative(process.cwd(), id)}: TypeScript emitted the helper ${name} for this code, which ${board.name} cannot run: ${why}`);
        }
        return id === DEVICE_RECORD_CHECKS && ruleCodes ? { code, map: null } : null;
      },
    },

    // Runs before @rollup/plugin-typescript's resolution (it is added after this plugin).
    resolveId(source, importer) {
      if (source === DEVICE_MODULE) return DEVICE_ENTRY;
      // device/engine.ts (imported as './engine.js' or '../engine.js') is the engine's binding in the bundle.
      if (importer && source.startsWith('.') && resolve(dirname(importer), source).replace(/\.js$/, '.ts') === DEVICE_ENGINE) return engine.deviceBinding;
      if (source === 'tinysense' || source.startsWith('tinysense/')) {
        const from = importer ? `${relative(process.cwd(), importer)}: ` : '';
        this.error(`${from}"${source}" cannot go into an app bundle: an app imports the device API from '${DEVICE_MODULE}' (docs/api.md); tinysense/host and tinysense/host/bundler are Node-only`);
      }
      return null;
    },

    intro() {
      return target ? targetIntro(target) : '';
    },

    outputOptions(out) {
      return {
        ...out,
        format: 'iife',
        name: out.name ?? 'tinysenseApp',
        strict: false, // neither engine needs 'use strict'; Espruino has no strict mode
        freeze: false, // Object.freeze does not exist on Espruino
        esModule: false,
        // The map is for tools (compat errors, the simulator), not the board: no sourceMappingURL comment.
        sourcemap: out.sourcemap ?? 'hidden',
        generatedCode: { preset: engine.language.generatedCode, symbols: false },
      };
    },

    // Espruino does not hoist function declarations; TypeScript's ES5 classes need it (hoist.ts).
    renderChunk(code, chunk) {
      if (!engine.language.hoistFunctions) return null;
      const hoisted = hoistFunctionDeclarations(code, chunk.fileName);
      return hoisted ? { code: hoisted.code, map: hoisted.map as SourceMapInput } : null;
    },

    generateBundle(out, bundle) {
      const chunk = Object.values(bundle).find((f): f is OutputChunk => f.type === 'chunk' && f.isEntry);
      if (!chunk || !target) return;
      const warnings: string[] = [];
      const outDir = out.dir ?? (out.file ? dirname(out.file) : process.cwd());

      // Compatibility, with positions in the original sources.
      const map = chunk.map ? ({ ...chunk.map, sources: chunk.map.sources.map((s) => relative(process.cwd(), resolve(outDir, s))) } as SourceMapV3) : undefined;
      const compat: CompatResult = options.compat === 'off'
        ? { engine: board.engine, issues: [], errors: [], warnings: [], ok: true }
        : engine.checkCompat(chunk.code, { map });
      const lines = compat.issues.map((i) => formatCompatIssue(i, chunk.fileName));
      if (compat.errors.length > 0 && options.compat !== 'warn' && options.compat !== 'off') {
        this.error(`tinysense: ${chunk.fileName} uses what ${board.name} (${board.engine}) cannot run:\n  ${lines.join('\n  ')}`);
      }
      for (const line of lines) {
        warnings.push(line);
        this.warn(line);
      }

      // Storage files: the packs and the kernel blob.
      const opened = openModelFiles(chunk.code);
      const files: string[] = [];
      const packs: Pack[] = named ?? (model ? [{ file: options.modelFile ?? (opened.length === 1 ? opened[0] : defaultPackName(model.source)), facts: model }] : []);
      const missing = opened.filter((name) => !packs.some((p) => p.file === name));
      if (packs.length > 0 && missing.length > 0) {
        const w = `the app opens ${missing.join(', ')} but the build emits ${packs.length === 1 ? 'its model pack as' : 'model packs named'} ${packs.map((p) => p.file).join(', ')}`;
        warnings.push(w);
        this.warn(w);
      }
      for (const pack of packs) {
        this.emitFile({ type: 'asset', fileName: pack.file, source: pack.facts.pack });
        files.push(pack.file);
      }
      if (blob) {
        this.emitFile({ type: 'asset', fileName: blobStorageName(blob), source: blob.bytes });
        files.push(blobStorageName(blob));
      }

      const bundleBytes = Buffer.byteLength(chunk.code, 'utf8');
      // Both engines' heap estimates scale with the code without comments and indentation (JerryScript: the parsed
      // program; Espruino: the objects the app makes as it starts, host/engines/espruino-heap.ts).
      const codeBytes = Buffer.byteLength(options.minify ? chunk.code : minify(chunk.code, chunk.fileName).code);
      const budget = computeBudget({
        board,
        bundle: { file: chunk.fileName, bytes: bundleBytes, codeBytes, minified: options.minify === true },
        models: packs.map((p) => ({ file: p.file, packBytes: p.facts.packBytes, arenaBytes: p.facts.arenaBytes, macs: p.facts.macs, cycles: packCycles(p.facts.pack, board) })),
        blob: blob ? { file: blobStorageName(blob), bytes: blob.bytes.length, fullBytes: fullBlob?.bytes.length } : undefined,
        buffers: engine.budget.sensorBuffers?.(chunk.code),
        cyclesPerMac: options.cyclesPerMac,
      }, engine.budget);
      warnings.push(...budget.warnings);

      const report: BuildReport = {
        board: board.id,
        boardName: board.name,
        engine: board.engine,
        bundle: { file: chunk.fileName, bytes: bundleBytes, minified: options.minify === true },
        models: packs.map(({ file, facts }) => ({
          source: facts.source, file, format: facts.format, packBytes: facts.packBytes, arenaBytes: facts.arenaBytes,
          constBytes: facts.constBytes, macs: facts.macs, parameters: facts.parameters,
        })),
        blob: blob ? { file: blobStorageName(blob), bytes: blob.bytes.length, fullBytes: fullBlob?.bytes.length ?? blob.bytes.length, entries: blob.entries } : undefined,
        target,
        openModelFiles: opened,
        compat,
        budget,
        files,
        warnings,
      };
      last = report;

      if (options.reports !== false) {
        const title = `${card?.name ?? (packs.length > 0 ? defaultPackName(packs[packs.length - 1].facts.source).replace(/\.tsm$/, '') : 'tinysense app')} on ${board.name}`;
        // Paths relative to the app's folder: the datasheet ships with the build and must not embed this machine's paths.
        const appDir = dirname(resolve(entry));
        const shown = (p: string) => (isAbsolute(p) ? relative(appDir, p).replace(/\\/g, '/') || basename(p) : p);
        const sheetModels = packs.map((p) => ({ ...p, facts: { ...p.facts, source: shown(p.facts.source) } }));
        const sheet = { title, app: shown(resolve(entry)), board, budget, bundleBytes, models: sheetModels, card };
        const json = { board: board.id, engine: board.engine, bundle: report.bundle, models: report.models.map((m) => ({ ...m, source: shown(m.source) })), blob: report.blob, target, budget };
        this.emitFile({ type: 'asset', fileName: 'budget.json', source: JSON.stringify(json, null, 2) + '\n' });
        this.emitFile({ type: 'asset', fileName: 'datasheet.md', source: datasheetMarkdown(sheet) });
        this.emitFile({ type: 'asset', fileName: 'datasheet.html', source: datasheetHtml(sheet) });
        files.push('budget.json', 'datasheet.md', 'datasheet.html');
      }

      if (!budget.fits) {
        const message = `tinysense: the build does not fit ${board.name}:\n${formatBudget(budget)}`;
        if (options.budget === 'warn') this.warn(message);
        else this.error(message);
      }
    },
  };

  return core;
}

/**
 * Whether the app's entry file calls the native preprocessing (imagePreprocessor, sampleWindow): its
 * per-app kernel blob then keeps those kernels, ~2 KB that other apps do not carry. Unreadable: yes.
 */
function usesPreprocessing(entry: string): boolean {
  try {
    return /\b(imagePreprocessor|sampleWindow)\b/.test(readFileSync(entry, 'utf8'));
  } catch {
    return true;
  }
}
