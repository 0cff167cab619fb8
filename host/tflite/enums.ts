/**
 * Enums of the TFLite schema (tensorflow/compiler/mlir/lite/schema/schema.fbs), as name tables
 * indexed by their code. The schema only ever appends, so a code's name never changes; a code past
 * a table's end comes from a newer schema or a damaged file.
 */
import { TfliteFormatError } from './flatbuffer.js';

/** TensorType, lower-cased as elsewhere in the project ('int8', 'float32'). */
export const TENSOR_TYPES = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8',
  'float64', 'complex128', 'uint64', 'resource', 'variant', 'uint32', 'uint16', 'int4', 'bfloat16',
  'int2', 'uint4', 'float8_e4m3fn', 'float8_e5m2',
] as const;
export type TensorTypeName = (typeof TENSOR_TYPES)[number];

/** Bytes per element; 0 for types without a fixed whole-byte size (strings, packed sub-byte ints). */
export const TENSOR_TYPE_BYTES: Readonly<Record<TensorTypeName, number>> = {
  float32: 4, float16: 2, int32: 4, uint8: 1, int64: 8, string: 0, bool: 1, int16: 2, complex64: 8,
  int8: 1, float64: 8, complex128: 16, uint64: 8, resource: 0, variant: 0, uint32: 4, uint16: 2,
  int4: 0, bfloat16: 2, int2: 0, uint4: 0, float8_e4m3fn: 1, float8_e5m2: 1,
};

export const BUILTIN_OPERATORS = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE',
  'DEQUANTIZE', 'EMBEDDING_LOOKUP', 'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP',
  'L2_NORMALIZATION', 'L2_POOL_2D', 'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION',
  'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR',
  'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH', 'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL',
  'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD', 'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER',
  'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN', 'SUB', 'DIV', 'SQUEEZE',
  'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN', 'EXP', 'TOPK_V2',
  'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU', 'MAXIMUM',
  'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL', 'SELECT',
  'SLICE', 'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL',
  'LOG', 'SUM', 'SQRT', 'RSQRT', 'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD',
  'REDUCE_MAX', 'PACK', 'LOGICAL_OR', 'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK',
  'REDUCE_MIN', 'FLOOR_DIV', 'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD', 'RANGE',
  'RESIZE_NEAREST_NEIGHBOR', 'LEAKY_RELU', 'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V',
  'UNIQUE', 'CEIL', 'REVERSE_V2', 'ADD_N', 'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU',
  'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE', 'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH', 'IF',
  'WHILE', 'NON_MAX_SUPPRESSION_V4', 'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2',
  'DENSIFY', 'SEGMENT_SUM', 'BATCH_MATMUL', 'PLACEHOLDER_FOR_GREATER_OP_CODES', 'CUMSUM',
  'CALL_ONCE', 'BROADCAST_TO', 'RFFT2D', 'CONV_3D', 'IMAG', 'REAL', 'COMPLEX_ABS', 'HASHTABLE',
  'HASHTABLE_FIND', 'HASHTABLE_IMPORT', 'HASHTABLE_SIZE', 'REDUCE_ALL', 'CONV_3D_TRANSPOSE',
  'VAR_HANDLE', 'READ_VARIABLE', 'ASSIGN_VARIABLE', 'BROADCAST_ARGS', 'RANDOM_STANDARD_NORMAL',
  'BUCKETIZE', 'RANDOM_UNIFORM', 'MULTINOMIAL', 'GELU', 'DYNAMIC_UPDATE_SLICE', 'RELU_0_TO_1',
  'UNSORTED_SEGMENT_PROD', 'UNSORTED_SEGMENT_MAX', 'UNSORTED_SEGMENT_SUM', 'ATAN2',
  'UNSORTED_SEGMENT_MIN', 'SIGN', 'BITCAST', 'BITWISE_XOR', 'RIGHT_SHIFT', 'STABLEHLO_LOGISTIC',
  'STABLEHLO_ADD', 'STABLEHLO_DIVIDE', 'STABLEHLO_MULTIPLY', 'STABLEHLO_MAXIMUM',
  'STABLEHLO_RESHAPE', 'STABLEHLO_CLAMP', 'STABLEHLO_CONCATENATE', 'STABLEHLO_BROADCAST_IN_DIM',
  'STABLEHLO_CONVOLUTION', 'STABLEHLO_SLICE', 'STABLEHLO_CUSTOM_CALL', 'STABLEHLO_REDUCE',
  'STABLEHLO_ABS', 'STABLEHLO_AND', 'STABLEHLO_COSINE', 'STABLEHLO_EXPONENTIAL', 'STABLEHLO_FLOOR',
  'STABLEHLO_LOG', 'STABLEHLO_MINIMUM', 'STABLEHLO_NEGATE', 'STABLEHLO_OR', 'STABLEHLO_POWER',
  'STABLEHLO_REMAINDER', 'STABLEHLO_RSQRT', 'STABLEHLO_SELECT', 'STABLEHLO_SUBTRACT',
  'STABLEHLO_TANH', 'STABLEHLO_SCATTER', 'STABLEHLO_COMPARE', 'STABLEHLO_CONVERT',
  'STABLEHLO_DYNAMIC_SLICE', 'STABLEHLO_DYNAMIC_UPDATE_SLICE', 'STABLEHLO_PAD', 'STABLEHLO_IOTA',
  'STABLEHLO_DOT_GENERAL', 'STABLEHLO_REDUCE_WINDOW', 'STABLEHLO_SORT', 'STABLEHLO_WHILE',
  'STABLEHLO_GATHER', 'STABLEHLO_TRANSPOSE', 'DILATE', 'STABLEHLO_RNG_BIT_GENERATOR',
  'REDUCE_WINDOW', 'STABLEHLO_COMPOSITE', 'STABLEHLO_SHIFT_LEFT', 'STABLEHLO_CBRT',
  'STABLEHLO_CASE',
] as const;
export type BuiltinOperatorName = (typeof BUILTIN_OPERATORS)[number];

