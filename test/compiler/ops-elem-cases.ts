// The ops-elem cases (issue 13), run on WebAssembly by test/compiler/ops-elem.test.ts and on the Cortex-M4
// by test/arm/ops-elem.test.ts: SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, PRELU, the comparisons EQUAL/NOT_EQUAL/
// LESS/LESS_EQUAL/GREATER/GREATER_EQUAL (bool output), SELECT_V2 (bool condition) and the table ops
// HARD_SWISH, ABS, RSQRT, L2_NORMALIZATION and LOG_SOFTMAX, each a small model spec with two input sets; models, inputs and TFLM goldens in
// test/fixtures/ops-elem/. Table ops get every input byte (input 0 is -128..127 in order), so each table
// is checked whole.
import { join } from 'node:path';
import { OP } from '../../device/records.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { BUILTIN_OPERATORS, TENSOR_TYPES } from '../../host/tflite/enums.js';
import { prng } from '../shared.js';
import { ModelSpec, TensorSpec } from '../tflite/build-model.js';

export const OPS_ELEM_DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'ops-elem');
const BOOL = TENSOR_TYPES.indexOf('bool');
const code = (name: string): number => BUILTIN_OPERATORS.indexOf(name as (typeof BUILTIN_OPERATORS)[number]);

interface Operand extends TensorSpec {
  /** Constant bytes (the tensor is then not a model input). */
  constant?: Uint8Array;
}
interface OpSpec {
  op: string;
  inputs: number[]; // tensor indexes
  outputs: number[];
}
export interface ElemCase {
  name: string;
  tensors: Operand[];
  ops: OpSpec[];
  outputs: number[];
  /** The op codes the pack must hold. */
  codes: number[];
  /** Input k's bytes of a non-constant tensor; default: k = 0 uniform bytes, k = 1 within 8 of the zero point. */
  input?: (t: Operand, k: number, rand: () => number, n: number) => number[];
}

const q = (shape: number[], scale: number, zeroPoint: number, extra: Partial<Operand> = {}): Operand => ({
  shape, scale: [scale], zeroPoint: [BigInt(zeroPoint)], ...extra,
});
const bool = (shape: number[], extra: Partial<Operand> = {}): Operand => ({ shape, type: BOOL, ...extra });
const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v.map((x) => x & 0xff));

function binary(name: string, op: string, a: Operand, b: Operand, out: Operand, opCode: number): ElemCase {
  return { name, tensors: [a, b, out], ops: [{ op, inputs: [0, 1], outputs: [2] }], outputs: [2], codes: [opCode] };
}
function unary(name: string, op: string, a: Operand, out: Operand, input?: ElemCase['input']): ElemCase {
  return { name, tensors: [a, out], ops: [{ op, inputs: [0], outputs: [1] }], outputs: [1], codes: [OP.TABLE], input: input ?? everyByte };
}
function l2(name: string, a: Operand, out: Operand, input?: ElemCase['input']): ElemCase {
  return { name, tensors: [a, out], ops: [{ op: 'L2_NORMALIZATION', inputs: [0], outputs: [1] }], outputs: [1], codes: [OP.L2_NORMALIZATION], input };
}
function logSoftmax(name: string, a: Operand): ElemCase {
  const out = q(a.shape, 16 / 256, 127);
  return { name, tensors: [a, out], ops: [{ op: 'LOG_SOFTMAX', inputs: [0], outputs: [1] }], outputs: [1], codes: [OP.LOG_SOFTMAX] };
}
/** k = 0: every byte -128..127 in order; k = 1: uniform bytes. */
function everyByte(_t: Operand, k: number, rand: () => number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (k === 0 ? (i % 256) - 128 : Math.floor(rand() * 256) - 128));
}
/** RSQRT: TFLM fails on inputs below the zero point; every byte from the zero point up. */
function fromZeroPoint(t: Operand, k: number, rand: () => number, n: number): number[] {
  const zp = Number(t.zeroPoint![0]);
  return Array.from({ length: n }, (_, i) => (k === 0 ? Math.min(127, zp + (i % (128 - zp))) : zp + Math.floor(rand() * (128 - zp))));
}

const CMP: [string, number][] = [
  ['EQUAL', OP.EQUAL], ['NOT_EQUAL', OP.NOT_EQUAL], ['LESS', OP.LESS], ['LESS_EQUAL', OP.LESS_EQUAL],
  ['GREATER', OP.GREATER], ['GREATER_EQUAL', OP.GREATER_EQUAL],
];

