// Never trust a model, audio front-end edition: the preprocessor's pack with hostile words in its
// signal, CAST and int32 records (and in the state-region declaration) is refused by device/validate.ts,
// or runs without touching memory outside its buffers.
import { describe, expect, it } from 'vitest';
import { H, TENSOR_ENTRY, TENSOR_ENTRY_BYTES } from '../../device/pack.js';
import { LAYOUTS, SIGNAL_OP } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { loadAndRunHostile, sharedBytes, prng, resign } from '../shared.js';

describe('audio preprocessor packs from the wrong hands', () => {
  const pack = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
  const input = sharedBytes('testdata', 'yes_30ms_s16le.raw');
  const view = new DataView(pack.buffer, pack.byteOffset);
  const opTable = view.getUint32(H.opTable, true);
  const records = Array.from({ length: view.getUint32(H.opCount, true) }, (_, i) => view.getUint32(opTable + 4 * i, true));

  function mutate(at: number, value: number): Uint8Array {
    const bad = pack.slice();
    new DataView(bad.buffer).setInt32(at, value, true);
    return resign(bad);
  }

  it('the unmodified pack runs', () => {
    expect(runOnce(new Model(pack, new WasmKernels()), input)[0].length).toBe(40);
  });

  it('targeted damage is refused with a message', () => {
    const find = (code: number) => records.find((r) => view.getInt32(r, true) === code)!;
    const field = (code: number, name: string) => find(code) + 4 * LAYOUTS[code][name];
    // Values that would make a kernel reach outside its buffers (the validator checks memory, not meaning:
    // a different but in-bounds length only gives different numbers).
    const cases: [number, number][] = [
      [field(SIGNAL_OP.SIGNAL_RFFT, 'fftLength'), 65536],
      [field(SIGNAL_OP.SIGNAL_RFFT, 'fftLength'), 500],
      [field(SIGNAL_OP.SIGNAL_RFFT, 'inputLength'), 600],
      [field(SIGNAL_OP.SIGNAL_ENERGY, 'end'), 100000],
      [field(SIGNAL_OP.SIGNAL_FILTER_BANK, 'numChannels'), 1 << 20],
      [field(SIGNAL_OP.SIGNAL_FILTER_BANK, 'numBins'), 100000],
      [field(SIGNAL_OP.SIGNAL_PCAN, 'lutSize'), 100],
      [field(SIGNAL_OP.SIGNAL_SPECTRAL_SUBTRACTION, 'noiseEstimate'), 1000],
      [field(SIGNAL_OP.SIGNAL_WINDOW, 'size'), 100000],
      [field(SIGNAL_OP.CAST, 'toType'), 4],
      [field(SIGNAL_OP.ELEMENTWISE_S32, 'kind'), 9],
      [H.flags, 2],
    ];
    for (const [at, value] of cases) {
      expect(() => new Model(mutate(at, value), new WasmKernels()), `word at ${at} = ${value}`).toThrow(/invalid model pack/);
    }
    // A state region that runs past the arena.
    const stateEntry = view.getUint32(H.tensorTable, true) + (view.getUint32(H.tensorCount, true) - 1) * TENSOR_ENTRY_BYTES;
    expect(() => new Model(mutate(stateEntry + TENSOR_ENTRY.bytes, 1 << 20), new WasmKernels())).toThrow(/invalid model pack/);
  });

  it('re-signed packs with hostile words are refused, or run without touching memory outside their buffers', () => {
    const rand = prng(7);
    const interesting = [0, 1, -1, 2, 4, 127, -128, 255, 65535, 0x7fffffff, -0x80000000, 1 << 20, 31, 32, -32, 63, 64, 512];
    let refused = 0;
    let ran = 0;
    for (let i = 0; i < 600; i++) {
      const record = records[Math.floor(rand() * records.length)];
      const words = view.getInt32(record + 4, true);
      const at = rand() < 0.1 ? 4 * Math.floor(rand() * 16) : record + 4 * Math.floor(rand() * words);
      const value = rand() < 0.7 ? interesting[Math.floor(rand() * interesting.length)] : view.getInt32(at, true) + Math.floor(rand() * 64) - 32;
      if (loadAndRunHostile(mutate(at, value), input) === 'refused') refused++;
      else ran++;
    }
    expect(refused).toBeGreaterThan(300);
    expect(ran).toBeGreaterThan(0);
  });
});
