/**
 * The schema description, the verifier and the writer against the real
 * TFLite schema: schema.fbs is parsed at test time from the TFLite Micro
 * checkout when it is there (else the pinned JSON is used), the pinned JSON
 * must equal what the parser derives, and every constant the writer uses
 * must match the schema. Set TINYSENSE_WRITE_SCHEMA=1 to refresh the pinned
 * JSON from the checkout.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFbsSchema } from '../../host/quantize/fbs-schema.js';
import { verifyFlatbuffer } from '../../host/quantize/fbs-verifier.js';
import { checkTfliteModel } from '../../host/quantize/tflite-checks.js';
import {
  ACTIVATION, BUILTIN_OPERATOR, BUILTIN_OPTIONS_TAG, OPTIONS_OF_OPERATOR, PADDING, SLOTS, TENSOR_TYPE, TFLITE_FILE_IDENTIFIER,
} from '../../host/quantize/tflite-format.js';
import { describeTfliteSchema, pinnedTfliteSchema, verifyTflite } from '../../host/quantize/tflite-schema.js';
import { TfliteModel, writeTflite } from '../../host/quantize/tflite-writer.js';
import { shared } from '../shared.js';
import { mirrorSchemaFbs, schemaForTests } from './helpers.js';

const PINNED_PATH = new URL('../../host/quantize/tflite-schema.json', import.meta.url);
const { schema, from } = schemaForTests();

/** A small model using every options table the writer knows. */
function sampleModel(): TfliteModel {
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint] });
  return {
    description: 'sample',
    tensors: [
      { name: 'input', shape: [1, 8, 3], type: 'INT8', quantization: q(0.02, 5) },
      { name: 'input/nhwc', shape: [1, 1, 8, 3], type: 'INT8', quantization: q(0.02, 5) },
      { name: 'shape', shape: [4], type: 'INT32', data: new Uint8Array(Int32Array.from([1, 1, 8, 3]).buffer) },
      { name: 'conv/kernel', shape: [2, 1, 3, 3], type: 'INT8', data: new Uint8Array(18).fill(1), quantization: { scale: [0.1, 0.2], zeroPoint: [0, 0], quantizedDimension: 0 } },
      { name: 'conv/bias', shape: [2], type: 'INT32', data: new Uint8Array(8), quantization: { scale: [0.002, 0.004], zeroPoint: [0, 0] } },
      { name: 'conv', shape: [1, 1, 8, 2], type: 'INT8', quantization: q(0.05, -128) },
      { name: 'dw/kernel', shape: [1, 1, 3, 2], type: 'INT8', data: new Uint8Array(6).fill(2), quantization: { scale: [0.1, 0.1], zeroPoint: [0, 0], quantizedDimension: 3 } },
      { name: 'dw/bias', shape: [2], type: 'INT32', data: new Uint8Array(8), quantization: { scale: [0.005, 0.005], zeroPoint: [0, 0] } },
      { name: 'dw', shape: [1, 1, 8, 2], type: 'INT8', quantization: q(0.05, -128) },
      { name: 'pool', shape: [1, 1, 4, 2], type: 'INT8', quantization: q(0.05, -128) },
      { name: 'flat', shape: [1, 8], type: 'INT8', quantization: q(0.05, -128) },
      { name: 'flat/shape', shape: [2], type: 'INT32', data: new Uint8Array(Int32Array.from([1, 8]).buffer) },
      { name: 'fc/kernel', shape: [3, 8], type: 'INT8', data: new Uint8Array(24).fill(3), quantization: q(0.01, 0) },
      { name: 'fc/bias', shape: [3], type: 'INT32', data: new Uint8Array(12), quantization: q(0.0005, 0) },
      { name: 'fc', shape: [1, 3], type: 'INT8', quantization: q(0.1, 3) },
      { name: 'probabilities', shape: [1, 3], type: 'INT8', quantization: q(1 / 256, -128) },
    ],
    operators: [
      { op: 'RESHAPE', version: 1, inputs: [0, 2], outputs: [1], options: { kind: 'ReshapeOptions', newShape: [1, 1, 8, 3] } },
      { op: 'CONV_2D', version: 3, inputs: [1, 3, 4], outputs: [5], options: { kind: 'Conv2DOptions', padding: 'SAME', strideW: 1, strideH: 1, activation: 'RELU' } },
      { op: 'DEPTHWISE_CONV_2D', version: 3, inputs: [5, 6, 7], outputs: [8], options: { kind: 'DepthwiseConv2DOptions', padding: 'SAME', strideW: 1, strideH: 1, depthMultiplier: 1, activation: 'RELU6' } },
      { op: 'MAX_POOL_2D', version: 2, inputs: [8], outputs: [9], options: { kind: 'Pool2DOptions', padding: 'VALID', strideW: 2, strideH: 1, filterWidth: 2, filterHeight: 1, activation: 'NONE' } },
      { op: 'RESHAPE', version: 1, inputs: [9, 11], outputs: [10], options: { kind: 'ReshapeOptions', newShape: [1, 8] } },
      { op: 'FULLY_CONNECTED', version: 4, inputs: [10, 12, 13], outputs: [14], options: { kind: 'FullyConnectedOptions', activation: 'NONE' } },
      { op: 'SOFTMAX', version: 2, inputs: [14], outputs: [15], options: { kind: 'SoftmaxOptions', beta: 1 } },
    ],
    inputs: [0],
    outputs: [15],
  };
}

