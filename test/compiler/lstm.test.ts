// int8 UNIDIRECTIONAL_SEQUENCE_LSTM (int8 weights, int16 cell state, TFLM's integer LSTM): small models covering
// batch-major and time-major layouts, several batches, input and hidden zero points, the cell clip, cell-state
// scales that give each of the tanh input paths (left-shift multiplier, right shift, a scale that is not a power
// of two), compiled and run on the WebAssembly kernels, must give TFLM's outputs byte for byte, invoke after
// invoke: the hidden and cell state live in the pack's state region and carry over, as TFLM's variable tensors
// do; resetState() starts the sequence again as TFLM's Reset() does. The models, inputs and goldens are in
// test/fixtures/lstm/; the goldens come from TFLM's own interpreter (reference kernels, tflite-micro 90b983c2b,
// x86-64), run outside this repository, all of a case's inputs invoked in order on one interpreter. The models
// are rebuilt here from their specs and must equal the committed files, so the goldens stay tied to them.
// TFLM's Prepare-time refusals (CIFG, peephole, projection, layer norm, state that is not variable, ...) are
// reproduced as CompileErrors naming the operator and tensor.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { H } from '../../device/pack.js';
import { LSTM, OP } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { resetState } from '../../device/state.js';
import { compileGraph } from '../../host/compiler/compile.js';
import { graphFromTflite } from '../../host/compiler/from-tflite.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, prng, resign } from '../shared.js';
import { ModelSpec, TensorSpec, buildModel } from '../tflite/build-model.js';

const DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'lstm');
const LSTM_CODE = 44; // BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM
const LSTM_OPTIONS = 71; // BuiltinOptions.UnidirectionalSequenceLSTMOptions
const TANH = 4; // ActivationFunctionType.TANH
const INT16 = 7;
const INT32 = 2;

interface Case {
  name: string;
  timeMajor: boolean;
  /** The input tensor's shape: [time, batch, input] when time-major, else [batch, time, input]. */
  shape: [number, number, number];
  units: number;
  input: { scale: number; zeroPoint: number };
  hidden: { scale: number; zeroPoint: number };
  cellScale: number;
  cellClip: number;
  /** Real magnitude of the input and recurrent weights. */
  weights: [number, number];
  /** How many invokes in a row (the state carries over). */
  invokes: number;
  activation?: number;
}

const CASES: Case[] = [
  // Two batches, batch-major: each batch its own sequence; hidden zero point 3 (TFLM resets it to 3).
  { name: 'lstm_batch_major', timeMajor: false, shape: [2, 5, 6], units: 7, input: { scale: 0.0234, zeroPoint: -5 },
    hidden: { scale: 1 / 128, zeroPoint: 3 }, cellScale: 2 ** -11, cellClip: 0, weights: [0.3, 0.5], invokes: 3 },
  // Time-major, three batches stepped together.
  { name: 'lstm_time_major', timeMajor: true, shape: [4, 3, 5], units: 6, input: { scale: 0.05, zeroPoint: 10 },
    hidden: { scale: 0.009, zeroPoint: -7 }, cellScale: 2 ** -12, cellClip: 0, weights: [0.4, 0.6], invokes: 2 },
  // Large weights drive the cell state into the clip (0.7 at 2^-13: 5734); tanh(cell) by a right shift of 1.
  { name: 'lstm_clip', timeMajor: false, shape: [1, 10, 4], units: 5, input: { scale: 0.03, zeroPoint: 0 },
    hidden: { scale: 1 / 128, zeroPoint: 0 }, cellScale: 2 ** -13, cellClip: 0.7, weights: [2.5, 2], invokes: 2 },
  // A cell scale that is not a power of two: TFLM uses the rounded log2 (-12) anyway.
  { name: 'lstm_cell_scale', timeMajor: false, shape: [1, 6, 3], units: 3, input: { scale: 0.02, zeroPoint: -128 },
    hidden: { scale: 0.008, zeroPoint: -1 }, cellScale: 0.0003, cellClip: 0, weights: [1, 1], invokes: 2 },
  // Cell scale 2^-8: tanh(cell) through the left-shift multiplier (3 << 4); a clip that is not reached.
  { name: 'lstm_wide_cell', timeMajor: false, shape: [3, 4, 2], units: 4, input: { scale: 0.04, zeroPoint: 20 },
    hidden: { scale: 1 / 100, zeroPoint: -20 }, cellScale: 2 ** -8, cellClip: 100, weights: [1.5, 1.2], invokes: 1 },
];

