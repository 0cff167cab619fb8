// The gesture example: its SYNTHETIC training pipeline reproduces the committed model, the int8 model
// stays within 2 points of the float one on held-out data, the app fits Bangle.js 2, and in the simulator it
// recognises the gestures of a held-out trace (another seed) once each, at about the right time.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeviceMemory, EspruinoBoard, type ScalarTrace, type SimEvent, SimulatedNative, buildApp, instantiate, loadModelFile, parseCsvTrace,
  quantizeToTflite, quantizeValue, regionBytes, sampleAt, simulate, trainFromConfig, writeSyntheticGestures,
} from 'tinysense/host';
import { heldOutTrace } from './heldout.js';

const here = new URL('.', import.meta.url).pathname;
const tracePath = join(here, 'traces', 'heldout.csv');
const committedModel = new Uint8Array(readFileSync(join(here, 'gesture.tflite')));
const committedInfo = JSON.parse(readFileSync(join(here, 'model', 'training.json'), 'utf8'));

/** The accuracy figures in README.md (held-out data; int8 on tinysense's kernels). */
const RECORDED = {
  /** The validation split of the seed-1 training data (6 recordings, 54 windows). */
  validation: { windows: 54, float: 1, int8: 1 },
  /** 24 fresh recordings from seed 2 (216 windows). */
  seed2: { windows: 216, float: 1, int8: 1 },
};

const temp: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `tinysense-gesture-${name}-`));
  temp.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temp.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const silent = { log: () => {} };

