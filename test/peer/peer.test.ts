// Test vectors derived from TFLM's own kernel tests (tensorflow/lite/micro/kernels/*_test.cc; see README.md):
// each case is built into a one-operator .tflite, compiled by tinysense and run on the WebAssembly kernels, and
// its output must equal the quantized golden of the TFLM test within that test's own tolerance (0 where
// TFLM's test demands exact bytes). A case marked "expect": "refused" is one TFLM runs but tinysense does not
// yet (int16 activations): the compiler must refuse it with exactly the error recorded.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Builder } from 'flatbuffers';
import { buildModel, type ModelSpec, type OperatorSpec } from '../tflite/build-model.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { CompileError } from '../../host/compiler/lower/context.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { Model } from '../../device/runtime.js';
import { BUILTIN_OPERATORS, BUILTIN_OPTIONS, type BuiltinOperatorName, type BuiltinOptionsName } from '../../host/tflite/enums.js';

type ElementType = 'int8' | 'int16' | 'int32' | 'int64' | 'float32';
interface PeerTensor {
  shape: number[];
  type: ElementType;
  /** Per-tensor (number) or per-channel (array) quantization; absent for unquantized tensors. */
  scale?: number | number[];
  zero_point?: number | number[];
  quantized_dimension?: number;
  /** Constant contents (weights, bias, paddings, axes). */
  data?: number[];
  /** Values fed at run time (graph inputs). */
  values?: number[];
}
interface PeerCase {
  name: string;
  source: string;
  op: BuiltinOperatorName;
  options: Record<string, string | number | boolean>;
  tensors: PeerTensor[];
  operator_inputs: number[];
  operator_outputs: number[];
  inputs: number[];
  outputs: number[];
  /** "run" (the default): run and compare; "refused": the compiler must throw `error`. */
  expect?: 'run' | 'refused';
  error?: string;
  /** Why TFLM's kernel refuses the case (its Prepare fails), for cases TFLM's test expects to fail. */
  tflm_refusal?: string;
  /** A refusal TFLM makes and tinysense does not yet: the case is kept and marked as a known failure (it.fails),
   * so the suite stays green while the divergence stands and turns red, to be unmarked, once it is fixed. */
  known_divergence?: string;
  /** "quantized" (the default): output integers against the quantized golden; "dequantized": (q - zero_point) * scale
   * against the float golden, as tests that compare floats do (leaky_relu_test.cc). */
  compare?: 'quantized' | 'dequantized';
  expected: number[];
  tolerance: number;
}

const FILES = readdirSync(import.meta.dirname)
  .filter((f) => /^tflm-kernel-vectors.*\.json$/.test(f))
  .sort();
const SUITES = FILES.map((file) => ({
  file,
  cases: (JSON.parse(readFileSync(join(import.meta.dirname, file), 'utf8')) as { cases: PeerCase[] }).cases,
}));
/** Case counts the README lists, per file: a lost or duplicated case fails here. */
const LISTED: Record<string, number> = { 'tflm-kernel-vectors.json': 26, 'tflm-kernel-vectors-2.json': 90 };

// Schema codes (tensorflow/compiler/mlir/lite/schema/schema.fbs).
const TENSOR_TYPE: Record<ElementType, number> = { float32: 0, int32: 2, int64: 4, int16: 7, int8: 9 };
const ACTIVATION: Record<string, number> = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 };
const PADDING: Record<string, number> = { SAME: 0, VALID: 1 };

