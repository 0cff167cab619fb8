/**
 * `training.json`, saved beside model.json: what the model expects (classes,
 * input layout, window settings, CSV columns) and how it was trained (split,
 * history, validation metrics). Quantization reads it to window calibration
 * data the same way and to re-evaluate on the same held-out recordings.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputLayout } from './config.js';
import { WindowSettings } from './dataset.js';
import { ClassificationReport } from './metrics.js';
import { EpochLog } from './train.js';

export const TRAINING_INFO = 'training.json';

export interface TrainingInfo {
  format: 'tinysense-training';
  version: 1;
  /** Class names in output order. */
  classes: string[];
  input: { layout: InputLayout; shape: number[] };
  window: WindowSettings;
  data: {
    /** The data folder, relative to the model folder. */
    dir: string;
    labels: 'folder' | 'filename';
    labelPattern: string;
    columns: string[];
  };
  split: { validation: number; by: 'recording' | 'window'; seed: number; validationFiles: string[] };
  training: { epochs: number; batchSize: number; learningRate: number; seed: number };
  history: EpochLog[];
  validation: ClassificationReport;
}

export function writeTrainingInfo(modelDir: string, info: TrainingInfo): void {
  writeFileSync(join(modelDir, TRAINING_INFO), JSON.stringify(info, null, 2) + '\n');
}

export function readTrainingInfo(modelDir: string): TrainingInfo {
  const info = JSON.parse(readFileSync(join(modelDir, TRAINING_INFO), 'utf8')) as TrainingInfo;
  if (info.format !== 'tinysense-training' || info.version !== 1) throw new Error(`${join(modelDir, TRAINING_INFO)} is not a tinysense training record`);
  return info;
}

/** The data folder recorded in training.json, as an absolute path. */
export function trainingDataDir(modelDir: string, info: TrainingInfo): string {
  return resolve(modelDir, info.data.dir);
}
