/**
 * The TFLite schema's tables (tensorflow/compiler/mlir/lite/schema/schema.fbs, version 3) read
 * through the checked flatbuffer reader into plain objects. Field ids are the schema's: a field's
 * id is its position in its table, and a union field takes two ids (its type byte, then its value).
 * Cross references between tables (operator -> opcode, tensor -> buffer...) are checked in
 * index.ts once everything is read.
 */
import { FlatBuffer, Table, within } from './flatbuffer.js';
import { decodeFlexbuffer, type FlexValue } from './flexbuffers.js';
import {
  BUILTIN_OPERATORS, BUILTIN_OPTIONS_2, type BuiltinOperatorName, type BuiltinOptions2Name, enumName, TENSOR_TYPES,
  type TensorTypeName,
} from './enums.js';
import { type BuiltinOptions, readBuiltinOptions } from './options.js';

export interface TfliteModel {
  /** Schema version; parseTflite accepts only 3. */
  readonly version: number;
  /** "TFL3" when the file carries the identifier, null when it does not. */
  readonly fileIdentifier: string | null;
  readonly description: string | null;
  readonly operatorCodes: readonly OperatorCode[];
  /** Subgraph 0 is the main model; others are called by control-flow ops. */
  readonly subgraphs: readonly SubGraph[];
  /** Buffer 0 is by convention the empty sentinel that tensors without data point at. */
  readonly buffers: readonly TfliteBuffer[];
  readonly metadata: readonly Metadata[];
}

export interface OperatorCode {
  readonly index: number;
  /**
   * The effective builtin code: max(builtin_code, deprecated_builtin_code), as TFLite's
   * GetBuiltinCode computes it. Old files only set the byte-sized deprecated field; newer ones set
   * both, and codes past 127 only fit in builtin_code.
   */
  readonly builtinCode: number;
  /** Null for a code past the end of the schema this reader knows. */
  readonly builtinName: BuiltinOperatorName | null;
  readonly deprecatedBuiltinCode: number;
  readonly customCode: string | null;
  readonly version: number;
  /** The builtin name, the custom code for CUSTOM ops, or BUILTIN_<code> for an unknown code. */
  readonly name: string;
}

export interface SubGraph {
  readonly index: number;
  readonly name: string | null;
  readonly tensors: readonly Tensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** In execution order. */
  readonly operators: readonly Operator[];
}

export interface Tensor {
  readonly index: number;
  readonly name: string | null;
  readonly type: TensorTypeName;
  readonly shape: readonly number[];
  /** The shape with -1 for dimensions unknown until run time; null when not written. */
  readonly shapeSignature: readonly number[] | null;
  /** Index into model.buffers; 0 (the empty sentinel) for tensors computed at run time. */
  readonly buffer: number;
  readonly quantization: Quantization | null;
  readonly isVariable: boolean;
  /** Sparse tensors are not decoded; this only says the sparsity table is there. */
  readonly hasSparsity: boolean;
}

export interface Quantization {
  readonly min: Float32Array | null;
  readonly max: Float32Array | null;
  /** One scale per tensor, or one per slice along quantizedDimension; empty when unquantized. */
  readonly scale: Float32Array;
  /** Stored as int64; every value is checked to be a safe integer. */
  readonly zeroPoint: readonly number[];
  readonly quantizedDimension: number;
  /** The QuantizationDetails union (blockwise, custom...) is not decoded; this notes it is there. */
  readonly details: { readonly type: number; readonly typeName: string } | null;
}

export interface TfliteBuffer {
  readonly index: number;
  /** A view of the file's bytes (not a copy); empty when the buffer holds no data. */
  readonly data: Uint8Array;
  /**
   * 'inline': the flatbuffer's data vector. 'appended': outside the flatbuffer at Buffer.offset /
   * size, the layout TFLite uses for models over 2 GB. 'none': no data.
   */
  readonly storage: 'none' | 'inline' | 'appended';
  /** Where `data` starts in the file. */
  readonly fileOffset: number;
}

export interface Operator {
  readonly index: number;
  readonly opcodeIndex: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly intermediates: readonly number[];
  readonly builtinOptions: BuiltinOptions | null;
  /** The second options union (StableHLO ops), kept by name only. */
  readonly builtinOptions2: { readonly type: number; readonly typeName: BuiltinOptions2Name } | null;
  /** Raw custom options, from the custom_options vector or large_custom_options_offset/size. */
  readonly customOptions: Uint8Array | null;
  /** The custom options decoded as FlexBuffers (the only CustomOptionsFormat); undefined when none. */
  readonly customOptionsValue: FlexValue | undefined;
}

export interface Metadata {
  readonly name: string | null;
  readonly buffer: number;
}

/** Reads the whole model below its root table; the version is checked by the caller first. */
export function readModel(root: Table, fileIdentifier: string | null): TfliteModel {
  const fb = root.fb;
  return {
    version: root.u32(0, 'version'),
    fileIdentifier,
    description: root.string(3, 'description'),
    operatorCodes: (root.tables(1, 'operator_codes', 'operator code') ?? []).map(readOperatorCode),
    subgraphs: (root.tables(2, 'subgraphs', 'subgraph') ?? []).map((t, i) => readSubGraph(t, i, fb)),
    buffers: (root.tables(4, 'buffers', 'buffer') ?? []).map((t, i) => readBuffer(t, i, fb)),
    metadata: (root.tables(6, 'metadata', 'metadata') ?? []).map((t) => ({ name: t.string(0, 'name'), buffer: t.u32(1, 'buffer') })),
  };
}

