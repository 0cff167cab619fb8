/**
 * Lowering: each TFLite operator becomes one op record (or none, for a reshape that aliases its input).
 * This is where TFLM's Prepare() work happens, on the host: requantization multipliers, padding,
 * activation bounds, broadcast and slice walks. One module per op family; this table, the only one,
 * maps TFLite operator names (builtin names, or the custom code of TFLM's signal ops) to them. It is
 * frozen: a lowering picks its kernel itself (ADD and MUL by output type) instead of wrapping another.
 */
import { lowerLogistic, lowerLeakyRelu, lowerRelu, lowerRelu6, lowerSoftmax, lowerTanh } from './activations.js';
import { LoweredOp, OpContext } from './context.js';
import { lowerCast, lowerDequantize, lowerQuantize } from './conversion.js';
import { lowerConv, lowerDepthwiseConv } from './conv.js';
import { lowerConcatenation, lowerPad, lowerStridedSlice, lowerTranspose } from './data-movement.js';
import { lowerAdd, lowerDiv, lowerMul, lowerSub } from './elementwise.js';
import {
  lowerEqual, lowerGreater, lowerGreaterEqual, lowerLess, lowerLessEqual, lowerMaximumAny, lowerMinimumAny, lowerNotEqual,
  lowerL2Normalization, lowerPrelu, lowerSelectV2, lowerSquaredDifference,
} from './elementwise-s8.js';
import { lowerAbs, lowerHardSwish, lowerRsqrt } from './table.js';
import { lowerLogSoftmax } from './log-softmax.js';
import { lowerFullyConnected } from './fully-connected.js';
import { lowerAveragePool, lowerMaxPool } from './pooling.js';
import { lowerMean } from './reductions.js';
import { lowerArgMax, lowerArgMin, lowerReduceMax, lowerReduceMin, lowerSum } from './reduce.js';
import { lowerTransposeConv } from './transpose-conv.js';
import { lowerSvdf } from './svdf.js';
import { lowerBatchMatmul } from './batch-matmul.js';
import { lowerUnidirectionalSequenceLstm } from './lstm.js';
import {
  lowerEnergy, lowerFftAutoScale, lowerFilterBank, lowerFilterBankLog, lowerFilterBankSqrt, lowerPcan, lowerRfft,
  lowerSpectralSubtraction, lowerWindow,
} from './signal.js';
import { lowerGather, lowerGatherNd, lowerResizeBilinear, lowerResizeNearestNeighbor } from './gather.js';
import {
  lowerBatchToSpaceNd, lowerBroadcastTo, lowerDepthToSpace, lowerPack, lowerSlice, lowerSpaceToBatchNd, lowerSpaceToDepth,
  lowerSplit, lowerSplitV, lowerUnpack,
} from './views.js';

export { ALIASING_OPS, copyOp } from './data-movement.js';
export { CompileError, ConstPool, OpContext } from './context.js';
export type { LoweredOp, Operand, Word } from './context.js';

/** One record, or several (an op with several outputs, SPLIT or UNPACK, writes each with its own record). */
export type Lowering = (c: OpContext) => LoweredOp | LoweredOp[];

