// Model runs in virtual time, and the deadlines an app's period sets: each op moves the clock by its
// estimated board time (measured Cortex-M4 figures; assumed, labelled, for Xtensa), ops group into runs,
// and a run started by a setInterval callback that ends after the interval's next tick misses its deadline.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../host/sim/index.js';
import { simulationReport } from '../../host/sim/report.js';

const PERSON = resolve('examples/person');
const TRACE = join(PERSON, 'traces', 'hall.json');
const MODEL = resolve('models/person_detection/person_detect_int8.tflite');

/** The person example with another period, in its own folder. */
function personEvery(ms: number): string {
  const dir = resolve('out', 'test', `person-every-${ms}`);
  mkdirSync(dir, { recursive: true });
  const app = readFileSync(join(PERSON, 'app.ts'), 'utf8').replace('var PERIOD_MS = 1000;', `var PERIOD_MS = ${ms};`);
  expect(app).toContain(`var PERIOD_MS = ${ms};`);
  writeFileSync(join(dir, 'app.ts'), app);
  writeFileSync(join(dir, 'tinysense.json'), JSON.stringify({ entry: 'app.ts', model: MODEL }));
  return dir;
}

describe('model runs and missed deadlines', () => {
  it('person on Jolt.js once a second: six runs of ~0.3 s, each done before the next tick', async () => {
    const sim = await simulate({ app: PERSON, board: 'JOLTJS', trace: TRACE, outDir: join('out', 'test', 'deadline-person-JOLTJS') });
    sim.advance(6500);
    expect(sim.errors).toEqual([]);
    const runs = sim.modelRuns();
    expect(runs.map((r) => r.start)).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
    for (const r of runs) {
      expect(r.ops).toBe(30);
      expect(r.period).toBe(1000);
      expect(r.deadline).toBe(r.start + 1000);
      expect(r.missed).toBe(false);
      expect(r.end - r.start).toBeCloseTo(r.ms, 6);
    }
    const s = sim.runSummary()!;
    expect(s).toMatchObject({ runs: 6, withDeadline: 6, missed: 0, skipped: 0, periods: [1000], measured: true });
    expect(s.meanMs).toBeGreaterThan(250);
    expect(s.meanMs).toBeLessThan(450);
    // The scores are reported when the run ends.
    expect(sim.events('scores').map((e) => e.t)).toEqual(runs.map((r) => r.end));
    const html = simulationReport(sim, 'person');
    expect(html).toMatch(/<td data-testid="model-runs">6 runs; latency [\d.]+ \/ [\d.]+ \/ [\d.]+ ms \(min \/ mean \/ max\)<\/td>/);
    expect(html).toContain('<td data-testid="missed-deadlines">0 of 6 runs (period 1000 ms): each ended before its interval\'s next tick</td>');
  });

  it('person on Jolt.js every 200 ms: every run misses its deadline, back to back, and ticks are dropped', async () => {
    const sim = await simulate({ app: personEvery(200), board: 'JOLTJS', trace: TRACE, outDir: join('out', 'test', 'deadline-person-200-JOLTJS') });
    sim.advance(3000);
    expect(sim.errors).toEqual([]);
    const runs = sim.modelRuns().filter((r) => !r.open);
    const latency = runs[0].ms;
    expect(latency).toBeGreaterThan(200);
    expect(runs.every((r) => r.missed)).toBe(true);
    // The board never rests: each late tick starts the next run as the last one ends.
    for (let i = 1; i < runs.length; i++) expect(runs[i].start).toBeCloseTo(runs[i - 1].end, 6);
    // One run per latency from the first tick at 200 ms: every run that starts by 3000 ms (a blocking run
    // that starts before the end of an advance finishes, as the board would).
    expect(runs.length).toBe(Math.floor((3000 - 200) / latency) + 1);
    // Ticks due after a run's deadline and before its end never ran: recomputed from the runs' own times.
    const skipped = runs.reduce((n, r) => n + Math.floor((r.end - r.deadline!) / 200), 0);
    const s = sim.runSummary()!;
    expect(s).toMatchObject({ runs: runs.length, withDeadline: runs.length, missed: runs.length, skipped, periods: [200] });
    expect(skipped).toBeGreaterThan(0);
    const html = simulationReport(sim, 'person every 200 ms');
    expect(html).toContain(`<strong>${runs.length} of ${runs.length}</strong> runs ended after their interval's next tick was due (period 200 ms`);
  });

  it('ESP32 (JerryScript): each invoke takes board time too, from assumed figures labelled "not measured"', async () => {
    const sim = await simulate({ app: PERSON, board: 'ESP32_JERRYSCRIPT', trace: TRACE, outDir: join('out', 'test', 'deadline-person-ESP32_JERRYSCRIPT') });
    sim.advance(2500);
    expect(sim.errors).toEqual([]);
    const runs = sim.modelRuns();
    expect(runs.map((r) => r.start)).toEqual([1000, 2000]);
    // 7.16 M MACs at 4 cycles each at 160 MHz is ~179 ms before the element ops.
    expect(runs[0].ms).toBeGreaterThan(179);
    expect(runs[0].ms).toBeLessThan(400);
    expect(sim.events('scores').map((e) => e.t)).toEqual(runs.map((r) => r.end));
    const s = sim.runSummary()!;
    expect(s.measured).toBe(false);
    expect(s.source).toMatch(/^assumed for xtensa-lx6, not measured/);
    const html = simulationReport(sim, 'person on ESP32');
    expect(html).toMatch(/<strong>not measured<\/strong>: assumed for xtensa-lx6/);
    expect(html).toContain('(not measured: assumed cycle figures)');
  });
});