/** app.ts's settings, read from its source (`var NAME = <JSON-like literal>;`). */
const appSource = readFileSync(join(here, 'app.ts'), 'utf8');
const appConstant = <T>(name: string): T => {
  const m = new RegExp(`^var ${name} = ([^;]+);`, 'm').exec(appSource);
  if (!m) throw new Error(`app.ts has no \`var ${name} = ...;\``);
  return JSON.parse(m[1].replace(/'/g, '"')) as T;
};
const APP = {
  pollMs: appConstant<number>('POLL_MS'), window: appConstant<number>('WINDOW'), stride: appConstant<number>('STRIDE'),
  threshold: appConstant<number>('THRESHOLD'), suppressMs: appConstant<number>('SUPPRESS_MS'),
  gestures: appConstant<string[]>('GESTURES'), idle: appConstant<number>('IDLE'),
};

/**
 * What app.ts should compute on this trace, worked out on the host: the same samples (read at each poll),
 * windows, int8 quantization and decision rule, with gesture.tflite on tinysense's WebAssembly kernels.
 * Returns the model input of every invoke and the gestures to report.
 */
function expected(trace: ScalarTrace, runMs: number): { inputs: Int8Array[]; gestures: { t: number; value: string }[] } {
  const model = instantiate(loadModelFile(join(here, 'gesture.tflite')).pack);
  const input = model.input(0) as Int8Array;
  const scores = model.output(0) as Int8Array;
  const inQuant = model.layout.inputs[0];
  const out = model.layout.outputs[0];
  const minScore = Math.round(APP.threshold / out.scale) + out.zeroPoint;
  const inputs: Int8Array[] = [];
  const gestures: { t: number; value: string }[] = [];
  let last = -1;
  let quietUntil = 0;
  for (let n = APP.window; n * APP.pollMs <= runMs; n += APP.stride) {
    for (let i = 0; i < APP.window; i++) {
      const sample = sampleAt(trace, (n - APP.window + 1 + i) * APP.pollMs)!;
      for (let c = 0; c < 3; c++) input[i * 3 + c] = quantizeValue(sample[c], inQuant);
    }
    inputs.push(input.slice());
    model.invoke();
    let best = 0;
    for (let c = 1; c < APP.gestures.length; c++) if (scores[c] > scores[best]) best = c;
    if (best === APP.idle || scores[best] < minScore) continue;
    const t = n * APP.pollMs;
    if (best !== last || t >= quietUntil) gestures.push({ t, value: APP.gestures[best] });
    last = best;
    quietUntil = t + APP.suppressMs;
  }
  return { inputs, gestures };
}

/**
 * Records the model input the app hands the kernels at every invoke: wraps the simulated E.nativeCall's
 * ts_invoke_ops (signature int(int,int,int,int): pack, arena, first, count; one call per invoke, for all
 * its records) and copies the input tensor out of the arena before the ops run.
 */
function recordModelInputs(opsPerInvoke: number, input: { offset: number; bytes: number }) {
  const inputs: Int8Array[] = [];
  const state: { memory?: DeviceMemory } = {};
  const original = SimulatedNative.prototype.nativeCall;
  const spy = vi.spyOn(SimulatedNative.prototype, 'nativeCall').mockImplementation(function (this: SimulatedNative, addr: number, sig: string, code?: string) {
    const fn = original.call(this, addr, sig, code);
    // ts_invoke_ops sits at offset 12 of every blob's entry table (kernels-c/arm/entry.S).
    if ((addr & ~1) !== 12) return fn;
    return (pack: number, arena: number, first: number, count: number) => {
      if (first === 0 && count === opsPerInvoke) {
        const { region, offset } = state.memory!.resolve(arena + input.offset, input.bytes, 'model input');
        inputs.push(new Int8Array(regionBytes(region).slice(offset, offset + input.bytes).buffer));
      }
      return fn(pack, arena, first, count);
    };
  });
  return { inputs, state, restore: () => spy.mockRestore() };
}

describe('examples/gesture: the SYNTHETIC training pipeline', () => {
  it('synth --seed 1 -> train -> quantize reproduces gesture.tflite byte for byte, with the recorded accuracy', async () => {
    const root = tempDir('pipeline');
    writeSyntheticGestures(join(root, 'data'), { seed: 1 }); // = `tinysense synth data --seed 1`
    cpSync(join(here, 'train.config.json'), join(root, 'train.config.json'));
    const started = Date.now();
    const trained = await trainFromConfig(join(root, 'train.config.json'), silent);
    const trainMs = Date.now() - started;
    expect(trained.classes).toEqual(['circle', 'idle', 'shake']);
    expect(readFileSync(join(root, 'model', 'weights.bin'))).toEqual(readFileSync(join(here, 'model', 'weights.bin')));
    const result = await quantizeToTflite(join(root, 'model'), join(root, 'data'), join(root, 'gesture.tflite'), silent);
    console.log(`pipeline: training ${trainMs} ms, quantize ${Date.now() - started - trainMs} ms`);
    expect(new Uint8Array(readFileSync(join(root, 'gesture.tflite')))).toEqual(committedModel);
    expect(result.float!.count).toBe(RECORDED.validation.windows);
    expect(result.float!.accuracy).toBe(RECORDED.validation.float);
    expect(result.int8Unavailable).toBeUndefined();
    expect(result.int8!.accuracy).toBe(RECORDED.validation.int8);
    expect(Math.abs(result.float!.accuracy - result.int8!.accuracy)).toBeLessThanOrEqual(0.02);
    expect(committedInfo.validation.accuracy).toBe(RECORDED.validation.float);
  });

  it('quantizing the committed float model is deterministic; on seed-2 recordings int8 is within 2 points of float', async () => {
    // The committed model folder beside freshly generated seed-1 data: its training.json names ../data.
    const root = tempDir('heldout');
    cpSync(join(here, 'model'), join(root, 'model'), { recursive: true });
    writeSyntheticGestures(join(root, 'data'), { seed: 1 });
    writeSyntheticGestures(join(root, 'seed2'), { seed: 2 });
    const result = await quantizeToTflite(join(root, 'model'), join(root, 'data'), join(root, 'gesture.tflite'), { ...silent, evaluateDir: join(root, 'seed2') });
    expect(new Uint8Array(readFileSync(join(root, 'gesture.tflite')))).toEqual(committedModel);
    console.log(`seed-2 recordings, ${result.float!.count} windows: float ${result.float!.accuracy}, int8 ${result.int8!.accuracy}, int8 reference ${result.int8Reference!.accuracy}`);
    expect(result.float!.count).toBe(RECORDED.seed2.windows);
    expect(result.float!.accuracy).toBe(RECORDED.seed2.float);
    expect(result.int8!.accuracy).toBe(RECORDED.seed2.int8);
    expect(Math.abs(result.float!.accuracy - result.int8!.accuracy)).toBeLessThanOrEqual(0.02);
  });
});

describe('examples/gesture on Bangle.js 2', () => {
  it('the held-out trace is the seeded generator\'s output', () => {
    const trace = heldOutTrace();
    if (process.env.TINYSENSE_WRITE_TRACE) writeFileSync(tracePath, trace.csv);
    expect(existsSync(tracePath)).toBe(true);
    expect(readFileSync(tracePath, 'utf8')).toBe(trace.csv);
  });

  it('builds for BANGLEJS2 within its budget', async () => {
    const outDir = join('out', 'test', 'gesture-BANGLEJS2-build');
    const { report } = await buildApp({ entry: join(here, 'app.ts'), board: 'BANGLEJS2', model: join(here, 'gesture.tflite'), outDir });
    const b = report.budget;
    console.log(
      `BANGLEJS2: bundle ${report.bundle.bytes} B, pack ${report.models[0].packBytes} B, arena ${report.models[0].arenaBytes} B, ` +
        `blob ${report.blob?.bytes} B; JS heap ${b.jsHeap.used}/${b.jsHeap.capacity} B, Storage ${b.storage.used} B; ` +
        `${report.models[0].macs} MACs, ~${b.latencies[0]?.ms.toFixed(2)} ms per invoke (estimate)`,
    );
    expect(b.problems).toEqual([]);
    expect(b.fits).toBe(true);
    expect(report.compat.issues).toEqual([]);
    expect(report.openModelFiles).toEqual(['gesture.tsm']);
    // The app's class names are the model's outputs, in order; its poll rate and window are the training's.
    expect(APP.gestures).toEqual(committedInfo.classes);
    expect(APP.gestures[APP.idle]).toBe('idle');
    expect(1000 / APP.pollMs).toBe(committedInfo.window.resampleHz);
    expect(APP.window).toBe(committedInfo.window.length);
    expect(report.models[0].packBytes).toBeLessThan(4000);
    expect(report.models[0].arenaBytes).toBeLessThan(1000);
  });

  it('recognises the held-out gestures once each, soon after they start', async () => {
    const { csv, segments, durationMs } = heldOutTrace();
    const runMs = durationMs + 1000;
    const host = expected(parseCsvTrace(csv), runMs);
    const layout = instantiate(loadModelFile(join(here, 'gesture.tflite')).pack).layout;
    const OPS = 7; // kernel calls per invoke: the reshapes alias their inputs
    expect(layout.records).toHaveLength(OPS);
    const recorded = recordModelInputs(OPS, layout.inputs[0]);
    try {
      const sim = await simulate({ app: here, board: 'BANGLEJS2', trace: tracePath, outDir: join('out', 'test', 'gesture-BANGLEJS2') });
      if (!(sim.board instanceof EspruinoBoard)) throw new Error('BANGLEJS2 runs on the Espruino emulation');
      recorded.state.memory = sim.board.memory;
      sim.advance(runMs);
      expect(sim.errors).toEqual([]);
      const events = sim.events('gesture');
      console.log(`gestures: ${events.map((e) => `${String(e.value)} at ${e.t} ms`).join(', ')}; ${recorded.inputs.length} invokes; flat memory peak ${sim.memory().flatBytesPeak} B`);
      // The trace's circles and shakes, in order, each reported once within 1.6 s of its start
      // (a window is 1.28 s and the model runs every 320 ms); nothing during idle.
      const gestures = segments.filter((s) => s.label !== 'idle');
      expect(events.map((e) => e.value)).toEqual(gestures.map((s) => s.label));
      events.forEach((e, i) => {
        expect(e.t).toBeGreaterThan(gestures[i].start);
        expect(e.t).toBeLessThanOrEqual(gestures[i].start + 1600);
      });
      // 25 Hz samples; the model ran every 8th from the 32nd on.
      const samples = Math.floor(runMs / APP.pollMs);
      const invokes = Math.floor((samples - APP.window) / APP.stride) + 1;
      // One ts_invoke_ops call per model run, for its OPS records.
      expect(sim.nativeCalls().ts_invoke_ops).toBe(invokes);
      expect(sim.nativeCalls().ts_invoke).toBeUndefined();
      // The app's int8 windows (ring order, quantization) and reports are exactly the host's.
      expect(recorded.inputs).toHaveLength(invokes);
      expect(recorded.inputs).toEqual(host.inputs);
      // The board reports each gesture after the invoke that found it, which takes it ~0.5 ms (the
      // op-by-op estimate of host/bundler/latency.ts; the host computes the same gestures at no cost).
      const latency = sim.timing().modelMs / invokes;
      expect(latency).toBeGreaterThan(0.05);
      expect(latency).toBeLessThan(5);
      expect(events.map((e: SimEvent) => ({ t: Math.round((e.t - latency) * 1000) / 1000, value: e.value }))).toEqual(host.gestures);
    } finally {
      recorded.restore();
    }
  });
});
