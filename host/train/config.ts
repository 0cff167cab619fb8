/**
 * The training config: what data, how it is windowed and split, the model
 * architecture and the training run. Written as JSON (`train.config.json`) or
 * as a module whose default export is the object (`train.config.ts`, `.js`,
 * `.mjs`). docs/training.md documents every field.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Padding = 'same' | 'valid';
export type HiddenActivation = 'relu' | 'relu6' | 'linear';

export type LayerSpec =
  | { type: 'conv1d'; filters: number; kernelSize: number; strides?: number; padding?: Padding; activation?: HiddenActivation }
  | { type: 'conv2d'; filters: number; kernelSize: number | [number, number]; strides?: number | [number, number]; padding?: Padding; activation?: HiddenActivation }
  | { type: 'depthwiseConv2d'; kernelSize: number | [number, number]; depthMultiplier?: number; strides?: number | [number, number]; padding?: Padding; activation?: HiddenActivation }
  | { type: 'maxPool1d' | 'avgPool1d'; poolSize: number; strides?: number; padding?: Padding }
  | { type: 'maxPool2d' | 'avgPool2d'; poolSize: number | [number, number]; strides?: number | [number, number]; padding?: Padding }
  | { type: 'globalAvgPool' | 'globalMaxPool' }
  | { type: 'flatten' }
  | { type: 'dense'; units: number; activation?: HiddenActivation }
  | { type: 'batchNorm' }
  | { type: 'dropout'; rate: number };

/** How a window reaches the model: [length, channels] (1D CNN), [length, channels, 1] (2D CNN), or flat (dense). */
export type InputLayout = 'sequence' | 'image' | 'flat';

export interface TrainConfig {
  data: {
    /** Folder of CSV recordings (searched recursively). */
    dir: string;
    /** 'folder': the label is the recording's parent folder name; 'filename': taken from the file name. */
    labels?: 'folder' | 'filename';
    /** For 'filename': a regular expression whose first group is the label (default: up to the first '.', '_' or '-'). */
    labelPattern?: string;
    /** Channel columns to read, in order (default x, y, z). */
    columns?: string[];
  };
  window: {
    /** Samples per window. */
    length: number;
    /** Samples between window starts (default: length, no overlap). */
    stride?: number;
    /** Resample each recording to this rate (linear interpolation on t) before windowing. */
    resampleHz?: number;
  };
  split?: {
    /** Fraction held out for validation (default 0.25). */
    validation?: number;
    /** 'recording' (default) holds out whole recordings per class, so overlapping windows never straddle the split. */
    by?: 'recording' | 'window';
  };
  model: {
    input?: InputLayout;
    /** Hidden layers; a softmax Dense layer over the classes is always appended. */
    layers: LayerSpec[];
  };
  training?: {
    epochs?: number;
    batchSize?: number;
    learningRate?: number;
    seed?: number;
  };
  /** Output folder for the model and reports (default 'model'). */
  output?: string;
}

/** The config with defaults applied and paths made absolute. */
export interface ResolvedTrainConfig {
  data: { dir: string; labels: 'folder' | 'filename'; labelPattern: string; columns: string[] };
  window: { length: number; stride: number; resampleHz?: number };
  split: { validation: number; by: 'recording' | 'window' };
  model: { input: InputLayout; layers: LayerSpec[] };
  training: { epochs: number; batchSize: number; learningRate: number; seed: number };
  output: string;
}

export const DEFAULT_LABEL_PATTERN = '^([^._-]+)';

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`config: ${what} must be a positive integer, not ${JSON.stringify(value)}`);
  return value;
}

const LAYER_TYPES = new Set([
  'conv1d', 'conv2d', 'depthwiseConv2d', 'maxPool1d', 'avgPool1d', 'maxPool2d', 'avgPool2d', 'globalAvgPool', 'globalMaxPool',
  'flatten', 'dense', 'batchNorm', 'dropout',
]);