describe(`TFLite schema description (from ${from})`, () => {
  it('parses schema.fbs into tables, enums and unions', () => {
    expect(schema.rootType).toBe('Model');
    expect(schema.fileIdentifier).toBe('TFL3');
    expect(Object.keys(schema.tables).length).toBeGreaterThan(100);
    // A union takes two slots: Operator.builtin_options_type is slot 3, the value slot 4.
    expect(schema.tables.Operator.fields.find((f) => f.name === 'builtin_options')?.id).toBe(4);
    expect(schema.tables.Buffer.fields.find((f) => f.name === 'data')?.forceAlign).toBe(16);
    expect(schema.tables.OperatorCode.fields.find((f) => f.name === 'version')?.defaultValue).toBe(1);
  });

  it.skipIf(!mirrorSchemaFbs())('the pinned JSON equals the description derived from schema.fbs', () => {
    const fbs = mirrorSchemaFbs()!;
    const derived = describeTfliteSchema(fbs.text, fbs.source);
    if (process.env.TINYSENSE_WRITE_SCHEMA === '1') writeFileSync(PINNED_PATH, JSON.stringify(derived, null, 1) + '\n');
    const { source: _a, ...pinnedBody } = pinnedTfliteSchema();
    const { source: _b, ...derivedBody } = derived;
    expect(pinnedBody, 'host/quantize/tflite-schema.json is stale: rerun with TINYSENSE_WRITE_SCHEMA=1').toEqual(derivedBody);
  });

  it('agrees with every number the writer uses (tflite-format.ts)', () => {
    const enumValue = (e: string, name: string) => schema.enums[e].values[name];
    for (const [name, value] of Object.entries(TENSOR_TYPE)) expect(enumValue('TensorType', name), name).toBe(value);
    for (const [name, value] of Object.entries(BUILTIN_OPERATOR)) expect(enumValue('BuiltinOperator', name), name).toBe(value);
    for (const [name, value] of Object.entries(PADDING)) expect(enumValue('Padding', name), name).toBe(value);
    for (const [name, value] of Object.entries(ACTIVATION)) expect(enumValue('ActivationFunctionType', name), name).toBe(value);
    for (const [name, tag] of Object.entries(BUILTIN_OPTIONS_TAG)) expect(schema.unions.BuiltinOptions.members.indexOf(name) + 1, name).toBe(tag);
    for (const [table, slots] of Object.entries(SLOTS)) {
      for (const [field, slot] of Object.entries(slots)) {
        const union = field.endsWith('_type') ? schema.tables[table].fields.find((f) => `${f.name}_type` === field) : undefined;
        const id = union ? union.id - 1 : schema.tables[table].fields.find((f) => f.name === field)?.id;
        expect(id, `${table}.${field}`).toBe(slot);
      }
    }
    for (const options of Object.values(OPTIONS_OF_OPERATOR)) if (options) expect(schema.tables[options], options).toBeDefined();
    expect(TFLITE_FILE_IDENTIFIER).toBe(schema.fileIdentifier);
  });

  it('rejects what it does not understand', () => {
    expect(() => parseFbsSchema('table A { x: Unknown; } root_type A;')).toThrow(/unknown type/);
    expect(() => parseFbsSchema('table A { x: int; }')).toThrow(/root_type/);
  });
});

