/**
 * Writes a `.tflite` flatbuffer (schema version 3, identifier "TFL3") from a
 * plain description of one subgraph, with the flatbuffers Builder by hand:
 * flatc is not available, and generated code for the whole TFLite schema
 * would dwarf the handful of tables written here. Field slots and enum values
 * come from tflite-format.ts (checked against schema.fbs by the tests).
 *
 * Flatbuffers are built back to front: every vector, string and sub-table is
 * created before the table that points at it.
 */
import { Builder } from 'flatbuffers';
import {
  ACTIVATION, ActivationName, BUILTIN_OPERATOR, BUILTIN_OPTIONS_TAG, BuiltinOperatorName, OPTIONS_OF_OPERATOR, PADDING,
  PLACEHOLDER_FOR_GREATER_OP_CODES, PaddingName, SLOTS, TENSOR_TYPE, TFLITE_FILE_IDENTIFIER, TFLITE_SCHEMA_VERSION,
  TensorTypeName,
} from './tflite-format.js';

type Offset = number;

export interface TfliteQuantization {
  /** Float32 scales: one (per tensor) or one per index of `quantizedDimension`. */
  scale: number[];
  zeroPoint: number[];
  quantizedDimension?: number;
  /** The float range the parameters came from (kept for importing back, as TFLite's converter does). */
  min?: number[];
  max?: number[];
}

export interface TfliteTensor {
  name: string;
  shape: number[];
  type: TensorTypeName;
  /** Constant contents, little-endian; absent for activations. */
  data?: Uint8Array;
  quantization?: TfliteQuantization;
}

export type TfliteOptions =
  | {
      kind: 'Conv2DOptions';
      padding: PaddingName;
      strideW: number;
      strideH: number;
      activation: ActivationName;
      dilationW?: number;
      dilationH?: number;
    }
  | {
      kind: 'DepthwiseConv2DOptions';
      padding: PaddingName;
      strideW: number;
      strideH: number;
      depthMultiplier: number;
      activation: ActivationName;
      dilationW?: number;
      dilationH?: number;
    }
  | {
      kind: 'Pool2DOptions';
      padding: PaddingName;
      strideW: number;
      strideH: number;
      filterWidth: number;
      filterHeight: number;
      activation: ActivationName;
    }
  | { kind: 'FullyConnectedOptions'; activation: ActivationName; keepNumDims?: boolean }
  | { kind: 'SoftmaxOptions'; beta: number }
  | { kind: 'ReshapeOptions'; newShape: number[] };

export interface TfliteOperator {
  op: BuiltinOperatorName;
  version: number;
  inputs: number[];
  outputs: number[];
  options?: TfliteOptions;
}

/** One subgraph's worth of model, in plain form. */
export interface TfliteModel {
  description: string;
  subgraphName?: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

/** Buffer.data is declared `(force_align: 16)` so mmap'd weights suit SIMD loads. */
const BUFFER_DATA_ALIGN = 16;

function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function float32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function int64Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

function alignedByteVector(b: Builder, bytes: Uint8Array, align: number): Offset {
  b.startVector(1, bytes.length, align);
  for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]);
  return b.endVector();
}

function checkInteger(value: number, what: string): number {
  if (!Number.isInteger(value)) throw new Error(`${what} must be an integer, not ${value}`);
  return value;
}

