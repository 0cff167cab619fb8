/**
 * The whole path on SYNTHETIC data (host/train/synthetic.ts, seeded, noisy
 * enough that the float model is not perfect): train a
 * tiny 1D CNN from a JSON config, save and reload it, quantize to int8 with
 * calibration data, export .tflite, verify it against schema.fbs, compile it
 * with tinysense and run it on the int8 kernels; the int8 model must stay
 * within 2 points of the float model on the held-out recordings.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyFlatbuffer } from '../../host/quantize/fbs-verifier.js';
import { quantizeToTflite } from '../../host/quantize/index.js';
import { checkTfliteModel } from '../../host/quantize/tflite-checks.js';
import { TrainConfig, trainFromConfig, writeSyntheticGestures } from '../../host/train/index.js';
import { TINYSENSE_RUNTIME_PRESENT, graphFromDecoded, schemaForTests, removeTempDirs, tempDir } from './helpers.js';
import { compileGraph } from '../../host/compiler/compile.js';

afterAll(removeTempDirs);

const root = tempDir('pipeline');
const dataDir = join(root, 'data');
const configPath = join(root, 'train.config.json');
const modelDir = join(root, 'model');
const tflitePath = join(root, 'gestures.tflite');

const config: TrainConfig = {
  data: { dir: 'data', labels: 'folder' },
  window: { length: 32, stride: 16 },
  split: { validation: 0.25, by: 'recording' },
  model: {
    input: 'sequence',
    layers: [
      { type: 'conv1d', filters: 8, kernelSize: 5, activation: 'relu' },
      { type: 'maxPool1d', poolSize: 2 },
      { type: 'conv1d', filters: 8, kernelSize: 3, activation: 'relu' },
      { type: 'globalAvgPool' },
    ],
  },
  training: { epochs: 12, batchSize: 16, learningRate: 0.02, seed: 3 },
  output: 'model',
};

describe('train -> quantize -> export -> verify -> tinysense (synthetic gestures)', () => {
  let floatAccuracy = 0;
  let int8Accuracy = 0;

  it('trains a tiny 1D CNN from a JSON config and saves it', async () => {
    writeSyntheticGestures(dataDir, { seed: 11, recordingsPerClass: 8, durationMs: 4000, sampleRateHz: 50, noise: 0.5 });
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const started = Date.now();
    const result = await trainFromConfig(configPath, { log: () => {} });
    console.log(`training: ${Date.now() - started} ms, validation accuracy ${(100 * result.validation.accuracy).toFixed(1)}% over ${result.validationWindows} windows`);
    expect(result.classes).toEqual(['circle', 'idle', 'shake']);
    expect(result.validation.accuracy).toBeGreaterThan(0.8);
    expect(result.reloadedAccuracy).toBe(result.validation.accuracy);
    const info = JSON.parse(readFileSync(join(modelDir, 'training.json'), 'utf8'));
    expect(info.validation.confusion).toHaveLength(3);
    expect(readFileSync(join(modelDir, 'confusion.svg'), 'utf8')).toContain('<svg');
  });

  it('quantizes to an int8 .tflite that verifies against schema.fbs', async () => {
    const started = Date.now();
    const result = await quantizeToTflite(modelDir, dataDir, tflitePath, { log: () => {} });
    console.log(`quantize + export: ${Date.now() - started} ms, ${result.bytes} bytes`);
    const bytes = new Uint8Array(readFileSync(tflitePath));
    const { schema, from } = schemaForTests();
    const verified = verifyFlatbuffer(bytes, schema);
    expect(verified.problems, `verified against ${from}`).toEqual([]);
    expect(checkTfliteModel(verified.root!)).toEqual([]);
    expect(verified.tablesVerified.Operator).toBeGreaterThanOrEqual(6);
    // tinysense's compiler (lowering, arena planning, pack) accepts it.
    const graph = graphFromDecoded(verified.root!, schema);
    expect(graph.operators.map((o) => o.name)).toEqual(['RESHAPE', 'CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'AVERAGE_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
    const compiled = compileGraph(graph);
    // The reshapes alias their inputs and need no kernel.
    expect(compiled.ops.map((o) => o.name)).toEqual(['CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'AVERAGE_POOL_2D', 'FULLY_CONNECTED', 'SOFTMAX']);
    console.log(`tinysense pack: ${compiled.packBytes} bytes, arena ${compiled.arenaBytes} bytes, ${compiled.macs} MACs`);
    expect(result.outputQuant).toEqual({ scale: 1 / 256, zeroPoint: -128 });
    const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(1)}%`);
    console.log(
      `held-out accuracy over ${result.float!.count} windows: float ${pct(result.float!.accuracy)}, ` +
        `int8 on tinysense kernels ${pct(result.int8?.accuracy)}${result.int8Unavailable ? ` (${result.int8Unavailable})` : ''}, ` +
        `int8 on the reference interpreter ${pct(result.int8Reference!.accuracy)}; float conversion error ${result.conversionError}`,
    );
    expect(result.conversionError).toBeLessThan(1e-4);
    if (TINYSENSE_RUNTIME_PRESENT) expect(result.int8Unavailable).toBeUndefined();
    floatAccuracy = result.float!.accuracy;
    int8Accuracy = result.int8?.accuracy ?? NaN;
    // The integer reference interpreter gives an int8 figure even where the kernels are not built.
    expect(result.int8Reference!.accuracy).toBeGreaterThan(0.8);
    expect(Math.abs(floatAccuracy - result.int8Reference!.accuracy)).toBeLessThanOrEqual(0.02);
  });

  it.skipIf(!TINYSENSE_RUNTIME_PRESENT)('runs end to end in int8 on tinysense kernels within 2 points of float', () => {
    expect(floatAccuracy).toBeGreaterThan(0.8);
    expect(int8Accuracy).toBeGreaterThan(0.8);
    expect(Math.abs(floatAccuracy - int8Accuracy)).toBeLessThanOrEqual(0.02);
  });
});
