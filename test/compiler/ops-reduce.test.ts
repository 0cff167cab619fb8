// ops-reduce (issue 13): REDUCE_MAX, REDUCE_MIN, SUM, ARG_MAX, ARG_MIN, TRANSPOSE_CONV (int8, int16x8),
// SVDF (int8, int8 and int16 state) and BATCH_MATMUL (int8). Small models covering the branches of TFLM's
// Prepare/Eval (negative and repeated axes, keep_dims, rounding ties, ties between equal values for the
// arg ops, strides, SAME/VALID padding, fused activations, per-tensor and per-channel filters, int64 and
// int16 biases, adj_x/adj_y, broadcast batch dims, constant operands, state kept across invokes) run on
// the WebAssembly kernels and must give TFLM's outputs byte for byte. Models, inputs and goldens are in
// test/fixtures/ops-reduce/; the goldens come from TFLM's own interpreter (reference kernels, tflite-micro
// 90b983c2b, x86-64), run outside this repository (SVDF: one interpreter, consecutive invokes). The
// models are rebuilt here from their specs and must equal the committed files, so goldens stay tied to them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { H } from '../../device/pack.js';
import { CONV, OP, REDUCE, SVDF, BATCH_MATMUL } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { resetState } from '../../device/state.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, prng, resign } from '../shared.js';
import { graphFromTflite } from '../../host/compiler/from-tflite.js';
import { TENSOR_TYPES } from '../../host/tflite/enums.js';
import { ModelSpec, TensorSpec, buildModel } from '../tflite/build-model.js';

const DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'ops-reduce');

// BuiltinOperator and BuiltinOptions codes (schema.fbs).
const B = { ARG_MAX: 56, ARG_MIN: 79, REDUCE_MAX: 82, REDUCE_MIN: 89, SUM: 74, BATCH_MATMUL: 126, TRANSPOSE_CONV: 67, SVDF: 27 };
const O = { Reducer: 27, ArgMax: 40, ArgMin: 57, BatchMatMul: 101, TransposeConv: 49, SVDF: 6 };
const T = { int32: 2, int64: 4, int16: 7, int8: 9 }; // TensorType

const i32 = (...v: number[]) => new Uint8Array(Int32Array.from(v).buffer);
const i16 = (v: number[]) => new Uint8Array(Int16Array.from(v).buffer);
const i64 = (v: number[]) => new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer);
const i8 = (v: number[]) => new Uint8Array(Int8Array.from(v).buffer);

function table(write: (b: Builder) => void, fields: number): (b: Builder) => number {
  return (b) => {
    b.startObject(fields);
    write(b);
    return b.endObject();
  };
}
const reducer = (keepDims: boolean) => table((b) => b.addFieldInt8(0, keepDims ? 1 : 0, 0), 1);
const argOptions = table((b) => b.addFieldInt8(0, T.int32, 0), 1);
const bmmOptions = (adjX: boolean, adjY: boolean) => table((b) => {
  b.addFieldInt8(0, adjX ? 1 : 0, 0);
  b.addFieldInt8(1, adjY ? 1 : 0, 0);
}, 3);
const tconvOptions = (padding: number, strideW: number, strideH: number, activation: number) => table((b) => {
  b.addFieldInt8(0, padding, null);
  b.addFieldInt32(1, strideW, null);
  b.addFieldInt32(2, strideH, null);
  b.addFieldInt8(3, activation, null);
}, 5);
const svdfOptions = (rank: number, activation: number) => table((b) => {
  b.addFieldInt32(0, rank, null);
  b.addFieldInt8(1, activation, null);
}, 3);

/** Deterministic weights: int8 in [-lo, lo] etc. */
function weights(seed: number, n: number, lo: number, hi: number): number[] {
  const rand = prng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));
}

interface Case {
  name: string;
  code: number;
  /** Expected record op code. */
  op: number;
  tensors: TensorSpec[];
  inputs: number[];
  outputs: number[];
  opInputs: number[];
  optionsType: number;
  options: (b: Builder) => number;
  buffers: Uint8Array[]; // buffer k + 1
  /** Consecutive invokes per input file (SVDF keeps state). */
  invokes?: number;
}

