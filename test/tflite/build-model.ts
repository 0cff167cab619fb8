/**
 * Writes small .tflite files with flatbuffers' Builder for tests that need a precise defect: a
 * spec describes the model, field ids are the schema's. Not a general writer.
 */
import { Builder } from 'flatbuffers';

export interface TensorSpec {
  shape: number[];
  type?: number; // TensorType code; 9 = int8
  buffer?: number;
  name?: string;
  scale?: number[];
  zeroPoint?: bigint[];
  /** Place the int64 zero points 4 but not 8-byte aligned (the flatbuffers verifier checks only the length's alignment). */
  misalignZeroPoint?: boolean;
  /** QuantizationParameters.quantized_dimension (per-channel axis); left out (default 0) when undefined. */
  quantizedDimension?: number;
}
export interface OperatorSpec {
  opcodeIndex: number;
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions type code and a writer for its table (or none to leave the table out). */
  optionsType?: number;
  options?: (b: Builder) => number;
  customOptions?: Uint8Array;
  largeCustomOptions?: { offset: bigint; size: bigint };
}
export interface BufferSpec {
  data?: Uint8Array;
  offset?: bigint;
  size?: bigint;
}
export interface ModelSpec {
  version: number;
  identifier: string | null;
  codes: { builtin: number; deprecated?: number; custom?: string; version?: number }[];
  tensors: TensorSpec[];
  inputs: number[];
  outputs: number[];
  operators: OperatorSpec[];
  buffers: BufferSpec[];
  /** Bytes appended after the flatbuffer (for Buffer.offset / large custom options). */
  appended?: Uint8Array;
}

/** ADD(int8 input 0, constant 1) -> 2, fused RELU; buffer 1 holds the constant. */
export function addModelSpec(): ModelSpec {
  return {
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: 0, deprecated: 0 }],
    tensors: [
      { shape: [1, 4], name: 'in', scale: [0.5], zeroPoint: [-3n] },
      { shape: [1, 4], name: 'const', buffer: 1, scale: [0.25], zeroPoint: [0n] },
      { shape: [1, 4], name: 'out', scale: [1], zeroPoint: [7n] },
    ],
    inputs: [0],
    outputs: [2],
    operators: [{ opcodeIndex: 0, inputs: [0, 1], outputs: [2], optionsType: 11, options: addOptions(1) }],
    buffers: [{}, { data: Uint8Array.of(1, 2, 3, 4) }],
  };
}

/** AddOptions { fused_activation_function } */
export function addOptions(activation: number): (b: Builder) => number {
  return (b) => {
    b.startObject(2);
    b.addFieldInt8(0, activation, null);
    return b.endObject();
  };
}

function int32Vector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function writeTensor(b: Builder, t: TensorSpec): number {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name ?? '');
  let quantization = 0;
  if (t.scale !== undefined) {
    b.startVector(4, t.scale.length, 4);
    for (let i = t.scale.length - 1; i >= 0; i--) b.addFloat32(t.scale[i]!);
    const scale = b.endVector();
    const zp = t.zeroPoint ?? [];
    let zeroPoint: number;
    if (t.misalignZeroPoint) {
      // Elements written as int32 pairs so the builder does not pad them to 8; one int32 of padding
      // first when needed puts the first element at 4 mod 8 of the finished (8-aligned) buffer.
      b.startVector(8, zp.length, 4);
      if ((b.offset() + 8 * zp.length) % 8 === 0) b.addInt32(0);
      for (let i = zp.length - 1; i >= 0; i--) {
        b.addInt32(Number(BigInt.asIntN(32, zp[i]! >> 32n)));
        b.addInt32(Number(BigInt.asIntN(32, zp[i]!)));
      }
      zeroPoint = b.endVector();
    } else {
      b.startVector(8, zp.length, 8);
      for (let i = zp.length - 1; i >= 0; i--) b.addInt64(zp[i]!);
      zeroPoint = b.endVector();
    }
    b.startObject(7);
    b.addFieldOffset(2, scale, 0);
    b.addFieldOffset(3, zeroPoint, 0);
    if (t.quantizedDimension !== undefined) b.addFieldInt32(6, t.quantizedDimension, null);
    quantization = b.endObject();
  }
  b.startObject(8);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, t.type ?? 9, null);
  b.addFieldInt32(2, t.buffer ?? 0, 0);
  b.addFieldOffset(3, name, 0);
  if (quantization) b.addFieldOffset(4, quantization, 0);
  return b.endObject();
}

function writeOperator(b: Builder, op: OperatorSpec): number {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const options = op.options?.(b) ?? 0;
  const custom = op.customOptions === undefined ? 0 : b.createByteVector(op.customOptions);
  b.startObject(11);
  b.addFieldInt32(0, op.opcodeIndex, null);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  if (op.optionsType !== undefined) b.addFieldInt8(3, op.optionsType, null);
  if (options) b.addFieldOffset(4, options, 0);
  if (custom) b.addFieldOffset(5, custom, 0);
  if (op.largeCustomOptions) {
    b.addFieldInt64(9, op.largeCustomOptions.offset, null);
    b.addFieldInt64(10, op.largeCustomOptions.size, null);
  }
  return b.endObject();
}

export function buildModel(spec: ModelSpec): Uint8Array {
  const b = new Builder(1024);
  const codes = spec.codes.map((c) => {
    const custom = c.custom === undefined ? 0 : b.createString(c.custom);
    b.startObject(4);
    b.addFieldInt8(0, c.deprecated ?? Math.min(c.builtin, 127), null);
    if (custom) b.addFieldOffset(1, custom, 0);
    b.addFieldInt32(2, c.version ?? 1, 1);
    b.addFieldInt32(3, c.builtin, null);
    return b.endObject();
  });
  const tensors = spec.tensors.map((t) => writeTensor(b, t));
  const operators = spec.operators.map((op) => writeOperator(b, op));
  const tensorsVector = offsetVector(b, tensors);
  const inputs = int32Vector(b, spec.inputs);
  const outputs = int32Vector(b, spec.outputs);
  const operatorsVector = offsetVector(b, operators);
  const sgName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensorsVector, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operatorsVector, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraph = b.endObject();
  const buffers = spec.buffers.map((buf) => {
    // Buffer data is force_align 16 in the schema.
    let data = 0;
    if (buf.data !== undefined) {
      b.startVector(1, buf.data.length, 16);
      for (let i = buf.data.length - 1; i >= 0; i--) b.addInt8(buf.data[i]!);
      data = b.endVector();
    }
    b.startObject(3);
    if (data) b.addFieldOffset(0, data, 0);
    if (buf.offset !== undefined) b.addFieldInt64(1, buf.offset, null);
    if (buf.size !== undefined) b.addFieldInt64(2, buf.size, null);
    return b.endObject();
  });
  const codesVector = offsetVector(b, codes);
  const subgraphs = offsetVector(b, [subgraph]);
  const buffersVector = offsetVector(b, buffers);
  const description = b.createString('built by test/tflite/build-model.ts');
  b.startObject(8);
  b.addFieldInt32(0, spec.version, null);
  b.addFieldOffset(1, codesVector, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVector, 0);
  const model = b.endObject();
  if (spec.identifier === null) b.finish(model);
  else b.finish(model, spec.identifier);
  const flatbuffer = b.asUint8Array();
  if (spec.appended === undefined) return flatbuffer.slice();
  const file = new Uint8Array(flatbuffer.length + spec.appended.length);
  file.set(flatbuffer);
  file.set(spec.appended, flatbuffer.length);
  return file;
}
