/**
 * From a folder of labelled CSV recordings to windows: find the files, label
 * them (by folder or file name), cut each recording into fixed-length windows
 * and split train/validation with a seeded shuffle.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { Recording, readRecording, resample } from './csv.js';
import { seededRandom, shuffleInPlace } from './random.js';

export interface LabelledFile {
  path: string;
  label: string;
}

export interface WindowSettings {
  length: number;
  stride: number;
  resampleHz?: number;
}

/** Windows of one set: values [count * length * channels], row-major [window][sample][channel]. */
export interface WindowSet {
  values: Float32Array;
  /** Class index per window. */
  labels: Int32Array;
  count: number;
  /** Which recording each window came from (index into `files`). */
  source: Int32Array;
  files: string[];
}

export interface Dataset {
  /** Class names, sorted; a window's label is an index into this. */
  classes: string[];
  channels: number;
  windowLength: number;
  train: WindowSet;
  validation: WindowSet;
  /** Validation recordings (relative to the data folder) when split by recording. */
  validationFiles: string[];
}

function listCsvFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listCsvFiles(path));
    else if (entry.toLowerCase().endsWith('.csv')) out.push(path);
  }
  return out;
}

/** Every CSV under `dir` with its label. */
export function labelledFiles(dir: string, labels: 'folder' | 'filename', labelPattern: string): LabelledFile[] {
  const pattern = new RegExp(labelPattern);
  const files = listCsvFiles(dir).map((path) => {
    if (labels === 'folder') {
      if (dirname(path) === dir) throw new Error(`${path}: labels come from folder names, but this file is not in a class folder`);
      return { path, label: basename(dirname(path)) };
    }
    const match = pattern.exec(basename(path));
    if (!match?.[1]) throw new Error(`${path}: the file name does not match the label pattern ${labelPattern}`);
    return { path, label: match[1] };
  });
  if (files.length === 0) throw new Error(`${dir}: no .csv recordings found`);
  return files;
}

/** Unlabelled windows from every CSV under `dir` (calibration data). */
export function unlabelledFiles(dir: string): string[] {
  const files = listCsvFiles(dir);
  if (files.length === 0) throw new Error(`${dir}: no .csv recordings found`);
  return files;
}

/** Cuts one recording into windows; a recording shorter than one window gives none. */
export function windowsOf(recording: Recording, settings: WindowSettings): Float32Array[] {
  const r = settings.resampleHz ? resample(recording, settings.resampleHz) : recording;
  const samples = r.samples.length / r.channels;
  const out: Float32Array[] = [];
  for (let start = 0; start + settings.length <= samples; start += settings.stride) {
    out.push(r.samples.slice(start * r.channels, (start + settings.length) * r.channels));
  }
  return out;
}

interface PendingWindow {
  values: Float32Array;
  label: number;
  source: number;
}

function toWindowSet(windows: PendingWindow[], files: string[], length: number, channels: number): WindowSet {
  const size = length * channels;
  const values = new Float32Array(windows.length * size);
  windows.forEach((w, i) => values.set(w.values, i * size));
  return {
    values, count: windows.length, files,
    labels: Int32Array.from(windows.map((w) => w.label)),
    source: Int32Array.from(windows.map((w) => w.source)),
  };
}

export interface DatasetOptions {
  dir: string;
  labels: 'folder' | 'filename';
  labelPattern: string;
  columns: string[];
  window: WindowSettings;
  validation: number;
  splitBy: 'recording' | 'window';
  seed: number;
}

/**
 * Reads, windows and splits. Split by recording: per class, a seeded shuffle
 * of its recordings and the first round(n * validation) (at least one when
 * the class has two or more) go to validation. Split by window: the same over
 * each class's windows.
 */
export function loadDataset(options: DatasetOptions): Dataset {
  const files = labelledFiles(options.dir, options.labels, options.labelPattern);
  const classes = [...new Set(files.map((f) => f.label))].sort();
  if (classes.length < 2) throw new Error(`${options.dir}: found only the class ${classes.join('')}; training needs two or more`);
  const random = seededRandom(options.seed);
  const relativePaths = files.map((f) => relative(options.dir, f.path));
  const perFile = files.map((f) => windowsOf(readRecording(f.path, options.columns), options.window));
  const channels = options.columns.length;

  const train: PendingWindow[] = [];
  const validation: PendingWindow[] = [];
  const validationFiles: string[] = [];
  const holdOut = (n: number) => (n < 2 ? 0 : Math.max(1, Math.round(n * options.validation)));
  classes.forEach((label, classIndex) => {
    const fileIndices = files.map((f, i) => (f.label === label ? i : -1)).filter((i) => i >= 0);
    const windows = (i: number) => perFile[i].map((values) => ({ values, label: classIndex, source: i }));
    if (options.splitBy === 'recording') {
      shuffleInPlace(fileIndices, random);
      const held = holdOut(fileIndices.length);
      if (held === 0) throw new Error(`class ${label} has one recording; split.by 'recording' needs two or more per class (or use 'window')`);
      fileIndices.forEach((i, k) => {
        if (k < held) {
          validation.push(...windows(i));
          validationFiles.push(relativePaths[i]);
        } else {
          train.push(...windows(i));
        }
      });
    } else {
      const all = shuffleInPlace(fileIndices.flatMap(windows), random);
      const held = holdOut(all.length);
      validation.push(...all.slice(0, held));
      train.push(...all.slice(held));
    }
  });
  for (const [name, set] of [['training', train], ['validation', validation]] as const) {
    for (let c = 0; c < classes.length; c++) {
      if (!set.some((w) => w.label === c)) throw new Error(`the ${name} set has no windows of class ${classes[c]}; add recordings or shorten the window`);
    }
  }
  return {
    classes, channels, windowLength: options.window.length,
    train: toWindowSet(train, relativePaths, options.window.length, channels),
    validation: toWindowSet(validation, relativePaths, options.window.length, channels),
    validationFiles: validationFiles.sort(),
  };
}