const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [BigInt(zp)] });
const qc = (scales: number[]) => ({ scale: scales, zeroPoint: scales.map(() => 0n), quantizedDimension: 0 });

function reduceCase(name: string, code: number, op: number, shape: number[], axes: number[], keepDims: boolean, out: number[], inQ: [number, number], outQ: [number, number]): Case {
  return {
    name, code, op,
    tensors: [
      { shape, name: 'in', ...q(...inQ) },
      { shape: [axes.length], type: T.int32, buffer: 1, name: 'axes' },
      { shape: out, name: 'out', ...q(...outQ) },
    ],
    inputs: [0], outputs: [2], opInputs: [0, 1], optionsType: O.Reducer, options: reducer(keepDims), buffers: [i32(...axes)],
  };
}

function argCase(name: string, code: number, op: number, shape: number[], axis: number, out: number[]): Case {
  return {
    name, code, op,
    tensors: [
      { shape, name: 'in', ...q(0.1, 3) },
      { shape: [1], type: T.int32, buffer: 1, name: 'axis' },
      { shape: out, type: T.int32, name: 'out' },
    ],
    inputs: [0], outputs: [2], opInputs: [0, 1], optionsType: code === B.ARG_MAX ? O.ArgMax : O.ArgMin, options: argOptions, buffers: [i32(axis)],
  };
}

interface TconvSpec {
  name: string;
  s16: boolean;
  input: number[];
  filter: number[]; // [out c, h, w, in c]
  output: number[];
  strides: [number, number]; // w, h
  padding: number; // 0 SAME, 1 VALID
  activation: number;
  filterScales: number[];
  bias?: 'int32' | 'int64' | 'int16';
  inQ: [number, number];
  outQ: [number, number];
}

function tconvCase(s: TconvSpec): Case {
  const channels = s.filter[0];
  const n = s.filter.reduce((a, b) => a * b, 1);
  const tensors: TensorSpec[] = [
    { shape: [4], type: T.int32, buffer: 1, name: 'output_shape' },
    { shape: s.filter, buffer: 2, name: 'filter', ...qc(s.filterScales) },
    { shape: s.input, type: s.s16 ? T.int16 : T.int8, name: 'in', ...q(...s.inQ) },
    { shape: s.output, type: s.s16 ? T.int16 : T.int8, name: 'out', ...q(...s.outQ) },
  ];
  const buffers = [i32(...s.output), i8(weights(n, n, -127, 127))];
  const opInputs = [0, 1, 2];
  if (s.bias) {
    const biasScales = s.filterScales.map((f) => s.inQ[0] * f);
    const values = weights(channels + 7, channels, -3000, 3000);
    const type = { int32: T.int32, int64: T.int64, int16: T.int16 }[s.bias];
    tensors.push({ shape: [channels], type, buffer: 3, name: 'bias', scale: biasScales, zeroPoint: biasScales.map(() => 0n), quantizedDimension: 0 });
    buffers.push(s.bias === 'int32' ? i32(...values) : s.bias === 'int64' ? i64(values.map((v) => v * 1000)) : i16(values));
    opInputs.push(4);
  }
  return {
    name: s.name, code: B.TRANSPOSE_CONV, op: s.s16 ? OP.TRANSPOSE_CONV_S16 : OP.TRANSPOSE_CONV,
    tensors, inputs: [2], outputs: [3], opInputs,
    optionsType: O.TransposeConv, options: tconvOptions(s.padding, s.strides[0], s.strides[1], s.activation), buffers,
  };
}

interface SvdfSpec {
  name: string;
  batches: number;
  inputSize: number;
  filters: number;
  rank: number;
  memory: number;
  s16: boolean;
  inQ: [number, number];
  stateQ: [number, number];
  outQ: [number, number];
  featureScale: number;
  timeScale: number;
  activation: number;
}