/** UnidirectionalSequenceLSTMOptions { fused_activation_function, cell_clip, proj_clip, time_major } */
function lstmOptions(c: Case): (b: Builder) => number {
  return (b) => {
    b.startObject(6);
    b.addFieldInt8(0, c.activation ?? TANH, 0);
    b.addFieldFloat32(1, c.cellClip, 0);
    b.addFieldInt8(3, c.timeMajor ? 1 : 0, 0);
    return b.endObject();
  };
}

/** What a variant changes in a case's model (for the refusals). */
interface Variant {
  omit?: number[];
  extra?: { input: number; tensor: TensorSpec; data: Uint8Array }[];
  tensor?: (index: number, t: TensorSpec) => TensorSpec;
}

function spec(c: Case, variant: Variant = {}): ModelSpec {
  const batches = c.timeMajor ? c.shape[1] : c.shape[0];
  const inputSize = c.shape[2];
  const rand = prng(7919 * (CASES.indexOf(c) + 1));
  const int8s = (n: number) => Int8Array.from({ length: n }, () => Math.floor(rand() * 255) - 127);
  const wScale = [c.weights[0] / 127, c.weights[1] / 127];
  const tensors: TensorSpec[] = [{ shape: c.shape, name: 'input', scale: [c.input.scale], zeroPoint: [BigInt(c.input.zeroPoint)] }];
  const buffers: { data?: Uint8Array }[] = [{}];
  const constant = (t: TensorSpec, data: Uint8Array) => {
    buffers.push({ data });
    tensors.push({ ...t, buffer: buffers.length - 1 });
  };
  const gates = ['input', 'forget', 'cell', 'output'];
  for (const g of gates) constant({ shape: [c.units, inputSize], name: `${g}_w`, scale: [wScale[0]], zeroPoint: [0n] }, new Uint8Array(int8s(c.units * inputSize).buffer));
  for (const g of gates) constant({ shape: [c.units, c.units], name: `${g}_r`, scale: [wScale[1]], zeroPoint: [0n] }, new Uint8Array(int8s(c.units * c.units).buffer));
  const biasScale = Math.fround(c.input.scale * wScale[0]);
  for (const g of gates) {
    const bias = Int32Array.from({ length: c.units }, () => Math.round(((rand() - 0.5) * 1.0) / biasScale));
    constant({ shape: [c.units], type: INT32, name: `${g}_b`, scale: [biasScale], zeroPoint: [0n] }, new Uint8Array(bias.buffer));
  }
  tensors.push({ shape: [batches, c.units], name: 'hidden_state', scale: [c.hidden.scale], zeroPoint: [BigInt(c.hidden.zeroPoint)], isVariable: true });
  tensors.push({ shape: [batches, c.units], type: INT16, name: 'cell_state', scale: [c.cellScale], zeroPoint: [0n], isVariable: true });
  const outShape = [c.shape[0], c.shape[1], c.units];
  tensors.push({ shape: outShape, name: 'output', scale: [c.hidden.scale], zeroPoint: [BigInt(c.hidden.zeroPoint)] });
  const inputs = [0, 1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, 9, 10, 11, 12, -1, -1, 13, 14, -1, -1, -1, -1];
  for (const k of variant.omit ?? []) inputs[k] = -1;
  for (const e of variant.extra ?? []) {
    constant(e.tensor, e.data);
    inputs[e.input] = tensors.length - 1;
  }
  return {
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: LSTM_CODE, deprecated: LSTM_CODE }],
    tensors: variant.tensor ? tensors.map((t, i) => variant.tensor!(i, t)) : tensors,
    inputs: [0],
    outputs: [15],
    operators: [{ opcodeIndex: 0, inputs, outputs: [15], optionsType: LSTM_OPTIONS, options: lstmOptions(c) }],
    buffers,
  };
}

/** Invoke k's input: uniform bytes. */
function input(c: Case, k: number): Uint8Array {
  const rand = prng(1000 * CASES.indexOf(c) + k + 1);
  return Uint8Array.from({ length: c.shape[0] * c.shape[1] * c.shape[2] }, () => Math.floor(rand() * 256));
}

const readFixture = (file: string) => new Uint8Array(readFileSync(join(DIR, file)));

