// The app, built for the board as `tinysense build` does, runs in the simulator on the SYNTHETIC
// accelerometer trace traces/heldout.csv, whose comment lines list the labelled segments; each circle
// and shake must be reported once, soon after it starts, and nothing during idle.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { simulate } from 'tinysense/host';

const BOARD = '__BOARD__';
const TRACE = 'traces/heldout.csv';

/** The "# label start_ms end_ms" lines of the trace. */
function segments(): { label: string; start: number; end: number }[] {
  return [...readFileSync(TRACE, 'utf8').matchAll(/^# (\w+) (\d+) (\d+)$/gm)].map((m) => ({ label: m[1], start: Number(m[2]), end: Number(m[3]) }));
}

it(`recognises each gesture of the trace once, soon after it starts (${BOARD})`, async () => {
  const all = segments();
  const gestures = all.filter((s) => s.label !== 'idle');
  expect(gestures.length).toBeGreaterThan(0);
  const sim = await simulate({ app: '.', board: BOARD, trace: TRACE, outDir: 'out/sim' });
  sim.advance(all[all.length - 1].end + 1000);
  expect(sim.errors).toEqual([]);
  const events = sim.events('gesture');
  expect(events.map((e) => e.value)).toEqual(gestures.map((s) => s.label));
  // A window is 1.28 s and the model runs every 320 ms: each is reported within 1.6 s of its start.
  events.forEach((e, i) => {
    expect(e.t).toBeGreaterThan(gestures[i].start);
    expect(e.t).toBeLessThanOrEqual(gestures[i].start + 1600);
  });
});