function svdfCase(s: SvdfSpec): Case {
  const units = s.filters / s.rank;
  const biasScale = Math.fround(Math.fround(s.stateQ[0]) * Math.fround(s.timeScale));
  const wf = weights(11, s.filters * s.inputSize, -127, 127);
  const wt = s.s16 ? weights(12, s.filters * s.memory, -20000, 20000) : weights(12, s.filters * s.memory, -127, 127);
  return {
    name: s.name, code: B.SVDF, op: OP.SVDF,
    tensors: [
      { shape: [s.batches, s.inputSize], name: 'in', ...q(...s.inQ) },
      { shape: [s.filters, s.inputSize], buffer: 1, name: 'weights_feature', ...q(s.featureScale, 0) },
      { shape: [s.filters, s.memory], type: s.s16 ? T.int16 : T.int8, buffer: 2, name: 'weights_time', ...q(s.timeScale, 0) },
      { shape: [units], type: T.int32, buffer: 3, name: 'bias', ...q(biasScale, 0) },
      { shape: [s.batches, s.filters * s.memory], type: s.s16 ? T.int16 : T.int8, name: 'state', isVariable: true, ...q(...s.stateQ) },
      { shape: [s.batches, units], name: 'out', ...q(...s.outQ) },
    ],
    inputs: [0], outputs: [5], opInputs: [0, 1, 2, 3, 4], optionsType: O.SVDF, options: svdfOptions(s.rank, s.activation),
    buffers: [i8(wf), s.s16 ? i16(wt) : i8(wt), i32(...weights(13, units, -5000, 5000))],
    invokes: 3,
  };
}

interface BmmSpec {
  name: string;
  lhs: number[];
  rhs: number[];
  out: number[];
  adjX: boolean;
  adjY: boolean;
  constRhs: boolean;
  lq: [number, number];
  rq: [number, number];
  oq: [number, number];
}

function bmmCase(s: BmmSpec): Case {
  const n = s.rhs.reduce((a, b) => a * b, 1);
  return {
    name: s.name, code: B.BATCH_MATMUL, op: OP.BATCH_MATMUL,
    tensors: [
      { shape: s.lhs, name: 'lhs', ...q(...s.lq) },
      { shape: s.rhs, name: 'rhs', ...(s.constRhs ? { buffer: 1 } : {}), ...q(...s.rq) },
      { shape: s.out, name: 'out', ...q(...s.oq) },
    ],
    inputs: s.constRhs ? [0] : [0, 1], outputs: [2], opInputs: [0, 1], optionsType: O.BatchMatMul, options: bmmOptions(s.adjX, s.adjY),
    buffers: s.constRhs ? [i8(weights(n + 5, n, -128, 127))] : [],
  };
}