export const LOWERINGS: Readonly<Record<string, Lowering>> = Object.freeze({
  CONV_2D: lowerConv,
  DEPTHWISE_CONV_2D: lowerDepthwiseConv,
  FULLY_CONNECTED: lowerFullyConnected,
  AVERAGE_POOL_2D: lowerAveragePool,
  MAX_POOL_2D: lowerMaxPool,
  SOFTMAX: lowerSoftmax,
  LOGISTIC: lowerLogistic,
  TANH: lowerTanh,
  ADD: lowerAdd,
  MUL: lowerMul,
  SUB: lowerSub,
  DIV: lowerDiv,
  MINIMUM: lowerMinimumAny,
  MAXIMUM: lowerMaximumAny,
  RELU: lowerRelu,
  RELU6: lowerRelu6,
  LEAKY_RELU: lowerLeakyRelu,
  QUANTIZE: lowerQuantize,
  DEQUANTIZE: lowerDequantize,
  CAST: lowerCast,
  MEAN: lowerMean,
  PAD: lowerPad,
  PADV2: lowerPad,
  CONCATENATION: lowerConcatenation,
  STRIDED_SLICE: lowerStridedSlice,
  TRANSPOSE: lowerTranspose,
  // TFLM's audio front end (signal library custom ops).
  SignalWindow: lowerWindow,
  SignalFftAutoScale: lowerFftAutoScale,
  SignalRfft: lowerRfft,
  SignalEnergy: lowerEnergy,
  SignalFilterBank: lowerFilterBank,
  SignalFilterBankSquareRoot: lowerFilterBankSqrt,
  SignalFilterBankSpectralSubtraction: lowerSpectralSubtraction,
  SignalPCAN: lowerPcan,
  SignalFilterBankLog: lowerFilterBankLog,
  // ops-move: data movement as strided views (views.ts) and its kernels.
  SPLIT: lowerSplit,
  SPLIT_V: lowerSplitV,
  UNPACK: lowerUnpack,
  PACK: lowerPack,
  SLICE: lowerSlice,
  BROADCAST_TO: lowerBroadcastTo,
  DEPTH_TO_SPACE: lowerDepthToSpace,
  SPACE_TO_DEPTH: lowerSpaceToDepth,
  BATCH_TO_SPACE_ND: lowerBatchToSpaceNd,
  SPACE_TO_BATCH_ND: lowerSpaceToBatchNd,
  GATHER: lowerGather,
  GATHER_ND: lowerGatherNd,
  RESIZE_NEAREST_NEIGHBOR: lowerResizeNearestNeighbor,
  RESIZE_BILINEAR: lowerResizeBilinear,
  // ops-reduce (issue 13)
  REDUCE_MAX: lowerReduceMax,
  REDUCE_MIN: lowerReduceMin,
  SUM: lowerSum,
  ARG_MAX: lowerArgMax,
  ARG_MIN: lowerArgMin,
  TRANSPOSE_CONV: lowerTransposeConv,
  SVDF: lowerSvdf,
  BATCH_MATMUL: lowerBatchMatmul,
  // ops-elem: int8 element-wise ops (elementwise-s8.ts, table.ts, log-softmax.ts); MINIMUM and MAXIMUM above dispatch int32 to elementwise.ts.
  SQUARED_DIFFERENCE: lowerSquaredDifference,
  PRELU: lowerPrelu,
  EQUAL: lowerEqual,
  NOT_EQUAL: lowerNotEqual,
  LESS: lowerLess,
  LESS_EQUAL: lowerLessEqual,
  GREATER: lowerGreater,
  GREATER_EQUAL: lowerGreaterEqual,
  SELECT_V2: lowerSelectV2,
  HARD_SWISH: lowerHardSwish,
  ABS: lowerAbs,
  RSQRT: lowerRsqrt,
  L2_NORMALIZATION: lowerL2Normalization,
  LOG_SOFTMAX: lowerLogSoftmax,
  // lstm (issue 13)
  UNIDIRECTIONAL_SEQUENCE_LSTM: lowerUnidirectionalSequenceLstm,
});

/**
 * Why tinysense refuses a builtin it has no lowering for, where the reason is TFLM's own (the compiler
 * adds it to "is not supported by tinysense"): a model using these does not run on TFLM either.
 */
export const UNSUPPORTED_REASONS: Readonly<Record<string, string>> = Object.freeze({
  // ops-elem
  EXP: "TFLM's EXP kernel runs float32 only (exp.cc), and tinysense runs no float32 EXP",
  NEG: "TFLM's NEG kernel runs float32 only (neg.cc), and tinysense runs no float32 NEG",
  RELU_N1_TO_1: 'TFLM registers no RELU_N1_TO_1 kernel (a fused RELU_N1_TO_1 activation on the producing op is supported)',
  RELU_0_TO_1: 'TFLM registers no RELU_0_TO_1 kernel',
  SELECT: 'TFLM registers no SELECT kernel (convert the model with SELECT_V2, which TFLM and tinysense run)',
});
