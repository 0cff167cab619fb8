/**
 * FloatGraph + calibrated ranges -> an int8 TfliteModel, following TFLite's
 * full-integer post-training quantization:
 *
 *  - input and output tensors are int8 too, so the model runs end to end in
 *    int8 (no QUANTIZE/DEQUANTIZE at the edges); the app quantizes its input
 *    with the input tensor's scale and zero point;
 *  - conv/dense outputs take their calibrated range (after the fused
 *    activation, so a ReLU output has zero point -128);
 *  - RESHAPE and pooling outputs keep their input's parameters (TFLM does not
 *    rescale in them); SOFTMAX/LOGISTIC/TANH outputs get the fixed ones;
 *  - weights, biases and shape operands become constant tensors.
 */
import { ConvOp, FloatGraph, FullyConnectedOp, elementCount, keepsInputQuantization } from './float-graph.js';
import { TensorRange } from './float-eval.js';
import { ActivationQuant, FIXED_OUTPUT_QUANT, QuantParams, activationQuantParams, quantizeBias, quantizeWeights } from './quant-math.js';
import { INT8_OPERATOR_VERSION } from './tflite-format.js';
import { TfliteModel, TfliteOperator, TfliteTensor } from './tflite-writer.js';

export interface QuantizeOptions {
  /** FULLY_CONNECTED weights: one scale per output unit, or one for the matrix (TFLite's converter default). */
  fullyConnectedWeights?: 'per-tensor' | 'per-channel';
  description?: string;
}

export interface QuantizedGraph {
  model: TfliteModel;
  /** Activation parameters by FloatGraph tensor index. */
  activations: Map<number, QuantParams & Partial<ActivationQuant>>;
  inputQuant: QuantParams;
  outputQuant: QuantParams;
}

