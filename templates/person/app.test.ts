// The app, built for the board as `tinysense build` does, runs in the simulator on the camera frames of
// traces/hall.json: once a second it captures a frame, runs the model and reports the scores; it must
// report a person exactly for the captures that saw the frame with the person in it.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { simulate } from 'tinysense/host';

const BOARD = '__BOARD__';
const TRACE = 'traces/hall.json';

/** The frame file the camera shows at time t (the last one that started at or before t). */
function frameAt(t: number): string {
  const frames = (JSON.parse(readFileSync(TRACE, 'utf8')) as { frames: { t: number; file: string }[] }).frames;
  return frames.filter((f) => f.t <= t).pop()!.file;
}

it(`reports a person while one is in the frame, and only then (${BOARD})`, async () => {
  const sim = await simulate({ app: '.', board: BOARD, trace: TRACE, outDir: 'out/sim' });
  sim.advance(6500);
  expect(sim.errors).toEqual([]);
  const scores = sim.events('scores');
  // One capture a second from t = 1000 ms; the scores come once the model has run (its estimated time
  // on the board, well under the period).
  const captures = scores.map((e) => Math.floor(e.t / 1000) * 1000);
  expect(captures).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
  const withPerson = captures.filter((t) => /(^|\/)person_/.test(frameAt(t)));
  expect(withPerson.length).toBeGreaterThan(0);
  expect(sim.events('person').map((e) => Math.floor(e.t / 1000) * 1000)).toEqual(withPerson);
  // Each score pair is [no person, person] in int8.
  for (const e of scores) {
    const [noPerson, person] = e.value as number[];
    expect(Number.isInteger(noPerson) && Number.isInteger(person)).toBe(true);
  }
});