export const ACTIVATION_FUNCTIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;
export type ActivationFunctionName = (typeof ACTIVATION_FUNCTIONS)[number];

export const PADDINGS = ['SAME', 'VALID'] as const;
export type PaddingName = (typeof PADDINGS)[number];

export const FULLY_CONNECTED_WEIGHTS_FORMATS = ['DEFAULT', 'SHUFFLED4x16INT8'] as const;
export type FullyConnectedWeightsFormatName = (typeof FULLY_CONNECTED_WEIGHTS_FORMATS)[number];

/** The BuiltinOptions union's member tables; the union's type byte indexes this (0 = NONE). */
export const BUILTIN_OPTIONS = [
  'NONE', 'Conv2DOptions', 'DepthwiseConv2DOptions', 'ConcatEmbeddingsOptions',
  'LSHProjectionOptions', 'Pool2DOptions', 'SVDFOptions', 'RNNOptions', 'FullyConnectedOptions',
  'SoftmaxOptions', 'ConcatenationOptions', 'AddOptions', 'L2NormOptions',
  'LocalResponseNormalizationOptions', 'LSTMOptions', 'ResizeBilinearOptions', 'CallOptions',
  'ReshapeOptions', 'SkipGramOptions', 'SpaceToDepthOptions', 'EmbeddingLookupSparseOptions',
  'MulOptions', 'PadOptions', 'GatherOptions', 'BatchToSpaceNDOptions', 'SpaceToBatchNDOptions',
  'TransposeOptions', 'ReducerOptions', 'SubOptions', 'DivOptions', 'SqueezeOptions',
  'SequenceRNNOptions', 'StridedSliceOptions', 'ExpOptions', 'TopKV2Options', 'SplitOptions',
  'LogSoftmaxOptions', 'CastOptions', 'DequantizeOptions', 'MaximumMinimumOptions',
  'ArgMaxOptions', 'LessOptions', 'NegOptions', 'PadV2Options', 'GreaterOptions',
  'GreaterEqualOptions', 'LessEqualOptions', 'SelectOptions', 'SliceOptions',
  'TransposeConvOptions', 'SparseToDenseOptions', 'TileOptions', 'ExpandDimsOptions',
  'EqualOptions', 'NotEqualOptions', 'ShapeOptions', 'PowOptions', 'ArgMinOptions',
  'FakeQuantOptions', 'PackOptions', 'LogicalOrOptions', 'OneHotOptions', 'LogicalAndOptions',
  'LogicalNotOptions', 'UnpackOptions', 'FloorDivOptions', 'SquareOptions', 'ZerosLikeOptions',
  'FillOptions', 'BidirectionalSequenceLSTMOptions', 'BidirectionalSequenceRNNOptions',
  'UnidirectionalSequenceLSTMOptions', 'FloorModOptions', 'RangeOptions',
  'ResizeNearestNeighborOptions', 'LeakyReluOptions', 'SquaredDifferenceOptions',
  'MirrorPadOptions', 'AbsOptions', 'SplitVOptions', 'UniqueOptions', 'ReverseV2Options',
  'AddNOptions', 'GatherNdOptions', 'CosOptions', 'WhereOptions', 'RankOptions',
  'ReverseSequenceOptions', 'MatrixDiagOptions', 'QuantizeOptions', 'MatrixSetDiagOptions',
  'HardSwishOptions', 'IfOptions', 'WhileOptions', 'DepthToSpaceOptions',
  'NonMaxSuppressionV4Options', 'NonMaxSuppressionV5Options', 'ScatterNdOptions',
  'SelectV2Options', 'DensifyOptions', 'SegmentSumOptions', 'BatchMatMulOptions', 'CumsumOptions',
  'CallOnceOptions', 'BroadcastToOptions', 'Rfft2dOptions', 'Conv3DOptions', 'HashtableOptions',
  'HashtableFindOptions', 'HashtableImportOptions', 'HashtableSizeOptions', 'VarHandleOptions',
  'ReadVariableOptions', 'AssignVariableOptions', 'RandomOptions', 'BucketizeOptions',
  'GeluOptions', 'DynamicUpdateSliceOptions', 'UnsortedSegmentProdOptions',
  'UnsortedSegmentMaxOptions', 'UnsortedSegmentMinOptions', 'UnsortedSegmentSumOptions',
  'ATan2Options', 'SignOptions', 'BitcastOptions', 'BitwiseXorOptions', 'RightShiftOptions',
] as const;
export type BuiltinOptionsName = (typeof BUILTIN_OPTIONS)[number];