const CASES: Case[] = [
  reduceCase('reduce_max_keep', B.REDUCE_MAX, OP.REDUCE_MAX, [2, 3, 4, 5], [1, 3], true, [2, 1, 4, 1], [0.05, -4], [0.05, -4]),
  reduceCase('reduce_max_neg_axis', B.REDUCE_MAX, OP.REDUCE_MAX, [3, 5, 7], [-1], false, [3, 5], [0.2, 10], [0.2, 10]),
  reduceCase('reduce_min_repeated_axes', B.REDUCE_MIN, OP.REDUCE_MIN, [4, 6], [0, -2, 1], true, [1, 1], [0.1, 0], [0.1, 0]),
  reduceCase('reduce_min_middle', B.REDUCE_MIN, OP.REDUCE_MIN, [2, 6, 3, 2], [1], false, [2, 3, 2], [0.03, -128], [0.03, -128]),
  reduceCase('sum_hw', B.SUM, OP.MEAN, [1, 4, 4, 8], [1, 2], true, [1, 1, 1, 8], [0.05, 3], [0.5, -7]),
  // A ratio of 1/4: MultiplyByQuantizedMultiplier lands on exact ties.
  reduceCase('sum_ties', B.SUM, OP.MEAN, [2, 3, 6], [2], false, [2, 3], [0.1, -1], [0.4, 0]),
  reduceCase('sum_all_saturate', B.SUM, OP.MEAN, [3, 10], [0, 1], false, [], [0.1, -20], [0.1, 5]),
  argCase('arg_max', B.ARG_MAX, OP.ARG_MAX, [2, 5, 6], 1, [2, 6]),
  argCase('arg_max_last', B.ARG_MAX, OP.ARG_MAX, [4, 9], -1, [4]),
  argCase('arg_min', B.ARG_MIN, OP.ARG_MIN, [3, 4, 5], -1, [3, 4]),
  argCase('arg_min_first', B.ARG_MIN, OP.ARG_MIN, [7, 2, 3], 0, [2, 3]),
  tconvCase({ name: 'tconv_same_s2', s16: false, input: [1, 4, 5, 3], filter: [6, 3, 3, 3], output: [1, 8, 10, 6], strides: [2, 2], padding: 0, activation: 0,
    filterScales: [0.01, 0.02, 0.005, 0.013, 0.007, 0.03], bias: 'int32', inQ: [0.05, -3], outQ: [0.08, 5] }),
  tconvCase({ name: 'tconv_valid_relu', s16: false, input: [2, 3, 3, 2], filter: [4, 2, 3, 2], output: [2, 4, 7, 4], strides: [2, 1], padding: 1, activation: 1,
    filterScales: [0.02], inQ: [0.04, 7], outQ: [0.03, -128] }),
  tconvCase({ name: 'tconv_same_s3_relu6', s16: false, input: [1, 3, 3, 4], filter: [2, 5, 4, 4], output: [1, 9, 9, 2], strides: [3, 3], padding: 0, activation: 3,
    filterScales: [0.015, 0.011], bias: 'int32', inQ: [0.1, 0], outQ: [6 / 255, -128] }),
  tconvCase({ name: 'tconv_s16_int64_bias', s16: true, input: [1, 3, 4, 4], filter: [3, 2, 2, 4], output: [1, 6, 8, 3], strides: [2, 2], padding: 0, activation: 0,
    filterScales: [0.01, 0.004, 0.02], bias: 'int64', inQ: [0.0005, 0], outQ: [0.0007, 0] }),
  tconvCase({ name: 'tconv_s16_int16_bias_valid', s16: true, input: [2, 2, 3, 3], filter: [4, 3, 3, 3], output: [2, 5, 7, 4], strides: [2, 2], padding: 1, activation: 1,
    filterScales: [0.01, 0.02, 0.03, 0.015], bias: 'int16', inQ: [0.001, 0], outQ: [0.002, 0] }),
  tconvCase({ name: 'tconv_s16_nobias', s16: true, input: [1, 4, 4, 2], filter: [2, 3, 3, 2], output: [1, 4, 4, 2], strides: [1, 1], padding: 0, activation: 0,
    filterScales: [0.05], inQ: [0.0003, 0], outQ: [0.00002, 0] }),
  svdfCase({ name: 'svdf_int16_state', batches: 2, inputSize: 10, filters: 8, rank: 2, memory: 5, s16: true, inQ: [0.05, -10], stateQ: [0.0002, 0], outQ: [0.05, 3],
    featureScale: 0.004, timeScale: 0.00003, activation: 1 }),
  svdfCase({ name: 'svdf_int8_state', batches: 1, inputSize: 12, filters: 6, rank: 1, memory: 4, s16: false, inQ: [0.06, -128], stateQ: [0.3, -20], outQ: [2, 0],
    featureScale: 0.009, timeScale: 0.012, activation: 0 }),
  bmmCase({ name: 'bmm_const_rhs', lhs: [2, 3, 4, 5], rhs: [5, 6], out: [2, 3, 4, 6], adjX: false, adjY: false, constRhs: true, lq: [0.05, 3], rq: [0.02, 0], oq: [0.1, -5] }),
  bmmCase({ name: 'bmm_adj_broadcast', lhs: [3, 5, 4], rhs: [1, 6, 5], out: [3, 4, 6], adjX: true, adjY: true, constRhs: false, lq: [0.03, -7], rq: [0.04, 11], oq: [0.2, 2] }),
  bmmCase({ name: 'bmm_const_rhs_adj_y_bcast', lhs: [2, 1, 3, 4], rhs: [1, 3, 2, 4], out: [2, 3, 3, 2], adjX: false, adjY: true, constRhs: true, lq: [0.1, 0], rq: [0.01, -3], oq: [0.05, -128] }),
];

function spec(c: Case): ModelSpec {
  return {
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: c.code, deprecated: Math.min(c.code, 127) }],
    tensors: c.tensors,
    inputs: c.inputs,
    outputs: c.outputs,
    operators: [{ opcodeIndex: 0, inputs: c.opInputs, outputs: c.outputs, optionsType: c.optionsType, options: c.options }],
    buffers: [{}, ...c.buffers.map((data) => ({ data }))],
  };
}

