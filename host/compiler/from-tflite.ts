/**
 * .tflite (TFLite flatbuffer) -> the compiler's Graph. Every read is bounds-
 * checked: a damaged or hostile file gives a TfliteFormatError that says where
 * it went wrong, never garbage or a crash. Field ids follow TFLite's
 * schema.fbs (tensorflow/compiler/mlir/lite/schema/schema.fbs).
 */
import { ElementType, Graph, Operator, Tensor } from './graph.js';

export class TfliteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfliteFormatError';
  }
}

/** A bounds-checked view of one flatbuffer table. */
class Table {
  constructor(
    private readonly fb: FlatBuffer,
    readonly at: number,
    readonly where: string,
  ) {}

  /** Absolute position of field `id`, or 0 when absent. */
  private field(id: number): number {
    const vtable = this.at - this.fb.i32(this.at, this.where);
    const vtableBytes = this.fb.u16(vtable, `${this.where} vtable`);
    if (vtableBytes < 4 || vtableBytes % 2 !== 0) this.fb.fail(`${this.where}: vtable of ${vtableBytes} bytes`);
    const slot = 4 + 2 * id;
    if (slot + 2 > vtableBytes) return 0;
    const offset = this.fb.u16(vtable + slot, `${this.where} vtable`);
    if (offset === 0) return 0;
    const tableBytes = this.fb.u16(vtable + 2, `${this.where} vtable`);
    if (offset >= tableBytes) this.fb.fail(`${this.where}: field ${id} lies outside its table`);
    return this.at + offset;
  }

  has(id: number): boolean {
    return this.field(id) !== 0;
  }

  u8(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.fb.u8(at, this.where) : fallback;
  }

  i8(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? (this.fb.u8(at, this.where) << 24) >> 24 : fallback;
  }

  i32(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.fb.i32(at, this.where) : fallback;
  }

  u32(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.fb.i32(at, this.where) >>> 0 : fallback;
  }

  u64(id: number): number {
    const at = this.field(id);
    if (!at) return 0;
    const v = this.fb.u64(at, this.where);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fb.fail(`${this.where}: field ${id} value ${v} is too large`);
    return Number(v);
  }

  f32(id: number, fallback = 0): number {
    const at = this.field(id);
    return at ? this.fb.f32(at, this.where) : fallback;
  }

  bool(id: number): boolean {
    return this.u8(id) !== 0;
  }

  private target(id: number, what: string): number {
    const at = this.field(id);
    if (!at) return 0;
    return at + this.fb.u32(at, `${this.where} > ${what}`);
  }

  table(id: number, what: string): Table | null {
    const at = this.target(id, what);
    return at ? this.fb.table(at, `${this.where} > ${what}`) : null;
  }

  string(id: number, what: string): string {
    const at = this.target(id, what);
    if (!at) return '';
    const bytes = this.fb.vectorBytes(at, 1, `${this.where} > ${what}`);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }

  bytes(id: number, what: string): Uint8Array | null {
    const at = this.target(id, what);
    return at ? this.fb.vectorBytes(at, 1, `${this.where} > ${what}`) : null;
  }

