/**
 * tfjs LayersModel -> FloatGraph: the layer-to-operator mapping TFLite's
 * converter applies, for a chain of layers (Sequential, or a functional model
 * without branches).
 *
 *  - Conv1D becomes CONV_2D with height 1: a [length, channels] tensor is
 *    carried as [1, 1, length, channels] (NHWC), and the model input gets a
 *    RESHAPE to that form (free on the device: a reshape aliases its input).
 *  - Conv2D -> CONV_2D, DepthwiseConv2D -> DEPTHWISE_CONV_2D, Dense -> FULLY_CONNECTED.
 *  - relu/relu6 activations fuse into the producing conv/dense op; softmax,
 *    sigmoid and tanh become SOFTMAX, LOGISTIC and TANH.
 *  - BatchNormalization folds into the conv/dense before it.
 *  - Flatten/Reshape -> RESHAPE; (Max|Average)Pooling(1|2)D -> MAX/AVERAGE_POOL_2D;
 *    Global pooling -> a whole-extent pool, then RESHAPE to [1, channels].
 *  - Dropout and noise layers vanish (identity at inference).
 */
import { elementCount, ConvOp, FloatGraph, FloatOp, FloatTensor, FullyConnectedOp } from './float-graph.js';
import { ActivationName, PaddingName } from './tflite-format.js';
import { tfl } from '../train/tfjs.js';

type Layer = tfl.layers.Layer;
type LayerConfig = Record<string, unknown>;

const INFERENCE_IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'InputLayer']);

export const SUPPORTED_LAYERS = [
  'Conv1D', 'Conv2D', 'DepthwiseConv2D', 'Dense', 'Flatten', 'Reshape', 'MaxPooling1D', 'AveragePooling1D',
  'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D',
  'GlobalMaxPooling2D', 'BatchNormalization', 'Activation', 'ReLU', 'Softmax', ...INFERENCE_IDENTITY,
];

export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

/** The tensor flowing between layers: its graph index and Keras shape (no batch dimension). */
interface Flow {
  tensor: number;
  kerasShape: number[];
}

/** The graph shape (batch 1) of a Keras shape: sequences [L, C] travel as NHWC [1, 1, L, C]. */
function graphShape(kerasShape: readonly number[]): number[] {
  return kerasShape.length === 2 ? [1, 1, ...kerasShape] : [1, ...kerasShape];
}