type Field = [id: number, kind: 'i8' | 'i32' | 'f32' | 'bool' | 'activation' | 'padding', name: string];
/** Each op's BuiltinOptions table and the fields a case may set (ids as in the schema). */
const OPTIONS: Partial<Record<BuiltinOperatorName, [BuiltinOptionsName, Field[]]>> = {
  FULLY_CONNECTED: ['FullyConnectedOptions', [[0, 'activation', 'activation']]],
  SOFTMAX: ['SoftmaxOptions', [[0, 'f32', 'beta']]],
  ADD: ['AddOptions', [[0, 'activation', 'activation']]],
  SUB: ['SubOptions', [[0, 'activation', 'activation']]],
  MUL: ['MulOptions', [[0, 'activation', 'activation']]],
  AVERAGE_POOL_2D: ['Pool2DOptions', [[0, 'padding', 'padding'], [1, 'i32', 'stride_w'], [2, 'i32', 'stride_h'], [3, 'i32', 'filter_w'], [4, 'i32', 'filter_h'], [5, 'activation', 'activation']]],
  MAX_POOL_2D: ['Pool2DOptions', [[0, 'padding', 'padding'], [1, 'i32', 'stride_w'], [2, 'i32', 'stride_h'], [3, 'i32', 'filter_w'], [4, 'i32', 'filter_h'], [5, 'activation', 'activation']]],
  CONV_2D: ['Conv2DOptions', [[0, 'padding', 'padding'], [1, 'i32', 'stride_w'], [2, 'i32', 'stride_h'], [3, 'activation', 'activation'], [4, 'i32', 'dilation_w'], [5, 'i32', 'dilation_h']]],
  DEPTHWISE_CONV_2D: ['DepthwiseConv2DOptions', [[0, 'padding', 'padding'], [1, 'i32', 'stride_w'], [2, 'i32', 'stride_h'], [3, 'i32', 'depth_multiplier'], [4, 'activation', 'activation'], [5, 'i32', 'dilation_w'], [6, 'i32', 'dilation_h']]],
  CONCATENATION: ['ConcatenationOptions', [[0, 'i32', 'axis'], [1, 'activation', 'activation']]],
  MEAN: ['ReducerOptions', [[0, 'bool', 'keep_dims']]],
  LEAKY_RELU: ['LeakyReluOptions', [[0, 'f32', 'alpha']]],
  STRIDED_SLICE: ['StridedSliceOptions', [[0, 'i32', 'begin_mask'], [1, 'i32', 'end_mask'], [2, 'i32', 'ellipsis_mask'], [3, 'i32', 'new_axis_mask'], [4, 'i32', 'shrink_axis_mask'], [5, 'bool', 'offset']]],
  PAD: ['PadOptions', []],
  PADV2: ['PadV2Options', []],
  TRANSPOSE: ['TransposeOptions', []],
  MAXIMUM: ['MaximumMinimumOptions', []],
  MINIMUM: ['MaximumMinimumOptions', []],
  GATHER: ['GatherOptions', [[0, 'i32', 'axis'], [1, 'i32', 'batch_dims']]],
  RESIZE_BILINEAR: ['ResizeBilinearOptions', [[2, 'bool', 'align_corners'], [3, 'bool', 'half_pixel_centers']]],
  RESIZE_NEAREST_NEIGHBOR: ['ResizeNearestNeighborOptions', [[0, 'bool', 'align_corners'], [1, 'bool', 'half_pixel_centers']]],
};

/** BuiltinOptions union tag and table writer for the case's operator (none for ops without options). */
function optionsOf(c: PeerCase): Pick<OperatorSpec, 'optionsType' | 'options'> {
  const entry = OPTIONS[c.op];
  if (!entry) return {};
  const [table, fields] = entry;
  const unknown = Object.keys(c.options).filter((k) => !fields.some(([, , name]) => name === k));
  if (unknown.length) throw new Error(`${c.name}: options ${unknown.join(', ')} are not fields of ${table}`);
  return {
    optionsType: BUILTIN_OPTIONS.indexOf(table),
    options: (b: Builder) => {
      b.startObject(fields.length === 0 ? 0 : Math.max(...fields.map(([id]) => id)) + 1);
      for (const [id, kind, name] of fields) {
        const v = c.options[name];
        if (v === undefined) continue;
        if (kind === 'activation') b.addFieldInt8(id, ACTIVATION[String(v)], 0);
        else if (kind === 'padding') b.addFieldInt8(id, PADDING[String(v)], 0);
        else if (kind === 'f32') b.addFieldFloat32(id, Number(v), 0);
        else if (kind === 'bool') b.addFieldInt8(id, v ? 1 : 0, 0);
        else if (kind === 'i8') b.addFieldInt8(id, Number(v), 0);
        else b.addFieldInt32(id, Number(v), 0);
      }
      return b.endObject();
    },
  };
}

function encode(type: ElementType, values: number[]): Uint8Array {
  switch (type) {
    case 'int8': return new Uint8Array(Int8Array.from(values).buffer);
    case 'int16': return new Uint8Array(Int16Array.from(values).buffer);
    case 'int32': return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64': return new Uint8Array(BigInt64Array.from(values, BigInt).buffer);
    case 'float32': return new Uint8Array(Float32Array.from(values).buffer);
  }
}

