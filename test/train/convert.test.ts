/**
 * The tfjs -> TFLite conversion on untrained models that use every supported
 * layer: the converted float graph must reproduce tfjs's output, the int8
 * export must verify, and the int8 model (integer reference interpreter, and
 * tinysense's kernels when they are built) must track the float one.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFloatGraph } from '../../host/quantize/float-eval.js';
import { ConversionError, graphFromLayersModel } from '../../host/quantize/from-layers.js';
import { quantizeModel } from '../../host/quantize/index.js';
import { runInt8Reference } from '../../host/quantize/int8-reference.js';
import { dequantizeValue, quantizeValue } from '../../host/quantize/quant-math.js';
import { seededRandom, withSeededMathRandom } from '../../host/train/random.js';
import { tf, tfl, useCpuBackend } from '../../host/train/tfjs.js';
import { TINYSENSE_RUNTIME_PRESENT, graphFromDecoded, schemaForTests } from './helpers.js';
import { compileGraph } from '../../host/compiler/compile.js';
import { verifyFlatbuffer } from '../../host/quantize/fbs-verifier.js';

function randomInput(shape: number[], count: number, seed: number): tf.Tensor {
  const random = seededRandom(seed);
  const size = shape.reduce((a, d) => a * d, 1);
  return tf.tensor(Float32Array.from({ length: count * size }, () => 2 * random() - 1 + 0.3 * Math.sin(random() * 6)), [count, ...shape]);
}

/** Gives BatchNormalization layers non-trivial statistics, so folding is really tested. */
function randomizeBatchNorm(model: tfl.LayersModel, seed: number): void {
  const random = seededRandom(seed);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(layer.getWeights().map((w, k) => tf.tensor(Float32Array.from({ length: w.size }, () => (k === 3 ? 0.5 + random() : random() - 0.5)), w.shape)));
  }
}