const BYTES: Record<number, number> = { [T.int8]: 1, [T.int16]: 2, [T.int32]: 4 };

/** Input set k of a case (k = 0 uniform, k = 1 near each input's zero point), `invokes` sets concatenated. */
function input(c: Case, k: number): Uint8Array {
  const rand = prng(7000 + 100 * CASES.indexOf(c) + k);
  const parts: number[] = [];
  for (let inv = 0; inv < (c.invokes ?? 1); inv++) {
    for (const t of c.inputs.map((i) => c.tensors[i])) {
      const n = t.shape.reduce((x, y) => x * y, 1);
      const bytes = BYTES[t.type ?? T.int8];
      const zp = Number(t.zeroPoint?.[0] ?? 0n);
      const [lo, hi] = bytes === 1 ? [-128, 127] : [-32768, 32767];
      for (let i = 0; i < n; i++) {
        const v = k === 0 ? lo + Math.floor(rand() * (hi - lo + 1)) : Math.max(lo, Math.min(hi, zp + Math.floor(rand() * 17) - 8));
        for (let b = 0; b < bytes; b++) parts.push((v >> (8 * b)) & 0xff);
      }
    }
  }
  return Uint8Array.from(parts);
}

function golden(c: Case, k: number, inv: number): string {
  return join(DIR, (c.invokes ?? 1) > 1 ? `${c.name}.${k}.inv${inv}.golden.bin` : `${c.name}.${k}.golden.bin`);
}

describe('ops-reduce: int8 (and int16x8 TRANSPOSE_CONV) match TFLM byte for byte', () => {
  if (process.env.TS_WRITE_OPSREDUCE_FIXTURES) {
    // Writes the models and inputs; the goldens are TFLM's outputs for them (see the header).
    mkdirSync(DIR, { recursive: true });
    for (const c of CASES) {
      writeFileSync(join(DIR, `${c.name}.tflite`), buildModel(spec(c)));
      for (const k of [0, 1]) writeFileSync(join(DIR, `${c.name}.${k}.in.bin`), input(c, k));
    }
  }
  for (const c of CASES) {
    it(c.name, () => {
      const model = buildModel(spec(c));
      expect(Buffer.from(model).equals(readFileSync(join(DIR, `${c.name}.tflite`))), 'the committed model is the spec\'s').toBe(true);
      const compiled = compileTflite(model);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compiled.pack, kernels);
      expect(m.layout.ops).toEqual([c.op]);
      const tflm = JSON.parse(readFileSync(join(DIR, 'tflm-arena.json'), 'utf8')) as Record<string, number>;
      expect(m.layout.arenaBytes, 'arena at or below TFLM\'s arena_used_bytes').toBeLessThanOrEqual(tflm[c.name]);
      for (const k of [0, 1]) {
        const all = input(c, k);
        expect(Buffer.from(all).equals(readFileSync(join(DIR, `${c.name}.${k}.in.bin`)))).toBe(true);
        const sets = c.invokes ?? 1;
        const per = all.length / sets;
        resetState(m);
        for (let inv = 0; inv < sets; inv++) {
          const file = golden(c, k, inv);
          expect(existsSync(file), file).toBe(true);
          const out = runOnce(m, all.subarray(inv * per, (inv + 1) * per))[0];
          expect(firstDifference(out, readFileSync(file)), `${c.name} input ${k} invoke ${inv}`).toBe('equal');
        }
      }
      kernels.checkGuards();
    });
  }
});

// The int8 bodies of TFLM's keyword_scrambled models (models-zoo): operators 1-12 (SVDF x7 with int16 or
// int8 state and RELU, FULLY_CONNECTED x5) as a model of their own, without the int16 QUANTIZE in front and
// the SOFTMAX/QUANTIZE behind. Four consecutive invokes, each against TFLM's output for the same invoke.
const KWS = [
  { name: 'kws_body', zoo: 'tflm_keyword_scrambled' },
  { name: 'kws_8bit_body', zoo: 'tflm_keyword_scrambled_8bit' },
];

