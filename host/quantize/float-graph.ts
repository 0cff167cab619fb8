/**
 * The float model as a TFLite graph: the operators, tensor shapes and weight
 * layouts the .tflite will have, still in float32. Converting a tfjs model
 * into this form first (from-layers.ts) lets one evaluator (float-eval.ts)
 * both check the conversion against tfjs and record the activation ranges
 * calibration needs, for exactly the tensors that will be quantized.
 *
 * Shapes use batch 1, as in the exported model; the evaluator runs any batch.
 * Weight layouts are TFLite's: CONV_2D filters OHWI, DEPTHWISE_CONV_2D
 * filters 1HWC (C = input channels x multiplier), FULLY_CONNECTED weights
 * [units, depth].
 */
import { ActivationName, PaddingName } from './tflite-format.js';

export interface FloatTensor {
  name: string;
  shape: number[];
  /** Weights and biases; absent for activations. */
  data?: Float32Array;
}

export interface ConvOp {
  kind: 'CONV_2D' | 'DEPTHWISE_CONV_2D';
  input: number;
  filter: number;
  bias: number;
  output: number;
  padding: PaddingName;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  activation: ActivationName;
  /** Depthwise only: output channels per input channel. */
  depthMultiplier: number;
}

export interface FullyConnectedOp {
  kind: 'FULLY_CONNECTED';
  input: number;
  filter: number;
  bias: number;
  output: number;
  activation: ActivationName;
}

export interface PoolOp {
  kind: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D';
  input: number;
  output: number;
  padding: PaddingName;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
}

export interface ReshapeOp {
  kind: 'RESHAPE';
  input: number;
  output: number;
  /** The output shape (batch 1). */
  newShape: number[];
}

export interface SoftmaxOp {
  kind: 'SOFTMAX';
  input: number;
  output: number;
  beta: number;
}

export interface SigmoidLikeOp {
  kind: 'LOGISTIC' | 'TANH';
  input: number;
  output: number;
}

export type FloatOp = ConvOp | FullyConnectedOp | PoolOp | ReshapeOp | SoftmaxOp | SigmoidLikeOp;

export interface FloatGraph {
  tensors: FloatTensor[];
  ops: FloatOp[];
  input: number;
  output: number;
}

/** Ops whose output must carry the input's quantization (TFLM does not rescale in them). */
export function keepsInputQuantization(op: FloatOp): boolean {
  return op.kind === 'RESHAPE' || op.kind === 'MAX_POOL_2D' || op.kind === 'AVERAGE_POOL_2D';
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}
