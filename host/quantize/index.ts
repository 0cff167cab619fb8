/**
 * Post-training int8 quantization and .tflite export, behind
 * `tinysense quantize`:
 *
 *   quantizeModel(model, calibrationWindows)   tfjs model -> .tflite bytes
 *   quantizeToTflite(modelDir, calibrationDir, outPath)
 *       loads a model saved by `tinysense train`, calibrates on the CSV
 *       recordings in calibrationDir (windowed as in training), writes the
 *       .tflite, verifies it against the TFLite schema, and reports the
 *       float model's and the int8 model's accuracy on the held-out windows
 *       (the int8 one run through tinysense's own compiler and kernels).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { readRecording } from '../train/csv.js';
import { WindowSet, labelledFiles, loadDataset, unlabelledFiles, windowsOf } from '../train/dataset.js';
import { ClassificationReport, argmaxRows, classificationReport, formatReport } from '../train/metrics.js';
import { loadLayersModel } from '../train/model-io.js';
import { seededRandom, shuffleInPlace } from '../train/random.js';
import { tf, tfl, useCpuBackend } from '../train/tfjs.js';
import { predictProbabilities, windowTensor } from '../train/train.js';
import { TrainingInfo, readTrainingInfo, trainingDataDir } from '../train/training-info.js';
import { RuntimeUnavailableError, runReferenceOnWindows, runTfliteOnWindows } from './evaluate-int8.js';
import { FloatGraph } from './float-graph.js';
import { TensorRange, calibrateRanges, evaluateFloatGraph } from './float-eval.js';
import { graphFromLayersModel } from './from-layers.js';
import { QuantParams } from './quant-math.js';
import { QuantizeOptions, quantizeGraph } from './quantize-graph.js';
import { TfliteVerification, verifyTflite } from './tflite-schema.js';
import { TfliteModel, writeTflite } from './tflite-writer.js';

export interface QuantizedModel {
  tflite: Uint8Array;
  /** What was serialized, in plain form. */
  model: TfliteModel;
  graph: FloatGraph;
  ranges: Map<number, TensorRange>;
  inputQuant: QuantParams;
  outputQuant: QuantParams;
  verification: TfliteVerification;
}

/**
 * Converts, calibrates on `calibration` ([count, ...input shape]), quantizes
 * and serializes. Throws if the written file fails schema verification.
 */
export async function quantizeModel(model: tfl.LayersModel, calibration: tf.Tensor, options: QuantizeOptions = {}): Promise<QuantizedModel> {
  await useCpuBackend();
  const graph = graphFromLayersModel(model);
  const ranges = calibrateRanges(graph, calibration);
  const quantized = quantizeGraph(graph, ranges, options);
  const tflite = writeTflite(quantized.model);
  const verification = verifyTflite(tflite);
  if (!verification.ok) throw new Error(`the exported .tflite failed verification:\n  ${verification.problems.join('\n  ')}`);
  return { tflite, model: quantized.model, graph, ranges, inputQuant: quantized.inputQuant, outputQuant: quantized.outputQuant, verification };
}

export interface QuantizeToTfliteOptions extends QuantizeOptions {
  /** Labelled recordings to evaluate on (default: the validation split recorded in training.json). */
  evaluateDir?: string;
  /** Skip the accuracy comparison. */
  skipEvaluation?: boolean;
  /** At most this many calibration windows, drawn with a seeded shuffle (default 500). */
  maxCalibrationWindows?: number;
  log?: (line: string) => void;
}

export interface QuantizeResult {
  outPath: string;
  bytes: number;
  calibrationWindows: number;
  inputQuant: QuantParams;
  outputQuant: QuantParams;
  verification: TfliteVerification;
  /** Held-out accuracy of the float tfjs model and of the int8 .tflite on tinysense's kernels. */
  float?: ClassificationReport;
  int8?: ClassificationReport;
  /** Why `int8` is missing when tinysense's runtime could not be loaded (kernels not built). */
  int8Unavailable?: string;
  /** The int8 model on the integer reference interpreter (int8-reference.ts), a second opinion. */
  int8Reference?: ClassificationReport;
  /** The largest difference between the converted float graph's and tfjs's class probabilities. */
  conversionError?: number;
}

function calibrationWindows(dir: string, info: TrainingInfo, max: number, seed: number): WindowSet {
  const windows = unlabelledFiles(dir).flatMap((path) => windowsOf(readRecording(path, info.data.columns), info.window));
  if (windows.length === 0) throw new Error(`${dir}: no recording is long enough for one ${info.window.length}-sample window`);
  const chosen = shuffleInPlace(windows, seededRandom(seed)).slice(0, max);
  const size = chosen[0].length;
  const values = new Float32Array(chosen.length * size);
  chosen.forEach((w, i) => values.set(w, i * size));
  return { values, count: chosen.length, labels: new Int32Array(chosen.length), source: new Int32Array(chosen.length), files: [] };
}

