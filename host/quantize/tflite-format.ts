/**
 * The slice of the TFLite schema (tensorflow/compiler/mlir/lite/schema/schema.fbs)
 * the exporter writes: enum values, union tags and field slots. They are
 * written out here so the writer does not depend on parsing the schema at
 * run time; test/train/schema.test.ts checks every number against the schema
 * description, so a typo cannot slip through.
 */

export const TFLITE_FILE_IDENTIFIER = 'TFL3';
export const TFLITE_SCHEMA_VERSION = 3;

/** enum TensorType : byte */
export const TENSOR_TYPE = { FLOAT32: 0, INT32: 2, UINT8: 3, INT64: 4, INT16: 7, INT8: 9 } as const;
export type TensorTypeName = keyof typeof TENSOR_TYPE;

export const TENSOR_TYPE_BYTES: Record<TensorTypeName, number> = { FLOAT32: 4, INT32: 4, UINT8: 1, INT64: 8, INT16: 2, INT8: 1 };

/**
 * enum BuiltinOperator : int32, the operators the exporter emits, and the option-less shape and
 * element-wise operators tests write models with (ADD ... FILL).
 */
export const BUILTIN_OPERATOR = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  MUL: 18,
  SQUEEZE: 43,
  EXPAND_DIMS: 70,
  SHAPE: 77,
  ZEROS_LIKE: 93,
  FILL: 94,
} as const;
export type BuiltinOperatorName = keyof typeof BUILTIN_OPERATOR;

/** OperatorCode.deprecated_builtin_code holds codes up to this; larger ones live only in builtin_code. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** enum Padding : byte */
export const PADDING = { SAME: 0, VALID: 1 } as const;
export type PaddingName = keyof typeof PADDING;

/** enum ActivationFunctionType : byte (the ones int8 kernels accept as fused activations). */
export const ACTIVATION = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 } as const;
export type ActivationName = keyof typeof ACTIVATION;

/** union BuiltinOptions: member k has tag k + 1. */
export const BUILTIN_OPTIONS_TAG = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ReshapeOptions: 17,
} as const;
export type BuiltinOptionsName = keyof typeof BUILTIN_OPTIONS_TAG;

/**
 * vtable slots of the fields written, per table, as the schema numbers them
 * (declaration order; a union field's `_type` slot comes just before it).
 */
export const SLOTS = {
  Model: { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Buffer: { data: 0 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, is_variable: 5 },
  QuantizationParameters: { min: 0, max: 1, scale: 2, zero_point: 3, quantized_dimension: 6 },
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 },
  Conv2DOptions: { padding: 0, stride_w: 1, stride_h: 2, fused_activation_function: 3, dilation_w_factor: 4, dilation_h_factor: 5 },
  DepthwiseConv2DOptions: {
    padding: 0, stride_w: 1, stride_h: 2, depth_multiplier: 3, fused_activation_function: 4, dilation_w_factor: 5, dilation_h_factor: 6,
  },
  Pool2DOptions: { padding: 0, stride_w: 1, stride_h: 2, filter_width: 3, filter_height: 4, fused_activation_function: 5 },
  FullyConnectedOptions: { fused_activation_function: 0, weights_format: 1, keep_num_dims: 2 },
  SoftmaxOptions: { beta: 0 },
  ReshapeOptions: { new_shape: 0 },
} as const;

/**
 * Which options table each emitted operator carries (none for LOGISTIC and TANH; none written for the
 * test-only ones, whose options all have defaults).
 */
export const OPTIONS_OF_OPERATOR: Record<BuiltinOperatorName, BuiltinOptionsName | null> = {
  ADD: null,
  MUL: null,
  SQUEEZE: null,
  EXPAND_DIMS: null,
  SHAPE: null,
  ZEROS_LIKE: null,
  FILL: null,
  AVERAGE_POOL_2D: 'Pool2DOptions',
  CONV_2D: 'Conv2DOptions',
  DEPTHWISE_CONV_2D: 'DepthwiseConv2DOptions',
  FULLY_CONNECTED: 'FullyConnectedOptions',
  LOGISTIC: null,
  MAX_POOL_2D: 'Pool2DOptions',
  RESHAPE: 'ReshapeOptions',
  SOFTMAX: 'SoftmaxOptions',
  TANH: null,
};

/**
 * Operator versions for int8 kernels, as TFLite's converter assigns them
 * (tensorflow/lite/tools/versioning/op_version.cc): the lowest version whose
 * runtime supports int8 inputs with these options.
 */
export const INT8_OPERATOR_VERSION = {
  AVERAGE_POOL_2D: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 3,
  FULLY_CONNECTED: 4,
  LOGISTIC: 2,
  MAX_POOL_2D: 2,
  RESHAPE: 1,
  SOFTMAX: 2,
  TANH: 2,
} as const satisfies Partial<Record<BuiltinOperatorName, number>>;