export const CASES: ElemCase[] = [
  // SQUARED_DIFFERENCE: same shapes, 4-D broadcast, a constant operand, equal scales (ties).
  binary('sqdiff_same', 'SQUARED_DIFFERENCE', q([1, 4, 4, 3], 0.05, 3), q([1, 4, 4, 3], 0.031, -7), q([1, 4, 4, 3], 0.2, -128), OP.SQUARED_DIFFERENCE),
  binary('sqdiff_broadcast', 'SQUARED_DIFFERENCE', q([2, 3, 1, 4], 0.02, -128), q([1, 1, 5, 4], 0.045, 11), q([2, 3, 5, 4], 0.05, -100), OP.SQUARED_DIFFERENCE),
  binary('sqdiff_const', 'SQUARED_DIFFERENCE', q([1, 8, 8, 2], 0.04, -5), q([2], 0.01, 0, { constant: bytes(100, -100) }), q([1, 8, 8, 2], 0.5, -128), OP.SQUARED_DIFFERENCE),
  binary('sqdiff_ties', 'SQUARED_DIFFERENCE', q([1, 16, 16], 0.1, 0), q([1, 16, 16], 0.1, 0), q([1, 16, 16], 0.1, -128), OP.SQUARED_DIFFERENCE),
  // MAXIMUM / MINIMUM: raw int8 values whatever the scales (TFLM reads no quantization).
  binary('maximum_broadcast', 'MAXIMUM', q([2, 1, 3], 0.05, 1), q([1, 4, 3], 0.05, 1), q([2, 4, 3], 0.05, 1), OP.MAXIMUM),
  binary('minimum_const', 'MINIMUM', q([1, 5, 5, 4], 0.1, -3), q([4], 0.1, -3, { constant: bytes(-128, -3, 0, 127) }), q([1, 5, 5, 4], 0.1, -3), OP.MINIMUM),
  binary('maximum_rank6', 'MAXIMUM', q([2, 1, 2, 1, 3, 2], 0.02, 0), q([1, 3, 1, 2, 1, 2], 0.02, 0), q([2, 3, 2, 2, 3, 2], 0.02, 0), OP.MAXIMUM),
  // PRELU: per-channel constant alpha (the usual model), an input alpha of the same shape, a scalar alpha.
  binary('prelu_channel', 'PRELU', q([1, 6, 6, 3], 0.05, -20), q([1, 1, 3], 0.004, 0, { constant: bytes(50, -30, 127) }), q([1, 6, 6, 3], 0.04, -60), OP.PRELU),
  binary('prelu_same', 'PRELU', q([2, 4, 5], 0.03, 10), q([2, 4, 5], 0.01, -3), q([2, 4, 5], 0.06, 5), OP.PRELU),
  binary('prelu_scalar', 'PRELU', q([1, 64], 0.1, 0), q([1], 0.5, -128, { constant: bytes(-64) }), q([1, 64], 0.7, -1), OP.PRELU),
  // Comparisons: different scales with broadcasting, then equal scales (where equal values are common).
  ...CMP.map(([op, opCode]) => binary(`${op.toLowerCase()}_broadcast`, op, q([2, 3, 4], 0.05, 2), q([3, 1], 0.07, -5), bool([2, 3, 4]), opCode)),
  ...CMP.map(([op, opCode]) => binary(`${op.toLowerCase()}_same_scale`, op, q([1, 64], 0.02, 0), q([1, 64], 0.02, 0), bool([1, 64]), opCode)),
  binary('less_const', 'LESS', q([4, 4], 0.3, 7), q([], 0.9, 1, { constant: bytes(3) }), bool([4, 4]), OP.LESS),
  // SELECT_V2: broadcast condition and values, a constant y; a LESS -> SELECT_V2 graph (int8 in, int8 out).
  {
    name: 'select_v2_broadcast',
    tensors: [bool([2, 1, 4]), q([2, 3, 4], 0.05, 3), q([4], 0.05, 3, { constant: bytes(-128, 0, 3, 127) }), q([2, 3, 4], 0.05, 3)],
    ops: [{ op: 'SELECT_V2', inputs: [0, 1, 2], outputs: [3] }],
    outputs: [3],
    codes: [OP.SELECT_V2],
  },
  {
    name: 'select_v2_same',
    tensors: [bool([3, 7]), q([3, 7], 0.1, 0), q([3, 7], 0.2, -4), q([3, 7], 0.1, 0)],
    ops: [{ op: 'SELECT_V2', inputs: [0, 1, 2], outputs: [3] }],
    outputs: [3],
    codes: [OP.SELECT_V2],
  },
  {
    name: 'less_select_v2',
    tensors: [q([1, 8, 4], 0.05, -2), q([1, 1, 4], 0.04, 1), bool([1, 8, 4]), q([1, 8, 4], 0.05, -2)],
    ops: [{ op: 'LESS', inputs: [0, 1], outputs: [2] }, { op: 'SELECT_V2', inputs: [2, 1, 0], outputs: [3] }],
    outputs: [3, 2],
    codes: [OP.LESS, OP.SELECT_V2],
  },
  // HARD_SWISH: the relu-ish multiplier shifted left (large input scale), right (small), the output
  // multiplier's exponent past 15 (int16 RoundingDivideByPOT with a full mask).
  unary('hard_swish', 'HARD_SWISH', q([1, 256], 0.05, -10), q([1, 256], 0.03, -100)),
  unary('hard_swish_large_scale', 'HARD_SWISH', q([2, 128], 0.5, 20), q([2, 128], 0.25, -128)),
  unary('hard_swish_small_scale', 'HARD_SWISH', q([1, 16, 16], 0.001, 0), q([1, 16, 16], 0.0008, -7)),
  unary('hard_swish_tiny_output', 'HARD_SWISH', q([256], 0.0001, 5), q([256], 1.0, 0)),
  // ABS: with and without rescaling.
  unary('abs_rescale', 'ABS', q([1, 256], 0.05, -10), q([1, 256], 0.03, -128)),
  unary('abs_same_scale', 'ABS', q([4, 64], 0.02, 30), q([4, 64], 0.02, -100)),
  // RSQRT: inputs from the zero point up (TFLM fails the invoke below it; tested below).
  unary('rsqrt', 'RSQRT', q([1, 256], 0.02, -128), q([1, 256], 0.05, -100), fromZeroPoint),
  unary('rsqrt_zp', 'RSQRT', q([1, 256], 0.5, -20), q([1, 256], 0.004, -128), fromZeroPoint),
  // L2_NORMALIZATION: rows of 8, rows of one element (and all-zero rows near the zero point), long rows whose
  // sum of squares passes 2^29 (the inverse square root's range reduction).
  l2('l2norm', q([1, 4, 4, 8], 0.05, -3), q([1, 4, 4, 8], 1 / 128, 0)),
  l2('l2norm_depth1', q([6, 1], 0.1, 2), q([6, 1], 1 / 128, 0)),
  l2('l2norm_long_rows', q([2, 9000], 0.02, 127), q([2, 9000], 1 / 128, 0), (_t, k, rand, n) =>
    Array.from({ length: n }, () => (k === 0 ? -128 + Math.floor(rand() * 20) : Math.floor(rand() * 256) - 128))),
  // LOG_SOFTMAX: several input scales (the diff_min cut and the adjusted cut), rows of one, long rows.
  logSoftmax('log_softmax', q([4, 10], 0.1, -3)),
  logSoftmax('log_softmax_fine', q([2, 3, 16], 0.01, 20)),
  logSoftmax('log_softmax_coarse', q([3, 32], 0.5, 0)),
  logSoftmax('log_softmax_depth1', q([5, 1], 0.2, 0)),
  logSoftmax('log_softmax_long', q([2, 1000], 0.05, -128)),
];