  ints(id: number, what: string): number[] {
    const at = this.target(id, what);
    if (!at) return [];
    const bytes = this.fb.vectorBytes(at, 4, `${this.where} > ${what}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(4 * i, true));
  }

  floats(id: number, what: string): number[] {
    const at = this.target(id, what);
    if (!at) return [];
    const bytes = this.fb.vectorBytes(at, 4, `${this.where} > ${what}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  }

  longs(id: number, what: string): number[] {
    const at = this.target(id, what);
    if (!at) return [];
    const bytes = this.fb.vectorBytes(at, 8, `${this.where} > ${what}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 8 }, (_, i) => {
      const v = view.getBigInt64(8 * i, true);
      if (v > 2n ** 31n || v < -(2n ** 31n)) this.fb.fail(`${this.where} > ${what}: value ${v} out of range`);
      return Number(v);
    });
  }

  tables(id: number, what: string): Table[] {
    const at = this.target(id, what);
    if (!at) return [];
    const count = this.fb.u32(at, `${this.where} > ${what}`);
    this.fb.need(at + 4, 4 * count, `${this.where} > ${what}`);
    return Array.from({ length: count }, (_, i) => {
      const slot = at + 4 + 4 * i;
      return this.fb.table(slot + this.fb.u32(slot, `${this.where} > ${what}[${i}]`), `${this.where} > ${what}[${i}]`);
    });
  }
}

class FlatBuffer {
  private readonly view: DataView;
  private tablesRead = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    throw new TfliteFormatError(`invalid .tflite: ${message}`);
  }

  need(at: number, length: number, where: string): void {
    if (!(at >= 0 && length >= 0 && at + length <= this.bytes.length)) {
      this.fail(`${where}: ${length} bytes at offset ${at} run past the end of the file (${this.bytes.length} bytes)`);
    }
  }

  u8(at: number, where: string): number {
    this.need(at, 1, where);
    return this.view.getUint8(at);
  }

  u16(at: number, where: string): number {
    this.need(at, 2, where);
    return this.view.getUint16(at, true);
  }

  i32(at: number, where: string): number {
    this.need(at, 4, where);
    return this.view.getInt32(at, true);
  }

  u32(at: number, where: string): number {
    this.need(at, 4, where);
    return this.view.getUint32(at, true);
  }

  u64(at: number, where: string): bigint {
    this.need(at, 8, where);
    return this.view.getBigUint64(at, true);
  }

  f32(at: number, where: string): number {
    this.need(at, 4, where);
    return this.view.getFloat32(at, true);
  }

  vectorBytes(at: number, elementBytes: number, where: string): Uint8Array {
    const count = this.u32(at, where);
    this.need(at + 4, count * elementBytes, where);
    return this.bytes.subarray(at + 4, at + 4 + count * elementBytes);
  }

  table(at: number, where: string): Table {
    // A hostile file can make tables point at each other; real models have a few thousand at most.
    if (++this.tablesRead > 1_000_000) this.fail(`${where}: too many tables`);
    this.need(at, 4, where);
    return new Table(this, at, where);
  }
}

/** BuiltinOperator names by code (schema.fbs enum BuiltinOperator). */
const BUILTIN_NAMES: readonly string[] = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE',
  'EMBEDDING_LOOKUP', 'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION', 'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU',
  'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH',
  'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN',
  'SUB', 'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN',
  'EXP', 'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU',
  'MAXIMUM', 'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL',
  'SELECT', 'SLICE', 'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL',
  'LOG', 'SUM', 'SQRT', 'RSQRT', 'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX',
  'PACK', 'LOGICAL_OR', 'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV',
  'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD', 'RANGE', 'RESIZE_NEAREST_NEIGHBOR',
  'LEAKY_RELU', 'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V', 'UNIQUE', 'CEIL', 'REVERSE_V2',
  'ADD_N', 'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU', 'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE',
  'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH', 'IF', 'WHILE', 'NON_MAX_SUPPRESSION_V4',
  'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2', 'DENSIFY', 'SEGMENT_SUM', 'BATCH_MATMUL',
  'PLACEHOLDER_FOR_GREATER_OP_CODES', 'CUMSUM', 'CALL_ONCE', 'BROADCAST_TO', 'RFFT2D', 'CONV_3D', 'IMAG',
  'REAL', 'COMPLEX_ABS', 'HASHTABLE', 'HASHTABLE_FIND', 'HASHTABLE_IMPORT', 'HASHTABLE_SIZE', 'REDUCE_ALL',
  'CONV_3D_TRANSPOSE', 'VAR_HANDLE', 'READ_VARIABLE', 'ASSIGN_VARIABLE', 'BROADCAST_ARGS',
  'RANDOM_STANDARD_NORMAL', 'BUCKETIZE', 'RANDOM_UNIFORM', 'MULTINOMIAL', 'GELU', 'DYNAMIC_UPDATE_SLICE',
  'RELU_0_TO_1', 'UNSORTED_SEGMENT_PROD', 'UNSORTED_SEGMENT_MAX', 'UNSORTED_SEGMENT_SUM', 'ATAN2',
  'UNSORTED_SEGMENT_MIN', 'SIGN', 'BITCAST', 'BITWISE_XOR', 'RIGHT_SHIFT', 'STABLEHLO_LOGISTIC',
  'STABLEHLO_ADD', 'STABLEHLO_DIVIDE', 'STABLEHLO_MULTIPLY', 'STABLEHLO_MAXIMUM', 'STABLEHLO_RESHAPE',
  'STABLEHLO_CLAMP', 'STABLEHLO_CONCATENATE', 'STABLEHLO_BROADCAST_IN_DIM', 'STABLEHLO_CONVOLUTION',
  'STABLEHLO_SLICE', 'STABLEHLO_CUSTOM_CALL', 'STABLEHLO_REDUCE', 'STABLEHLO_ABS', 'STABLEHLO_AND',
  'STABLEHLO_COSINE', 'STABLEHLO_EXPONENTIAL', 'STABLEHLO_FLOOR', 'STABLEHLO_LOG', 'STABLEHLO_MINIMUM',
  'STABLEHLO_NEGATE', 'STABLEHLO_OR', 'STABLEHLO_POWER', 'STABLEHLO_REMAINDER', 'STABLEHLO_RSQRT',
  'STABLEHLO_SELECT', 'STABLEHLO_SUBTRACT', 'STABLEHLO_TANH', 'STABLEHLO_SCATTER', 'STABLEHLO_COMPARE',
  'STABLEHLO_CONVERT', 'STABLEHLO_DYNAMIC_SLICE', 'STABLEHLO_DYNAMIC_UPDATE_SLICE', 'STABLEHLO_PAD',
  'STABLEHLO_IOTA', 'STABLEHLO_DOT_GENERAL', 'STABLEHLO_REDUCE_WINDOW', 'STABLEHLO_SORT', 'STABLEHLO_WHILE',
  'STABLEHLO_GATHER', 'STABLEHLO_TRANSPOSE', 'DILATE', 'STABLEHLO_RNG_BIT_GENERATOR', 'REDUCE_WINDOW',
  'STABLEHLO_COMPOSITE', 'STABLEHLO_SHIFT_LEFT', 'STABLEHLO_CBRT', 'STABLEHLO_CASE',];

const TENSOR_TYPES: Record<number, [ElementType, string]> = {
  0: ['float32', 'float32'], 2: ['int32', 'int32'], 3: ['uint8', 'uint8'], 4: ['int64', 'int64'], 6: ['bool', 'bool'],
  7: ['int16', 'int16'], 9: ['int8', 'int8'],
};
const OTHER_TYPES: Record<number, string> = {
  1: 'float16', 5: 'string', 8: 'complex64', 10: 'float64', 11: 'complex128', 12: 'uint64', 13: 'resource', 14: 'variant',
  15: 'uint32', 16: 'uint16', 17: 'int4', 18: 'bfloat16',
};
const ACTIVATIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];
const PADDINGS = ['SAME', 'VALID'];

/** Largest tensor the compiler takes (elements): far beyond any microcontroller model, small enough to plan safely. */
const MAX_ELEMENTS = 1 << 28;

type OptionReader = (t: Table) => Record<string, unknown>;
const activation = (t: Table, id: number) => ACTIVATIONS[t.i8(id)] ?? `activation ${t.i8(id)}`;
const padding = (t: Table, id: number) => PADDINGS[t.i8(id)] ?? `padding ${t.i8(id)}`;

/** Builtin option tables by BuiltinOptions union index, with the field ids of schema.fbs. */
const OPTION_READERS: Record<number, [string, OptionReader]> = {
  1: ['Conv2DOptions', (t) => ({ padding: padding(t, 0), strideW: t.i32(1), strideH: t.i32(2), fusedActivationFunction: activation(t, 3), dilationWFactor: t.i32(4, 1), dilationHFactor: t.i32(5, 1) })],
  2: ['DepthwiseConv2DOptions', (t) => ({ padding: padding(t, 0), strideW: t.i32(1), strideH: t.i32(2), depthMultiplier: t.i32(3), fusedActivationFunction: activation(t, 4), dilationWFactor: t.i32(5, 1), dilationHFactor: t.i32(6, 1) })],
  5: ['Pool2DOptions', (t) => ({ padding: padding(t, 0), strideW: t.i32(1), strideH: t.i32(2), filterWidth: t.i32(3), filterHeight: t.i32(4), fusedActivationFunction: activation(t, 5) })],
  8: ['FullyConnectedOptions', (t) => ({ fusedActivationFunction: activation(t, 0), weightsFormat: t.i8(1) === 0 ? 'DEFAULT' : 'SHUFFLED4x16INT8', keepNumDims: t.bool(2), asymmetricQuantizeInputs: t.bool(3) })],
  9: ['SoftmaxOptions', (t) => ({ beta: t.f32(0) })],
  10: ['ConcatenationOptions', (t) => ({ axis: t.i32(0), fusedActivationFunction: activation(t, 1) })],
  11: ['AddOptions', (t) => ({ fusedActivationFunction: activation(t, 0), potScaleInt16: t.bool(1) })],
  17: ['ReshapeOptions', (t) => ({ newShape: t.ints(0, 'new_shape') })],
  21: ['MulOptions', (t) => ({ fusedActivationFunction: activation(t, 0) })],
  22: ['PadOptions', () => ({})],
  26: ['TransposeOptions', () => ({})],
  27: ['ReducerOptions', (t) => ({ keepDims: t.bool(0) })],
  30: ['SqueezeOptions', (t) => ({ squeezeDims: t.ints(0, 'squeeze_dims') })],
  32: ['StridedSliceOptions', (t) => ({ beginMask: t.i32(0), endMask: t.i32(1), ellipsisMask: t.i32(2), newAxisMask: t.i32(3), shrinkAxisMask: t.i32(4), offset: t.bool(5) })],
  38: ['DequantizeOptions', () => ({})],
  43: ['PadV2Options', () => ({})],
  75: ['LeakyReluOptions', (t) => ({ alpha: t.f32(0) })],
  89: ['QuantizeOptions', () => ({})],
};

function readTensor(fb: FlatBuffer, t: Table, index: number, buffers: Table[]): Tensor {
  const where = `tensor ${index}`;
  const name = t.string(3, 'name');
  const shape = t.ints(0, 'shape');
  shape.forEach((d, k) => {
    if (d < 0) fb.fail(`${where} (${name}): dimension ${k} is ${d} (dynamic shapes are not supported)`);
  });
  if (shape.reduce((p, d) => p * d, 1) > MAX_ELEMENTS) fb.fail(`${where} (${name}): shape [${shape.join(',')}] is too large`);
  const typeCode = t.i8(1);
  const known = TENSOR_TYPES[typeCode];
  const type: ElementType = known ? known[0] : 'other';
  const typeName = known ? known[1] : (OTHER_TYPES[typeCode] ?? `type ${typeCode}`);
  if (t.has(6)) fb.fail(`${where} (${name}): sparse tensors are not supported`);
  const q = t.table(4, 'quantization');
  const scales = q ? q.floats(2, 'scale') : [];
  const zeroPoints = q ? q.longs(3, 'zero_point') : [];
  if (q && zeroPoints.length && zeroPoints.length !== scales.length) fb.fail(`${where} (${name}): ${scales.length} scales but ${zeroPoints.length} zero points`);
  const bufferIndex = t.u32(2);
  if (bufferIndex >= buffers.length) fb.fail(`${where} (${name}): buffer ${bufferIndex} of ${buffers.length}`);
  let data: Uint8Array | null = null;
  if (bufferIndex > 0) {
    const b = buffers[bufferIndex];
    const offset = b.u64(1);
    if (offset > 1) {
      const size = b.u64(2);
      fb.need(offset, size, `buffer ${bufferIndex} (outside the flatbuffer)`);
      data = fb.bytes.subarray(offset, offset + size);
    } else {
      data = b.bytes(0, 'data');
    }
    if (data && data.length === 0) data = null;
  }
  return {
    index, name, type, typeName, shape, scales, zeroPoints: zeroPoints.length ? zeroPoints : scales.map(() => 0),
    quantizedDimension: q ? q.i32(6) : 0, data, isVariable: t.bool(5),
  };
}

/** Parses a .tflite file's main subgraph into the compiler's Graph. */
export function graphFromTflite(bytes: Uint8Array): Graph {
  const fb = new FlatBuffer(bytes);
  if (bytes.length < 8) fb.fail(`only ${bytes.length} bytes`);
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== 'TFL3') fb.fail(`file identifier is "${identifier}", expected "TFL3" (not a TFLite model?)`);
  const model = fb.table(fb.u32(0, 'root'), 'model');
  const version = model.u32(0);
  if (version !== 3) fb.fail(`schema version ${version}, expected 3`);
  const codes = model.tables(1, 'operator_codes').map((c) => {
    const code = Math.max(c.i8(0), c.i32(3));
    const name = code === 32 ? c.string(1, 'custom_code') || 'CUSTOM' : (BUILTIN_NAMES[code] || `BUILTIN_${code}`);
    return { name, version: c.i32(2, 1) };
  });
  const subgraphs = model.tables(2, 'subgraphs');
  if (subgraphs.length < 1) fb.fail('no subgraph');
  const sg = subgraphs[0];
  const buffers = model.tables(4, 'buffers');
  const tensors = sg.tables(0, 'subgraph 0 > tensors').map((t, i) => readTensor(fb, t, i, buffers));
  const checkIndex = (i: number, where: string, optional: boolean) => {
    if ((optional && i === -1) || (i >= 0 && i < tensors.length)) return i;
    return fb.fail(`${where} names tensor ${i} of ${tensors.length}`);
  };
  const inputs = sg.ints(1, 'inputs').map((i, k) => checkIndex(i, `subgraph input ${k}`, false));
  const outputs = sg.ints(2, 'outputs').map((i, k) => checkIndex(i, `subgraph output ${k}`, false));
  const operators: Operator[] = sg.tables(3, 'operators').map((op, index) => {
    const where = `operator ${index}`;
    const opcode = op.u32(0);
    const code = codes[opcode] ?? fb.fail(`${where}: opcode index ${opcode} of ${codes.length}`);
    const optionsType = op.u8(3);
    const optionsTable = op.table(4, 'builtin_options');
    let options: Record<string, unknown> = {};
    if (optionsType !== 0 && optionsTable) {
      const reader = OPTION_READERS[optionsType];
      options = reader ? { ...reader[1](optionsTable), optionsType: reader[0] } : { optionsType: `BuiltinOptions ${optionsType}` };
    }
    const custom = op.bytes(5, 'custom_options');
    if (custom) options.customOptions = custom;
    return {
      index,
      name: code.name,
      version: code.version,
      inputs: op.ints(1, 'inputs').map((i, k) => checkIndex(i, `${where} input ${k}`, true)),
      outputs: op.ints(2, 'outputs').map((i, k) => checkIndex(i, `${where} output ${k}`, false)),
      options,
    };
  });
  return { tensors, operators, inputs, outputs, description: model.string(3, 'description') };
}
