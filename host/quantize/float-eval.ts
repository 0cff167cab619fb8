/**
 * Runs a FloatGraph in float32 with tfjs ops, op by op, so every tensor the
 * .tflite will have can be observed: calibration records each one's range,
 * and tests compare the final output with the tfjs model's own prediction to
 * check the conversion.
 */
import { FloatGraph, FloatOp } from './float-graph.js';
import { ActivationName } from './tflite-format.js';
import { tf } from '../train/tfjs.js';

export interface TensorRange {
  min: number;
  max: number;
}

function activate(x: tf.Tensor, activation: ActivationName): tf.Tensor {
  switch (activation) {
    case 'NONE':
      return x;
    case 'RELU':
      return tf.relu(x);
    case 'RELU6':
      return tf.relu6(x);
    case 'RELU_N1_TO_1':
      return tf.clipByValue(x, -1, 1);
  }
}

function padding(p: 'SAME' | 'VALID'): 'same' | 'valid' {
  return p === 'SAME' ? 'same' : 'valid';
}

/** One op on a batch (the graph's batch-1 shapes get the batch size of `x`). */
function runOp(graph: FloatGraph, op: FloatOp, x: tf.Tensor): tf.Tensor {
  const constant = (index: number) => {
    const t = graph.tensors[index];
    if (!t.data) throw new Error(`tensor ${index} (${t.name}) has no data`);
    return tf.tensor(t.data, t.shape, 'float32');
  };
  const batch = x.shape[0];
  switch (op.kind) {
    case 'CONV_2D': {
      const filter = tf.transpose(constant(op.filter), [1, 2, 3, 0]) as tf.Tensor4D; // OHWI -> HWIO
      const y = tf.conv2d(x as tf.Tensor4D, filter, [op.strideH, op.strideW], padding(op.padding), 'NHWC', [op.dilationH, op.dilationW]);
      return activate(tf.add(y, constant(op.bias)), op.activation);
    }
    case 'DEPTHWISE_CONV_2D': {
      const [, kh, kw, channels] = graph.tensors[op.filter].shape;
      const filter = tf.reshape(constant(op.filter), [kh, kw, channels / op.depthMultiplier, op.depthMultiplier]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, filter, [op.strideH, op.strideW], padding(op.padding), 'NHWC', [op.dilationH, op.dilationW]);
      return activate(tf.add(y, constant(op.bias)), op.activation);
    }
    case 'FULLY_CONNECTED': {
      const [, depth] = graph.tensors[op.filter].shape;
      const y = tf.matMul(tf.reshape(x, [batch, depth]), constant(op.filter) as tf.Tensor2D, false, true);
      return activate(tf.add(y, constant(op.bias)), op.activation);
    }
    case 'MAX_POOL_2D':
      return tf.maxPool(x as tf.Tensor4D, [op.filterH, op.filterW], [op.strideH, op.strideW], padding(op.padding));
    case 'AVERAGE_POOL_2D':
      return tf.avgPool(x as tf.Tensor4D, [op.filterH, op.filterW], [op.strideH, op.strideW], padding(op.padding));
    case 'RESHAPE':
      return tf.reshape(x, [batch, ...op.newShape.slice(1)]);
    case 'SOFTMAX':
      return tf.softmax(op.beta === 1 ? x : tf.mul(x, op.beta));
    case 'LOGISTIC':
      return tf.sigmoid(x);
    case 'TANH':
      return tf.tanh(x);
  }
}

/**
 * Evaluates the graph on a batch `input` shaped [batch, ...graph input shape
 * without its leading 1]; calls `observe` with every activation tensor
 * (graph input included) while it is alive. Returns the output's values.
 */
export function evaluateFloatGraph(graph: FloatGraph, input: tf.Tensor, observe?: (tensor: number, value: tf.Tensor) => void): Float32Array {
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>([[graph.input, input]]);
    observe?.(graph.input, input);
    for (const op of graph.ops) {
      const x = values.get(op.input);
      if (!x) throw new Error(`${op.kind} reads tensor ${op.input} before it is computed`);
      const y = runOp(graph, op, x);
      values.set(op.output, y);
      observe?.(op.output, y);
    }
    const output = values.get(graph.output);
    if (!output) throw new Error('the graph output is never computed');
    return output.dataSync() as Float32Array;
  });
}

/**
 * The range of every activation tensor over the calibration windows
 * (min and max over all of them, as TFLite's calibrator aggregates).
 * `windows` is [count, ...input shape]; it is run in slices to bound memory.
 */
export function calibrateRanges(graph: FloatGraph, windows: tf.Tensor, sliceSize = 256): Map<number, TensorRange> {
  const ranges = new Map<number, TensorRange>();
  const count = windows.shape[0];
  if (count === 0) throw new Error('calibration needs at least one window');
  for (let start = 0; start < count; start += sliceSize) {
    const size = Math.min(sliceSize, count - start);
    const slice = tf.slice(windows, start, size);
    evaluateFloatGraph(graph, slice, (tensor, value) => {
      const min = tf.min(value).dataSync()[0];
      const max = tf.max(value).dataSync()[0];
      const known = ranges.get(tensor);
      ranges.set(tensor, known ? { min: Math.min(known.min, min), max: Math.max(known.max, max) } : { min, max });
    });
    slice.dispose();
  }
  return ranges;
}