describe('int8 UNIDIRECTIONAL_SEQUENCE_LSTM matches TFLM byte for byte, invoke after invoke', () => {
  if (process.env.TS_WRITE_LSTM_FIXTURES) {
    // Writes the models and inputs; the goldens are TFLM's outputs for them (see the header).
    mkdirSync(DIR, { recursive: true });
    for (const c of CASES) {
      writeFileSync(join(DIR, `${c.name}.tflite`), buildModel(spec(c)));
      for (let k = 0; k < c.invokes; k++) writeFileSync(join(DIR, `${c.name}.${k}.in.bin`), input(c, k));
    }
  }
  for (const c of CASES) {
    it(`${c.name} (${c.invokes} invoke${c.invokes > 1 ? 's' : ''})`, () => {
      const model = buildModel(spec(c));
      expect(Buffer.from(model).equals(readFixture(`${c.name}.tflite`)), 'the committed model is the spec\'s').toBe(true);
      const compiled = compileTflite(model);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compiled.pack, kernels);
      expect(m.layout.ops).toEqual([OP.UNIDIRECTIONAL_SEQUENCE_LSTM]);
      const tflm = JSON.parse(readFileSync(join(DIR, `${c.name}.tflm.json`), 'utf8')) as { arena_used_bytes: number };
      expect(compiled.arenaBytes).toBeLessThanOrEqual(tflm.arena_used_bytes);
      const golden = (k: number) => readFixture(`${c.name}.${k}.golden.bin`);
      for (let k = 0; k < c.invokes; k++) {
        const x = input(c, k);
        expect(Buffer.from(x).equals(readFixture(`${c.name}.${k}.in.bin`))).toBe(true);
        expect(existsSync(join(DIR, `${c.name}.${k}.golden.bin`))).toBe(true);
        expect(firstDifference(runOnce(m, x)[0], golden(k)), `${c.name} invoke ${k}`).toBe('equal');
      }
      if (c.invokes > 1) {
        // The state carried over: the same input again does not give the first invoke's output ...
        expect(firstDifference(runOnce(m, input(c, 0))[0], golden(0))).not.toBe('equal');
        // ... until a reset, after which the sequence starts again as TFLM's Reset() starts it.
        resetState(m);
        expect(firstDifference(runOnce(m, input(c, 0))[0], golden(0)), `${c.name} after resetState`).toBe('equal');
      }
      kernels.checkGuards();
    });
  }

  it('the state lives in the pack\'s state region: int16 hidden (less its zero point) and cell state per batch', () => {
    const c = CASES[0];
    const compiled = compileTflite(buildModel(spec(c)));
    const m = new Model(compiled.pack, new WasmKernels());
    // 2 batches x 7 units x 2 bytes, each rounded up to 8: hidden at 0, cell at 32.
    expect(m.layout.state).toMatchObject({ offset: 0, bytes: 64 });
    const record = compiled.pack.subarray(compiled.ops[0].recordOffset);
    const word = (field: number) => new DataView(record.buffer, record.byteOffset).getInt32(4 * field, true);
    expect([word(LSTM.hiddenState), word(LSTM.cellState)]).toEqual([0, 32]);
  });

  const base = CASES[1];
  const refusals: [string, Variant, string][] = [
    ['CIFG (no input gate)', { omit: [1, 5] }, 'has no input gate (CIFG, input-to-input or recurrent-to-input weights omitted): TFLM\'s integer LSTM needs all four gates'],
    ['peephole', { extra: [{ input: 10, tensor: { shape: [6], type: INT16, name: 'peephole', scale: [0.01], zeroPoint: [0n] }, data: new Uint8Array(12) }] },
      'has peephole weights (input 10), which TFLM\'s integer LSTM does not support'],
    ['projection', { extra: [{ input: 16, tensor: { shape: [6, 6], name: 'projection', scale: [0.01], zeroPoint: [0n] }, data: new Uint8Array(36) }] },
      'has a projection (input 16), which TFLM\'s integer LSTM does not support'],
    ['layer norm', { extra: [{ input: 21, tensor: { shape: [6], type: INT16, name: 'forget_norm', scale: [0.01], zeroPoint: [0n] }, data: new Uint8Array(12) }] },
      'has layer normalization coefficients (input 21), which TFLM\'s integer LSTM does not support'],
    ['a state that is not variable', { tensor: (i, t) => (i === 14 ? { ...t, isVariable: false } : t) },
      'tensor 14 (cell_state) is the cell state but not a variable tensor, as TFLM requires'],
    ['per-channel weights', { tensor: (i, t) => (i === 2 ? { ...t, scale: Array(6).fill(0.003), zeroPoint: Array(6).fill(0n) } : t) },
      'forget gate input weights tensor 2 (forget_w) are quantized per channel; TFLM\'s LSTM uses one scale per weight tensor'],
    ['a float32 cell state', { tensor: (i, t) => (i === 14 ? { ...t, type: 0 } : t) },
      'the cell state tensor 14 (cell_state) is float32; tinysense runs the integer LSTM (int16 cell state) only'],
    ['weights of the wrong shape', { tensor: (i, t) => (i === 7 ? { ...t, shape: [4, 9] } : t) },
      'cell gate recurrent weights tensor 7 (cell_r) has shape [4, 9], expected [6, 6]'],
  ];
  for (const [what, variant, message] of refusals) {
    it(`refuses ${what}, as TFLM's Prepare does`, () => {
      expect(() => compileTflite(buildModel(spec(base, variant)))).toThrow(`operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): ${message}`);
    });
  }
  it('refuses a cell gate activation other than TANH (TFLM computes sigmoid or tanh only)', () => {
    expect(() => compileTflite(buildModel(spec({ ...base, activation: 1 })))).toThrow(
      'operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): the cell gate activation is RELU; TFLM\'s integer LSTM computes TANH only',
    );
  });

  it('the validator runs the spec\'s rules: a damaged LSTM record is refused, naming the op and the field', () => {
    const pack = compileTflite(buildModel(spec(CASES[0]))).pack;
    const view = new DataView(pack.buffer, pack.byteOffset);
    const record = view.getUint32(view.getUint32(H.opTable, true), true);
    for (const [field, value, message] of [
      [LSTM.hiddenState, 1 << 20, /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\): hidden state needs \d+ bytes at arena offset/],
      [LSTM.cellState, 64, /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\): cell state lies outside the state region/],
      [LSTM.units, 100, /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\): (output|hidden state|input weights) needs/],
      [LSTM.cellTanhShift, 31, /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\): cell tanh shift is 31, outside \[0, 30\]/],
      [LSTM.hiddenZeroPoint, 200, /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\): hidden zero point 200 is not int8/],
    ] as [number, number, RegExp][]) {
      const bad = pack.slice();
      new DataView(bad.buffer).setInt32(record + 4 * field, value, true);
      expect(() => new Model(resign(bad), new WasmKernels()), `field ${field}`).toThrow(message);
    }
  });

  // The zoo's two LSTM models with the LSTM's own output (tensor 23, the whole hidden sequence) as the model's
  // output, so every step's hidden state is compared, not only the saturated softmax. The goldens come from
  // TFLM on the zoo model with its subgraph output patched to tensor 23 (nothing else changed), input 0 then
  // input 1 on one interpreter (the state carries over), and input 1 on a fresh interpreter.
  for (const name of ['tflm_mnist_lstm_int8', 'tflm_xtensa_micro_speech_lstm']) {
    it(`${name}: every hidden state of the sequence, two invokes in a row and after a reset`, () => {
      const zoo = (file: string) => new Uint8Array(readFileSync(join(PACKAGE_ROOT, 'models-zoo', file)));
      const graph = graphFromTflite(zoo(`models/${name}.tflite`));
      const compiled = compileGraph({ ...graph, outputs: [23] });
      // TFLM's arena for the zoo model as published (models-zoo/index.json), and ours for it: at or below.
      const zooIndex = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'models-zoo', 'index.json'), 'utf8')) as { models: { name: string; tflm_arena_used_bytes: number }[] };
      const tflmArena = zooIndex.models.find((e) => e.name === name)!.tflm_arena_used_bytes;
      expect(compileTflite(zoo(`models/${name}.tflite`)).arenaBytes).toBeLessThanOrEqual(tflmArena);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compiled.pack, kernels);
      const inputs = [0, 1].map((k) => zoo(`inputs/${name}.${k}.bin`));
      expect(firstDifference(runOnce(m, inputs[0])[0], readFixture(`${name}.lstm_out.0.golden.bin`)), 'invoke 0').toBe('equal');
      expect(firstDifference(runOnce(m, inputs[1])[0], readFixture(`${name}.lstm_out.1.golden.bin`)), 'invoke 1').toBe('equal');
      resetState(m);
      expect(firstDifference(runOnce(m, inputs[1])[0], readFixture(`${name}.lstm_out.1-fresh.golden.bin`)), 'input 1 after a reset').toBe('equal');
      kernels.checkGuards();
    });
  }
});
