/**
 * Builds the tfjs model a config describes: the hidden layers in order, then
 * a Dense softmax layer over the classes. Every layer built here has an int8
 * TFLite mapping in host/quantize/from-layers.ts.
 */
import { InputLayout, LayerSpec } from './config.js';
import { tfl } from './tfjs.js';

/** The model's input shape (no batch dimension) for windows of `length` x `channels`. */
export function inputShapeFor(layout: InputLayout, length: number, channels: number): number[] {
  switch (layout) {
    case 'sequence':
      return [length, channels];
    case 'image':
      return [length, channels, 1];
    case 'flat':
      return [length * channels];
  }
}

function createLayer(spec: LayerSpec, rank: number, index: number): tfl.layers.Layer {
  const where = `model.layers[${index}] (${spec.type})`;
  const need = (r: number) => {
    if (rank !== r) throw new Error(`${where} needs a rank-${r} input here, but the previous layer gives rank ${rank}`);
  };
  switch (spec.type) {
    case 'conv1d':
      need(2);
      return tfl.layers.conv1d({
        filters: spec.filters, kernelSize: spec.kernelSize, strides: spec.strides ?? 1, padding: spec.padding ?? 'same',
        activation: spec.activation ?? 'relu',
      });
    case 'conv2d':
      need(3);
      return tfl.layers.conv2d({
        filters: spec.filters, kernelSize: spec.kernelSize, strides: spec.strides ?? 1, padding: spec.padding ?? 'same',
        activation: spec.activation ?? 'relu',
      });
    case 'depthwiseConv2d':
      need(3);
      return tfl.layers.depthwiseConv2d({
        kernelSize: spec.kernelSize, depthMultiplier: spec.depthMultiplier ?? 1, strides: spec.strides ?? 1,
        padding: spec.padding ?? 'same', activation: spec.activation ?? 'relu',
      });
    case 'maxPool1d':
    case 'avgPool1d': {
      need(2);
      const args = { poolSize: spec.poolSize, strides: spec.strides ?? spec.poolSize, padding: spec.padding ?? 'valid' };
      return spec.type === 'maxPool1d' ? tfl.layers.maxPooling1d(args) : tfl.layers.averagePooling1d(args);
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      need(3);
      const args = { poolSize: spec.poolSize, strides: spec.strides ?? spec.poolSize, padding: spec.padding ?? 'valid' };
      return spec.type === 'maxPool2d' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args);
    }
    case 'globalAvgPool':
      if (rank !== 2 && rank !== 3) need(2);
      return rank === 2 ? tfl.layers.globalAveragePooling1d({}) : tfl.layers.globalAveragePooling2d({});
    case 'globalMaxPool':
      if (rank !== 2 && rank !== 3) need(2);
      return rank === 2 ? tfl.layers.globalMaxPooling1d({}) : tfl.layers.globalMaxPooling2d({});
    case 'flatten':
      return tfl.layers.flatten();
    case 'dense':
      need(1);
      return tfl.layers.dense({ units: spec.units, activation: spec.activation ?? 'relu' });
    case 'batchNorm':
      return tfl.layers.batchNormalization({});
    case 'dropout':
      return tfl.layers.dropout({ rate: spec.rate });
  }
}

/** How each layer type changes the rank of the data (no batch dimension). */
function rankAfter(spec: LayerSpec, rank: number): number {
  return spec.type === 'flatten' || spec.type === 'globalAvgPool' || spec.type === 'globalMaxPool' ? 1 : rank;
}

/**
 * The Sequential model. Call inside withSeededMathRandom: initial weights are
 * drawn from Math.random.
 */
export function buildModel(layers: LayerSpec[], inputShape: number[], classes: number): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.inputLayer({ inputShape }));
  let rank = inputShape.length;
  layers.forEach((spec, i) => {
    model.add(createLayer(spec, rank, i));
    rank = rankAfter(spec, rank);
  });
  if (rank !== 1) model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: classes, activation: 'softmax' }));
  return model;
}
