/**
 * `tinysense init <dir> --board B [--template T]`: a new app folder that builds, simulates and passes its
 * own test at once. A template is a folder templates/<name>/ holding template.json (what it is, which
 * boards it runs on, which files of this package it copies) and the files only it has (its test, the
 * blank app); the gesture, keyword and person templates take their app, model and trace from the
 * examples and models/ at init time, so the repository holds each of those files once.
 *
 * What init writes: app.ts, the model(s), a trace (traces/, with the recordings a JSON trace names
 * copied beside it), tinysense.json, app.test.ts (vitest, simulating the app on the trace),
 * vitest.config.ts, package.json (tinysense and vitest), tsconfig.json and tinysense-env.d.ts (the
 * board's globals for the editor: host/bundler/globals.ts), .gitignore.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Board, listBoards, loadBoard } from './bundler/boards.js';
import { boardGlobalsDts } from './bundler/globals.js';
import { engineOf } from './engines/index.js';
import type { AppProject } from './bundler/project.js';
import { PACKAGE_ROOT } from './paths.js';

export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
export const DEFAULT_TEMPLATE = 'blank';

/** templates/<name>/template.json. */
export interface TemplateSpec {
  description: string;
  /** Boards the template's app builds for and passes its test on (init refuses the others). */
  boards: string[];
  /** What the app needs of a board, for the refusal. */
  needs: string;
  /** App file -> file of this package it is copied from. */
  copy: Record<string, string>;
  /** tinysense.json. */
  project: AppProject;
  /** The trace app.test.ts replays (one of the copied files); none for an app without a sensor. */
  trace?: string;
}

/** A mistake in the command (unknown board or template, a folder in use): the CLI's exit code 2. */
export class InitUsageError extends Error {}

export interface InitOptions {
  dir: string;
  board: string;
  template?: string;
  /**
   * The package.json dependency on tinysense: a version range, `file:<path>` of a checkout or a packed
   * tarball. Default: `file:` this package when it is a git checkout, else `^<its version>`.
   */
  tinysense?: string;
}

export interface InitResult {
  dir: string;
  board: string;
  template: string;
  /** Files written, relative to dir, sorted. */
  files: string[];
  /** The tinysense dependency written into package.json. */
  dependency: string;
}

export function listTemplates(): string[] {
  return readdirSync(TEMPLATES_DIR).filter((d) => existsSync(join(TEMPLATES_DIR, d, 'template.json'))).sort();
}

export function loadTemplate(name: string): TemplateSpec {
  const known = listTemplates();
  if (!known.includes(name)) throw new InitUsageError(`unknown template "${name}"; templates: ${known.join(', ')}`);
  return JSON.parse(readFileSync(join(TEMPLATES_DIR, name, 'template.json'), 'utf8')) as TemplateSpec;
}

function packageManifest(): { version: string; devDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies?: Record<string, string> };
}

/** `file:` this checkout (a clone a user builds from), or the published version when installed from a registry or tarball. */
export function defaultDependency(): string {
  return existsSync(join(PACKAGE_ROOT, '.git')) ? `file:${PACKAGE_ROOT}` : `^${packageManifest().version}`;
}

/** A folder name as an npm package name. */
function packageName(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'tinysense-app';
}

/**
 * A JSON trace (camera frames, audio playlist) names its recordings relative to itself: they are copied
 * into the app's traces/ folder and the names rewritten, so the app needs nothing outside its folder.
 */
function copyJsonTrace(source: string, target: string, written: Set<string>): void {
  const spec = JSON.parse(readFileSync(source, 'utf8')) as { frames?: { file?: string }[]; parts?: { file?: string }[] };
  for (const entry of [...(spec.frames ?? []), ...(spec.parts ?? [])]) {
    if (typeof entry.file !== 'string') continue;
    const from = resolve(dirname(source), entry.file);
    const name = basename(from);
    const to = join(dirname(target), name);
    if (!written.has(to)) {
      copyFileSync(from, to);
      written.add(to);
    }
    entry.file = relative(dirname(target), to).replace(/\\/g, '/');
  }
  writeFileSync(target, JSON.stringify(spec, null, 2) + '\n');
  written.add(target);
}