/** Applies defaults and checks values; relative paths are resolved against `baseDir`. */
export function resolveTrainConfig(config: TrainConfig, baseDir: string): ResolvedTrainConfig {
  if (!config || typeof config !== 'object') throw new Error('config: must be an object');
  if (typeof config.data?.dir !== 'string') throw new Error('config: data.dir (the folder of CSV recordings) is required');
  const labels = config.data.labels ?? 'folder';
  if (labels !== 'folder' && labels !== 'filename') throw new Error(`config: data.labels must be 'folder' or 'filename'`);
  const length = positiveInteger(config.window?.length, 'window.length');
  const stride = config.window.stride === undefined ? length : positiveInteger(config.window.stride, 'window.stride');
  const resampleHz = config.window.resampleHz;
  if (resampleHz !== undefined && !(typeof resampleHz === 'number' && resampleHz > 0)) throw new Error('config: window.resampleHz must be a positive number');
  const validation = config.split?.validation ?? 0.25;
  if (!(validation > 0 && validation < 1)) throw new Error('config: split.validation must be between 0 and 1');
  const by = config.split?.by ?? 'recording';
  if (by !== 'recording' && by !== 'window') throw new Error(`config: split.by must be 'recording' or 'window'`);
  const input = config.model?.input ?? 'sequence';
  if (!['sequence', 'image', 'flat'].includes(input)) throw new Error(`config: model.input must be 'sequence', 'image' or 'flat'`);
  if (!Array.isArray(config.model?.layers)) throw new Error('config: model.layers must be a list (it may be empty)');
  config.model.layers.forEach((layer, i) => {
    if (!LAYER_TYPES.has(layer?.type)) throw new Error(`config: model.layers[${i}].type '${String(layer?.type)}' is not one of ${[...LAYER_TYPES].join(', ')}`);
  });
  const training = config.training ?? {};
  const learningRate = training.learningRate ?? 0.005;
  if (!(learningRate > 0)) throw new Error('config: training.learningRate must be positive');
  return {
    data: {
      dir: resolve(baseDir, config.data.dir),
      labels,
      labelPattern: config.data.labelPattern ?? DEFAULT_LABEL_PATTERN,
      columns: config.data.columns ?? ['x', 'y', 'z'],
    },
    window: { length, stride, ...(resampleHz !== undefined ? { resampleHz } : {}) },
    split: { validation, by },
    model: { input, layers: config.model.layers },
    training: {
      epochs: positiveInteger(training.epochs ?? 20, 'training.epochs'),
      batchSize: positiveInteger(training.batchSize ?? 32, 'training.batchSize'),
      learningRate,
      seed: Number.isInteger(training.seed) ? training.seed! : 1,
    },
    output: resolve(baseDir, config.output ?? 'model'),
  };
}

/**
 * Loads a config file: JSON, or a JS/TS module with a default export. A .ts
 * config is transpiled with the TypeScript compiler (types are erased; it
 * should only build the plain object), since Node 20 cannot import .ts.
 */
export async function loadTrainConfig(path: string): Promise<ResolvedTrainConfig> {
  const absolute = resolve(path);
  const ext = extname(absolute);
  let config: TrainConfig;
  if (ext === '.json') {
    try {
      config = JSON.parse(readFileSync(absolute, 'utf8')) as TrainConfig;
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      throw new Error(`${path}: not valid JSON (${e.message})`);
    }
  } else if (ext === '.js' || ext === '.mjs') {
    config = ((await import(pathToFileURL(absolute).href)) as { default: TrainConfig }).default;
  } else if (ext === '.ts' || ext === '.mts') {
    const ts = (await import('typescript')).default;
    const js = ts.transpileModule(readFileSync(absolute, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: absolute,
    }).outputText;
    config = ((await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as { default: TrainConfig }).default;
  } else {
    throw new Error(`config ${path}: use .json, .js, .mjs or .ts`);
  }
  return resolveTrainConfig(config, dirname(absolute));
}
