// Model.invokeAsync: the ops run in slices across event-loop ticks (so a board serves timers,
// buttons and BLE during a long model), with the same outputs as invoke().
import { describe, expect, it } from 'vitest';
import { Model } from '../../device/runtime.js';
import { compileTflite } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { sharedBytes } from '../shared.js';

function person() {
  const compiled = compileTflite(sharedBytes('person_detection', 'person_detect_int8.tflite'));
  const model = new Model(compiled.pack, new WasmKernels({ guardBytes: 64 }));
  (model.input(0) as Int8Array).set(new Int8Array(sharedBytes('testdata', 'person_96x96_int8.bin').buffer));
  return model;
}

describe('invokeAsync', () => {
  it('gives invoke()\'s outputs and lets other callbacks run between slices', async () => {
    const model = person();
    const ops = model.layout.records.length;
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const error = await new Promise<Error | undefined>((resolve) => model.invokeAsync(resolve, 4));
    ticking = false;
    expect(error).toBeUndefined();
    // One other callback at least between every two slices of 4 ops.
    expect(ticks).toBeGreaterThanOrEqual(Math.ceil(ops / 4) - 1);
    const scores = [...(model.output(0) as Int8Array)];
    expect(scores).toEqual([...new Int8Array(sharedBytes('golden', 'person_detection', 'person_scores_int8.bin').buffer)]);
  });

  it('refuses a second invoke while one is running, and bad slice sizes', async () => {
    const model = person();
    expect(() => model.invokeAsync(() => undefined, 0)).toThrow(/opsPerSlice must be a whole number >= 1, got 0/);
    expect(() => model.invokeAsync(() => undefined, 1.5)).toThrow(/opsPerSlice/);
    const done = new Promise<Error | undefined>((resolve) => model.invokeAsync(resolve));
    expect(() => model.invoke()).toThrow(/invoke\(\) while invokeAsync\(\) is running/);
    expect(() => model.invokeAsync(() => undefined)).toThrow(/while another invoke of this model is running/);
    expect(await done).toBeUndefined();
    model.invoke(); // free again
  });
});