/** A copied text file with the package paths of the copied files replaced by their names in the app. */
function rewritePaths(text: string, template: TemplateSpec, exampleDir: string | undefined): string {
  let out = text;
  for (const [to, from] of Object.entries(template.copy)) out = out.split(from).join(to);
  if (exampleDir) out = out.split(`${exampleDir}/`).join('').split(exampleDir).join('.');
  return out;
}

const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';

// simulate() builds the app first (TypeScript, rollup, the model packs): seconds, more than vitest's 5 s default.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } });
`;

const GITIGNORE = 'node_modules/\ndist/\nout/\n';

/** Writes a new app into `options.dir` (created; it must not exist or be empty). */
export function initApp(options: InitOptions): InitResult {
  const templateName = options.template ?? DEFAULT_TEMPLATE;
  const template = loadTemplate(templateName);
  let board: Board;
  try {
    board = loadBoard(options.board);
  } catch (e) {
    throw new InitUsageError((e as Error).message);
  }
  if (!template.boards.includes(board.id)) {
    throw new InitUsageError(
      `template "${templateName}" runs on ${template.boards.join(', ')}, not on ${board.id}: it needs ${template.needs}` +
        ` (boards: ${listBoards().join(', ')})`,
    );
  }
  const dir = resolve(options.dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new InitUsageError(`${options.dir} is a file; init writes a new app into a new or empty folder`);
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
      throw new InitUsageError(`${options.dir} is not empty (${shown}); init writes a new app into a new or empty folder`);
    }
  }

  const written = new Set<string>();
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.add(path);
  };
  mkdirSync(dir, { recursive: true });
  const templateDir = join(TEMPLATES_DIR, templateName);
  // The example the template takes its app from, if any: its paths in the app's comments become the app's own.
  const exampleDir = Object.values(template.copy).map((f) => /^examples\/[^/]+/.exec(f)?.[0]).find((d) => d !== undefined);

  for (const [to, from] of Object.entries(template.copy)) {
    const source = join(PACKAGE_ROOT, from);
    const target = join(dir, to);
    mkdirSync(dirname(target), { recursive: true });
    if (to === template.trace && to.endsWith('.json')) copyJsonTrace(source, target, written);
    else if (to.endsWith('.ts')) write(to, rewritePaths(readFileSync(source, 'utf8'), template, exampleDir));
    else {
      copyFileSync(source, target);
      written.add(target);
    }
  }
  for (const file of readdirSync(templateDir)) {
    if (file === 'template.json') continue;
    const text = readFileSync(join(templateDir, file), 'utf8');
    write(file, file.endsWith('.test.ts') ? text.split('__BOARD__').join(board.id) : text);
  }

  write('tinysense.json', JSON.stringify(template.project, null, 2) + '\n');
  write('tinysense-env.d.ts', boardGlobalsDts(board, 'node_modules/tinysense'));
  write('tsconfig.json', JSON.stringify({
    // For the editor: the app sees the board's globals (tinysense-env.d.ts) and the device API; the
    // build type-checks with the same settings for the board it is given (host/bundler/plugin.ts).
    compilerOptions: {
      target: engineOf(board).language.target,
      lib: engineOf(board).language.lib,
      module: 'esnext',
      moduleResolution: 'bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    files: [template.project.entry, 'tinysense-env.d.ts'],
  }, null, 2) + '\n');
  const dependency = options.tinysense ?? defaultDependency();
  const trace = template.trace ? ` --trace ${template.trace}` : '';
  write('package.json', JSON.stringify({
    name: packageName(dir),
    private: true,
    type: 'module',
    scripts: {
      build: `tinysense build . --board ${board.id}`,
      simulate: `tinysense simulate . --board ${board.id}${trace}`,
      test: 'vitest run',
    },
    dependencies: { tinysense: dependency },
    devDependencies: { vitest: packageManifest().devDependencies?.vitest ?? '4.1.12' },
  }, null, 2) + '\n');
  write('vitest.config.ts', VITEST_CONFIG);
  write('.gitignore', GITIGNORE);

  return {
    dir,
    board: board.id,
    template: templateName,
    files: [...written].map((p) => relative(dir, p).replace(/\\/g, '/')).sort(),
    dependency,
  };
}