/** The BuiltinOptions2 union (StableHLO ops and later), kept by name only. */
export const BUILTIN_OPTIONS_2 = [
  'NONE', 'StablehloConcatenateOptions', 'StablehloBroadcastInDimOptions', 'StablehloSliceOptions',
  'StablehloConvolutionOptions', 'StablehloCustomCallOptions', 'StablehloReduceOptions',
  'StablehloScatterOptions', 'StablehloCompareOptions', 'StablehloDynamicSliceOptions',
  'StablehloPadOptions', 'StablehloIotaOptions', 'StablehloDotGeneralOptions',
  'StablehloReduceWindowOptions', 'StablehloSortOptions', 'StablehloWhileOptions',
  'StablehloGatherOptions', 'StablehloTransposeOptions', 'DilateOptions',
  'StablehloRngBitGeneratorOptions', 'ReduceWindowOptions', 'StableHLOCompositeOptions',
  'StablehloShiftLeftOptions', 'StablehloCaseOptions',
] as const;
export type BuiltinOptions2Name = (typeof BUILTIN_OPTIONS_2)[number];

/** Name -> code, e.g. BuiltinOperator.CONV_2D === 3. */
function codesByName<const Names extends readonly string[]>(names: Names): { readonly [N in Names[number]]: number } {
  return Object.freeze(Object.fromEntries(names.map((name, code) => [name, code]))) as { [N in Names[number]]: number };
}
export const TensorType = codesByName(TENSOR_TYPES);
export const BuiltinOperator = codesByName(BUILTIN_OPERATORS);
export const ActivationFunctionType = codesByName(ACTIVATION_FUNCTIONS);
export const Padding = codesByName(PADDINGS);
export const BuiltinOptionsType = codesByName(BUILTIN_OPTIONS);

/** The name of `code` in `names`, failing clearly for a code the schema does not define. */
export function enumName<Name extends string>(names: readonly Name[], code: number, where: string, what: string): Name {
  const name = names[code];
  if (name === undefined) throw new TfliteFormatError(where, `${what} ${code} is not defined by the TFLite schema`);
  return name;
}