function readOperatorCode(t: Table, index: number): OperatorCode {
  const deprecatedBuiltinCode = t.i8(0, 'deprecated_builtin_code');
  const builtinCode = Math.max(t.i32(3, 'builtin_code'), deprecatedBuiltinCode);
  if (builtinCode < 0) t.fb.fail(t.where, `builtin code ${builtinCode} is negative`);
  const builtinName = BUILTIN_OPERATORS[builtinCode] ?? null;
  const customCode = t.string(1, 'custom_code');
  const name = builtinName === 'CUSTOM' && customCode !== null ? customCode : (builtinName ?? `BUILTIN_${builtinCode}`);
  return { index, builtinCode, builtinName, deprecatedBuiltinCode, customCode, version: t.i32(2, 'version', 1), name };
}

function readSubGraph(t: Table, index: number, fb: FlatBuffer): SubGraph {
  return {
    index,
    name: t.string(4, 'name'),
    tensors: (t.tables(0, 'tensors', 'tensor') ?? []).map(readTensor),
    inputs: t.i32Vector(1, 'inputs') ?? [],
    outputs: t.i32Vector(2, 'outputs') ?? [],
    operators: (t.tables(3, 'operators', 'operator') ?? []).map((op, i) => readOperator(op, i, fb)),
  };
}

function readTensor(t: Table, index: number): Tensor {
  const quantization = t.table(4, 'quantization');
  return {
    index,
    name: t.string(3, 'name'),
    type: enumName(TENSOR_TYPES, t.i8(1, 'type'), t.where, 'tensor type'),
    shape: t.i32Vector(0, 'shape') ?? [],
    shapeSignature: t.i32Vector(7, 'shape_signature'),
    buffer: t.u32(2, 'buffer'),
    quantization: quantization === null ? null : readQuantization(quantization),
    isVariable: t.bool(5, 'is_variable'),
    hasSparsity: t.has(6),
  };
}

const QUANTIZATION_DETAILS = ['NONE', 'CustomQuantization', 'BlockwiseQuantization', 'MultiAxisQuantization'] as const;

function readQuantization(t: Table): Quantization {
  const detailsType = t.u8(4, 'details_type');
  const zeroPoint = (t.i64Vector(3, 'zero_point') ?? []).map((z) =>
    z >= BigInt(Number.MIN_SAFE_INTEGER) && z <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(z)
      : t.fb.fail(within(t.where, 'zero_point'), `zero point ${z} is not a safe integer`),
  );
  return {
    min: t.f32Vector(0, 'min'),
    max: t.f32Vector(1, 'max'),
    scale: t.f32Vector(2, 'scale') ?? new Float32Array(0),
    zeroPoint,
    quantizedDimension: t.i32(6, 'quantized_dimension'),
    details: detailsType === 0 ? null : { type: detailsType, typeName: enumName(QUANTIZATION_DETAILS, detailsType, t.where, 'details_type') },
  };
}

function readBuffer(t: Table, index: number, fb: FlatBuffer): TfliteBuffer {
  const inline = t.bytes(0, 'data');
  const appended = appendedBytes(t, 1, 2, 'offset', 'size', fb);
  if (inline !== null && inline.length > 0 && appended !== null) {
    fb.fail(t.where, 'has both a data vector and an offset/size outside the flatbuffer');
  }
  const data = appended ?? inline ?? new Uint8Array(0);
  const storage = appended !== null ? 'appended' : data.length > 0 ? 'inline' : 'none';
  return { index, data, storage, fileOffset: data.byteOffset - fb.bytes.byteOffset };
}

/**
 * Data stored after the flatbuffer at (offset, size) from the start of the file, for models over
 * 2 GB. The schema says offsets of 0 and 1 mean "not used" (1 is a writer's placeholder).
 */
function appendedBytes(t: Table, offsetId: number, sizeId: number, offsetName: string, sizeName: string, fb: FlatBuffer): Uint8Array | null {
  const offset = t.u64(offsetId, offsetName);
  const size = t.u64(sizeId, sizeName);
  if (offset <= 1n) return null;
  const end = offset + size;
  if (end > BigInt(fb.length)) {
    fb.fail(t.where, `${offsetName}/${sizeName} data runs past end of file (offset ${offset}, ${size} bytes, file ${fb.length} bytes)`);
  }
  return fb.bytes.subarray(Number(offset), Number(end));
}

function readOperator(t: Table, index: number, fb: FlatBuffer): Operator {
  const optionsType2 = t.u8(11, 'builtin_options_2_type');
  t.table(12, 'builtin_options_2'); // checked for sanity, not decoded
  enumName(['FLEXBUFFERS'], t.i8(6, 'custom_options_format'), t.where, 'custom_options_format');
  const inline = t.bytes(5, 'custom_options');
  const large = appendedBytes(t, 9, 10, 'large_custom_options_offset', 'large_custom_options_size', fb);
  if (inline !== null && inline.length > 0 && large !== null) fb.fail(t.where, 'has both custom_options and large_custom_options');
  const customOptions = large ?? inline;
  const customWhere = within(t.where, 'custom_options');
  return {
    index,
    opcodeIndex: t.u32(0, 'opcode_index'),
    inputs: t.i32Vector(1, 'inputs') ?? [],
    outputs: t.i32Vector(2, 'outputs') ?? [],
    intermediates: t.i32Vector(8, 'intermediates') ?? [],
    builtinOptions: readBuiltinOptions(t, 3, 4),
    builtinOptions2: optionsType2 === 0 ? null : { type: optionsType2, typeName: enumName(BUILTIN_OPTIONS_2, optionsType2, t.where, 'builtin_options_2_type') },
    customOptions,
    customOptionsValue: customOptions === null || customOptions.length === 0 ? undefined : decodeFlexbuffer(customOptions, customWhere),
  };
}
