// Every operator test model in models/ops against ops/index.json: operator order,
// input/output tensors, and each operator's parameters as the generator recorded them, read back
// from the decoded options, weight shapes and constant inputs.
import { describe, expect, it } from 'vitest';
import { parseTflite, type Operator, type SubGraph, type TfliteModel } from '../../host/tflite/index.js';
import { constantInt32s, modelBytes, modelJson, operatorNames } from './helpers.js';

interface IoSpec {
  shape: number[];
  dtype: string;
  scale: number;
  zero_point: number;
}
/** One operator's parameters as the generator recorded them (fields depend on the op). */
interface OpParams {
  op: string;
  act?: string;
  padding?: string;
  stride?: [number, number];
  dilation?: [number, number];
  kernel?: [number, number];
  filter?: [number, number];
  bias?: 'yes' | 'none' | 'neg1';
  cin?: number;
  cout?: number;
  depth_multiplier?: number;
  units?: number;
  n_in?: number;
  in_shape?: number[];
  per_channel?: boolean;
  beta?: number;
  axis?: number;
  n?: number;
  axes?: number[];
  keep_dims?: boolean;
  new_shape?: number[];
  mode?: 'options' | 'input' | 'input_neg1';
  paddings?: number[][];
  begin?: number[];
  end?: number[];
  strides?: number[];
  begin_mask?: number;
  end_mask?: number;
  shapes?: number[][];
}
interface OpsModel {
  name: string;
  ops: string[];
  params: OpParams[];
  inputs: IoSpec[];
  outputs: IoSpec[];
  model_bytes: number;
  files: { model: string };
}

const index = modelJson<{ count: number; models: OpsModel[] }>('ops/index.json');