function bytesOf(view: Int8Array | Int32Array): Uint8Array {
  // Int32Array is little-endian on every host Node runs on, as .tflite requires.
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

/** Chooses every activation tensor's parameters, walking the ops in order. */
function activationParams(graph: FloatGraph, ranges: Map<number, TensorRange>): Map<number, QuantParams & Partial<ActivationQuant>> {
  const params = new Map<number, QuantParams & Partial<ActivationQuant>>();
  const calibrated = (tensor: number) => {
    const range = ranges.get(tensor);
    if (!range) throw new Error(`tensor ${tensor} (${graph.tensors[tensor].name}) was not calibrated`);
    return activationQuantParams(range.min, range.max);
  };
  params.set(graph.input, calibrated(graph.input));
  for (const op of graph.ops) {
    if (keepsInputQuantization(op)) {
      params.set(op.output, params.get(op.input)!);
    } else if (op.kind === 'SOFTMAX' || op.kind === 'LOGISTIC' || op.kind === 'TANH') {
      params.set(op.output, { ...FIXED_OUTPUT_QUANT[op.kind] });
    } else {
      params.set(op.output, calibrated(op.output));
    }
  }
  return params;
}

export function quantizeGraph(graph: FloatGraph, ranges: Map<number, TensorRange>, options: QuantizeOptions = {}): QuantizedGraph {
  const activations = activationParams(graph, ranges);
  const tensors: TfliteTensor[] = [];
  const index = new Map<number, number>(); // FloatGraph tensor -> TfliteModel tensor

  const activationTensor = (t: number): number => {
    const known = index.get(t);
    if (known !== undefined) return known;
    const q = activations.get(t)!;
    const { name, shape } = graph.tensors[t];
    tensors.push({
      name, shape, type: 'INT8',
      quantization: {
        scale: [q.scale], zeroPoint: [q.zeroPoint],
        ...(q.min !== undefined && q.max !== undefined ? { min: [q.min], max: [q.max] } : {}),
      },
    });
    index.set(t, tensors.length - 1);
    return tensors.length - 1;
  };
  const constTensor = (t: TfliteTensor): number => tensors.push(t) - 1;

  const weightsAndBias = (op: ConvOp | FullyConnectedOp): [number, number] => {
    const filter = graph.tensors[op.filter];
    const bias = graph.tensors[op.bias];
    const perChannel = op.kind !== 'FULLY_CONNECTED' || options.fullyConnectedWeights === 'per-channel';
    // Output channels lie along dimension 0 of OHWI and [units, depth], dimension 3 of 1HWC.
    const axis = op.kind === 'DEPTHWISE_CONV_2D' ? 3 : 0;
    const w = quantizeWeights(filter.data!, filter.shape, axis, perChannel);
    const inputScale = activations.get(op.input)!.scale;
    const b = quantizeBias(bias.data!, inputScale, w.scales);
    const filterIndex = constTensor({
      name: filter.name, shape: filter.shape, type: 'INT8', data: bytesOf(w.values),
      quantization: { scale: w.scales, zeroPoint: w.scales.map(() => 0), quantizedDimension: perChannel ? axis : 0 },
    });
    const biasIndex = constTensor({
      name: bias.name, shape: bias.shape, type: 'INT32', data: bytesOf(b.values),
      quantization: { scale: b.scales, zeroPoint: b.scales.map(() => 0), quantizedDimension: 0 },
    });
    return [filterIndex, biasIndex];
  };

  const operators: TfliteOperator[] = [];
  const graphInput = activationTensor(graph.input);
  for (const op of graph.ops) {
    const input = activationTensor(op.input);
    const version = INT8_OPERATOR_VERSION[op.kind];
    switch (op.kind) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        const [filter, bias] = weightsAndBias(op);
        const common = { padding: op.padding, strideW: op.strideW, strideH: op.strideH, activation: op.activation, dilationW: op.dilationW, dilationH: op.dilationH };
        operators.push({
          op: op.kind, version, inputs: [input, filter, bias], outputs: [activationTensor(op.output)],
          options: op.kind === 'CONV_2D' ? { kind: 'Conv2DOptions', ...common } : { kind: 'DepthwiseConv2DOptions', depthMultiplier: op.depthMultiplier, ...common },
        });
        break;
      }
      case 'FULLY_CONNECTED': {
        const [filter, bias] = weightsAndBias(op);
        operators.push({
          op: op.kind, version, inputs: [input, filter, bias], outputs: [activationTensor(op.output)],
          options: { kind: 'FullyConnectedOptions', activation: op.activation },
        });
        break;
      }
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D':
        operators.push({
          op: op.kind, version, inputs: [input], outputs: [activationTensor(op.output)],
          options: {
            kind: 'Pool2DOptions', padding: op.padding, strideW: op.strideW, strideH: op.strideH,
            filterWidth: op.filterW, filterHeight: op.filterH, activation: 'NONE',
          },
        });
        break;
      case 'RESHAPE': {
        // The shape operand (input 1) is what current runtimes read; new_shape is kept for older ones.
        const shape = constTensor({
          name: `${graph.tensors[op.output].name}/shape`, shape: [op.newShape.length], type: 'INT32',
          data: bytesOf(Int32Array.from(op.newShape)),
        });
        if (elementCount(op.newShape) !== elementCount(graph.tensors[op.input].shape)) throw new Error(`RESHAPE to [${op.newShape.join(',')}] changes the element count`);
        operators.push({
          op: op.kind, version, inputs: [input, shape], outputs: [activationTensor(op.output)],
          options: { kind: 'ReshapeOptions', newShape: op.newShape },
        });
        break;
      }
      case 'SOFTMAX':
        operators.push({ op: op.kind, version, inputs: [input], outputs: [activationTensor(op.output)], options: { kind: 'SoftmaxOptions', beta: op.beta } });
        break;
      case 'LOGISTIC':
      case 'TANH':
        operators.push({ op: op.kind, version, inputs: [input], outputs: [activationTensor(op.output)] });
        break;
    }
  }
  const graphOutput = activationTensor(graph.output);
  const pick = (q: QuantParams): QuantParams => ({ scale: q.scale, zeroPoint: q.zeroPoint });
  return {
    model: {
      description: options.description ?? 'tinysense post-training int8 quantization',
      tensors, operators, inputs: [graphInput], outputs: [graphOutput],
    },
    activations,
    inputQuant: pick(activations.get(graph.input)!),
    outputQuant: pick(activations.get(graph.output)!),
  };
}