function writeQuantization(b: Builder, q: TfliteQuantization): Offset {
  if (q.scale.length !== q.zeroPoint.length) throw new Error('quantization needs as many zero points as scales');
  const min = q.min ? float32Vector(b, q.min) : 0;
  const max = q.max ? float32Vector(b, q.max) : 0;
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  const s = SLOTS.QuantizationParameters;
  b.startObject(s.quantized_dimension + 1);
  if (min) b.addFieldOffset(s.min, min, 0);
  if (max) b.addFieldOffset(s.max, max, 0);
  b.addFieldOffset(s.scale, scale, 0);
  b.addFieldOffset(s.zero_point, zeroPoint, 0);
  b.addFieldInt32(s.quantized_dimension, q.quantizedDimension ?? 0, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TfliteTensor, bufferIndex: number): Offset {
  const shape = int32Vector(b, t.shape.map((d, i) => checkInteger(d, `tensor ${t.name} dimension ${i}`)));
  const name = b.createString(t.name);
  const quantization = t.quantization ? writeQuantization(b, t.quantization) : 0;
  const s = SLOTS.Tensor;
  b.startObject(s.is_variable + 1);
  b.addFieldOffset(s.shape, shape, 0);
  b.addFieldInt8(s.type, TENSOR_TYPE[t.type], 0);
  b.addFieldInt32(s.buffer, bufferIndex, 0);
  b.addFieldOffset(s.name, name, 0);
  if (quantization) b.addFieldOffset(s.quantization, quantization, 0);
  return b.endObject();
}

/** Writes an options table; returns its union tag and offset. */
function writeOptions(b: Builder, o: TfliteOptions): { tag: number; offset: Offset } {
  let offset: Offset;
  switch (o.kind) {
    case 'Conv2DOptions': {
      const s = SLOTS.Conv2DOptions;
      b.startObject(s.dilation_h_factor + 1);
      b.addFieldInt8(s.padding, PADDING[o.padding], 0);
      b.addFieldInt32(s.stride_w, o.strideW, 0);
      b.addFieldInt32(s.stride_h, o.strideH, 0);
      b.addFieldInt8(s.fused_activation_function, ACTIVATION[o.activation], 0);
      b.addFieldInt32(s.dilation_w_factor, o.dilationW ?? 1, 1);
      b.addFieldInt32(s.dilation_h_factor, o.dilationH ?? 1, 1);
      offset = b.endObject();
      break;
    }
    case 'DepthwiseConv2DOptions': {
      const s = SLOTS.DepthwiseConv2DOptions;
      b.startObject(s.dilation_h_factor + 1);
      b.addFieldInt8(s.padding, PADDING[o.padding], 0);
      b.addFieldInt32(s.stride_w, o.strideW, 0);
      b.addFieldInt32(s.stride_h, o.strideH, 0);
      b.addFieldInt32(s.depth_multiplier, o.depthMultiplier, 0);
      b.addFieldInt8(s.fused_activation_function, ACTIVATION[o.activation], 0);
      b.addFieldInt32(s.dilation_w_factor, o.dilationW ?? 1, 1);
      b.addFieldInt32(s.dilation_h_factor, o.dilationH ?? 1, 1);
      offset = b.endObject();
      break;
    }
    case 'Pool2DOptions': {
      const s = SLOTS.Pool2DOptions;
      b.startObject(s.fused_activation_function + 1);
      b.addFieldInt8(s.padding, PADDING[o.padding], 0);
      b.addFieldInt32(s.stride_w, o.strideW, 0);
      b.addFieldInt32(s.stride_h, o.strideH, 0);
      b.addFieldInt32(s.filter_width, o.filterWidth, 0);
      b.addFieldInt32(s.filter_height, o.filterHeight, 0);
      b.addFieldInt8(s.fused_activation_function, ACTIVATION[o.activation], 0);
      offset = b.endObject();
      break;
    }
    case 'FullyConnectedOptions': {
      const s = SLOTS.FullyConnectedOptions;
      b.startObject(s.keep_num_dims + 1);
      b.addFieldInt8(s.fused_activation_function, ACTIVATION[o.activation], 0);
      b.addFieldInt8(s.keep_num_dims, o.keepNumDims ? 1 : 0, 0);
      offset = b.endObject();
      break;
    }
    case 'SoftmaxOptions': {
      const s = SLOTS.SoftmaxOptions;
      b.startObject(s.beta + 1);
      b.addFieldFloat32(s.beta, o.beta, 0);
      offset = b.endObject();
      break;
    }
    case 'ReshapeOptions': {
      const newShape = int32Vector(b, o.newShape);
      const s = SLOTS.ReshapeOptions;
      b.startObject(s.new_shape + 1);
      b.addFieldOffset(s.new_shape, newShape, 0);
      offset = b.endObject();
      break;
    }
  }
  return { tag: BUILTIN_OPTIONS_TAG[o.kind], offset };
}

function writeOperator(b: Builder, op: TfliteOperator, opcodeIndex: number): Offset {
  const expected = OPTIONS_OF_OPERATOR[op.op];
  if ((op.options?.kind ?? null) !== expected) {
    throw new Error(`${op.op} takes ${expected ?? 'no options'}, not ${op.options?.kind ?? 'none'}`);
  }
  const options = op.options ? writeOptions(b, op.options) : null;
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const s = SLOTS.Operator;
  b.startObject(s.builtin_options + 1);
  b.addFieldInt32(s.opcode_index, opcodeIndex, 0);
  b.addFieldOffset(s.inputs, inputs, 0);
  b.addFieldOffset(s.outputs, outputs, 0);
  if (options) {
    b.addFieldInt8(s.builtin_options_type, options.tag, 0);
    b.addFieldOffset(s.builtin_options, options.offset, 0);
  }
  return b.endObject();
}

function writeOperatorCode(b: Builder, op: BuiltinOperatorName, version: number): Offset {
  const code = BUILTIN_OPERATOR[op];
  const s = SLOTS.OperatorCode;
  b.startObject(s.builtin_code + 1);
  // Readers older than schema 3a only see the byte field; newer ones take the larger of the two.
  b.addFieldInt8(s.deprecated_builtin_code, Math.min(code, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  b.addFieldInt32(s.version, version, 1);
  b.addFieldInt32(s.builtin_code, code, 0);
  return b.endObject();
}

function writeBuffer(b: Builder, data: Uint8Array | undefined): Offset {
  const vector = data ? alignedByteVector(b, data, BUFFER_DATA_ALIGN) : 0;
  b.startObject(SLOTS.Buffer.data + 1);
  if (vector) b.addFieldOffset(SLOTS.Buffer.data, vector, 0);
  return b.endObject();
}

function checkIndices(indices: readonly number[], count: number, what: string, allowOmitted: boolean): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i >= count || (i < 0 && !(allowOmitted && i === -1))) {
      throw new Error(`${what} names tensor ${i}; the model has ${count}`);
    }
  }
}