function weightValues(layer: Layer): Float32Array[] {
  return layer.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

function kerasOutputShape(layer: Layer): number[] {
  const shape = layer.outputShape;
  if (!Array.isArray(shape) || Array.isArray(shape[0])) throw new ConversionError(`layer ${layer.name} has more than one output`);
  const dims = (shape as (number | null)[]).slice(1);
  if (dims.some((d) => d === null)) throw new ConversionError(`layer ${layer.name} has an unknown dimension in [${dims.join(',')}]`);
  return dims as number[];
}

function paddingOf(layer: Layer, config: LayerConfig): PaddingName {
  const padding = config.padding;
  if (padding === 'same') return 'SAME';
  if (padding === 'valid') return 'VALID';
  throw new ConversionError(`layer ${layer.name}: padding '${String(padding)}' has no TFLite equivalent (use 'same' or 'valid')`);
}

function pair(value: unknown, what: string, layer: Layer): number[] {
  const list = Array.isArray(value) ? value.map(Number) : [Number(value)];
  if (list.some((v) => !Number.isInteger(v) || v < 1)) throw new ConversionError(`layer ${layer.name}: ${what} ${JSON.stringify(value)}`);
  return list;
}

class GraphBuilder {
  readonly tensors: FloatTensor[] = [];
  readonly ops: FloatOp[] = [];

  tensor(name: string, shape: number[], data?: Float32Array): number {
    if (data && data.length !== elementCount(shape)) throw new ConversionError(`tensor ${name}: ${data.length} values for shape [${shape.join(',')}]`);
    this.tensors.push(data ? { name, shape, data } : { name, shape });
    return this.tensors.length - 1;
  }

  reshape(from: Flow, kerasShape: number[], name: string): Flow {
    const newShape = graphShape(kerasShape);
    if (elementCount(newShape) !== elementCount(this.tensors[from.tensor].shape)) {
      throw new ConversionError(`${name}: cannot reshape [${this.tensors[from.tensor].shape.join(',')}] to [${newShape.join(',')}]`);
    }
    const output = this.tensor(name, newShape);
    this.ops.push({ kind: 'RESHAPE', input: from.tensor, output, newShape });
    return { tensor: output, kerasShape };
  }

  /** The last op, if it produced `flow` and can take a fused activation or folded normalisation. */
  producerOf(flow: Flow): ConvOp | FullyConnectedOp | null {
    const last = this.ops[this.ops.length - 1];
    if (!last || last.output !== flow.tensor) return null;
    return last.kind === 'CONV_2D' || last.kind === 'DEPTHWISE_CONV_2D' || last.kind === 'FULLY_CONNECTED' ? last : null;
  }
}

function applyActivation(g: GraphBuilder, flow: Flow, activation: unknown, layer: Layer): Flow {
  const name = String(activation ?? 'linear');
  if (name === 'linear') return flow;
  if (name === 'relu' || name === 'relu6') {
    const producer = g.producerOf(flow);
    if (!producer || producer.activation !== 'NONE') {
      throw new ConversionError(`layer ${layer.name}: ${name} must follow a Conv or Dense layer directly so it can be fused`);
    }
    producer.activation = (name === 'relu' ? 'RELU' : 'RELU6') satisfies ActivationName;
    return flow;
  }
  const kind = name === 'softmax' ? 'SOFTMAX' : name === 'sigmoid' ? 'LOGISTIC' : name === 'tanh' ? 'TANH' : null;
  if (!kind) throw new ConversionError(`layer ${layer.name}: activation '${name}' is not supported (linear, relu, relu6, softmax, sigmoid, tanh are)`);
  if (kind === 'SOFTMAX' && flow.kerasShape.length !== 1) {
    throw new ConversionError(`layer ${layer.name}: softmax is supported on [batch, classes] tensors only`);
  }
  const output = g.tensor(`${layer.name}/${kind.toLowerCase()}`, g.tensors[flow.tensor].shape.slice());
  g.ops.push(kind === 'SOFTMAX' ? { kind, input: flow.tensor, output, beta: 1 } : { kind, input: flow.tensor, output });
  return { tensor: output, kerasShape: flow.kerasShape };
}

function convLayer(g: GraphBuilder, flow: Flow, layer: Layer, config: LayerConfig, kind: 'Conv1D' | 'Conv2D' | 'DepthwiseConv2D'): Flow {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
    throw new ConversionError(`layer ${layer.name}: only channelsLast data is supported`);
  }
  const rank = kind === 'Conv1D' ? 2 : 3;
  if (flow.kerasShape.length !== rank) throw new ConversionError(`layer ${layer.name} needs a rank-${rank} input, got [${flow.kerasShape.join(',')}]`);
  const weights = weightValues(layer);
  const [kernel] = weights;
  const kernelShape: number[] = [...layer.getWeights()[0].shape];
  const useBias = config.useBias !== false;
  const strides = pair(config.strides, 'strides', layer);
  const dilation = pair(config.dilationRate ?? 1, 'dilation rate', layer);
  const outKeras = kerasOutputShape(layer);
  const inChannels = flow.kerasShape[flow.kerasShape.length - 1];
  const outChannels = outKeras[outKeras.length - 1];

  let filterShape: number[];
  let filterData: Float32Array;
  if (kind === 'DepthwiseConv2D') {
    // [kh, kw, in, multiplier] flattens exactly as TFLite's [1, kh, kw, in * multiplier].
    const [kh, kw, , multiplier] = kernelShape;
    filterShape = [1, kh, kw, inChannels * multiplier];
    filterData = kernel;
  } else {
    // [(kh,) kw, in, out] -> OHWI [out, kh, kw, in].
    const [kh, kw] = kind === 'Conv1D' ? [1, kernelShape[0]] : [kernelShape[0], kernelShape[1]];
    filterShape = [outChannels, kh, kw, inChannels];
    filterData = new Float32Array(elementCount(filterShape));
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < inChannels; i++)
          for (let o = 0; o < outChannels; o++) {
            filterData[((o * kh + y) * kw + x) * inChannels + i] = kernel[((y * kw + x) * inChannels + i) * outChannels + o];
          }
  }
  const biasData = useBias ? weights[weights.length - 1] : new Float32Array(outChannels);
  const tfliteKind = kind === 'DepthwiseConv2D' ? 'DEPTHWISE_CONV_2D' : 'CONV_2D';
  const filter = g.tensor(`${layer.name}/${kind === 'DepthwiseConv2D' ? 'depthwise_kernel' : 'kernel'}`, filterShape, filterData);
  const bias = g.tensor(`${layer.name}/bias`, [outChannels], biasData);
  const output = g.tensor(`${layer.name}/${tfliteKind}`, graphShape(outKeras));
  const [strideH, strideW] = kind === 'Conv1D' ? [1, strides[0]] : [strides[0], strides[strides.length - 1]];
  const [dilationH, dilationW] = kind === 'Conv1D' ? [1, dilation[0]] : [dilation[0], dilation[dilation.length - 1]];
  g.ops.push({
    kind: tfliteKind, input: flow.tensor, filter, bias, output, padding: paddingOf(layer, config),
    strideH, strideW, dilationH, dilationW, activation: 'NONE', depthMultiplier: outChannels / inChannels,
  });
  return applyActivation(g, { tensor: output, kerasShape: outKeras }, config.activation, layer);
}