const models: { name: string; inputShape: number[]; build: () => tfl.Sequential }[] = [
  {
    name: '1D CNN: conv1d + batch norm + relu, pooling, strided valid conv, relu6, flatten, dense, dropout, softmax',
    inputShape: [24, 3],
    build: () => {
      const m = tfl.sequential();
      m.add(tfl.layers.conv1d({ inputShape: [24, 3], filters: 6, kernelSize: 5, padding: 'same' }));
      m.add(tfl.layers.batchNormalization());
      m.add(tfl.layers.activation({ activation: 'relu' }));
      m.add(tfl.layers.maxPooling1d({ poolSize: 2 }));
      m.add(tfl.layers.conv1d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu6' }));
      m.add(tfl.layers.averagePooling1d({ poolSize: 2, padding: 'same' }));
      m.add(tfl.layers.flatten());
      m.add(tfl.layers.dense({ units: 12, activation: 'relu' }));
      m.add(tfl.layers.dropout({ rate: 0.3 }));
      m.add(tfl.layers.dense({ units: 4, activation: 'softmax' }));
      return m;
    },
  },
  {
    name: '2D CNN: conv2d, depthwise with multiplier, max pooling, global average pooling, softmax',
    inputShape: [16, 3, 1],
    build: () => {
      const m = tfl.sequential();
      m.add(tfl.layers.conv2d({ inputShape: [16, 3, 1], filters: 4, kernelSize: [3, 3], padding: 'same', activation: 'relu' }));
      m.add(tfl.layers.depthwiseConv2d({ kernelSize: [3, 1], depthMultiplier: 2, padding: 'same', activation: 'relu' }));
      m.add(tfl.layers.maxPooling2d({ poolSize: [2, 1] }));
      m.add(tfl.layers.globalAveragePooling2d({}));
      m.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
      return m;
    },
  },
  {
    name: 'dense: flat input, tanh, batch norm folded into dense, sigmoid output',
    inputShape: [30],
    build: () => {
      const m = tfl.sequential();
      m.add(tfl.layers.dense({ inputShape: [30], units: 10 }));
      m.add(tfl.layers.batchNormalization());
      m.add(tfl.layers.activation({ activation: 'tanh' }));
      m.add(tfl.layers.dense({ units: 5, activation: 'sigmoid' }));
      return m;
    },
  },
];

describe('tfjs -> TFLite conversion and int8 export', async () => {
  await useCpuBackend();
  const { schema } = schemaForTests();

  for (const [k, spec] of models.entries()) {
    it(spec.name, async () => {
      const model = await withSeededMathRandom(100 + k, async () => spec.build());
      randomizeBatchNorm(model, 7 + k);
      const x = randomInput(spec.inputShape, 64, 50 + k);
      const expected = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;

      const graph = graphFromLayersModel(model);
      const converted = evaluateFloatGraph(graph, x);
      const floatError = expected.reduce((m, v, i) => Math.max(m, Math.abs(v - converted[i])), 0);
      expect(floatError).toBeLessThan(1e-5);

      const exported = await quantizeModel(model, x);
      const verified = verifyFlatbuffer(exported.tflite, schema);
      expect(verified.problems).toEqual([]);
      // tinysense's compiler must accept the file (lowering checks every TFLM quantization constraint).
      const compiled = compileGraph(graphFromDecoded(verified.root!, schema));
      expect(compiled.ops.length).toBeGreaterThan(0);
      const outputs = expected.length / 64;
      const inputSize = x.size / 64;
      const xs = x.dataSync();
      let worst = 0;
      let agree = 0;
      const int8Outputs: Int8Array[] = [];
      for (let w = 0; w < 64; w++) {
        const input = Int8Array.from(xs.subarray(w * inputSize, (w + 1) * inputSize), (v) => quantizeValue(v, exported.inputQuant));
        const out = runInt8Reference(exported.model, input);
        int8Outputs.push(out);
        const real = Array.from(out, (q) => dequantizeValue(q, exported.outputQuant));
        const ref = Array.from(expected.subarray(w * outputs, (w + 1) * outputs));
        worst = Math.max(worst, ...real.map((v, i) => Math.abs(v - ref[i])));
        if (real.indexOf(Math.max(...real)) === ref.indexOf(Math.max(...ref))) agree++;
      }
      console.log(`${spec.name.split(':')[0]}: float conversion error ${floatError.toExponential(1)}, int8 worst output error ${worst.toFixed(4)}, argmax agreement ${agree}/64`);
      // Untrained models give close scores, so argmax agreement is a weak test; the error bound is the real one.
      expect(worst).toBeLessThan(0.02);
      expect(agree).toBeGreaterThan(56);

      if (TINYSENSE_RUNTIME_PRESENT) {
        const { compileTflite, instantiate, runOnce } = await import('../../host/model.js');
        const compiled = compileTflite(exported.tflite);
        const runtime = instantiate(compiled.pack);
        for (let w = 0; w < 64; w++) {
          const input = Int8Array.from(xs.subarray(w * inputSize, (w + 1) * inputSize), (v) => quantizeValue(v, exported.inputQuant));
          const [out] = runOnce(runtime, new Uint8Array(input.buffer));
          const kernels = new Int8Array(out.buffer, out.byteOffset, outputs);
          // Softmax/logistic/tanh are fixed point on the device and float in the reference: a step or two apart at most.
          for (let i = 0; i < outputs; i++) expect(Math.abs(kernels[i] - int8Outputs[w][i])).toBeLessThanOrEqual(2);
        }
      }
      x.dispose();
      model.dispose();
    });
  }

  it('names what it cannot convert', async () => {
    const norm = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [8], units: 4 }), tfl.layers.layerNormalization(), tfl.layers.dense({ units: 2 })] });
    expect(() => graphFromLayersModel(norm)).toThrow(ConversionError);
    expect(() => graphFromLayersModel(norm)).toThrow(/LayerNormalization\) is not supported/);
    const loneRelu = tfl.sequential({
      layers: [tfl.layers.maxPooling1d({ inputShape: [8, 3], poolSize: 2 }), tfl.layers.activation({ activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })],
    });
    expect(() => graphFromLayersModel(loneRelu)).toThrow(/must follow a Conv or Dense layer/);
    const causal = tfl.sequential({ layers: [tfl.layers.conv1d({ inputShape: [8, 3], filters: 2, kernelSize: 3, padding: 'causal' }), tfl.layers.flatten()] });
    expect(() => graphFromLayersModel(causal)).toThrow(/causal/);
  });

  it('lowers Conv1D to CONV_2D with height 1 and an OHWI filter', async () => {
    const m = tfl.sequential({ layers: [tfl.layers.conv1d({ inputShape: [10, 2], filters: 3, kernelSize: 4, padding: 'valid' }), tfl.layers.flatten()] });
    const graph = graphFromLayersModel(m);
    expect(graph.ops.map((o) => o.kind)).toEqual(['RESHAPE', 'CONV_2D', 'RESHAPE']);
    expect(graph.tensors[graph.input].shape).toEqual([1, 10, 2]);
    const conv = graph.ops[1];
    if (conv.kind !== 'CONV_2D') throw new Error('expected a conv');
    expect(graph.tensors[conv.filter].shape).toEqual([3, 1, 4, 2]);
    expect(graph.tensors[conv.output].shape).toEqual([1, 1, 7, 3]);
    const kernel = m.layers[0].getWeights()[0].arraySync() as number[][][]; // [k][in][out]
    expect(graph.tensors[conv.filter].data![(2 * 4 + 3) * 2 + 1]).toBeCloseTo(kernel[3][1][2], 6);
  });
});