/** Serializes the model; the result is a complete .tflite file. */
export function writeTflite(model: TfliteModel): Uint8Array {
  const tensorCount = model.tensors.length;
  checkIndices(model.inputs, tensorCount, 'subgraph input', false);
  checkIndices(model.outputs, tensorCount, 'subgraph output', false);
  model.operators.forEach((op, k) => {
    checkIndices(op.inputs, tensorCount, `operator ${k} (${op.op}) input`, true);
    checkIndices(op.outputs, tensorCount, `operator ${k} (${op.op}) output`, false);
  });

  const b = new Builder(1024);

  // Buffer 0 is the empty sentinel that every activation tensor points at.
  const bufferOfTensor: number[] = [];
  const bufferData: (Uint8Array | undefined)[] = [undefined];
  for (const t of model.tensors) {
    if (t.data) {
      bufferOfTensor.push(bufferData.length);
      bufferData.push(t.data);
    } else {
      bufferOfTensor.push(0);
    }
  }
  // Weights first, so they land at the end of the file away from the tables (as TFLite's converter lays them out).
  const buffers = offsetVector(b, bufferData.map((data) => writeBuffer(b, data)));

  const codeKeys: string[] = [];
  const codes: { op: BuiltinOperatorName; version: number }[] = [];
  const opcodeIndex = model.operators.map((op) => {
    const key = `${op.op}/${op.version}`;
    let index = codeKeys.indexOf(key);
    if (index < 0) {
      index = codeKeys.push(key) - 1;
      codes.push({ op: op.op, version: op.version });
    }
    return index;
  });

  const tensors = offsetVector(b, model.tensors.map((t, i) => writeTensor(b, t, bufferOfTensor[i])));
  const operators = offsetVector(b, model.operators.map((op, k) => writeOperator(b, op, opcodeIndex[k])));
  const inputs = int32Vector(b, model.inputs);
  const outputs = int32Vector(b, model.outputs);
  const subgraphName = b.createString(model.subgraphName ?? 'main');
  const sg = SLOTS.SubGraph;
  b.startObject(sg.name + 1);
  b.addFieldOffset(sg.tensors, tensors, 0);
  b.addFieldOffset(sg.inputs, inputs, 0);
  b.addFieldOffset(sg.outputs, outputs, 0);
  b.addFieldOffset(sg.operators, operators, 0);
  b.addFieldOffset(sg.name, subgraphName, 0);
  const subgraph = b.endObject();

  const operatorCodes = offsetVector(b, codes.map((c) => writeOperatorCode(b, c.op, c.version)));
  const subgraphs = offsetVector(b, [subgraph]);
  const description = b.createString(model.description);
  const m = SLOTS.Model;
  b.startObject(m.buffers + 1);
  b.addFieldInt32(m.version, TFLITE_SCHEMA_VERSION, 0);
  b.addFieldOffset(m.operator_codes, operatorCodes, 0);
  b.addFieldOffset(m.subgraphs, subgraphs, 0);
  b.addFieldOffset(m.description, description, 0);
  b.addFieldOffset(m.buffers, buffers, 0);
  const root = b.endObject();
  b.finish(root, TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
