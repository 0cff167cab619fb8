// TFLM's int16x8 scheme (int16 activations, int8 weights, int64 bias) and the QUANTIZE / DEQUANTIZE type pairs
// beyond int8 <-> int8 / float32: one small model per case (edge cases TFLM's Prepare/Eval branch on: padding,
// stride, dilation, grouped channels, depth multiplier, per-tensor and per-channel weights, a bias beyond int32,
// no bias, fused activations, broadcasting, constant operands, negative alpha, every allowed QUANTIZE pair),
// compiled and run on the WebAssembly kernels, must give TFLM's reference outputs byte for byte. Models,
// inputs and goldens are in test/fixtures/int16/; the goldens come from TFLM's own interpreter (reference
// kernels, tflite-micro 90b983c2b, x86-64), run outside this repository (README there). The models are
// rebuilt here from their specs and must equal the committed files, so the goldens stay tied to them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { H } from '../../device/pack.js';
import { CONV, CONVERT, OP, SIGMOID, SOFTMAX_LUT } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, prng, resign } from '../shared.js';
import { ModelSpec, TensorSpec, buildModel } from '../tflite/build-model.js';

const DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'int16');
const byName = (name: string): Case => CASES.find((c) => c.name === name)!;

// TensorType codes.
const F32 = 0, I32 = 2, U8 = 3, I64 = 4, I16 = 7, I8 = 9;
// BuiltinOperator codes.
const B = { ADD: 0, AVERAGE_POOL_2D: 1, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6, FULLY_CONNECTED: 9, MAX_POOL_2D: 17, LOGISTIC: 14, MUL: 18, SOFTMAX: 25, TANH: 28, MEAN: 40, SUB: 41, LEAKY_RELU: 98, QUANTIZE: 114 };
const SAME = 0, VALID = 1;
const NONE = 0, RELU = 1, RELU6 = 3;

type Options = { type: number; write: (b: Builder) => number };
const table = (type: number, fields: (b: Builder) => void, n: number): Options => ({
  type,
  write: (b) => {
    b.startObject(n);
    fields(b);
    return b.endObject();
  },
});
const conv2dOptions = (padding: number, stride: [number, number], act: number, dilation: [number, number] = [1, 1]) =>
  table(1, (b) => {
    b.addFieldInt8(0, padding, null);
    b.addFieldInt32(1, stride[0], null);
    b.addFieldInt32(2, stride[1], null);
    b.addFieldInt8(3, act, null);
    b.addFieldInt32(4, dilation[0], null);
    b.addFieldInt32(5, dilation[1], null);
  }, 7);
const dwOptions = (padding: number, stride: [number, number], mult: number, act: number) =>
  table(2, (b) => {
    b.addFieldInt8(0, padding, null);
    b.addFieldInt32(1, stride[0], null);
    b.addFieldInt32(2, stride[1], null);
    b.addFieldInt32(3, mult, null);
    b.addFieldInt8(4, act, null);
  }, 7);
const fcOptions = (act: number) => table(8, (b) => b.addFieldInt8(0, act, null), 5);
const poolOptions = (padding: number, stride: [number, number], filter: [number, number], act: number) =>
  table(5, (b) => {
    b.addFieldInt8(0, padding, null);
    b.addFieldInt32(1, stride[0], null);
    b.addFieldInt32(2, stride[1], null);
    b.addFieldInt32(3, filter[0], null);
    b.addFieldInt32(4, filter[1], null);
    b.addFieldInt8(5, act, null);
  }, 6);
const actOptions = (type: number, act: number) => table(type, (b) => b.addFieldInt8(0, act, null), 2);
const leakyOptions = (alpha: number) => table(75, (b) => b.addFieldFloat32(0, alpha, null), 1);
const reducerOptions = (keep: boolean) => table(27, (b) => b.addFieldInt8(0, keep ? 1 : 0, null), 1);
const softmaxOptions = (beta: number) => table(9, (b) => b.addFieldFloat32(0, beta, null), 1);

