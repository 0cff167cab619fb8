// Test vectors derived from TFLM's own kernel tests (tensorflow/lite/micro/kernels/*_test.cc; see README.md):
// each case is built into a one-operator .tflite, compiled by tinysense and run on the WebAssembly kernels, and
// its int8 output must equal the quantized golden of the TFLM test within that test's own tolerance (0 where
// TFLM's test demands exact bytes).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Builder } from 'flatbuffers';
import { buildModel, type ModelSpec, type OperatorSpec } from '../tflite/build-model.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { Model } from '../../device/runtime.js';

interface PeerTensor {
  shape: number[];
  type: 'int8' | 'int32';
  scale: number;
  zero_point: number;
  /** Constant contents (weights, bias). */
  data?: number[];
  /** Values fed at run time (graph inputs). */
  values?: number[];
}
interface PeerCase {
  name: string;
  source: string;
  op: 'FULLY_CONNECTED' | 'SOFTMAX' | 'LOGISTIC' | 'ADD' | 'MUL' | 'AVERAGE_POOL_2D' | 'MAX_POOL_2D';
  options: Record<string, string | number>;
  tensors: PeerTensor[];
  operator_inputs: number[];
  operator_outputs: number[];
  inputs: number[];
  outputs: number[];
  expected: number[];
  tolerance: number;
}

const VECTORS = JSON.parse(readFileSync(join(import.meta.dirname, 'tflm-kernel-vectors.json'), 'utf8')) as { cases: PeerCase[] };

// Schema codes (tensorflow/compiler/mlir/lite/schema/schema.fbs).
const BUILTIN = { ADD: 0, AVERAGE_POOL_2D: 1, FULLY_CONNECTED: 9, LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, SOFTMAX: 25, GATHER: 36, RESIZE_BILINEAR: 23, RESIZE_NEAREST_NEIGHBOR: 97 } as const;
const TENSOR_TYPE = { int32: 2, int8: 9 } as const;
const ACTIVATION: Record<string, number> = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 };
const PADDING: Record<string, number> = { SAME: 0, VALID: 1 };

/** BuiltinOptions union tag and table writer for the case's operator. */
function optionsOf(c: PeerCase): Pick<OperatorSpec, 'optionsType' | 'options'> {
  const act = ACTIVATION[String(c.options.activation ?? 'NONE')];
  switch (c.op) {
    case 'FULLY_CONNECTED': // FullyConnectedOptions { fused_activation_function }
      return { optionsType: 8, options: (b: Builder) => (b.startObject(1), b.addFieldInt8(0, act, 0), b.endObject()) };
    case 'SOFTMAX': // SoftmaxOptions { beta }
      return { optionsType: 9, options: (b: Builder) => (b.startObject(1), b.addFieldFloat32(0, Number(c.options.beta), 0), b.endObject()) };
    case 'ADD': // AddOptions { fused_activation_function }
      return { optionsType: 11, options: (b: Builder) => (b.startObject(1), b.addFieldInt8(0, act, 0), b.endObject()) };
    case 'MUL': // MulOptions { fused_activation_function }
      return { optionsType: 21, options: (b: Builder) => (b.startObject(1), b.addFieldInt8(0, act, 0), b.endObject()) };
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': // Pool2DOptions { padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function }
      return {
        optionsType: 5,
        options: (b: Builder) => {
          b.startObject(6);
          b.addFieldInt8(0, PADDING[String(c.options.padding)], 0);
          b.addFieldInt32(1, Number(c.options.stride_w), 0);
          b.addFieldInt32(2, Number(c.options.stride_h), 0);
          b.addFieldInt32(3, Number(c.options.filter_w), 0);
          b.addFieldInt32(4, Number(c.options.filter_h), 0);
          b.addFieldInt8(5, act, 0);
          return b.endObject();
        },
      };
    case 'LOGISTIC':
      return {};
    case 'GATHER': // GatherOptions { axis, batch_dims }
      return { optionsType: 23, options: (b: Builder) => (b.startObject(2), b.addFieldInt32(0, Number(c.options.axis), 0), b.addFieldInt32(1, Number(c.options.batch_dims), 0), b.endObject()) };
    case 'RESIZE_BILINEAR': // ResizeBilinearOptions { new_height (deprecated), new_width (deprecated), align_corners, half_pixel_centers }
      return { optionsType: 15, options: (b: Builder) => (b.startObject(4), b.addFieldInt8(2, Number(c.options.align_corners), 0), b.addFieldInt8(3, Number(c.options.half_pixel_centers), 0), b.endObject()) };
    case 'RESIZE_NEAREST_NEIGHBOR': // ResizeNearestNeighborOptions { align_corners, half_pixel_centers }
      return { optionsType: 74, options: (b: Builder) => (b.startObject(2), b.addFieldInt8(0, Number(c.options.align_corners), 0), b.addFieldInt8(1, Number(c.options.half_pixel_centers), 0), b.endObject()) };
  }
}

function constBytes(t: PeerTensor): Uint8Array {
  const values = t.data!;
  if (t.type === 'int8') return Uint8Array.from(values, (v) => v & 0xff);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return out;
}

/** The case as a one-operator model: constants get their own buffers, everything else buffer 0. */
export function peerModel(c: PeerCase): Uint8Array {
  const buffers: ModelSpec['buffers'] = [{}];
  const tensors = c.tensors.map((t, i) => {
    let buffer = 0;
    if (t.data) {
      buffer = buffers.length;
      buffers.push({ data: constBytes(t) });
    }
    return { shape: t.shape, type: TENSOR_TYPE[t.type], buffer, name: `t${i}`, scale: [t.scale], zeroPoint: [BigInt(t.zero_point)] };
  });
  return buildModel({
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: BUILTIN[c.op], deprecated: BUILTIN[c.op] }],
    tensors,
    inputs: c.inputs,
    outputs: c.outputs,
    operators: [{ opcodeIndex: 0, inputs: c.operator_inputs, outputs: c.operator_outputs, ...optionsOf(c) }],
    buffers,
  });
}

describe('TFLM kernel-test vectors (test/peer/README.md)', () => {
  it('holds the cases the README lists', () => {
    expect(VECTORS.cases.length).toBe(26);
  });

  for (const c of VECTORS.cases) {
    it(`${c.name} (${c.source.split(':')[0]})`, () => {
      const compiled = compileTflite(peerModel(c));
      const kernels = new WasmKernels({ guardBytes: 64 });
      const model = new Model(compiled.pack, kernels);
      const input = Int8Array.from(c.inputs.flatMap((i) => c.tensors[i].values!));
      const [out] = runOnce(model, new Uint8Array(input.buffer));
      const actual = Array.from(new Int8Array(out.buffer, out.byteOffset, out.length));
      expect(actual.length).toBe(c.expected.length);
      const worst = Math.max(...actual.map((v, i) => Math.abs(v - c.expected[i])));
      expect(worst, `${c.name}: ours ${actual.join(',')} vs TFLM test golden ${c.expected.join(',')}`).toBeLessThanOrEqual(c.tolerance);
      kernels.checkGuards();
    });
  }
});