function denseLayer(g: GraphBuilder, flow: Flow, layer: Layer, config: LayerConfig): Flow {
  if (flow.kerasShape.length !== 1) {
    throw new ConversionError(`layer ${layer.name}: Dense needs a flat input; add a Flatten or global pooling layer before it (got [${flow.kerasShape.join(',')}])`);
  }
  const weights = weightValues(layer);
  const [kernel] = weights;
  const depth = flow.kerasShape[0];
  const units = Number(config.units);
  const filterData = new Float32Array(units * depth);
  for (let d = 0; d < depth; d++) for (let u = 0; u < units; u++) filterData[u * depth + d] = kernel[d * units + u];
  const biasData = config.useBias !== false ? weights[1] : new Float32Array(units);
  const filter = g.tensor(`${layer.name}/kernel`, [units, depth], filterData);
  const bias = g.tensor(`${layer.name}/bias`, [units], biasData);
  const output = g.tensor(`${layer.name}/MatMul`, [1, units]);
  g.ops.push({ kind: 'FULLY_CONNECTED', input: flow.tensor, filter, bias, output, activation: 'NONE' });
  return applyActivation(g, { tensor: output, kerasShape: [units] }, config.activation, layer);
}

function poolLayer(g: GraphBuilder, flow: Flow, layer: Layer, config: LayerConfig, kind: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D', oneD: boolean): Flow {
  if (flow.kerasShape.length !== (oneD ? 2 : 3)) throw new ConversionError(`layer ${layer.name} does not fit input [${flow.kerasShape.join(',')}]`);
  const poolSize = pair(config.poolSize, 'pool size', layer);
  const strides = pair(config.strides ?? config.poolSize, 'strides', layer);
  const outKeras = kerasOutputShape(layer);
  const output = g.tensor(`${layer.name}/${kind}`, graphShape(outKeras));
  g.ops.push({
    kind, input: flow.tensor, output, padding: paddingOf(layer, config),
    filterH: oneD ? 1 : poolSize[0], filterW: poolSize[poolSize.length - 1],
    strideH: oneD ? 1 : strides[0], strideW: strides[strides.length - 1],
  });
  return { tensor: output, kerasShape: outKeras };
}

function globalPoolLayer(g: GraphBuilder, flow: Flow, layer: Layer, kind: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D'): Flow {
  const [, h, w, c] = g.tensors[flow.tensor].shape;
  if (g.tensors[flow.tensor].shape.length !== 4) throw new ConversionError(`layer ${layer.name} needs a sequence or image input`);
  const pooled = g.tensor(`${layer.name}/${kind}`, [1, 1, 1, c]);
  g.ops.push({ kind, input: flow.tensor, output: pooled, padding: 'VALID', filterH: h, filterW: w, strideH: 1, strideW: 1 });
  return g.reshape({ tensor: pooled, kerasShape: [1, 1, c] }, [c], `${layer.name}/Reshape`);
}

