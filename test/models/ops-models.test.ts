// Every synthetic operator model in models/ops, compiled and run on the WebAssembly kernels,
// must reproduce TFLM's reference outputs byte for byte, in an arena no larger than TFLM's.
import { describe, expect, it } from 'vitest';
import { compileTflite, instantiate, runOnce } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { Model } from '../../device/runtime.js';
import { firstDifference, opsIndex, sharedBytes } from '../shared.js';

describe('ops/ models match TFLM byte for byte', () => {
  for (const entry of opsIndex()) {
    it(`${entry.name} (${entry.ops.join(', ')})`, () => {
      const compiled = compileTflite(sharedBytes('ops', entry.files.model));
      expect(compiled.arenaBytes).toBeLessThanOrEqual(entry.arena_used_bytes);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const model = new Model(compiled.pack, kernels);
      entry.files.inputs.forEach((inputFile, k) => {
        const outputs = runOnce(model, sharedBytes('ops', inputFile));
        entry.files.golden[k].forEach((goldenFile, o) => {
          const golden = sharedBytes('ops', goldenFile);
          expect(firstDifference(outputs[o], golden), `${goldenFile}`).toBe('equal');
        });
      });
      kernels.checkGuards();
    });
  }

  it('runs the same pack again with the same results (no state leaks between invokes)', () => {
    const entry = opsIndex().find((e) => e.name.startsWith('chain_mbv2block'))!;
    const model = instantiate(compileTflite(sharedBytes('ops', entry.files.model)).pack);
    const input = sharedBytes('ops', entry.files.inputs[0]);
    const first = runOnce(model, input);
    runOnce(model, sharedBytes('ops', entry.files.inputs[1]));
    expect(runOnce(model, input)).toEqual(first);
  });
});
