// The app, built for the board as `tinysense build` does, listens in the simulator to the recording
// traces/yes-no.json assembles (one-second parts: silence, "yes", silence, "no", silence) and must report
// each spoken word once, while it is in the classifier's one-second view.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { simulate } from 'tinysense/host';

const BOARD = '__BOARD__';
const TRACE = 'traces/yes-no.json';

/** The words the trace speaks and where each part starts (ms): every part is one second of 16 kHz audio. */
function spokenWords(): { word: string; startMs: number }[] {
  const parts = (JSON.parse(readFileSync(TRACE, 'utf8')) as { parts: { file: string }[] }).parts;
  return parts
    .map((p, i) => ({ word: /(?:^|\/)(yes|no)_/.exec(p.file)?.[1], startMs: 1000 * i }))
    .filter((w): w is { word: string; startMs: number } => w.word !== undefined);
}

it(`hears "yes" and "no" where they are spoken (${BOARD})`, async () => {
  const sim = await simulate({ app: '.', board: BOARD, trace: TRACE, outDir: 'out/sim' });
  sim.advance(6000);
  expect(sim.errors).toEqual([]);
  const heard = sim.events('keyword').map((e) => e.value as { word: string; score: number; audioMs: number });
  const spoken = spokenWords();
  expect(heard.map((h) => h.word)).toEqual(spoken.map((w) => w.word));
  heard.forEach((h, i) => {
    // Within the word's second of audio plus the classifier's one-second window.
    expect(h.audioMs).toBeGreaterThan(spoken[i].startMs);
    expect(h.audioMs).toBeLessThanOrEqual(spoken[i].startMs + 2010);
    expect(h.score).toBeGreaterThanOrEqual(200);
  });
});