/** One operator; tensors with `data` are constants. Inputs are the tensors without data, in order. */
interface Case {
  name: string;
  op: number;
  /** The kernel the compiler must pick (device/records.ts OP). */
  code: number;
  tensors: (TensorSpec & { data?: Uint8Array })[];
  inputs: number[];
  outputs: number[];
  options?: Options;
}

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
function int8s(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  return bytes(Int8Array.from({ length: n }, () => Math.floor(r() * 255) - 127));
}
function int64s(values: bigint[]): Uint8Array {
  return bytes(BigInt64Array.from(values));
}
function int16s(values: number[]): Uint8Array {
  return bytes(Int16Array.from(values));
}
const t16 = (shape: number[], scale: number, zp = 0): TensorSpec => ({ shape, type: I16, scale: [scale], zeroPoint: [BigInt(zp)] });
const t8 = (shape: number[], scale: number, zp = 0, type = I8): TensorSpec => ({ shape, type, scale: [scale], zeroPoint: [BigInt(zp)] });
// quantized_dimension 0 is left out (the flatbuffer default), as the committed fixtures were written.
const perChannel = (scales: number[], dim: number) => ({ scale: scales, zeroPoint: scales.map(() => 0n), ...(dim === 0 ? {} : { quantizedDimension: dim }) });
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

function quantizeCase(name: string, from: TensorSpec, to: TensorSpec, code: number): Case {
  return { name, op: B.QUANTIZE, code, tensors: [from, to], inputs: [0], outputs: [1] };
}

