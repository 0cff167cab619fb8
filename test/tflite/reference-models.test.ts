// The reader against the real TFLM models in models/: facts from its README, TFLM's own
// tensor reports (golden/*.json) and person_detect's layer-by-layer index.
import { describe, expect, it } from 'vitest';
import { toReference } from 'flatbuffers/js/flexbuffers.js';
import { parseTflite, type Tensor, type TfliteModel } from '../../host/tflite/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mobilenetRoot } from '../shared.js';
import { modelBytes, modelJson, modelsDir, operatorNames } from './helpers.js';

interface TflmTensorReport {
  tensor: number;
  name: string;
  shape: number[];
  type: string;
  scale?: number;
  zero_point?: number;
}
interface TflmReport {
  model: string;
  inputs: TflmTensorReport[];
  outputs: TflmTensorReport[];
}

function load(path: string): TfliteModel {
  return parseTflite(modelBytes(path));
}

function io(model: TfliteModel, which: 'inputs' | 'outputs'): Tensor[] {
  const sg = model.subgraphs[0]!;
  return sg[which].map((i) => sg.tensors[i]!);
}

/** Matches a tensor against a report; JSON scales have 9 significant digits, enough to round-trip float32. */
function expectTensor(tensor: Tensor, report: TflmTensorReport): void {
  expect(tensor.index).toBe(report.tensor);
  expect(tensor.name).toBe(report.name);
  expect(tensor.shape).toEqual(report.shape);
  expect(tensor.type).toBe(report.type);
  if (report.scale !== undefined) {
    expect(tensor.quantization?.scale[0]).toBe(Math.fround(report.scale));
    expect(tensor.quantization?.zeroPoint[0]).toBe(report.zero_point);
  }
}