function decode(type: ElementType, bytes: Uint8Array): number[] {
  const b = bytes.slice().buffer;
  switch (type) {
    case 'int8': return Array.from(new Int8Array(b));
    case 'int16': return Array.from(new Int16Array(b));
    case 'int32': return Array.from(new Int32Array(b));
    case 'int64': return Array.from(new BigInt64Array(b), Number);
    case 'float32': return Array.from(new Float32Array(b));
  }
}

const list = (v: number | number[] | undefined): number[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The case as a one-operator model: constants get their own buffers, everything else buffer 0. */
export function peerModel(c: PeerCase): Uint8Array {
  const buffers: ModelSpec['buffers'] = [{}];
  const tensors = c.tensors.map((t, i) => {
    let buffer = 0;
    if (t.data) {
      buffer = buffers.length;
      buffers.push({ data: encode(t.type, t.data) });
    }
    const quantized = t.scale !== undefined;
    return {
      shape: t.shape,
      type: TENSOR_TYPE[t.type],
      buffer,
      name: `t${i}`,
      ...(quantized ? { scale: list(t.scale), zeroPoint: list(t.zero_point ?? 0).map(BigInt), quantizedDimension: t.quantized_dimension } : {}),
    };
  });
  const code = BUILTIN_OPERATORS.indexOf(c.op);
  return buildModel({
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: code, deprecated: Math.min(code, 127) }],
    tensors,
    inputs: c.inputs,
    outputs: c.outputs,
    operators: [{ opcodeIndex: 0, inputs: c.operator_inputs, outputs: c.operator_outputs, ...optionsOf(c) }],
    buffers,
  });
}

describe('TFLM kernel-test vectors (test/peer/README.md)', () => {
  it('holds the cases the README lists', () => {
    expect(Object.fromEntries(SUITES.map((s) => [s.file, s.cases.length]))).toEqual(LISTED);
    const names = SUITES.flatMap((s) => s.cases.map((c) => c.name));
    expect(new Set(names).size).toBe(names.length);
  });

  for (const { file, cases } of SUITES) {
    describe(file, () => {
      for (const c of cases) {
        if (c.expect === 'refused') {
          const title = `${c.name} (${c.source.split(':')[0]}) is refused`;
          if (c.known_divergence) {
            it.fails(`KNOWN DIVERGENCE: ${title} (${c.known_divergence})`, () => {
              expect(() => compileTflite(peerModel(c))).toThrow(CompileError);
            });
            continue;
          }
          it(title, () => {
            let error: unknown;
            try {
              compileTflite(peerModel(c));
            } catch (e) {
              error = e;
            }
            // A clear compile error with exactly this message; not a crash elsewhere, not silent acceptance.
            expect(error).toBeInstanceOf(CompileError);
            expect((error as Error).message).toBe(c.error);
          });
          continue;
        }
        it(`${c.name} (${c.source.split(':')[0]})`, () => {
          const compiled = compileTflite(peerModel(c));
          const kernels = new WasmKernels({ guardBytes: 64 });
          const model = new Model(compiled.pack, kernels);
          const input = c.inputs.map((i) => encode(c.tensors[i].type, c.tensors[i].values!));
          const joined = new Uint8Array(input.reduce((n, b) => n + b.length, 0));
          input.reduce((at, b) => (joined.set(b, at), at + b.length), 0);
          const [out] = runOnce(model, joined);
          const outTensor = c.tensors[c.outputs[0]];
          const raw = decode(outTensor.type, out);
          const [scale, zeroPoint] = [list(outTensor.scale)[0], list(outTensor.zero_point ?? 0)[0]];
          const actual = c.compare === 'dequantized' ? raw.map((q) => (q - zeroPoint) * scale) : raw;
          expect(actual.length).toBe(c.expected.length);
          const worst = Math.max(...actual.map((v, i) => Math.abs(v - c.expected[i])));
          expect(worst, `${c.name}: ours ${actual.join(',')} vs TFLM test golden ${c.expected.join(',')}`).toBeLessThanOrEqual(c.tolerance);
          kernels.checkGuards();
        });
      }
    });
  }
});