const CASES: Case[] = [
  {
    name: 'conv_same_stride2_relu', op: B.CONV_2D, code: OP.CONV_2D_S16, options: conv2dOptions(SAME, [2, 2], RELU),
    tensors: [
      t16([1, 6, 7, 3], 0.002),
      { shape: [4, 3, 3, 3], type: I8, ...perChannel([0.01, 0.02, 0.004, 0.03], 0), data: int8s(108, 1) },
      // Channel 2's bias is below INT32_MIN: an int32 bias would wrap.
      { shape: [4], type: I64, ...perChannel([0.00002, 0.00004, 0.000008, 0.00006], 0), data: int64s([12345n, -500000n, -(2n ** 31n) - 5n, 3000000n]) },
      t16([1, 3, 4, 4], 0.004),
    ],
    inputs: [0], outputs: [3],
  },
  {
    name: 'conv_valid_dilated_nobias', op: B.CONV_2D, code: OP.CONV_2D_S16, options: conv2dOptions(VALID, [1, 1], NONE, [2, 2]),
    tensors: [
      t16([1, 9, 9, 2], 0.0015),
      { shape: [3, 2, 2, 2], type: I8, ...perChannel([0.02], 0), data: int8s(24, 2) },
      t16([1, 7, 7, 3], 0.001),
    ],
    inputs: [0], outputs: [2],
  },
  {
    name: 'conv_grouped_relu6', op: B.CONV_2D, code: OP.CONV_2D_S16, options: conv2dOptions(SAME, [1, 1], RELU6),
    tensors: [
      t16([1, 4, 4, 4], 0.0005),
      { shape: [4, 1, 3, 2], type: I8, ...perChannel([0.01, 0.015, 0.02, 0.025], 0), data: int8s(24, 3) },
      { shape: [4], type: I64, ...perChannel([0.000005, 0.0000075, 0.00001, 0.0000125], 0), data: int64s([100n, -200n, 3000n, -40000n]) },
      t16([1, 4, 4, 4], 6 / 32767),
    ],
    inputs: [0], outputs: [3],
  },
  {
    name: 'dw_mult2_relu', op: B.DEPTHWISE_CONV_2D, code: OP.DEPTHWISE_CONV_2D_S16, options: dwOptions(SAME, [1, 1], 2, RELU),
    tensors: [
      t16([1, 5, 5, 4], 0.001),
      { shape: [1, 3, 3, 8], type: I8, ...perChannel([0.01, 0.02, 0.03, 0.01, 0.02, 0.03, 0.01, 0.05], 3), data: int8s(72, 4) },
      { shape: [8], type: I64, ...perChannel([1e-5, 2e-5, 3e-5, 1e-5, 2e-5, 3e-5, 1e-5, 5e-5], 0), data: int64s([1n, -2n, 300n, -4000n, 50000n, -600000n, 2n ** 33n, 8n]) },
      t16([1, 5, 5, 8], 0.002),
    ],
    inputs: [0], outputs: [3],
  },
  {
    name: 'dw_valid_stride2_nobias', op: B.DEPTHWISE_CONV_2D, code: OP.DEPTHWISE_CONV_2D_S16, options: dwOptions(VALID, [2, 2], 1, NONE),
    tensors: [
      t16([1, 7, 6, 3], 0.003),
      { shape: [1, 3, 2, 3], type: I8, ...perChannel([0.02, 0.01, 0.03], 3), data: int8s(18, 5) },
      t16([1, 3, 3, 3], 0.004),
    ],
    inputs: [0], outputs: [2],
  },
  {
    name: 'fc_per_tensor', op: B.FULLY_CONNECTED, code: OP.FULLY_CONNECTED_S16, options: fcOptions(NONE),
    tensors: [
      t16([2, 10], 0.002),
      { shape: [6, 10], type: I8, scale: [0.01], zeroPoint: [0n], data: int8s(60, 6) },
      { shape: [6], type: I64, scale: [0.00002], zeroPoint: [0n], data: int64s([0n, 1000n, -1000n, 2n ** 40n, -(2n ** 40n), 77n]) },
      t16([2, 6], 0.003),
    ],
    inputs: [0], outputs: [3],
  },
  {
    name: 'fc_per_channel_relu_nobias', op: B.FULLY_CONNECTED, code: OP.FULLY_CONNECTED_S16, options: fcOptions(RELU),
    tensors: [
      t16([3, 8], 0.001),
      { shape: [5, 8], type: I8, ...perChannel([0.01, 0.02, 0.005, 0.04, 0.03], 0), data: int8s(40, 7) },
      t16([3, 5], 0.0008),
    ],
    inputs: [0], outputs: [2],
  },
  {
    name: 'add_broadcast_relu', op: B.ADD, code: OP.ADD_S16, options: actOptions(11, RELU),
    tensors: [t16([1, 3, 4, 5], 0.0006), t16([1, 1, 4, 1], 0.0011), t16([1, 3, 4, 5], 0.0009)],
    inputs: [0, 1], outputs: [2],
  },
  {
    name: 'add_same_scale_ties', op: B.ADD, code: OP.ADD_S16, options: actOptions(11, NONE),
    tensors: [t16([1, 64], 0.001), t16([1, 64], 0.001), t16([1, 64], 0.001)],
    inputs: [0, 1], outputs: [2],
  },
  {
    name: 'sub_const', op: B.SUB, code: OP.SUB_S16, options: actOptions(28, NONE),
    tensors: [t16([2, 3, 5], 0.0004), { ...t16([5], 0.0002), data: int16s([-32768, -100, 0, 100, 32767]) }, t16([2, 3, 5], 0.0007)],
    inputs: [0], outputs: [2],
  },
  {
    name: 'mul_broadcast', op: B.MUL, code: OP.MUL_S16, options: actOptions(21, NONE),
    tensors: [t16([2, 1, 6], 0.0004), t16([1, 4, 6], 0.0003), t16([2, 4, 6], 0.004)],
    inputs: [0, 1], outputs: [2],
  },
  {
    name: 'leaky_relu', op: B.LEAKY_RELU, code: OP.LEAKY_RELU_S16, options: leakyOptions(0.2),
    tensors: [t16([1, 40, 8], 0.001), t16([1, 40, 8], 0.0007)],
    inputs: [0], outputs: [1],
  },
  {
    name: 'leaky_relu_negative_alpha', op: B.LEAKY_RELU, code: OP.LEAKY_RELU_S16, options: leakyOptions(-0.5),
    tensors: [t16([100], 0.002), t16([100], 0.002)],
    inputs: [0], outputs: [1],
  },
  {
    name: 'avgpool_same', op: B.AVERAGE_POOL_2D, code: OP.AVERAGE_POOL_2D_S16, options: poolOptions(SAME, [2, 2], [3, 3], NONE),
    tensors: [t16([1, 5, 6, 3], 0.001), t16([1, 3, 3, 3], 0.001)],
    inputs: [0], outputs: [1],
  },
  {
    name: 'maxpool_valid_relu', op: B.MAX_POOL_2D, code: OP.MAX_POOL_2D_S16, options: poolOptions(VALID, [2, 1], [2, 2], RELU),
    tensors: [t16([2, 4, 6, 2], 0.001), t16([2, 3, 3, 2], 0.001)],
    inputs: [0], outputs: [1],
  },
  {
    name: 'mean_axes12', op: B.MEAN, code: OP.MEAN_S16, options: reducerOptions(true),
    tensors: [t16([1, 4, 5, 6], 0.001), { shape: [2], type: I32, data: bytes(Int32Array.of(1, -2)) }, t16([1, 1, 1, 6], 0.0005)],
    inputs: [0], outputs: [2],
  },
  {
    name: 'softmax_s8_to_s16', op: B.SOFTMAX, code: OP.SOFTMAX_S8_S16, options: softmaxOptions(1),
    tensors: [t8([3, 10], 0.07, 2), t16([3, 10], 1 / 65536, -32768)],
    inputs: [0], outputs: [1],
  },
  {
    name: 'softmax_s16', op: B.SOFTMAX, code: OP.SOFTMAX_S16, options: softmaxOptions(1),
    tensors: [t16([3, 12], 0.0005), t16([3, 12], 1 / 32768)],
    inputs: [0], outputs: [1],
  },
  {
    // A coarse input scale and beta != 1: a left shift in the input rescale.
    name: 'softmax_s16_beta', op: B.SOFTMAX, code: OP.SOFTMAX_S16, options: softmaxOptions(0.7),
    tensors: [t16([2, 20], 0.01), t16([2, 20], 1 / 32768)],
    inputs: [0], outputs: [1],
  },
  quantizeCase('quantize_s16_s8', t16([50], 0.0006), t8([50], 0.06, -128), OP.QUANTIZE_INT),
  quantizeCase('quantize_s8_s16', t8([50], 0.05, 3), t16([50], 0.0001), OP.QUANTIZE_INT),
  quantizeCase('quantize_s16_s16', t16([50], 0.0003), t16([50], 0.0007), OP.QUANTIZE_INT),
  quantizeCase('quantize_s16_s32', t16([50], 0.001), { shape: [50], type: I32, scale: [0.00003], zeroPoint: [0n] }, OP.QUANTIZE_INT),
  quantizeCase('quantize_s32_s8', { shape: [50], type: I32, scale: [0.00001], zeroPoint: [0n] }, t8([50], 0.08, 5), OP.QUANTIZE_INT),
  quantizeCase('quantize_s32_s16', { shape: [50], type: I32, scale: [1.5e-7], zeroPoint: [0n] }, t16([50], 0.0009), OP.QUANTIZE_INT),
  quantizeCase('quantize_u8_s8', t8([50], 0.02, 128, U8), t8([50], 0.02, 0), OP.QUANTIZE_INT),
  quantizeCase('quantize_u8_s8_rescale', t8([50], 0.02, 100, U8), t8([50], 0.03, -7), OP.QUANTIZE_INT),
  quantizeCase('quantize_s8_u8', t8([50], 0.02, -128), t8([50], 0.02, 0, U8), OP.QUANTIZE_INT),
  quantizeCase('quantize_s8_s32', t8([50], 0.02, -3), { shape: [50], type: I32, scale: [0.001], zeroPoint: [0n] }, OP.QUANTIZE_INT),
  quantizeCase('quantize_f32_s16', { shape: [50], type: F32 }, t16([50], 0.0005, 0), OP.QUANTIZE_F32_S16),
  { name: 'dequantize_s16', op: B.DEQUANTIZE, code: OP.DEQUANTIZE_ANY, tensors: [t16([50], 0.0007, 0), { shape: [50], type: F32 }], inputs: [0], outputs: [1] },
  { name: 'dequantize_u8', op: B.DEQUANTIZE, code: OP.DEQUANTIZE_ANY, tensors: [t8([50], 0.03, 117, U8), { shape: [50], type: F32 }], inputs: [0], outputs: [1] },
  // TFLM's int32-bias int16 variants (an int32 accumulator and requantization).
  {
    name: 'conv_bias32', op: B.CONV_2D, code: OP.CONV_2D_S16_B32, options: conv2dOptions(SAME, [2, 1], NONE),
    tensors: [
      t16([1, 5, 6, 2], 0.002),
      { shape: [3, 3, 3, 2], type: I8, ...perChannel([0.01, 0.02, 0.004], 0), data: int8s(54, 10) },
      { shape: [3], type: I32, ...perChannel([0.00002, 0.00004, 0.000008], 0), data: bytes(Int32Array.of(40000, -90000, 2 ** 30)) },
      t16([1, 5, 3, 3], 0.003),
    ],
    inputs: [0], outputs: [3],
  },
  {
    name: 'fc_bias32_per_channel', op: B.FULLY_CONNECTED, code: OP.FULLY_CONNECTED_S16_B32, options: fcOptions(NONE),
    tensors: [
      t16([2, 12], 0.001, 0),
      { shape: [4, 12], type: I8, ...perChannel([0.01, 0.02, 0.005, 0.03], 0), data: int8s(48, 11) },
      { shape: [4], type: I32, ...perChannel([1e-5, 2e-5, 5e-6, 3e-5], 0), data: bytes(Int32Array.of(1000, -2000, 300000, -(2 ** 31))) },
      t16([2, 4], 0.002),
    ],
    inputs: [0], outputs: [3],
  },
  // Effective scales near 2^-22: the int64 requantization's rounding shift passes 32 (15 - shift = 37), and
  // biases of +-2^35 carry the outputs.
  {
    name: 'conv_tiny_scale_big_bias', op: B.CONV_2D, code: OP.CONV_2D_S16, options: conv2dOptions(VALID, [1, 1], NONE),
    tensors: [
      t16([1, 3, 3, 2], 0.0001),
      { shape: [3, 2, 2, 2], type: I8, ...perChannel([0.001, 0.0005, 0.002], 0), data: int8s(24, 8) },
      { shape: [3], type: I64, ...perChannel([1e-7, 5e-8, 2e-7], 0), data: int64s([2n ** 35n, -(2n ** 35n), 2n ** 34n + 12345n]) },
      t16([1, 2, 2, 3], 0.5),
    ],
    inputs: [0], outputs: [3],
  },
  {
    name: 'fc_tiny_scale_big_bias', op: B.FULLY_CONNECTED, code: OP.FULLY_CONNECTED_S16, options: fcOptions(NONE),
    tensors: [
      t16([1, 16], 0.0001),
      { shape: [4, 16], type: I8, scale: [0.001], zeroPoint: [0n], data: int8s(64, 9) },
      { shape: [4], type: I64, scale: [1e-7], zeroPoint: [0n], data: int64s([2n ** 35n, -(2n ** 35n), 3n * 2n ** 33n, -(2n ** 31n) - 1n]) },
      t16([1, 4], 0.25, 0),
    ],
    inputs: [0], outputs: [3],
  },
  // LOGISTIC and TANH int16 (output scale 2^-15): input scale 2^-12 is TFLM's power-of-two case (x * 3; TANH
  // also 2^-11, x * 6), a scale within 1e-3 of it in log2 is treated as one; other scales take the multiplier
  // path (shift 1..31), from coarse (2.0: no shift) to fine.
  ...sigmoidCases('logistic', B.LOGISTIC, OP.LOGISTIC_S16, [['pot', 2 ** -12], ['near_pot', 2 ** -12 * 1.0004], ['pot_2e-10', 2 ** -10], ['0.0003', 0.0003], ['2.0', 2]]),
  ...sigmoidCases('tanh', B.TANH, OP.TANH_S16, [['pot', 2 ** -12], ['pot_2e-11', 2 ** -11], ['pot_2e-9', 2 ** -9], ['0.0003', 0.0003], ['1e-6', 1e-6], ['2.0', 2]]),
];

