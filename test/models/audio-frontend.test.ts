// TFLM's audio preprocessor (micro_speech/audio_preprocessor_int8.tflite: the "signal" custom ops with
// int16/int32/uint32 CAST, MUL, ADD, DIV, MINIMUM, MAXIMUM, STRIDED_SLICE, CONCATENATION) compiled like any
// model and run frame by frame through the WebAssembly kernels: window k = samples [320k, 320k + 480),
// 49 frames per 1 s recording, against the features TFLM computes, byte for byte.
import { describe, expect, it } from 'vitest';
import { Model } from '../../device/runtime.js';
import { resetState } from '../../device/state.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, sharedBytes } from '../shared.js';

const FRAMES = 49;
const CHANNELS = 40;
const WINDOW = 480;
const STRIDE = 320;

function load() {
  const compiled = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite'));
  const kernels = new WasmKernels({ guardBytes: 64 });
  return { compiled, kernels, model: new Model(compiled.pack, kernels) };
}

function features(model: Model, word: string): Uint8Array {
  const pcm = sharedBytes('testdata', `${word}_1000ms_s16le.raw`);
  const out = new Uint8Array(FRAMES * CHANNELS);
  resetState(model);
  for (let k = 0; k < FRAMES; k++) {
    const [frame] = runOnce(model, pcm.subarray(2 * STRIDE * k, 2 * (STRIDE * k + WINDOW)));
    out.set(frame, k * CHANNELS);
  }
  return out;
}

describe('audio preprocessor matches TFLM byte for byte', () => {
  it('compiles within TFLM arena (9952 bytes) and declares its state', () => {
    const { compiled, model } = load();
    expect(compiled.arenaBytes).toBeLessThanOrEqual(9952);
    expect(model.layout.state?.bytes).toBeGreaterThanOrEqual(4 * CHANNELS);
  });

  for (const word of ['yes', 'no', 'silence', 'noise']) {
    it(`${word}: 49 frames x 40 features`, () => {
      const { kernels, model } = load();
      const got = features(model, word);
      expect(firstDifference(got, sharedBytes('testdata', `${word}_features_49x40_int8.bin`))).toBe('equal');
      kernels.checkGuards();
    });
  }

  it('audio to word: preprocessor features into the micro_speech classifier give TFLM\'s scores', () => {
    const { model } = load();
    const classifier = new Model(compileTflite(sharedBytes('micro_speech', 'micro_speech_quantized_int8.tflite')).pack, new WasmKernels());
    for (const word of ['yes', 'no', 'silence', 'noise']) {
      const [scores] = runOnce(classifier, features(model, word));
      expect(firstDifference(scores, sharedBytes('golden', 'micro_speech', `${word}_scores_int8.bin`)), word).toBe('equal');
    }
  });

  it('reset restores the initial state (same features twice from one model)', () => {
    const { model } = load();
    const first = features(model, 'yes');
    features(model, 'noise');
    expect(firstDifference(features(model, 'yes'), first)).toBe('equal');
  });
});