/** Folds y = gamma * (x - mean) / sqrt(var + eps) + beta into the weights and bias of the op before. */
function foldBatchNorm(g: GraphBuilder, flow: Flow, layer: Layer, config: LayerConfig): Flow {
  const producer = g.producerOf(flow);
  if (!producer || producer.activation !== 'NONE') {
    throw new ConversionError(`layer ${layer.name}: BatchNormalization must directly follow a Conv or Dense layer without activation, so it can be folded into it`);
  }
  const axis = Number(config.axis ?? -1);
  if (axis !== -1 && axis !== flow.kerasShape.length) throw new ConversionError(`layer ${layer.name}: only the channel axis can be normalised`);
  const weights = weightValues(layer);
  const channels = flow.kerasShape[flow.kerasShape.length - 1];
  let k = 0;
  const gamma = config.scale !== false ? weights[k++] : new Float32Array(channels).fill(1);
  const beta = config.center !== false ? weights[k++] : new Float32Array(channels);
  const [mean, variance] = [weights[k], weights[k + 1]];
  const epsilon = Number(config.epsilon ?? 1e-3);
  const factor = gamma.map((gm, c) => gm / Math.sqrt(variance[c] + epsilon));
  const filter = g.tensors[producer.filter];
  const bias = g.tensors[producer.bias];
  const filterData = filter.data!;
  // Output channel of each filter element: the first axis (OHWI, [units, depth]) or the last (1HWC depthwise).
  const perOutput = producer.kind === 'DEPTHWISE_CONV_2D' ? null : filterData.length / channels;
  for (let i = 0; i < filterData.length; i++) {
    filterData[i] *= factor[perOutput === null ? i % channels : Math.floor(i / perOutput)];
  }
  bias.data = bias.data!.map((b, c) => (b - mean[c]) * factor[c] + beta[c]);
  return flow;
}

function convertLayer(g: GraphBuilder, flow: Flow, layer: Layer): Flow {
  const cls = layer.getClassName();
  const config = layer.getConfig() as LayerConfig;
  switch (cls) {
    case 'Conv1D':
    case 'Conv2D':
    case 'DepthwiseConv2D':
      return convLayer(g, flow, layer, config, cls);
    case 'Dense':
      return denseLayer(g, flow, layer, config);
    case 'Flatten':
      return g.reshape(flow, [elementCount(flow.kerasShape)], `${layer.name}/Reshape`);
    case 'Reshape':
      return g.reshape(flow, kerasOutputShape(layer), `${layer.name}/Reshape`);
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return poolLayer(g, flow, layer, config, cls.startsWith('Max') ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', cls.endsWith('1D'));
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
      return globalPoolLayer(g, flow, layer, 'AVERAGE_POOL_2D');
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
      return globalPoolLayer(g, flow, layer, 'MAX_POOL_2D');
    case 'BatchNormalization':
      return foldBatchNorm(g, flow, layer, config);
    case 'Activation':
      return applyActivation(g, flow, config.activation, layer);
    case 'ReLU': {
      const max = config.maxValue;
      if (max !== null && max !== undefined && Number(max) !== 6) throw new ConversionError(`layer ${layer.name}: ReLU with maximum ${String(max)} is not supported (6 is)`);
      return applyActivation(g, flow, max === null || max === undefined ? 'relu' : 'relu6', layer);
    }
    case 'Softmax':
      return applyActivation(g, flow, 'softmax', layer);
    default:
      if (INFERENCE_IDENTITY.has(cls)) return flow;
      throw new ConversionError(`layer ${layer.name} (${cls}) is not supported; supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
  }
}

/** Converts a single-input, single-output chain of layers. */
export function graphFromLayersModel(model: tfl.LayersModel): FloatGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new ConversionError('the model must have one input and one output');
  const inputShape = model.inputs[0].shape.slice(1);
  if (inputShape.some((d) => d === null)) throw new ConversionError(`the model input has an unknown dimension: [${inputShape.join(',')}]`);
  const g = new GraphBuilder();
  const kerasInput = inputShape as number[];
  const input = g.tensor('input', [1, ...kerasInput]);
  let flow: Flow = { tensor: input, kerasShape: kerasInput };
  // A sequence input is fed as [1, length, channels] and viewed as NHWC [1, 1, length, channels].
  if (kerasInput.length === 2) {
    const output = g.tensor('input/as_nhwc', graphShape(kerasInput));
    g.ops.push({ kind: 'RESHAPE', input, output, newShape: graphShape(kerasInput) });
    flow = { tensor: output, kerasShape: kerasInput };
  } else if (kerasInput.length !== 1 && kerasInput.length !== 3) {
    throw new ConversionError(`inputs of rank ${kerasInput.length + 1} are not supported`);
  }

  let previous: tfl.SymbolicTensor | null = model.inputs[0];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (previous && layer.input !== previous) throw new ConversionError(`layer ${layer.name} does not take the previous layer's output; only chains of layers are supported`);
    flow = convertLayer(g, flow, layer);
    previous = layer.output as tfl.SymbolicTensor;
  }
  if (g.ops.length === 0) throw new ConversionError('the model has no layers to convert');
  return { tensors: g.tensors, ops: g.ops, input, output: flow.tensor };
}