function sigmoidCases(op: string, builtin: number, code: number, scales: [string, number][]): Case[] {
  return scales.map(([label, scale]) => ({
    name: `${op}_${label}`, op: builtin, code,
    tensors: [t16([4, 300], scale), t16([4, 300], 2 ** -15)],
    inputs: [0], outputs: [1],
  }));
}

function spec(c: Case): ModelSpec {
  const buffers: { data?: Uint8Array }[] = [{}];
  const tensors = c.tensors.map((t, i) => {
    const { data, ...rest } = t;
    if (!data) return { ...rest, name: `t${i}` };
    buffers.push({ data });
    return { ...rest, name: `t${i}`, buffer: buffers.length - 1 };
  });
  const opInputs = c.tensors.map((_, i) => i).filter((i) => !c.outputs.includes(i));
  return {
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: c.op, deprecated: c.op }],
    tensors,
    inputs: c.inputs,
    outputs: c.outputs,
    operators: [{ opcodeIndex: 0, inputs: opInputs, outputs: c.outputs, optionsType: c.options?.type, options: c.options?.write }],
    buffers,
  };
}

/** Input k of a case: k = 0 spans each input type's range; k = 1 stays small (near the zero point). */
function input(c: Case, k: number): Uint8Array {
  const rand = prng(7000 + 100 * CASES.indexOf(c) + k);
  const parts: Uint8Array[] = [];
  for (const i of c.inputs) {
    const t = c.tensors[i];
    const n = prod(t.shape);
    const zp = Number(t.zeroPoint?.[0] ?? 0n);
    const pick = (lo: number, hi: number) => (k === 0 ? lo + Math.floor(rand() * (hi - lo + 1)) : Math.max(lo, Math.min(hi, zp + Math.floor(rand() * 33) - 16)));
    switch (t.type) {
      case I16: parts.push(bytes(Int16Array.from({ length: n }, () => pick(-32768, 32767)))); break;
      case I8: parts.push(bytes(Int8Array.from({ length: n }, () => pick(-128, 127)))); break;
      case U8: parts.push(bytes(Uint8Array.from({ length: n }, () => pick(0, 255)))); break;
      case I32: parts.push(bytes(Int32Array.from({ length: n }, () => Math.floor((rand() - 0.5) * 2 ** (k === 0 ? 32 : 21))))); break;
      // float32: over the int16 output's range and a little beyond (clamping), with exact halves of the scale.
      default: parts.push(bytes(Float32Array.from({ length: n }, (_, j) => (j % 5 === 0 ? (Math.floor(rand() * 400) - 200 + 0.5) * 0.0005 : (rand() - 0.5) * (k === 0 ? 40 : 1))))); break;
    }
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('int16x8 and QUANTIZE/DEQUANTIZE type pairs match TFLM byte for byte', () => {
  if (process.env.TS_WRITE_INT16_FIXTURES) {
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
      expect(Buffer.from(model).equals(readFileSync(join(DIR, `${c.name}.tflite`))), "the committed model is the spec's").toBe(true);
      const compiled = compileTflite(model);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compiled.pack, kernels);
      expect(m.layout.ops).toEqual([c.code]);
      const tflm = JSON.parse(readFileSync(join(DIR, `${c.name}.0.json`), 'utf8')) as { arena_used_bytes: number };
      expect(compiled.arenaBytes, 'arena vs TFLM arena_used_bytes').toBeLessThanOrEqual(tflm.arena_used_bytes);
      for (const k of [0, 1]) {
        const x = input(c, k);
        expect(Buffer.from(x).equals(readFileSync(join(DIR, `${c.name}.${k}.in.bin`)))).toBe(true);
        const golden = join(DIR, `${c.name}.${k}.golden.bin`);
        expect(existsSync(golden), golden).toBe(true);
        expect(firstDifference(runOnce(m, x)[0], readFileSync(golden)), `${c.name} input ${k}`).toBe('equal');
      }
      kernels.checkGuards();
    });
  }

  it("the app-facing views follow the model's own types: typed arrays in and out, writing through them runs as runOnce does", () => {
    const expectViews: [string, string, string][] = [
      ['conv_same_stride2_relu', 'Int16Array', 'Int16Array'],
      ['quantize_f32_s16', 'Float32Array', 'Int16Array'],
      ['quantize_u8_s8', 'Uint8Array', 'Int8Array'],
      ['quantize_s16_s32', 'Int16Array', 'Int32Array'],
      ['dequantize_u8', 'Uint8Array', 'Float32Array'],
      ['softmax_s8_to_s16', 'Int8Array', 'Int16Array'],
    ];
    for (const [name, inType, outType] of expectViews) {
      const c = CASES.find((x) => x.name === name)!;
      const m = new Model(compileTflite(buildModel(spec(c))).pack, new WasmKernels());
      const view = m.input(0);
      expect(view.constructor.name, `${name} input`).toBe(inType);
      expect(m.output(0).constructor.name, `${name} output`).toBe(outType);
      const x = input(c, 1);
      const typed = new (view.constructor as Int8ArrayConstructor)(x.buffer, x.byteOffset, x.byteLength / view.BYTES_PER_ELEMENT);
      view.set(typed as unknown as ArrayLike<number>);
      m.invoke();
      const out = m.output(0);
      const got = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      expect(firstDifference(got, readFileSync(join(DIR, `${name}.1.golden.bin`))), name).toBe('equal');
    }
  });
});