function countOf(names: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('reference models (README facts and TFLM tensor reports)', () => {
  const reports = [
    'golden/hello_world/tflm_info.json',
    'golden/micro_speech/yes.json',
    'golden/person_detection/person.json',
    'golden/simple_add/random.json',
    'golden/mobilenet_v2/dog.json',
  ];
  for (const reportPath of reports) it(`${reportPath}: inputs and outputs match what TFLM reported`, (ctx) => {
    // mobilenet_v2 is not committed (3.9 MB): read from wherever it is, or skipped with a notice.
    const root = reportPath.includes('mobilenet_v2') ? mobilenetRoot(ctx) : modelsDir;
    const report = JSON.parse(readFileSync(join(root, reportPath), 'utf8')) as TflmReport;
    const model = parseTflite(new Uint8Array(readFileSync(join(root, report.model))));
    expect(model.version).toBe(3);
    expect(model.fileIdentifier).toBe('TFL3');
    const inputs = io(model, 'inputs');
    const outputs = io(model, 'outputs');
    expect(inputs.length).toBe(report.inputs.length);
    expect(outputs.length).toBe(report.outputs.length);
    report.inputs.forEach((r, i) => expectTensor(inputs[i]!, r));
    report.outputs.forEach((r, i) => expectTensor(outputs[i]!, r));
  });

  it('hello_world: 2704 bytes, FULLY_CONNECTED x3, int8 [1,1] in and out', () => {
    const bytes = modelBytes('hello_world/hello_world_int8.tflite');
    expect(bytes.length).toBe(2704);
    const model = parseTflite(bytes);
    expect(operatorNames(model)).toEqual(['FULLY_CONNECTED', 'FULLY_CONNECTED', 'FULLY_CONNECTED']);
    const [input] = io(model, 'inputs');
    expect(input!.quantization!.scale[0]).toBeCloseTo(0.0244801, 7);
    expect(input!.quantization!.zeroPoint).toEqual([-128]);
    const fc = model.subgraphs[0]!.operators.map((op) => op.builtinOptions);
    expect(fc.map((o) => o?.typeName === 'FullyConnectedOptions' && o.fusedActivationFunction)).toEqual(['RELU', 'RELU', 'NONE']);
    // Weights and biases are views into the file, not copies.
    const weights = model.subgraphs[0]!.tensors[model.subgraphs[0]!.operators[0]!.inputs[1]!]!;
    const data = model.buffers[weights.buffer]!.data;
    expect(data.buffer).toBe(bytes.buffer);
    expect(data.length).toBe(weights.shape.reduce((a, b) => a * b, 1));
  });

  it('micro_speech: RESHAPE, DEPTHWISE_CONV_2D, FULLY_CONNECTED, SOFTMAX; int8 [1,1960] -> [1,4]', () => {
    const model = load('micro_speech/micro_speech_quantized_int8.tflite');
    expect(operatorNames(model)).toEqual(['RESHAPE', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX']);
    const [reshape, depthwise, , softmax] = model.subgraphs[0]!.operators;
    expect(reshape!.builtinOptions).toMatchObject({ typeName: 'ReshapeOptions', newShape: [-1, 49, 40, 1] });
    expect(depthwise!.builtinOptions).toMatchObject({
      typeName: 'DepthwiseConv2DOptions', padding: 'SAME', strideW: 2, strideH: 2, depthMultiplier: 8,
      fusedActivationFunction: 'RELU',
    });
    expect(softmax!.builtinOptions).toMatchObject({ typeName: 'SoftmaxOptions', beta: 1 });
    expect(io(model, 'outputs')[0]!.quantization!.scale[0]).toBe(1 / 256);
  });

  it('person_detect: CONV_2D x14, DEPTHWISE_CONV_2D x14, AVERAGE_POOL_2D, RESHAPE, SOFTMAX', () => {
    const bytes = modelBytes('person_detection/person_detect_int8.tflite');
    expect(bytes.length).toBe(300568);
    const model = parseTflite(bytes);
    const names = operatorNames(model);
    expect(countOf(names)).toEqual({ CONV_2D: 14, DEPTHWISE_CONV_2D: 14, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 });
    // The first layer is a depthwise convolution (1 channel in, multiplier 8); the head is a 1x1 conv.
    expect(names[0]).toBe('DEPTHWISE_CONV_2D');
    expect(model.subgraphs[0]!.operators[0]!.builtinOptions).toMatchObject({ depthMultiplier: 8, strideW: 2 });
    expect(names.slice(-4)).toEqual(['AVERAGE_POOL_2D', 'CONV_2D', 'RESHAPE', 'SOFTMAX']);
    // Per-channel convolution weights: one scale and zero point per output channel (dimension 0).
    const conv = model.subgraphs[0]!.operators[names.indexOf('CONV_2D')]!;
    const filter = model.subgraphs[0]!.tensors[conv.inputs[1]!]!;
    expect(filter.quantization!.scale.length).toBe(filter.shape[0]);
    expect(filter.quantization!.quantizedDimension).toBe(0);
  });

  it('person_detect: every layer TFLM dumped matches, and the operator order and wiring', () => {
    const model = load('person_detection/person_detect_int8.tflite');
    const layers = modelJson<{
      tensors: (TflmTensorReport & { schema_type: string })[];
      operators: { op: number; type: string; inputs: number[]; outputs: number[] }[];
    }>('golden/person_detection/layers_person/index.json');
    const sg = model.subgraphs[0]!;
    for (const layer of layers.tensors) expectTensor(sg.tensors[layer.tensor]!, layer);
    expect(layers.operators.length).toBe(sg.operators.length);
    for (const op of layers.operators) {
      const ours = sg.operators[op.op]!;
      expect(model.operatorCodes[ours.opcodeIndex]!.name).toBe(op.type);
      expect(ours.inputs).toEqual(op.inputs);
      expect(ours.outputs).toEqual(op.outputs);
    }
  });

  it('simple_add: one ADD of two int8 [1,128,128,1]', () => {
    const model = load('simple_add/simple_add_int8.tflite');
    expect(operatorNames(model)).toEqual(['ADD']);
    expect(io(model, 'inputs').map((t) => t.shape)).toEqual([[1, 128, 128, 1], [1, 128, 128, 1]]);
  });

  it('mobilenet_v2: operator counts from the README, parsed quickly', (ctx) => {
    const bytes = new Uint8Array(readFileSync(join(mobilenetRoot(ctx), 'mobilenet_v2/mobilenet_v2_int8_1x3x224x224.tflite')));
    expect(bytes.length).toBe(3980776);
    const start = performance.now();
    const model = parseTflite(bytes);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(countOf(operatorNames(model))).toEqual({
      CONV_2D: 35, DEPTHWISE_CONV_2D: 17, ADD: 10, PAD: 18, MEAN: 1, FULLY_CONNECTED: 1, TRANSPOSE: 1, RESHAPE: 1,
    });
    expect(operatorNames(model)[0]).toBe('TRANSPOSE');
    const mean = model.subgraphs[0]!.operators.find((op) => op.builtinOptions?.typeName === 'ReducerOptions');
    expect(mean!.builtinOptions).toMatchObject({ keepDims: true });
  });

  it('operator codes: the effective code is max(builtin_code, deprecated_builtin_code)', () => {
    const model = load('micro_speech/micro_speech_quantized_int8.tflite');
    for (const code of model.operatorCodes) {
      expect(code.builtinCode).toBe(Math.max(code.deprecatedBuiltinCode, code.builtinCode));
      expect(code.customCode).toBeNull();
    }
    expect(model.operatorCodes.map((c) => [c.name, c.version])).toEqual([
      ['DEPTHWISE_CONV_2D', 3], ['FULLY_CONNECTED', 4], ['RESHAPE', 1], ['SOFTMAX', 2],
    ]);
  });
});

describe('audio preprocessor (TFLM signal custom ops)', () => {
  const model = load('micro_speech/audio_preprocessor_int8.tflite');
  const sg = model.subgraphs[0]!;

  it('reads int16 [1,480] in, int8 [40] out, and the builtin ops the README lists', () => {
    expect(io(model, 'inputs').map((t) => [t.type, t.shape])).toEqual([['int16', [1, 480]]]);
    expect(io(model, 'outputs').map((t) => [t.type, t.shape])).toEqual([['int8', [40]]]);
    const builtins = new Set(model.operatorCodes.filter((c) => c.builtinName !== 'CUSTOM').map((c) => c.name));
    expect([...builtins].sort()).toEqual(
      ['ADD', 'CAST', 'CONCATENATION', 'DIV', 'MAXIMUM', 'MINIMUM', 'MUL', 'RESHAPE', 'STRIDED_SLICE'].sort(),
    );
  });

  it('decodes the signal ops\' flexbuffer options into objects', () => {
    const options = new Map(sg.operators.map((op) => [model.operatorCodes[op.opcodeIndex]!.name, op.customOptionsValue]));
    expect(options.get('SignalWindow')).toEqual({ shift: 12 });
    expect(options.get('SignalRfft')).toEqual({ T: 7, fft_length: 512 });
    expect(options.get('SignalEnergy')).toEqual({ end_index: 241, start_index: 5 });
    expect(options.get('SignalFilterBank')).toEqual({ num_channels: 40 });
    expect(options.get('SignalFftAutoScale')).toEqual({});
    expect(options.get('SignalPCAN')).toEqual({ snr_shift: 6 });
    expect(options.get('SignalFilterBankLog')).toEqual({ input_correction_bits: 3, output_scale: 64 });
    expect(options.get('SignalFilterBankSpectralSubtraction')).toEqual({
      alternate_one_minus_smoothing: 15401, alternate_smoothing: 983, clamping: false, min_signal_remaining: 819,
      num_channels: 40, one_minus_smoothing: 15975, smoothing: 409, smoothing_bits: 10, spectral_subtraction_bits: 14,
    });
  });

  it('agrees with flatbuffers\' own flexbuffers decoder on every custom op', () => {
    const custom = sg.operators.filter((op) => op.customOptions !== null);
    expect(custom.length).toBeGreaterThanOrEqual(8);
    for (const op of custom) {
      const copy = op.customOptions!.slice();
      expect(op.customOptionsValue).toEqual(toReference(copy.buffer).toObject());
    }
  });

  it('builtin ops without an options table read as null options', () => {
    const byName = (name: string) => sg.operators.filter((op) => model.operatorCodes[op.opcodeIndex]!.name === name);
    expect(byName('MINIMUM').map((op) => op.builtinOptions)).toEqual([null]);
    expect(byName('STRIDED_SLICE')[0]!.builtinOptions).toMatchObject({ typeName: 'StridedSliceOptions', offset: false, shrinkAxisMask: 0 });
  });
});
