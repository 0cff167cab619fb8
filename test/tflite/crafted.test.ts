// Small models written with flatbuffers' Builder, each valid but for one precise thing, to pin
// down how the reader handles every schema feature and cross reference it checks.
import { describe, expect, it } from 'vitest';
import { encode, toObject } from 'flatbuffers/js/flexbuffers.js';
import { parseTflite, TfliteFormatError } from '../../host/tflite/index.js';
import { addModelSpec, buildModel, type ModelSpec } from './build-model.js';

function parseError(bytes: Uint8Array): TfliteFormatError {
  try {
    parseTflite(bytes);
  } catch (e) {
    if (e instanceof TfliteFormatError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

function variant(change: (spec: ModelSpec) => void): Uint8Array {
  const spec = addModelSpec();
  change(spec);
  return buildModel(spec);
}

/** Builds a model whose spec refers to bytes appended after the flatbuffer, at their real offset. */
function withAppended(appended: Uint8Array, make: (start: bigint) => ModelSpec): Uint8Array {
  const trial = buildModel({ ...make(2n), appended });
  const start = BigInt(trial.length - appended.length);
  return buildModel({ ...make(start), appended });
}

describe('crafted models: what is read', () => {
  it('reads the baseline ADD model completely', () => {
    const model = parseTflite(buildModel(addModelSpec()));
    const sg = model.subgraphs[0]!;
    expect(model.fileIdentifier).toBe('TFL3');
    expect(model.description).toBe('built by test/tflite/build-model.ts');
    expect(sg.name).toBe('main');
    expect(sg.tensors.map((t) => [t.name, t.type, t.shape, t.buffer])).toEqual([
      ['in', 'int8', [1, 4], 0], ['const', 'int8', [1, 4], 1], ['out', 'int8', [1, 4], 0],
    ]);
    expect(sg.tensors[0]!.quantization).toMatchObject({ scale: Float32Array.of(0.5), zeroPoint: [-3], quantizedDimension: 0, details: null });
    expect(sg.operators[0]!.builtinOptions).toEqual({ type: 11, typeName: 'AddOptions', fusedActivationFunction: 'RELU', potScaleInt16: true });
    expect(model.buffers.map((b) => [b.storage, [...b.data]])).toEqual([['none', []], ['inline', [1, 2, 3, 4]]]);
  });

  it('reads a file lying at an odd offset inside a larger buffer (offsets are file-relative)', () => {
    const bytes = buildModel(addModelSpec());
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    const model = parseTflite(host.subarray(3));
    expect(model.buffers[1]!.fileOffset).toBe(parseTflite(bytes).buffers[1]!.fileOffset);
    expect([...model.buffers[1]!.data]).toEqual([1, 2, 3, 4]);
  });

  it('reads int64 zero points that are 4- but not 8-byte aligned, as the flatbuffers verifier and TFLM accept', () => {
    const bytes = variant((s) => {
      s.tensors[0] = { ...s.tensors[0]!, zeroPoint: [-3n], misalignZeroPoint: true };
      s.tensors[2] = { ...s.tensors[2]!, zeroPoint: [-100000000000n], misalignZeroPoint: true };
    });
    const sg = parseTflite(bytes).subgraphs[0]!;
    expect(sg.tensors[0]!.quantization?.zeroPoint).toEqual([-3]);
    expect(sg.tensors[2]!.quantization?.zeroPoint).toEqual([-100000000000]);
  });

  it('accepts a file without the identifier', () => {
    const model = parseTflite(variant((s) => (s.identifier = null)));
    expect(model.fileIdentifier).toBeNull();
  });

  it('resolves builtin codes as max(builtin_code, deprecated_builtin_code)', () => {
    const model = parseTflite(variant((s) => {
      s.codes = [
        { builtin: 0, deprecated: 4 }, // an old writer: only the deprecated byte is set
        { builtin: 150, deprecated: 127 }, // GELU: past the byte range, deprecated holds the placeholder
        { builtin: 32, custom: 'MyOp' },
        { builtin: 999 }, // newer than this schema
      ];
    }));
    expect(model.operatorCodes.map((c) => [c.builtinCode, c.builtinName, c.name])).toEqual([
      [4, 'DEPTHWISE_CONV_2D', 'DEPTHWISE_CONV_2D'], [150, 'GELU', 'GELU'], [32, 'CUSTOM', 'MyOp'], [999, null, 'BUILTIN_999'],
    ]);
  });

  it('reads buffers stored after the flatbuffer (Buffer.offset / size)', () => {
    const appended = Uint8Array.of(9, 8, 7, 6);
    const bytes = withAppended(appended, (start) => {
      const spec = addModelSpec();
      spec.buffers = [{}, { offset: start, size: 4n }];
      return spec;
    });
    const buffer = parseTflite(bytes).buffers[1]!;
    expect(buffer.storage).toBe('appended');
    expect([...buffer.data]).toEqual([9, 8, 7, 6]);
    expect(buffer.fileOffset).toBe(bytes.length - 4);
    expect(buffer.data.buffer).toBe(bytes.buffer);
  });

  it('reads large custom options stored after the flatbuffer and decodes their flexbuffer', () => {
    const options = encode({ fft_length: 512, gain: 0.0, name: 'x' });
    const bytes = withAppended(options, (start) => {
      const spec = addModelSpec();
      spec.codes.push({ builtin: 32, custom: 'Big' });
      spec.operators.push({ opcodeIndex: 1, inputs: [2], outputs: [2], largeCustomOptions: { offset: start, size: BigInt(options.length) } });
      return spec;
    });
    const op = parseTflite(bytes).subgraphs[0]!.operators[1]!;
    expect(op.customOptions?.length).toBe(options.length);
    expect(op.customOptionsValue).toEqual({ fft_length: 512, gain: 0, name: 'x' });
  });

  it('decodes a flexbuffer float 0.0 as 0 (flatbuffers\' own toObject() gives null)', () => {
    const floatZero = Uint8Array.of(0, 0, 0, 0, (3 << 2) | 2, 4); // root FLOAT, 4 bytes wide
    expect(toObject(floatZero.slice().buffer)).toBeNull();
    const spec = addModelSpec();
    spec.codes.push({ builtin: 32, custom: 'Zero' });
    spec.operators.push({ opcodeIndex: 1, inputs: [2], outputs: [2], customOptions: floatZero });
    expect(parseTflite(buildModel(spec)).subgraphs[0]!.operators[1]!.customOptionsValue).toBe(0);
  });

  it('decodes an options table that is absent as all schema defaults', () => {
    const model = parseTflite(variant((s) => {
      s.codes = [{ builtin: 3 }];
      s.tensors[1] = { shape: [1, 1, 1, 4], buffer: 1 };
      s.operators = [{ opcodeIndex: 0, inputs: [0, 1], outputs: [2], optionsType: 1 }];
    }));
    expect(model.subgraphs[0]!.operators[0]!.builtinOptions).toEqual({
      type: 1, typeName: 'Conv2DOptions', padding: 'SAME', strideW: 0, strideH: 0, fusedActivationFunction: 'NONE',
      dilationWFactor: 1, dilationHFactor: 1, quantizedBiasType: null,
    });
  });

  it('keeps options it does not decode as { type, typeName }', () => {
    const model = parseTflite(variant((s) => {
      s.operators[0]!.optionsType = 75 + 2; // MirrorPadOptions
      s.operators[0]!.options = (b) => (b.startObject(1), b.addFieldInt8(0, 1, null), b.endObject());
    }));
    expect(model.subgraphs[0]!.operators[0]!.builtinOptions).toEqual({ type: 77, typeName: 'MirrorPadOptions' });
  });

  it('decodes FullyConnected options including quantized_bias_type', () => {
    const model = parseTflite(variant((s) => {
      s.codes = [{ builtin: 9 }];
      s.operators[0]!.optionsType = 8;
      s.operators[0]!.options = (b) => {
        b.startObject(5);
        b.addFieldInt8(0, 3, null);
        b.addFieldInt8(2, 1, null);
        b.addFieldInt8(3, 1, null);
        b.addFieldInt8(4, 2, null); // int32
        return b.endObject();
      };
    }));
    expect(model.subgraphs[0]!.operators[0]!.builtinOptions).toEqual({
      type: 8, typeName: 'FullyConnectedOptions', fusedActivationFunction: 'RELU6', weightsFormat: 'DEFAULT',
      keepNumDims: true, asymmetricQuantizeInputs: true, quantizedBiasType: 'int32',
    });
  });
});

describe('crafted models: what is rejected, and where', () => {
  const cases: [string, (s: ModelSpec) => void, RegExp][] = [
    ['schema version 2', (s) => (s.version = 2), /^model: schema version 2/],
    ['another file identifier', (s) => (s.identifier = 'TFL2'), /file header: file identifier is "TFL2"/],
    ['opcode index out of range', (s) => (s.operators[0]!.opcodeIndex = 5), /^subgraph 0 > operator 0: opcode_index index 5 is out of range \(1 opcode_indexs\)/],
    ['operator input out of range', (s) => (s.operators[0]!.inputs = [0, 9]), /^subgraph 0 > operator 0 > inputs: tensor index 9 is out of range/],
    ['operator output -1', (s) => (s.operators[0]!.outputs = [-1]), /^subgraph 0 > operator 0 > outputs: tensor index -1/],
    ['subgraph input out of range', (s) => (s.inputs = [3]), /^subgraph 0 > inputs: tensor index 3/],
    ['subgraph output out of range', (s) => (s.outputs = [-1]), /^subgraph 0 > outputs: tensor index -1/],
    ['buffer index out of range', (s) => (s.tensors[1]!.buffer = 7), /^subgraph 0 > tensor 1: buffer index 7 is out of range \(2 buffers\)/],
    ['constant data of the wrong size', (s) => (s.buffers[1] = { data: Uint8Array.of(1, 2, 3) }), /^subgraph 0 > tensor 1: buffer 1 holds 3 bytes, shape \[1,4\] of int8 needs 4/],
    ['a tensor type the schema does not define', (s) => (s.tensors[0]!.type = 99), /^subgraph 0 > tensor 0: tensor type 99 is not defined/],
    ['a zero point beyond 2^53', (s) => (s.tensors[0]!.zeroPoint = [1n << 60n]), /^subgraph 0 > tensor 0 > quantization > zero_point: zero point 1152921504606846976 is not a safe integer/],
    ['scales and zero points of different counts', (s) => (s.tensors[0]!.scale = [1, 2]), /^subgraph 0 > tensor 0: quantization has 2 scales but 1 zero points/],
    ['an unknown activation', (s) => (s.operators[0]!.options = (b) => (b.startObject(1), b.addFieldInt8(0, 9, null), b.endObject())), /^subgraph 0 > operator 0 > builtin_options: fused_activation_function 9 is not defined/],
    ['an options type past the union', (s) => (s.operators[0]!.optionsType = 200), /^subgraph 0 > operator 0: builtin_options_type 200 is not defined/],
    ['a buffer offset past the end', (s) => (s.buffers[1] = { offset: 1000000n, size: 4n }), /^buffer 1: offset\/size data runs past end of file \(offset 1000000, 4 bytes/],
    ['large custom options past the end', (s) => (s.operators[0]!.largeCustomOptions = { offset: 64n, size: 1n << 40n }), /^subgraph 0 > operator 0: large_custom_options_offset\/large_custom_options_size data runs past end of file \(offset 64, 1099511627776 bytes/],
    ['custom options that are not a flexbuffer', (s) => (s.operators[0]!.customOptions = Uint8Array.of(1, 2, 3, 4, 5, 6, 7)), /^subgraph 0 > operator 0 > custom_options: flexbuffer/],
  ];
  it.each(cases)('%s', (_name, change, message) => {
    expect(parseError(variant(change)).message).toMatch(message);
  });

  it('ignores an options table under type NONE, as the Verifier and TFLM do (the op takes its defaults)', () => {
    const model = parseTflite(variant((s) => (s.operators[0]!.optionsType = 0)));
    expect(model.subgraphs[0]!.operators[0]!.builtinOptions).toBeNull();
  });
});
