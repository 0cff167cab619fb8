// Public models tinysense had never seen (models-zoo/README.md): each one either runs byte-exact with the
// outputs TFLM's reference kernels gave for the committed inputs, or is refused with exactly the error listed in
// GAPS below. When a gap closes, its model stops throwing and this test fails until the entry moves over.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileTflite, runOnce } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { Model } from '../../device/runtime.js';
import { firstDifference } from '../shared.js';

const ZOO = resolve(import.meta.dirname, '../../models-zoo');

interface ZooModel {
  name: string;
  source: { repo: string; path: string; commit: string; license: string };
  ops: Record<string, number>;
  files: { model: string; inputs: string[] };
  /** TFLM's MicroInterpreter::arena_used_bytes() after AllocateTensors, when TFLM could allocate the model. */
  tflm_arena_used_bytes?: number;
  /** golden[k][o]: TFLM's output o for input k. */
  golden?: string[][];
}

const index = JSON.parse(readFileSync(join(ZOO, 'index.json'), 'utf8')) as { models: ZooModel[] };
const bytes = (file: string) => new Uint8Array(readFileSync(join(ZOO, file)));

/** What tinysense says today for each model it cannot run: the list of gaps, kept exact on purpose. */
const SEANET_INT16 = (op: string, tensor: string, expected: string) =>
  `operator 0 (${op}): tensor 0 (${tensor}) is int16, expected ${expected}`;
const GAPS: Record<string, string> = {
  tflm_keyword_scrambled: 'operator 0 (QUANTIZE): tensor 52 (tensor52) is int16, expected float32',
  tflm_keyword_scrambled_8bit: 'operator 0 (QUANTIZE): tensor 52 (tensor52) is int16, expected float32',
  tflm_mnist_lstm_int8: 'operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM) is not supported by tinysense',
  tflm_xtensa_micro_speech_lstm: 'operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM) is not supported by tinysense',
  tflm_person_detect_vela:
    'operator 0 is the custom operator "ethos-u", which tinysense cannot run: it is an Arm Ethos-U NPU command stream ' +
    '(a model compiled by Vela); give tinysense the model from before Vela',
  tflm_seanet_conv0: SEANET_INT16('CONV_2D', 'streamable_model_10/unet_0/base_conv_first/conv/concat', 'int8'),
  tflm_seanet_add0: SEANET_INT16(
    'ADD',
    'streamable_model_10/unet_0/bottleneck/conv3x3_1/conv/conv2d_202/BiasAdd;streamable_model_10/unet_0/decoder_4/conv2d_3x3/conv/conv2d_203/Conv2D;' +
      'streamable_model_10/unet_0/bottleneck/conv3x3_1/conv/conv2d_202/Conv2D;streamable_model_10/unet_0/bottleneck/conv3x3_1/conv/conv2d_202/BiasAdd/ReadVariableOp',
    'int8',
  ),
  tflm_seanet_leaky_relu0: SEANET_INT16(
    'LEAKY_RELU',
    'streamable_model_10/unet_0/base_conv_first/conv/conv2d_190/BiasAdd;streamable_model_10/unet_0/decoder_0/shortcut/conv1x1/conv/Conv2D;' +
      'streamable_model_10/unet_0/base_conv_first/conv/conv2d_190/Conv2D;streamable_model_10/unet_0/base_conv_first/conv/conv2d_190/BiasAdd/ReadVariableOp',
    'int8',
  ),
  tflm_seanet_sub0: SEANET_INT16('SUB', 'streamable_model_10/unet_0/decoder_4/conv2dtranspose_3x4/conv/strided_slice_2', 'int8'),
  tflm_seanet_quantize0: 'operator 0 (QUANTIZE): tensor 1 (tensor1) is int16, expected int8',
  tflm_seanet_transpose_conv4: 'operator 0 (TRANSPOSE_CONV v3) is not supported by tinysense',
};

const arenaRows: { model: string; ours: number | string; tflm: number | string }[] = [];

describe('models-zoo: public models against TFLM', () => {
  it('lists every gap against a model in the zoo, and at least ten models', () => {
    const names = new Set(index.models.map((m) => m.name));
    for (const gap of Object.keys(GAPS)) expect(names.has(gap), gap).toBe(true);
    expect(index.models.length).toBeGreaterThanOrEqual(10);
    for (const m of index.models) expect(existsSync(join(ZOO, m.files.model)), m.files.model).toBe(true);
  });

  for (const entry of index.models) {
    const gap = GAPS[entry.name];
    if (gap !== undefined) {
      it(`${entry.name} (${Object.keys(entry.ops).join(', ')}) is refused with the known gap`, () => {
        let message = '(compiled without error)';
        try {
          compileTflite(bytes(entry.files.model));
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toBe(gap);
        arenaRows.push({ model: entry.name, ours: 'refused', tflm: entry.tflm_arena_used_bytes ?? 'n/a' });
      });
      continue;
    }
    it(`${entry.name} compiles and plans its arena, at or below TFLM's arena_used_bytes`, () => {
      const compiled = compileTflite(bytes(entry.files.model));
      expect(compiled.arenaBytes).toBeGreaterThan(0);
      if (entry.tflm_arena_used_bytes !== undefined) expect(compiled.arenaBytes).toBeLessThanOrEqual(entry.tflm_arena_used_bytes);
      arenaRows.push({ model: entry.name, ours: compiled.arenaBytes, tflm: entry.tflm_arena_used_bytes ?? 'n/a' });
    });
    // A supported model without TFLM goldens yet is reported as skipped, never passed.
    it.skipIf(entry.golden === undefined)(`${entry.name} (${Object.keys(entry.ops).join(', ')}) matches TFLM byte for byte`, () => {
      const compiled = compileTflite(bytes(entry.files.model));
      const kernels = new WasmKernels({ guardBytes: 64 });
      const model = new Model(compiled.pack, kernels);
      entry.files.inputs.forEach((input, k) => {
        const outputs = runOnce(model, bytes(input));
        entry.golden![k].forEach((file, o) => {
          expect(firstDifference(outputs[o], bytes(file)), `${entry.name} input ${k} output ${o}`).toBe('equal');
        });
      });
      kernels.checkGuards();
    });
  }

  afterAll(() => {
    // The planner's figure next to TFLM's; not asserted here (the planner is tested against TFLM elsewhere).
    const lines = arenaRows
      .sort((a, b) => a.model.localeCompare(b.model))
      .map((r) => `${r.model.padEnd(34)} ${String(r.ours).padStart(9)} ${String(r.tflm).padStart(9)}`);
    console.log(['arena bytes: model, tinysense, TFLM arena_used_bytes', ...lines].join('\n'));
  });
});
