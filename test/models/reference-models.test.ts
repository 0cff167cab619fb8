// The real models in models/ (models/README.md) through `compile` + the WebAssembly kernels, against TFLM's goldens.
import { describe, expect, it } from 'vitest';
import { compileTflite, runOnce } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { Model } from '../../device/runtime.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstDifference, mobilenetRoot, sharedBytes, sharedJson } from '../shared.js';

interface GoldenInfo {
  arena_used_bytes: number;
}

function load(path: string[], bytes = sharedBytes(...path)) {
  const compiled = compileTflite(bytes);
  const kernels = new WasmKernels({ guardBytes: 64 });
  return { compiled, kernels, model: new Model(compiled.pack, kernels) };
}

describe('reference models match TFLM byte for byte', () => {
  it('hello_world: all 256 inputs', () => {
    const { compiled, kernels, model } = load(['hello_world', 'hello_world_int8.tflite']);
    expect(compiled.arenaBytes).toBeLessThanOrEqual(sharedJson<GoldenInfo>('golden', 'hello_world', 'tflm_info.json').arena_used_bytes);
    const inputs = sharedBytes('golden', 'hello_world', 'inputs_all_int8.bin');
    const golden = sharedBytes('golden', 'hello_world', 'outputs_all_int8.bin');
    const outputs = new Uint8Array(256);
    for (let i = 0; i < 256; i++) outputs[i] = runOnce(model, inputs.subarray(i, i + 1))[0][0];
    expect(firstDifference(outputs, golden)).toBe('equal');
    kernels.checkGuards();
  });

  it('micro_speech classifier: yes, no, silence, noise', () => {
    const { compiled, kernels, model } = load(['micro_speech', 'micro_speech_quantized_int8.tflite']);
    for (const word of ['yes', 'no', 'silence', 'noise']) {
      expect(compiled.arenaBytes).toBeLessThanOrEqual(sharedJson<GoldenInfo>('golden', 'micro_speech', `${word}.json`).arena_used_bytes);
      const [scores] = runOnce(model, sharedBytes('testdata', `${word}_features_49x40_int8.bin`));
      expect(firstDifference(scores, sharedBytes('golden', 'micro_speech', `${word}_scores_int8.bin`)), word).toBe('equal');
    }
    kernels.checkGuards();
  });

  it('simple_add: two 128x128 inputs', () => {
    const { compiled, model } = load(['simple_add', 'simple_add_int8.tflite']);
    expect(compiled.arenaBytes).toBeLessThanOrEqual(sharedJson<GoldenInfo>('golden', 'simple_add', 'random.json').arena_used_bytes);
    const [out] = runOnce(model, sharedBytes('testdata', 'simple_add_random_2x16384_int8.bin'));
    expect(firstDifference(out, sharedBytes('golden', 'simple_add', 'random_out_int8.bin'))).toBe('equal');
  });

  it('person_detect: person and no_person, and every intermediate layer', () => {
    const { compiled, kernels, model } = load(['person_detection', 'person_detect_int8.tflite']);
    expect(compiled.arenaBytes).toBeLessThanOrEqual(sharedJson<GoldenInfo>('golden', 'person_detection', 'person.json').arena_used_bytes);

    // Layer by layer on the person image: the first wrong tensor names the op to look at.
    const layers = sharedJson<{ tensors: { tensor: number; file: string }[] }>('golden', 'person_detection', 'layers_person', 'index.json');
    const goldenByTensor = new Map(layers.tensors.map((t) => [t.tensor, t.file]));
    model.input(0).set(new Int8Array(sharedBytes('testdata', 'person_96x96_int8.bin').buffer));
    let checked = 0;
    compiled.ops.forEach((op, i) => {
      model.invokeOp(i);
      for (const t of compiled.graph.operators[op.index].outputs) {
        const file = goldenByTensor.get(t);
        const p = compiled.placements[t];
        if (!file || p.where !== 'arena') continue;
        const actual = model.arenaBytes().subarray(p.offset, p.offset + p.bytes);
        expect(firstDifference(actual, sharedBytes('golden', 'person_detection', 'layers_person', file)), `op ${op.index} ${op.name} -> tensor ${t}`).toBe('equal');
        checked++;
      }
    });
    expect(checked).toBeGreaterThanOrEqual(28);

    for (const image of ['person', 'no_person']) {
      const [scores] = runOnce(model, sharedBytes('testdata', `${image}_96x96_int8.bin`));
      expect(firstDifference(scores, sharedBytes('golden', 'person_detection', `${image}_scores_int8.bin`)), image).toBe('equal');
    }
    kernels.checkGuards();
  });

  it('mobilenet_v2: the dog is class 258 with TFLM logits', (ctx) => {
    // Not committed (3.9 MB): read from wherever it is, or skipped with a notice (test/shared.ts).
    const root = mobilenetRoot(ctx);
    const read = (path: string) => new Uint8Array(readFileSync(join(root, path)));
    const { compiled, model } = load([], read('mobilenet_v2/mobilenet_v2_int8_1x3x224x224.tflite'));
    const info = JSON.parse(readFileSync(join(root, 'golden/mobilenet_v2/dog.json'), 'utf8')) as GoldenInfo;
    expect(compiled.arenaBytes).toBeLessThanOrEqual(info.arena_used_bytes);
    const [logits] = runOnce(model, read('testdata/dog_1x3x224x224_int8.bin'));
    expect(firstDifference(logits, read('golden/mobilenet_v2/dog_logits_int8.bin'))).toBe('equal');
    const signed = new Int8Array(logits.buffer);
    expect(signed.indexOf(Math.max(...signed))).toBe(258);
  });
});