describe("int16: TFLM's Prepare checks as compile errors, and damaged int16 records refused by the validator", () => {
  const compileError = (c: Case) => {
    try {
      compileTflite(buildModel(spec(c)));
    } catch (e) {
      return (e as Error).message;
    }
    return '(compiled)';
  };
  const withTensor = (c: Case, k: number, t: Partial<TensorSpec & { data: Uint8Array }>): Case => ({
    ...c,
    tensors: c.tensors.map((x, i) => (i === k ? { ...x, ...t } : x)),
  });

  it('refuses what TFLM refuses or would silently get wrong, naming the operator and tensor', () => {
    const conv = byName('conv_same_stride2_relu');
    expect(compileError(withTensor(conv, 0, { zeroPoint: [3n] }))).toBe(
      'operator 0 (CONV_2D): tensor 0 (t0) is int16 with zero point 3; int16 activations must have zero point 0');
    const dw = byName('dw_mult2_relu');
    expect(compileError(withTensor(dw, 2, { type: I32, data: bytes(Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8)) }))).toBe(
      'operator 0 (DEPTHWISE_CONV_2D): tensor 2 (t2) is int32, expected int64');
    expect(compileError(withTensor(byName('mul_broadcast'), 2, { zeroPoint: [5n] }))).toBe(
      'operator 0 (MUL): tensor 2 (t2) is int16 with zero point 5, expected 0 (as TFLM requires)');
    expect(compileError(withTensor(byName('softmax_s16'), 1, { scale: [1 / 16384] }))).toBe(
      'operator 0 (SOFTMAX): int16 softmax output must have scale 1/32768 (as TFLM requires)');
    expect(compileError(withTensor(byName('softmax_s8_to_s16'), 1, { zeroPoint: [0n] }))).toBe(
      'operator 0 (SOFTMAX): int8 -> int16 softmax output must have scale 1/65536 and zero point -32768 (as TFLM requires)');
    expect(compileError(quantizeCase('q', t8([4], 0.1, 0, U8), t16([4], 0.1), 0))).toBe(
      'operator 0 (QUANTIZE): QUANTIZE from uint8 to int16 is not supported (TFLM requantizes int16 to int8, int16 or int32, int32 to int8 or int16, uint8 to int8)');
    // LOGISTIC / TANH int16: zero points 0 and output scale 2^-15 as TFLM's Prepare ensures; an input scale whose
    // multiplier TFLM only DCHECKs (> 32767: x * multiplier overflows) or truncates to 0 (read as its
    // power-of-two marker) is refused.
    expect(compileError(withTensor(byName('logistic_pot'), 0, { zeroPoint: [3n] }))).toBe(
      'operator 0 (LOGISTIC): tensor 0 (t0) is int16 with zero point 3, expected 0 (as TFLM requires)');
    expect(compileError(withTensor(byName('tanh_pot'), 1, { zeroPoint: [-1n] }))).toBe(
      'operator 0 (TANH): tensor 1 (t1) is int16 with zero point -1, expected 0 (as TFLM requires)');
    expect(compileError(withTensor(byName('tanh_pot'), 1, { scale: [1 / 16384] }))).toBe(
      'operator 0 (TANH): int16 TANH output must have scale 2^-15 (as TFLM requires), not 0.00006103515625');
    expect(compileError(withTensor(byName('logistic_pot'), 1, { scale: [2 ** -15 * 1.01] }))).toMatch(/int16 LOGISTIC output must have scale 2\^-15/);
    expect(compileError(withTensor(byName('logistic_2.0'), 0, { scale: [3] }))).toBe(
      "operator 0 (LOGISTIC): input scale 3 is too large for TFLM's int16 LOGISTIC (input multiplier 36864 > 32767)");
    expect(compileError(withTensor(byName('tanh_1e-6'), 0, { scale: [1e-15] }))).toMatch(
      /^operator 0 \(TANH\): input scale .* is too small for TFLM's int16 TANH \(input multiplier 0\)$/);
    expect(compileError(withTensor(byName('tanh_pot'), 1, { type: I8 }))).toBe('operator 0 (TANH): tensor 1 (t1) is int8, expected int16');
    expect(compileError(quantizeCase('q', { shape: [4], type: F32 }, t8([4], 0.1, 0, U8), 0))).toBe(
      'operator 0 (QUANTIZE): tensor 1 (t1) is uint8, expected int8');
  });

  it('the validator refuses damaged int16 records with the op and the field', () => {
    const damaged = (c: Case, edits: [number, number][]) => {
      const pack = compileTflite(buildModel(spec(c))).pack.slice();
      const view = new DataView(pack.buffer, pack.byteOffset);
      const record = view.getUint32(view.getUint32(H.opTable, true), true);
      for (const [field, value] of edits) view.setInt32(record + 4 * field, value, true);
      return () => new Model(resign(pack), new WasmKernels());
    };
    const conv = byName('conv_same_stride2_relu');
    expect(damaged(conv, [[CONV.inputOffset, 1]])).toThrow(/op 0 \(CONV_2D_S16\): int16 zero points are not 0 \(input offset 1, output offset 0\)/);
    expect(damaged(conv, [[CONV.actMax, 40000]])).toThrow(/op 0 \(CONV_2D_S16\): activation range \[0, 40000\] is not within \[-32768, 32767\]/);
    expect(damaged(byName('quantize_s16_s8'), [[CONVERT.fromType, 4]])).toThrow(/op 0 \(QUANTIZE_INT\): requantize from element code 4 to 1/);
    expect(damaged(byName('quantize_s16_s8'), [[CONVERT.input, 1 << 20]])).toThrow(/op 0 \(QUANTIZE_INT\): input needs 100 bytes at arena offset 1048576/);
    expect(damaged(byName('softmax_s16'), [[SOFTMAX_LUT.expLut, 1 << 20]])).toThrow(/op 0 \(SOFTMAX_S16\): exp LUT needs 1026 bytes/);
    expect(damaged(byName('tanh_0.0003'), [[SIGMOID.inputMultiplier, 40000]])).toThrow(/op 0 \(TANH_S16\): input multiplier is 40000, outside \[1, 32767\]/);
    expect(damaged(byName('logistic_pot'), [[SIGMOID.inputLeftShift, 32]])).toThrow(/op 0 \(LOGISTIC_S16\): input left shift is 32, outside \[0, 31\]/);
    expect(damaged(byName('logistic_pot'), [[SIGMOID.inputZeroPoint, 1]])).toThrow(/op 0 \(LOGISTIC_S16\): unused fields are not 0/);
    expect(damaged(byName('tanh_pot'), [[SIGMOID.size, 1 << 20]])).toThrow(/op 0 \(TANH_S16\): input needs 2097152 bytes/);
  });
});
