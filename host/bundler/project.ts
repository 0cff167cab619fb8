/**
 * An app project: the folder's tinysense.json saying what to build. `tinysense
 * build`, `tinysense simulate` and simulate() all resolve an app argument here.
 *
 *   { "entry": "app.ts", "model": "model.tflite" }                      one pack, named as the app opens it
 *   { "entry": "app.ts", "models": { "frontend.tsm": "a.tflite",
 *                                    "speech.tsm": "b.tflite" } }       several packs, by Storage name
 *
 * Paths are relative to the folder. An entry .ts file alone is an app too,
 * with its model given separately (--model).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** tinysense.json as written. */
export interface AppProject {
  entry: string;
  model?: string;
  /** Storage name -> .tflite or .tsm. */
  models?: Record<string, string>;
  modelCard?: string;
  /**
   * Globals the board lacks (Bangle in a Jolt.js build) are warnings instead of failing the build:
   * for prototyping code meant for several boards (host/bundler/globals-check.ts). Default false.
   */
  allowMissingGlobals?: boolean;
}

/** An app argument resolved: absolute paths, and a name for output folders. */
export interface ResolvedApp {
  entry: string;
  name: string;
  model?: string;
  models?: Record<string, string>;
  modelCard?: string;
  allowMissingGlobals?: boolean;
}

/** tinysense.json checked field by field, so a typo is an error naming the field, not a crash later. */
function readProject(path: string): AppProject {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${path}: must be a JSON object`);
  const p = raw as Record<string, unknown>;
  if (typeof p.entry !== 'string') throw new Error(`${path}: "entry" must name the app's .ts file`);
  for (const key of ['model', 'modelCard'] as const) {
    if (p[key] !== undefined && typeof p[key] !== 'string') throw new Error(`${path}: "${key}" must be a path`);
  }
  if (p.allowMissingGlobals !== undefined && typeof p.allowMissingGlobals !== 'boolean') throw new Error(`${path}: "allowMissingGlobals" must be true or false`);
  if (p.models !== undefined) {
    if (p.model !== undefined) throw new Error(`${path}: give "model" (one pack) or "models" (packs by Storage name), not both`);
    const models = p.models;
    if (models === null || typeof models !== 'object' || Array.isArray(models) || Object.keys(models).length === 0) {
      throw new Error(`${path}: "models" must map Storage names to model files, e.g. { "speech.tsm": "speech.tflite" }`);
    }
    for (const [name, file] of Object.entries(models)) {
      if (typeof file !== 'string') throw new Error(`${path}: "models"."${name}" must be a path`);
    }
  }
  return p as unknown as AppProject;
}

/**
 * Resolves an app argument (entry file or project folder). `model` (the
 * --model option) replaces the project's one model; a project with several
 * cannot take it.
 */
export function resolveApp(app: string, model?: string): ResolvedApp {
  if (!existsSync(app)) throw new Error(`${app} does not exist`);
  if (!statSync(app).isDirectory()) return { entry: resolve(app), model, name: basename(app).replace(/\.[jt]s$/, '') };
  const configPath = join(app, 'tinysense.json');
  if (!existsSync(configPath)) throw new Error(`${app} has no tinysense.json naming the app's entry and model`);
  const project = readProject(configPath);
  if (project.models && model !== undefined) {
    throw new Error(`${configPath} names several models (${Object.keys(project.models).join(', ')}); --model replaces a single one`);
  }
  return {
    entry: resolve(app, project.entry),
    name: basename(resolve(app)),
    model: model ?? (project.model ? resolve(app, project.model) : undefined),
    models: project.models ? Object.fromEntries(Object.entries(project.models).map(([name, file]) => [name, resolve(app, file)])) : undefined,
    modelCard: project.modelCard ? resolve(app, project.modelCard) : undefined,
    ...(project.allowMissingGlobals ? { allowMissingGlobals: true } : {}),
  };
}