export function caseSpec(c: ElemCase): ModelSpec {
  const names = [...new Set(c.ops.map((o) => o.op))];
  let nextBuffer = 1;
  const buffers: { data?: Uint8Array }[] = [{}];
  const tensors = c.tensors.map((t, i): TensorSpec => {
    const { constant, ...spec } = t;
    if (!constant) return { ...spec, name: `t${i}` };
    buffers.push({ data: constant });
    return { ...spec, name: `t${i}`, buffer: nextBuffer++ };
  });
  const produced = new Set(c.ops.flatMap((o) => o.outputs));
  return {
    version: 3,
    identifier: 'TFL3',
    codes: names.map((n) => ({ builtin: code(n), deprecated: code(n) })),
    tensors,
    inputs: c.tensors.map((_, i) => i).filter((i) => !c.tensors[i].constant && !produced.has(i)),
    outputs: c.outputs,
    operators: c.ops.map((o) => ({ opcodeIndex: names.indexOf(o.op), inputs: o.inputs, outputs: o.outputs })),
    buffers,
  };
}

export function caseInput(c: ElemCase, k: number): Uint8Array {
  const rand = prng(7000 + 100 * CASES.indexOf(c) + k);
  const spec = caseSpec(c);
  const out: number[] = [];
  for (const i of spec.inputs) {
    const t = c.tensors[i];
    const n = t.shape.reduce((x, y) => x * y, 1);
    if (t.type === BOOL) {
      for (let j = 0; j < n; j++) out.push(rand() < 0.5 ? 1 : 0);
    } else if (c.input) {
      out.push(...c.input(t, k, rand, n));
    } else {
      const zp = Number(t.zeroPoint![0]);
      for (let j = 0; j < n; j++) out.push(k === 0 ? Math.floor(rand() * 256) - 128 : Math.max(-128, Math.min(127, zp + Math.floor(rand() * 17) - 8)));
    }
  }
  return Uint8Array.from(out.map((v) => v & 0xff));
}