/** Operators first..last of a zoo model as a model: the tensors they use, renumbered, and their buffers. */
function bodySpec(zoo: string, first: number, last: number): ModelSpec {
  const g = graphFromTflite(new Uint8Array(readFileSync(join(PACKAGE_ROOT, 'models-zoo', 'models', `${zoo}.tflite`))));
  const ops = g.operators.slice(first, last + 1);
  const used = [...new Set(ops.flatMap((o) => [...o.inputs, ...o.outputs]).filter((t) => t >= 0))].sort((a, b) => a - b);
  const index = new Map(used.map((t, i) => [t, i]));
  const buffers: { data?: Uint8Array }[] = [{}];
  const tensors: TensorSpec[] = used.map((t) => {
    const x = g.tensors[t];
    if (x.data) buffers.push({ data: x.data });
    return {
      shape: x.shape, type: TENSOR_TYPES.indexOf(x.typeName as (typeof TENSOR_TYPES)[number]), buffer: x.data ? buffers.length - 1 : 0, name: x.name,
      scale: x.scales, zeroPoint: x.zeroPoints.map(BigInt), isVariable: x.isVariable,
    };
  });
  const names = [...new Set(ops.map((o) => o.name))];
  const builtin: Record<string, number> = { SVDF: B.SVDF, FULLY_CONNECTED: 9 };
  return {
    version: 3, identifier: 'TFL3', codes: names.map((n) => ({ builtin: builtin[n], deprecated: builtin[n] })), tensors,
    inputs: [index.get(ops[0].inputs[0])!], outputs: [index.get(ops[ops.length - 1].outputs[0])!],
    operators: ops.map((o) => ({
      opcodeIndex: names.indexOf(o.name), inputs: o.inputs.map((t) => (t < 0 ? -1 : index.get(t)!)), outputs: o.outputs.map((t) => index.get(t)!),
      ...(o.name === 'SVDF'
        ? { optionsType: O.SVDF, options: svdfOptions(o.options.rank as number, 1) }
        : { optionsType: 8, options: table(() => undefined, 5) }), // FullyConnectedOptions, defaults
    })),
    buffers,
  };
}

describe('SVDF in real models: the int8 bodies of TFLM\'s keyword_scrambled models match TFLM over consecutive invokes', () => {
  if (process.env.TS_WRITE_OPSREDUCE_FIXTURES) {
    const rand = prng(4242);
    writeFileSync(join(DIR, 'kws_body.in.bin'), Uint8Array.from({ length: 4 * 96 }, () => Math.floor(rand() * 256)));
    for (const k of KWS) writeFileSync(join(DIR, `${k.name}.tflite`), buildModel(bodySpec(k.zoo, 1, 12)));
  }
  for (const k of KWS) {
    it(`${k.name} (${k.zoo} operators 1-12)`, () => {
      const model = buildModel(bodySpec(k.zoo, 1, 12));
      expect(Buffer.from(model).equals(readFileSync(join(DIR, `${k.name}.tflite`))), 'the committed model is the zoo model\'s body').toBe(true);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compileTflite(model).pack, kernels);
      expect(m.layout.ops.filter((op) => op === OP.SVDF)).toHaveLength(7);
      const tflm = JSON.parse(readFileSync(join(DIR, 'tflm-arena.json'), 'utf8')) as Record<string, number>;
      expect(m.layout.arenaBytes).toBeLessThanOrEqual(tflm[k.name]);
      const all = new Uint8Array(readFileSync(join(DIR, 'kws_body.in.bin')));
      for (let round = 0; round < 2; round++) {
        // A reset brings back TFLM's state after AllocateTensors: the same outputs again.
        resetState(m);
        for (let inv = 0; inv < 4; inv++) {
          const out = runOnce(m, all.subarray(96 * inv, 96 * (inv + 1)))[0];
          expect(firstDifference(out, readFileSync(join(DIR, `${k.name}.inv${inv}.golden.bin`))), `${k.name} invoke ${inv} round ${round}`).toBe('equal');
        }
      }
      kernels.checkGuards();
    });
  }
});

