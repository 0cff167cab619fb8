// Issue 14, item 9: the CLI's rough edges, each with the message a user now gets.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandUsage, errorMessage } from '../../host/cli.js';
import { loadTrace } from '../../host/sim/traces.js';
import { readRecording } from '../../host/train/csv.js';
import { fakeBuild, startBoard } from '../serve/helpers.js';
import { addModelSpec, buildModel } from '../tflite/build-model.js';
import { appFolder, cli } from './helpers.js';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('CLI usage', () => {
  it('--version prints the version', async () => {
    const r = await cli(['--version']);
    expect(r).toEqual({ code: 0, stdout: `tinysense ${version}\n`, stderr: '' });
  });

  it('<command> --help prints that command\'s usage only, exit 0', async () => {
    const r = await cli(['inspect', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('usage:\n  tinysense inspect <model.tflite|model.tsm> [--json]\n');
    expect(r.stderr).toBe('');
    expect((await cli(['simulate', '-h'])).stdout).toMatch(/^usage:\n {2}tinysense simulate <app\.ts\|app folder\|built dir> --board <BOARD> .*\n$/);
  });

  it('a usage error prints the message and that command\'s usage only, exit 2', async () => {
    const r = await cli(['inspect', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("tinysense: Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\"\n" +
      'usage:\n  tinysense inspect <model.tflite|model.tsm> [--json]\n');
    const missing = await cli(['compile', 'x.tflite']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`tinysense: missing -o <model.tsm>\n${commandUsage('compile')}`);
    expect(missing.stderr).not.toContain('tinysense simulate');
    // An unknown command still lists them all.
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('tinysense: unknown command frobnicate\nusage:\n  tinysense --version');
    expect(unknown.stderr).toContain('tinysense simulate');
  });
});

describe('CLI messages', () => {
  it('one "tinysense:" prefix: an invalid pack, and rollup plugin errors', async () => {
    const bad = new Uint8Array(64);
    new DataView(bad.buffer).setUint32(0, 0x4b505354, true); // "TSPK": a pack header, then nothing valid
    const dir = appFolder({ 'bad.tsm': bad });
    const r = await cli(['inspect', join(dir, 'bad.tsm')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tinysense: invalid model pack/);
    expect(r.stderr).not.toContain('tinysense: tinysense:');
    expect(errorMessage(new Error('[plugin tinysense] tinysense: the build does not fit Jolt.js'))).toBe('the build does not fit Jolt.js');
  });

  it('missing files and folders, and folders given as files (and files as folders), are named', async () => {
    const dir = appFolder({ 'data.csv': 't,x\n1,2\n' });
    expect((await cli(['inspect', join(dir, 'none.tflite')])).stderr).toBe(`tinysense: ${join(dir, 'none.tflite')}: no such file (model)\n`);
    expect((await cli(['inspect', dir])).stderr).toBe(`tinysense: ${dir} is a folder; give the model file\n`);
    expect((await cli(['quantize', join(dir, 'model'), '--calibration', dir, '-o', 'x.tflite'])).stderr).toBe(`tinysense: ${join(dir, 'model')}: no such folder (trained model)\n`);
    expect((await cli(['quantize', dir, '--calibration', join(dir, 'data.csv'), '-o', 'x.tflite'])).stderr).toBe(`tinysense: ${join(dir, 'data.csv')} is a file; give the calibration data folder\n`);
    expect((await cli(['train', dir])).stderr).toBe(`tinysense: ${dir} is a folder; give the training config file\n`);
    // Whatever still reaches the top as a raw Node error is turned into a sentence with the path.
    const scandir = Object.assign(new Error(`ENOENT: no such file or directory, scandir '${dir}/x'`), { code: 'ENOENT', syscall: 'scandir', path: `${dir}/x` });
    expect(errorMessage(scandir)).toBe(`${dir}/x: no such file or folder`);
    expect(errorMessage(Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' }))).toBe('a path given is a folder where a file was expected');
  });

  it('a bad JSON config names its file', async () => {
    const dir = appFolder({ 'train.config.json': '{ "data": "x", }' });
    const r = await cli(['train', join(dir, 'train.config.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^tinysense: ${join(dir, 'train.config.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON \\(.+\\)\n$`));
  });

  it('random bytes are "not a .tflite or model pack", not a flatbuffer error', async () => {
    const bytes = Uint8Array.from({ length: 2000 }, (_, i) => (i * 73 + 41) & 0xff);
    const dir = appFolder({ 'random.bin': bytes, 'notes.txt': '# my notes\n' });
    const r = await cli(['inspect', join(dir, 'random.bin')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tinysense: not a .tflite or model pack (starts with 29 72 bb 04 4d 96 df 28)\n');
    expect(r.stderr).not.toContain('root table');
    expect((await cli(['compile', join(dir, 'notes.txt'), '-o', join(dir, 'x.tsm')])).stderr).toBe('tinysense: not a .tflite or model pack (starts with 23 20 6d 79 20 6e 6f 74 "# my not")\n');
  });

  it('a float model gets a hint to quantize', async () => {
    const spec = addModelSpec();
    for (const t of spec.tensors) {
      t.type = 0; // FLOAT32
      delete t.scale;
      delete t.zeroPoint;
    }
    spec.buffers[1] = { data: new Uint8Array(16) };
    const dir = appFolder({ 'float.tflite': buildModel(spec) });
    const r = await cli(['inspect', join(dir, 'float.tflite')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tinysense: operator 0 (ADD): tensor 0 (in) is float32, expected int8. This is a float model: tinysense runs full-int8 models. ' +
      'Quantize it first: `tinysense quantize <trained model folder> --calibration <data> -o model.tflite` (docs/training.md), ' +
      "or the TFLite converter's full-integer quantization (int8 inputs and outputs)\n");
  });
});

describe('CLI output', () => {
  it('synth says what it wrote and marks every CSV synthetic; the training and trace readers take them', async () => {
    const dir = join(appFolder({}), 'data');
    const r = await cli(['synth', dir, '--seed', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote 24 SYNTHETIC recordings (made-up gestures, not sensor data; each CSV starts with a "# synthetic" line) to ${dir}: circle/ (8), idle/ (8), shake/ (8); seed 3\n`);
    const file = join(dir, 'circle', 'circle_01.csv');
    expect(readFileSync(file, 'utf8').split('\n').slice(0, 2)).toEqual(['# synthetic: a made-up "circle" gesture (tinysense synth, seed 3), not a sensor recording', 't,x,y,z']);
    for (const label of ['circle', 'idle', 'shake']) {
      for (const f of readdirSync(join(dir, label))) expect(readFileSync(join(dir, label, f), 'utf8')).toMatch(/^# synthetic: /);
    }
    expect(readRecording(file, ['x', 'y', 'z']).t.length).toBeGreaterThan(10);
    const trace = loadTrace(file);
    expect(trace.kind).toBe('scalar');
  });

  it('quantize prints one confusion matrix', async () => {
    const data = join(appFolder({}), 'data');
    await cli(['synth', data]);
    const out = join(data, '..', 'gesture.tflite');
    const r = await cli(['quantize', 'examples/gesture/model', '--calibration', data, '--evaluate', data, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/confusion matrix \(rows: true class/g)).toHaveLength(1);
    expect(r.stdout).toContain('int8 model (tinysense kernels): accuracy');
    expect(r.stdout).toMatch(/\nfloat model \(tfjs\): accuracy [\d.]+% over \d+ windows; (the same|a different) confusion matrix/);
    expect(r.stdout).toMatch(/\nint8 model \(integer reference interpreter\): accuracy [\d.]+% over \d+ windows; (the same|a different) confusion matrix/);
  });

  it('the datasheet and budget.json use paths relative to the app, not absolute ones', async () => {
    const out = join(appFolder({}), 'dist');
    const r = await cli(['build', 'examples/gesture', '--board', 'BANGLEJS2', '-o', out]);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'datasheet.md'), 'utf8');
    expect(md).toContain('- App: app.ts\n');
    expect(md).toContain('- Source: gesture.tflite (TensorFlow Lite');
    for (const f of ['datasheet.md', 'datasheet.html', 'budget.json']) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text, f).not.toContain(process.cwd());
      expect(text, f).not.toMatch(/"source": "\//);
    }
  });

  it('upload progress lines stay whole when stderr is not a terminal', async () => {
    const served = await startBoard('BANGLEJS2');
    try {
      const dir = fakeBuild('v1');
      expect(process.stderr.isTTY).toBeFalsy();
      const r = await cli(['upload', '--board', 'BANGLEJS2', '--port', served.served.address, '--dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^checking what the board on .* has\.\.\.\n(install [^\n]*\n)?writing 0 \/ \d+ bytes\n/);
      expect(r.stderr).toMatch(/\nverified \d+ \/ \d+ bytes\n/);
      expect(r.stderr).not.toMatch(/bytes(?!\n)/);
      expect(r.stderr).not.toContain('\r');
    } finally {
      await served.served.close();
    }
  });
});

