/** CSV recordings, windowing, labelling, the seeded split, config loading and metrics. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrainConfig } from '../../host/train/config.js';
import { parseRecording, resample } from '../../host/train/csv.js';
import { labelledFiles, loadDataset, windowsOf } from '../../host/train/dataset.js';
import { classificationReport, formatReport } from '../../host/train/metrics.js';
import { confusionSvg } from '../../host/train/confusion-svg.js';
import { generateSyntheticGestures, writeSyntheticGestures } from '../../host/train/synthetic.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

describe('CSV recordings', () => {
  it('reads t,x,y,z with or without a header, in any column order', () => {
    const withHeader = parseRecording('y,t,x,z\n2,0,1,3\n5,20,4,6\n', ['x', 'y', 'z']);
    expect(Array.from(withHeader.samples)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(withHeader.t)).toEqual([0, 20]);
    const bare = parseRecording('0,1,2,3\n10,4,5,6\n', ['x', 'y', 'z']);
    expect(Array.from(bare.samples)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('says which line and column is wrong', () => {
    expect(() => parseRecording('t,x,y,z\n0,1,2,3\n10,1,oops,3\n', ['x', 'y', 'z'], 'a.csv')).toThrow(/a.csv: line 3: column y/);
    expect(() => parseRecording('t,x,y,z\n10,1,2,3\n5,1,2,3\n', ['x', 'y', 'z'], 'a.csv')).toThrow(/does not increase/);
    expect(() => parseRecording('t,x,y\n0,1,2\n', ['x', 'y', 'z'], 'a.csv')).toThrow(/no 'z' column/);
  });

  it('resamples onto a uniform grid by linear interpolation on t', () => {
    const r = parseRecording('t,x\n0,0\n30,3\n50,5\n', ['x']);
    const uniform = resample(r, 100); // every 10 ms
    expect(Array.from(uniform.t)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(Array.from(uniform.samples).map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('cuts windows of length and stride', () => {
    const r = parseRecording('t,x\n' + Array.from({ length: 10 }, (_, i) => `${i * 10},${i}`).join('\n'), ['x']);
    const windows = windowsOf(r, { length: 4, stride: 3 });
    expect(windows.map((w) => Array.from(w))).toEqual([[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]);
  });
});

describe('datasets', () => {
  it('labels by folder or by file name', () => {
    const dir = tempDir('labels');
    mkdirSync(join(dir, 'wave'));
    writeFileSync(join(dir, 'wave', 'a.csv'), 't,x,y,z\n0,0,0,0\n');
    expect(labelledFiles(dir, 'folder', '')).toEqual([{ path: join(dir, 'wave', 'a.csv'), label: 'wave' }]);
    const flat = tempDir('labels-flat');
    writeFileSync(join(flat, 'tap.003.csv'), 't,x,y,z\n0,0,0,0\n');
    writeFileSync(join(flat, 'swipe_left-1.csv'), 't,x,y,z\n0,0,0,0\n');
    expect(labelledFiles(flat, 'filename', '^([^._-]+)').map((f) => f.label)).toEqual(['swipe', 'tap']);
    expect(labelledFiles(flat, 'filename', '^(.+?)[-.]\\d+\\.csv$').map((f) => f.label)).toEqual(['swipe_left', 'tap']);
  });

  it('splits by recording, seeded, with every class on both sides', () => {
    const dir = tempDir('split');
    writeSyntheticGestures(dir, { seed: 5, recordingsPerClass: 4, durationMs: 1000 });
    const options = {
      dir, labels: 'folder' as const, labelPattern: '', columns: ['x', 'y', 'z'], window: { length: 10, stride: 10 },
      validation: 0.25, splitBy: 'recording' as const, seed: 9,
    };
    const a = loadDataset(options);
    const b = loadDataset(options);
    expect(a.classes).toEqual(['circle', 'idle', 'shake']);
    expect(a.validationFiles).toEqual(b.validationFiles);
    expect(a.validationFiles).toHaveLength(3); // one recording of four per class
    expect(new Set(a.validationFiles.map((f) => f.split('/')[0]))).toEqual(new Set(a.classes));
    expect(a.train.count + a.validation.count).toBe(12 * 5);
    const trainSources = new Set(a.train.source);
    for (const s of a.validation.source) expect(trainSources.has(s)).toBe(false);
    const other = loadDataset({ ...options, seed: 10 });
    expect(other.validation.count).toBe(a.validation.count);
  });

  it('generates the same synthetic data for the same seed', () => {
    const a = generateSyntheticGestures({ seed: 3, recordingsPerClass: 1, durationMs: 200 });
    const b = generateSyntheticGestures({ seed: 3, recordingsPerClass: 1, durationMs: 200 });
    expect(a.map((r) => Array.from(r.samples))).toEqual(b.map((r) => Array.from(r.samples)));
    expect(a.map((r) => r.label)).toEqual(['circle', 'idle', 'shake']);
  });
});

describe('config files', () => {
  it('loads a train.config.ts, applies defaults and resolves paths against the file', async () => {
    const dir = tempDir('config');
    const path = join(dir, 'train.config.ts');
    writeFileSync(path, `import type { TrainConfig } from 'tinysense/host';
const config: TrainConfig = {
  data: { dir: './recordings' },
  window: { length: 50, stride: 25 },
  model: { layers: [{ type: 'conv1d', filters: 4, kernelSize: 3 }, { type: 'globalAvgPool' }] },
};
export default config;
`);
    const config = await loadTrainConfig(path);
    expect(config.data.dir).toBe(join(dir, 'recordings'));
    expect(config.output).toBe(join(dir, 'model'));
    expect(config.data.labels).toBe('folder');
    expect(config.split).toEqual({ validation: 0.25, by: 'recording' });
    expect(config.training).toEqual({ epochs: 20, batchSize: 32, learningRate: 0.005, seed: 1 });
    expect(config.model.input).toBe('sequence');
  });

  it('says what is wrong', async () => {
    const dir = tempDir('config-bad');
    const path = join(dir, 'train.config.json');
    writeFileSync(path, JSON.stringify({ data: { dir: 'x' }, window: { length: 0 }, model: { layers: [] } }));
    await expect(loadTrainConfig(path)).rejects.toThrow(/window.length must be a positive integer/);
    writeFileSync(path, JSON.stringify({ data: { dir: 'x' }, window: { length: 8 }, model: { layers: [{ type: 'lstm' }] } }));
    await expect(loadTrainConfig(path)).rejects.toThrow(/model.layers\[0\].type 'lstm'/);
  });
});

describe('metrics', () => {
  it('computes accuracy, per-class figures and the confusion matrix', () => {
    const report = classificationReport([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], ['a', 'b', 'c']);
    expect(report.accuracy).toBeCloseTo(4 / 6);
    expect(report.confusion).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
    expect(report.perClass[1]).toMatchObject({ label: 'b', precision: 2 / 3, recall: 1, support: 2 });
    const text = formatReport(report);
    expect(text).toContain('accuracy 66.7% over 6 windows');
    expect(text.split('\n')[3].trim().split(/\s+/)).toEqual(['a', '1', '1', '0']);
    const svg = confusionSvg(report);
    expect(svg.match(/<rect /g)).toHaveLength(1 + 9);
  });
});