describe('ops-reduce refusals: TFLM\'s Prepare checks at compile time, damaged records on the device', () => {
  const byName = (name: string) => CASES.find((c) => c.name === name)!;
  const compileError = (c: Case): string => {
    try {
      compileTflite(buildModel(spec(c)));
    } catch (e) {
      return (e as Error).message;
    }
    return '(compiled)';
  };
  const withTensor = (c: Case, k: number, t: Partial<TensorSpec>): Case => ({ ...c, tensors: c.tensors.map((x, i) => (i === k ? { ...x, ...t } : x)) });

  it('refuses what TFLM refuses, naming the operator and the tensor', () => {
    expect(compileError(withTensor(byName('reduce_max_keep'), 2, q(0.06, -4)))).toMatch(/operator 0 \(REDUCE_MAX\): int8 reduce max needs equal input and output quantization/);
    expect(compileError(withTensor(byName('arg_max'), 2, { type: T.int64 }))).toBe('operator 0 (ARG_MAX): tensor 2 (out) is int64, expected int32');
    expect(compileError(withTensor(byName('bmm_adj_broadcast'), 1, { shape: [2, 6, 5] }))).toBe('operator 0 (BATCH_MATMUL): batch dims 3 and 2 do not broadcast');
    expect(compileError(withTensor(byName('bmm_const_rhs'), 0, { shape: [2, 3, 4, 4] }))).toBe('operator 0 (BATCH_MATMUL): lhs accumulation depth 4 is not the rhs\'s 5');
    expect(compileError(withTensor(byName('svdf_int8_state'), 4, { isVariable: false }))).toBe('operator 0 (SVDF): activation state tensor 4 (state) is not a variable tensor');
    expect(compileError(withTensor(byName('svdf_int16_state'), 3, q(0.001, 0)))).toMatch(/operator 0 \(SVDF\): bias scale 0.001\d* is not the state scale x time weights scale/);
    expect(compileError(withTensor(byName('svdf_int16_state'), 4, { type: T.int8 }))).toBe('operator 0 (SVDF): tensor 4 (state) is int8, expected int16');
    expect(compileError(withTensor(byName('tconv_same_s2'), 2, { shape: [1, 4, 5, 2] }))).toBe('operator 0 (TRANSPOSE_CONV): filter depth 3 is not the input depth 2');
    expect(compileError(withTensor(byName('tconv_same_s2'), 3, { type: T.int16 }))).toBe('operator 0 (TRANSPOSE_CONV): tensor 3 (out) is int16, expected int8');
    expect(compileError(withTensor(byName('sum_hw'), 0, { type: T.int16 }))).toBe('operator 0 (SUM): tensor 0 (in) is int16, expected int8');
  });

  it('the device refuses damaged ops-reduce records, naming the op and the field', () => {
    const damage = (name: string, field: number, value: number): () => Model => () => {
      const pack = compileTflite(buildModel(spec(byName(name)))).pack;
      const view = new DataView(pack.buffer, pack.byteOffset);
      const record = view.getUint32(view.getUint32(H.opTable, true), true);
      const bad = pack.slice();
      new DataView(bad.buffer).setInt32(record + 4 * field, value, true);
      return new Model(resign(bad), new WasmKernels());
    };
    expect(damage('reduce_max_keep', REDUCE.outputBytes, 4)).toThrow(/op 0 \(REDUCE_MAX\): output element size 4, expected 1/);
    expect(damage('arg_max', REDUCE.inner + 5, 1000)).toThrow(/op 0 \(ARG_MAX\): reads 12000 elements/);
    expect(damage('tconv_same_s2', CONV.dilationW, 2)).toThrow(/op 0 \(TRANSPOSE_CONV\): dilation 2x1 is not 1/);
    expect(damage('tconv_s16_nobias', CONV.inputOffset, 3)).toThrow(/op 0 \(TRANSPOSE_CONV_S16\): int16 offsets 3 and 0 are not 0/);
    expect(damage('tconv_s16_nobias', CONV.actMax, 40000)).toThrow(/op 0 \(TRANSPOSE_CONV_S16\): activation range \[-32768, 40000\] is not within \[-32768, 32767\]/);
    expect(damage('svdf_int16_state', SVDF.state, 16)).toThrow(/op 0 \(SVDF\): state lies outside the state region/);
    expect(damage('svdf_int8_state', SVDF.rank, 4)).toThrow(/op 0 \(SVDF\): filters 6 are not a multiple of the rank 4/);
    expect(damage('bmm_const_rhs', BATCH_MATMUL.rhsColStep, 100)).toThrow(/op 0 \(BATCH_MATMUL\): rhs needs \d+ bytes at pack offset/);
  });
});