function heldOutWindows(modelDir: string, info: TrainingInfo, evaluateDir: string | undefined): WindowSet {
  if (evaluateDir) {
    const files = labelledFiles(evaluateDir, info.data.labels, info.data.labelPattern);
    const values: Float32Array[] = [];
    const labels: number[] = [];
    for (const f of files) {
      const label = info.classes.indexOf(f.label);
      if (label < 0) throw new Error(`${f.path}: class ${f.label} is not one the model knows (${info.classes.join(', ')})`);
      for (const w of windowsOf(readRecording(f.path, info.data.columns), info.window)) {
        values.push(w);
        labels.push(label);
      }
    }
    const size = info.window.length * info.data.columns.length;
    const all = new Float32Array(values.length * size);
    values.forEach((w, i) => all.set(w, i * size));
    return { values: all, count: values.length, labels: Int32Array.from(labels), source: new Int32Array(values.length), files: files.map((f) => f.path) };
  }
  // The split is seeded, so loading the training data again gives the same held-out windows.
  return loadDataset({
    dir: trainingDataDir(modelDir, info), labels: info.data.labels, labelPattern: info.data.labelPattern, columns: info.data.columns,
    window: info.window, validation: info.split.validation, splitBy: info.split.by, seed: info.split.seed,
  }).validation;
}

export async function quantizeToTflite(modelDir: string, calibrationDir: string, outPath: string, options: QuantizeToTfliteOptions = {}): Promise<QuantizeResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  await useCpuBackend();
  const info = readTrainingInfo(modelDir);
  const model = await loadLayersModel(modelDir);
  const calibration = calibrationWindows(calibrationDir, info, options.maxCalibrationWindows ?? 500, info.split.seed);
  const calibrationTensor = windowTensor(calibration, info.input.shape);
  let quantized: QuantizedModel;
  try {
    quantized = await quantizeModel(model, calibrationTensor, {
      description: options.description ?? `tinysense: ${info.classes.join(', ')}`,
      fullyConnectedWeights: options.fullyConnectedWeights,
    });
  } finally {
    calibrationTensor.dispose();
  }
  if (extname(outPath) !== '.tflite') log(`note: ${outPath} does not end in .tflite`);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, quantized.tflite);
  log(`wrote ${outPath}: ${quantized.tflite.length} bytes, ${quantized.graph.ops.length} operators; calibrated on ${calibration.count} windows`);
  log(`input int8: scale ${quantized.inputQuant.scale}, zero point ${quantized.inputQuant.zeroPoint}; schema verification passed (${quantized.verification.fieldsVerified} fields)`);

  const result: QuantizeResult = {
    outPath, bytes: quantized.tflite.length, calibrationWindows: calibration.count, inputQuant: quantized.inputQuant,
    outputQuant: quantized.outputQuant, verification: quantized.verification,
  };
  if (!options.skipEvaluation) {
    const heldOut = heldOutWindows(modelDir, info, options.evaluateDir);
    const x = windowTensor(heldOut, info.input.shape);
    try {
      const tfjsProbabilities = predictProbabilities(model, x);
      const graphProbabilities = evaluateFloatGraph(quantized.graph, x);
      result.conversionError = tfjsProbabilities.reduce((m, p, i) => Math.max(m, Math.abs(p - graphProbabilities[i])), 0);
      result.float = classificationReport(heldOut.labels, argmaxRows(tfjsProbabilities, info.classes.length), info.classes);
    } finally {
      x.dispose();
    }
    try {
      const int8 = await runTfliteOnWindows(quantized.tflite, heldOut.values, heldOut.count);
      result.int8 = classificationReport(heldOut.labels, int8.predicted, info.classes);
    } catch (e) {
      if (!(e instanceof RuntimeUnavailableError)) throw e;
      result.int8Unavailable = e.message;
    }
    result.int8Reference = classificationReport(heldOut.labels, runReferenceOnWindows(quantized.model, heldOut.values, heldOut.count), info.classes);
    // One confusion matrix (the int8 model's, as the board runs it); the others as one line each, saying
    // whether their matrix is the same.
    const shown = result.int8 ?? result.int8Reference;
    const same = (r: typeof shown) => JSON.stringify(r.confusion) === JSON.stringify(shown.confusion);
    const line = (r: typeof shown, title: string) =>
      `${title}: accuracy ${(100 * r.accuracy).toFixed(1)}% over ${r.count} windows; ${same(r) ? 'the same confusion matrix' : 'a different confusion matrix (see the result object)'}`;
    log(formatReport(shown, result.int8 ? 'int8 model (tinysense kernels)' : 'int8 model (integer reference interpreter)'));
    if (result.float) log(line(result.float, 'float model (tfjs)'));
    if (result.int8) log(line(result.int8Reference, 'int8 model (integer reference interpreter)'));
    else log(`int8 model: not run on tinysense's kernels (${result.int8Unavailable}); the matrix above is the integer reference interpreter's`);
  }
  model.dispose();
  return result;
}

export { graphFromLayersModel, ConversionError, SUPPORTED_LAYERS } from './from-layers.js';
export { verifyTflite, pinnedTfliteSchema } from './tflite-schema.js';
export { writeTflite } from './tflite-writer.js';
export type { QuantizeOptions } from './quantize-graph.js';