describe('flatbuffer verifier', () => {
  const bytes = writeTflite(sampleModel());

  it('passes the writer output and decodes it', () => {
    const result = verifyFlatbuffer(bytes, schema);
    expect(result.problems).toEqual([]);
    expect(checkTfliteModel(result.root!)).toEqual([]);
    expect(result.tablesVerified).toMatchObject({ Model: 1, SubGraph: 1, Operator: 7, OperatorCode: 6, Tensor: 16, Buffer: 9 });
    const root = result.root!;
    expect(root.version).toBe(3);
    const codes = (root.operator_codes as unknown as { builtin_code: number; deprecated_builtin_code: number; version: number }[]).map((c) => [c.builtin_code, c.deprecated_builtin_code, c.version]);
    expect(codes).toEqual([[22, 22, 1], [3, 3, 3], [4, 4, 3], [17, 17, 2], [9, 9, 4], [25, 25, 2]]);
    const sg = (root.subgraphs as Record<string, unknown>[])[0];
    const conv = (sg.operators as { builtin_options: { type: string; value: Record<string, unknown> } }[])[1];
    expect(conv.builtin_options.type).toBe('Conv2DOptions');
    expect(conv.builtin_options.value).toMatchObject({ padding: 0, stride_w: 1, stride_h: 1, fused_activation_function: 1, dilation_w_factor: 1 });
    const dwKernel = (sg.tensors as { quantization: { quantized_dimension: number; zero_point: bigint[] } }[])[6];
    expect(dwKernel.quantization.quantized_dimension).toBe(3);
    expect(dwKernel.quantization.zero_point).toEqual([0n, 0n]);
    const buffers = root.buffers as unknown as { data: Uint8Array | null }[];
    expect(buffers[0].data).toBeNull();
  });

  it('finds corrupted offsets, enum values and union tags', () => {
    const findField = (needle: number[]) => {
      for (let i = 0; i < bytes.length - needle.length; i++) if (needle.every((b, k) => bytes[i + k] === b)) return i;
      return -1;
    };
    // Root offset past the end.
    const badRoot = bytes.slice();
    new DataView(badRoot.buffer).setUint32(0, badRoot.length + 8, true);
    expect(verifyFlatbuffer(badRoot, schema).ok).toBe(false);
    // Wrong file identifier.
    const badId = bytes.slice();
    badId[4] = 'X'.charCodeAt(0);
    expect(verifyFlatbuffer(badId, schema).problems.join()).toMatch(/identifier/);
    // Every single-byte corruption must either verify or be reported, never throw.
    let reported = 0;
    for (let i = 8; i < Math.min(bytes.length, 800); i += 3) {
      const copy = bytes.slice();
      copy[i] ^= 0x5a;
      const result = verifyFlatbuffer(copy, schema);
      if (!result.ok || (result.root && checkTfliteModel(result.root).length > 0)) reported++;
    }
    expect(reported).toBeGreaterThan(20);
    expect(findField([0x54, 0x46, 0x4c, 0x33])).toBe(4);
  });

  it('checks TFLite rules the schema cannot state', () => {
    const broken = sampleModel();
    broken.operators[1].inputs = [1, 3, 99];
    expect(() => writeTflite(broken)).toThrow(/tensor 99/);
    const wrongBias = sampleModel();
    wrongBias.tensors[4].data = new Uint8Array(4);
    const result = verifyTflite(writeTflite(wrongBias), schema);
    expect(result.problems.join('\n')).toMatch(/conv\/bias\): buffer holds 4 bytes, shape and type need 8/);
  });

  const references = ['hello_world/hello_world_int8.tflite', 'micro_speech/micro_speech_quantized_int8.tflite'];
  for (const name of references) {
    it.skipIf(!existsSync(shared(name)))(`accepts a converter-made model (${name})`, () => {
      const result = verifyFlatbuffer(new Uint8Array(readFileSync(shared(name))), schema);
      expect(result.problems).toEqual([]);
      // These files predate schema 3a (builtin_code unset), so only the non-strict rules apply.
      expect(checkTfliteModel(result.root!, { strict: false })).toEqual([]);
    });
  }
});
