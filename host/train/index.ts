/**
 * `trainFromConfig(path)`: the whole training path behind `tinysense train`.
 * Reads the config, loads and splits the data, trains, prints the confusion
 * matrix, and writes into the output folder:
 *   model.json + weights.bin   the float tfjs model
 *   training.json              classes, window settings, split, history, metrics
 *   confusion.json             the validation confusion matrix as data
 *   confusion.svg              the same, drawn
 * The saved model is reloaded and re-evaluated, so what is on disk is what
 * was measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ResolvedTrainConfig, loadTrainConfig } from './config.js';
import { confusionSvg } from './confusion-svg.js';
import { loadDataset } from './dataset.js';
import { ClassificationReport, formatReport } from './metrics.js';
import { loadLayersModel, saveLayersModel } from './model-io.js';
import { useCpuBackend } from './tfjs.js';
import { evaluateModel, trainModel } from './train.js';
import { TrainingInfo, writeTrainingInfo } from './training-info.js';

export interface TrainResult {
  outputDir: string;
  classes: string[];
  trainWindows: number;
  validationWindows: number;
  validation: ClassificationReport;
  /** Accuracy of the model reloaded from disk (equals validation.accuracy). */
  reloadedAccuracy: number;
  info: TrainingInfo;
}

export interface TrainRunOptions {
  /** Progress lines (default: process.stdout); pass () => {} for silence. */
  log?: (line: string) => void;
}

export async function trainWithConfig(config: ResolvedTrainConfig, options: TrainRunOptions = {}): Promise<TrainResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  await useCpuBackend();
  const dataset = loadDataset({
    dir: config.data.dir, labels: config.data.labels, labelPattern: config.data.labelPattern, columns: config.data.columns,
    window: config.window, validation: config.split.validation, splitBy: config.split.by, seed: config.training.seed,
  });
  log(`data: ${dataset.classes.length} classes (${dataset.classes.join(', ')}), ${dataset.train.count} training and ${dataset.validation.count} validation windows of ${config.window.length} x ${dataset.channels}`);
  const trained = await trainModel(dataset, {
    layout: config.model.input, layers: config.model.layers, ...config.training,
    onEpoch: (e) => log(`epoch ${e.epoch}/${config.training.epochs}: loss ${e.loss.toFixed(4)} acc ${(100 * e.accuracy).toFixed(1)}% | val loss ${e.validationLoss.toFixed(4)} val acc ${(100 * e.validationAccuracy).toFixed(1)}%`),
  });
  log(formatReport(trained.validation));

  mkdirSync(config.output, { recursive: true });
  await saveLayersModel(trained.model, config.output);
  const info: TrainingInfo = {
    format: 'tinysense-training', version: 1,
    classes: dataset.classes,
    input: { layout: config.model.input, shape: trained.inputShape },
    window: config.window,
    data: { dir: relative(config.output, config.data.dir) || '.', labels: config.data.labels, labelPattern: config.data.labelPattern, columns: config.data.columns },
    split: { validation: config.split.validation, by: config.split.by, seed: config.training.seed, validationFiles: dataset.validationFiles },
    training: config.training,
    history: trained.history,
    validation: trained.validation,
  };
  writeTrainingInfo(config.output, info);
  writeFileSync(join(config.output, 'confusion.json'), JSON.stringify({ labels: trained.validation.labels, matrix: trained.validation.confusion }, null, 2) + '\n');
  writeFileSync(join(config.output, 'confusion.svg'), confusionSvg(trained.validation, 'Validation confusion matrix (float model)'));

  const reloaded = await loadLayersModel(config.output);
  const reloadedAccuracy = evaluateModel(reloaded, dataset.validation, trained.inputShape, dataset.classes).accuracy;
  if (reloadedAccuracy !== trained.validation.accuracy) {
    throw new Error(`the saved model scores ${reloadedAccuracy} on validation, the trained one ${trained.validation.accuracy}`);
  }
  reloaded.dispose();
  trained.model.dispose();
  log(`saved ${config.output}`);
  return {
    outputDir: config.output, classes: dataset.classes, trainWindows: dataset.train.count, validationWindows: dataset.validation.count,
    validation: trained.validation, reloadedAccuracy, info,
  };
}

/** Trains from a config file (.json, .js, .mjs or .ts); paths in it are relative to the file. */
export async function trainFromConfig(configPath: string, options: TrainRunOptions = {}): Promise<TrainResult> {
  return trainWithConfig(await loadTrainConfig(configPath), options);
}

export type { TrainConfig, LayerSpec, ResolvedTrainConfig } from './config.js';
export { writeSyntheticGestures, generateSyntheticGestures, SYNTHETIC_GESTURES } from './synthetic.js';
export { loadLayersModel, saveLayersModel } from './model-io.js';
