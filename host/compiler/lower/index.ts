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
import { lowerAdd, lowerDiv, lowerMaximum, lowerMinimum, lowerMul, lowerSub } from './elementwise.js';
import { lowerFullyConnected } from './fully-connected.js';
import { lowerAveragePool, lowerMaxPool } from './pooling.js';
import { lowerMean } from './reductions.js';
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
  MINIMUM: lowerMinimum,
  MAXIMUM: lowerMaximum,
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
});
