// The person example, built for the board exactly as `tinysense build` does, runs in the simulator:
// E.nativeCall dispatches to the kernels, the frames come from the hallway trace, and the scores equal
// TFLM's goldens for the same images.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, simulationReport } from 'tinysense/host';

const here = new URL('.', import.meta.url).pathname;
/** TFLM's scores for the trace's images (the repository's models/, where tinysense.json takes the model from). */
const golden = (image: string) => Array.from(new Int8Array(readFileSync(join(here, '../../models/golden/person_detection', `${image}_scores_int8.bin`))));

describe('examples/person in the simulator', () => {
  for (const board of ['JOLTJS']) {
    it(`${board}: detects the person while they are in the frame, with TFLM's scores`, async () => {
      const sim = await simulate({ app: here, board, trace: join(here, 'traces', 'hall.json'), outDir: join('out', 'test', `person-${board}`) });
      sim.advance(6500);
      expect(sim.errors).toEqual([]);
      const scores = sim.events('scores');
      // One invoke per second, from t = 1000 ms; each takes the board ~0.3 s (the op-by-op estimate of
      // host/bundler/latency.ts), so its scores are reported that much later. The person is in frame from
      // 2500 to 4500 ms.
      const latency = sim.timing().modelMs / 6;
      expect(latency).toBeGreaterThan(250);
      expect(latency).toBeLessThan(450);
      expect(sim.timing().longestBlockMs).toBeCloseTo(latency, 6);
      expect(scores.map((e) => Math.round(e.t - latency))).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
      const noPerson = golden('no_person');
      const person = golden('person');
      expect(scores.map((e) => e.value)).toEqual([noPerson, noPerson, person, person, noPerson, noPerson]);
      expect(sim.events('person').map((e) => Math.round(e.t - latency))).toEqual([3000, 4000]);
      expect(sim.cameraCaptures()).toBe(6);
      // Every invoke is one call of the kernel blob's ts_invoke_ops entry (30 records: 31 operators; the
      // RESHAPE aliases its input and needs no record), none per op.
      expect(sim.nativeCalls().ts_invoke_ops).toBe(6);
      expect(sim.nativeCalls().ts_invoke).toBeUndefined();
      const html = simulationReport(sim, 'person');
      expect(html).toContain('<svg');
      expect(html).toMatch(/<tr><th>model time on the board<\/th><td>\d+\.\d ms in model ops \(estimated op by op, host\/bundler\/latency\.ts\); the event loop was blocked \d+\.\d ms at most<\/td><\/tr>/);
      expect(html).not.toMatch(/<script|https?:\/\//);
    });
  }

  it('BANGLEJS2: the build is refused, because the pack would have to be copied into a JS heap too small for it', async () => {
    await expect(simulate({ app: here, board: 'BANGLEJS2', trace: join(here, 'traces', 'hall.json'), outDir: join('out', 'test', 'person-BANGLEJS2') }))
      .rejects.toThrow(/does not fit Bangle.js 2[\s\S]*not memory-mapped/);
  });

  it('ESP32_JERRYSCRIPT: the JerryScript build runs on the firmware natives with the same scores', async () => {
    const sim = await simulate({ app: here, board: 'ESP32_JERRYSCRIPT', trace: join(here, 'traces', 'hall.json'), outDir: join('out', 'test', 'person-ESP32_JERRYSCRIPT') });
    sim.advance(3500);
    expect(sim.errors).toEqual([]);
    expect(sim.events('scores').map((e) => e.value)).toEqual([golden('no_person'), golden('no_person'), golden('person')]);
    expect(sim.nativeCalls().invokeOps).toBe(3);
  });

  it('the build for the board is what ran: app.js is the uploadable bundle', () => {
    const bundle = readFileSync(join('out', 'test', 'person-JOLTJS', 'app.js'), 'utf8');
    expect(bundle).toMatch(/TINYSENSE_TARGET/);
    expect(bundle).toMatch(/E\.nativeCall/);
  });
});