/** Checks one operator against its recorded parameters. */
function checkParams(model: TfliteModel, sg: SubGraph, op: Operator, p: OpParams): void {
  const o = op.builtinOptions;
  const tensor = (i: number) => sg.tensors[op.inputs[i]!]!;
  if (p.act !== undefined) expect(o).toMatchObject({ fusedActivationFunction: p.act });
  if (p.padding !== undefined) expect(o).toMatchObject({ padding: p.padding });
  if (p.stride !== undefined) expect(o).toMatchObject({ strideH: p.stride[0], strideW: p.stride[1] });
  if (p.dilation !== undefined) expect(o).toMatchObject({ dilationHFactor: p.dilation[0], dilationWFactor: p.dilation[1] });
  if (p.bias === 'yes') expect(op.inputs[2]).toBeGreaterThanOrEqual(0);
  if (p.bias === 'neg1') expect(op.inputs[2]).toBe(-1); // an omitted optional input
  if (p.bias === 'none') expect(op.inputs.length).toBe(2);

  switch (p.op) {
    case 'CONV_2D': // filter [cout, kh, kw, cin]
      expect(o?.typeName).toBe('Conv2DOptions');
      expect(tensor(1).shape).toEqual([p.cout, p.kernel![0], p.kernel![1], p.cin]);
      break;
    case 'DEPTHWISE_CONV_2D': // filter [1, kh, kw, cin * multiplier]
      expect(o).toMatchObject({ typeName: 'DepthwiseConv2DOptions', depthMultiplier: p.depth_multiplier });
      expect(tensor(1).shape).toEqual([1, p.kernel![0], p.kernel![1], p.cin! * p.depth_multiplier!]);
      expect(tensor(0).shape[3]).toBe(p.cin);
      break;
    case 'FULLY_CONNECTED': { // weights [units, n_in]
      expect(o?.typeName).toBe('FullyConnectedOptions');
      const weights = tensor(1);
      expect(weights.shape).toEqual([p.units, p.n_in]);
      expect(tensor(0).shape).toEqual(p.in_shape);
      expect(weights.quantization!.scale.length).toBe(p.per_channel ? p.units : 1);
      break;
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
      expect(o).toMatchObject({ typeName: 'Pool2DOptions', filterHeight: p.filter![0], filterWidth: p.filter![1] });
      break;
    case 'SOFTMAX':
      expect(o).toMatchObject({ typeName: 'SoftmaxOptions', beta: p.beta });
      break;
    case 'CONCATENATION':
      expect(o).toMatchObject({ typeName: 'ConcatenationOptions', axis: p.axis });
      expect(op.inputs.length).toBe(p.n);
      break;
    case 'MEAN':
      expect(o).toMatchObject({ typeName: 'ReducerOptions', keepDims: p.keep_dims });
      expect(constantInt32s(model, sg, op.inputs[1]!)).toEqual(p.axes);
      break;
    case 'RESHAPE':
      expect(o).toMatchObject({ typeName: 'ReshapeOptions', newShape: p.new_shape });
      if (p.mode === 'options') expect(op.inputs.length).toBe(1);
      else {
        // 'input_neg1' writes the shape input with its last dimension left to be inferred.
        const shapeInput = constantInt32s(model, sg, op.inputs[1]!);
        expect(shapeInput).toEqual(p.mode === 'input_neg1' ? [...p.new_shape!.slice(0, -1), -1] : p.new_shape);
      }
      expect(sg.tensors[op.outputs[0]!]!.shape).toEqual(p.new_shape);
      break;
    case 'PAD':
      expect(o?.typeName).toBe('PadOptions');
      expect(constantInt32s(model, sg, op.inputs[1]!)).toEqual(p.paddings!.flat());
      break;
    case 'STRIDED_SLICE':
      expect(o).toMatchObject({ typeName: 'StridedSliceOptions', beginMask: p.begin_mask, endMask: p.end_mask, offset: false });
      expect([1, 2, 3].map((i) => constantInt32s(model, sg, op.inputs[i]!))).toEqual([p.begin, p.end, p.strides]);
      break;
    case 'ADD':
    case 'MUL':
      expect(o?.typeName).toBe(p.op === 'ADD' ? 'AddOptions' : 'MulOptions');
      expect(op.inputs.map((i) => sg.tensors[i]!.shape)).toEqual(p.shapes);
      break;
    case 'QUANTIZE':
    case 'DEQUANTIZE':
    case 'LOGISTIC':
    case 'TANH':
    case 'RELU':
    case 'RELU6':
      break;
    default:
      throw new Error(`no parameter check for ${p.op}`);
  }
}

describe('ops models against ops/index.json', () => {
  it('has all 56 models', () => {
    expect(index.count).toBe(56);
    expect(index.models.length).toBe(56);
  });

  it.each(index.models.map((m) => [m.name, m] as const))('%s', (_name, entry) => {
    const bytes = modelBytes(`ops/${entry.files.model}`);
    expect(bytes.length).toBe(entry.model_bytes);
    const model = parseTflite(bytes);
    const sg = model.subgraphs[0]!;
    expect(model.subgraphs.length).toBe(1);
    expect(operatorNames(model)).toEqual(entry.ops);

    const ioCheck = (indices: readonly number[], specs: IoSpec[]) => {
      expect(indices.length).toBe(specs.length);
      specs.forEach((spec, i) => {
        const t = sg.tensors[indices[i]!]!;
        expect(t.shape).toEqual(spec.shape);
        expect(t.type).toBe(spec.dtype);
        if (spec.dtype === 'float32') {
          expect(t.quantization?.scale.length ?? 0).toBe(0); // index.json writes 0, 0 for "none"
        } else {
          expect(t.quantization!.scale).toEqual(Float32Array.of(spec.scale));
          expect(t.quantization!.zeroPoint).toEqual([spec.zero_point]);
        }
      });
    };
    ioCheck(sg.inputs, entry.inputs);
    ioCheck(sg.outputs, entry.outputs);

    expect(entry.params.length).toBe(sg.operators.length);
    entry.params.forEach((p, i) => checkParams(model, sg, sg.operators[i]!, p));
  });
});
