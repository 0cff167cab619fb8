// The app, built for the board as `tinysense build` does, runs in the simulator; the sine it reports is
// checked against the same model on the host's kernels and against Math.sin.
import { expect, it } from 'vitest';
import { instantiate, loadModelFile, quantizeValue, simulate } from 'tinysense/host';

const BOARD = '__BOARD__';

it(`reports the sine the model computes, one value every 100 ms (${BOARD})`, async () => {
  const sim = await simulate({ app: '.', board: BOARD, outDir: 'out/sim' });
  sim.advance(1500);
  expect(sim.errors).toEqual([]);
  const ys = sim.events('y');
  expect(ys).toHaveLength(13);
  // One invoke every 100 ms; each reports as soon as the model has run (its estimated time on the board).
  ys.forEach((e, i) => {
    expect(e.t).toBeGreaterThanOrEqual(100 * (i + 1));
    expect(e.t).toBeLessThan(100 * (i + 1) + 50);
  });
  const host = instantiate(loadModelFile('sine.tflite').pack);
  for (const e of ys) {
    const v = e.value as { x: number; q: number; y: number };
    (host.input(0) as Int8Array)[0] = quantizeValue(v.x, host.layout.inputs[0]);
    host.invoke();
    // Bit-exact with the host's kernels, and close to the real sine.
    expect(v.q).toBe((host.output(0) as Int8Array)[0]);
    expect(Math.abs(v.y - Math.sin(v.x))).toBeLessThan(0.15);
  }
});
