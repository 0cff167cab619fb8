// The streaming keyword spotter (device/audio.ts) on the WebAssembly kernels: audio pushed in chunks of any
// size gives TFLM's features and scores byte for byte, and a spoken stream is decided as TFLM's
// RecognizeCommands decides it.
import { describe, expect, it } from 'vitest';
import { createKeywordSpotter, KeywordDetection, KeywordSpotterOptions } from '../../device/audio.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, instantiate } from '../../host/model.js';
import { concatSamples, firstDifference, recording, sharedBytes, speechSpan } from '../shared.js';

const LABELS = ['silence', 'unknown', 'yes', 'no'];
const WORDS = ['yes', 'no', 'silence', 'noise'];

const frontEndPack = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
const classifierPack = compileTflite(sharedBytes('micro_speech', 'micro_speech_quantized_int8.tflite')).pack;

function models(): { frontEnd: Model; classifier: Model } {
  return { frontEnd: instantiate(frontEndPack), classifier: instantiate(classifierPack) };
}

/** Pushes `audio` in chunks cycling through `sizes`; returns every detection reported through onKeyword. */
function run(audio: Int16Array, sizes: number[], options: Partial<KeywordSpotterOptions> = {}, m = models()) {
  const heard: KeywordDetection[] = [];
  const spotter = createKeywordSpotter({ ...m, labels: LABELS, onKeyword: (d) => heard.push(d), ...options });
  const returned: KeywordDetection[] = [];
  for (let at = 0, k = 0; at < audio.length; k++) {
    const n = Math.min(sizes[k % sizes.length], audio.length - at);
    const d = spotter.push(audio.subarray(at, at + n));
    if (d) returned.push(d);
    at += n;
  }
  return { heard, returned, spotter };
}

// The stream: silence, yes, silence, no, silence (1 s each, the shared recordings).
const SEGMENTS = ['silence', 'yes', 'silence', 'no', 'silence'];
const stream = concatSamples(SEGMENTS.map(recording));

const ODD = [1, 7, 159, 321, 479, 481, 1001, 13, 3];

describe('streaming keyword spotter', () => {
  for (const word of WORDS) {
    it(`${word}: 1 s pushed in odd chunks gives TFLM's 49 feature frames and golden scores`, () => {
      const m = models();
      const { spotter } = run(recording(word), ODD, {}, m);
      expect(spotter.frames).toBe(49);
      expect(spotter.inferences).toBe(1);
      const features = new Uint8Array(spotter.features.buffer, spotter.features.byteOffset, spotter.features.length);
      expect(firstDifference(features, sharedBytes('testdata', `${word}_features_49x40_int8.bin`))).toBe('equal');
      const scores = m.classifier.output(0);
      const got = new Uint8Array(scores.buffer, scores.byteOffset, scores.byteLength);
      expect(firstDifference(got, sharedBytes('golden', 'micro_speech', `${word}_scores_int8.bin`))).toBe('equal');
    });
  }

  it('silence, yes, silence, no, silence: hears "yes" then "no" at the right times and nothing else', () => {
    const { heard, returned, spotter } = run(stream, ODD);
    // 5 s = 80000 samples: frames k = 0..248 (window k ends at 320k + 480), classifier from frame 48 on.
    expect(spotter.frames).toBe(249);
    expect(spotter.inferences).toBe(249 - 48);
    expect(heard.map((d) => d.label)).toEqual(['yes', 'no']);
    expect(returned).toEqual(heard);
    const [yes, no] = heard;
    // A result's time is the end of its newest window: 20k + 30 ms.
    for (const d of heard) expect((d.timeMs - 30) % 20).toBe(0);
    // Tolerance: a detection must come after the whole word has been heard (its end, from the envelope)
    // and before the word has left the classifier's view (49 frames = 990 ms of audio, so word start +
    // 990 ms + one 20 ms hop of slack). The means over averageWindowMs must pass 200/255, so it cannot be
    // early; once the word is out of view the new results stop voting for it, so it cannot be much later.
    const yesWord = speechSpan(recording('yes'));
    const noWord = speechSpan(recording('no'));
    expect(yes.timeMs).toBeGreaterThanOrEqual(1000 + yesWord.end);
    expect(yes.timeMs).toBeLessThanOrEqual(1000 + yesWord.start + 1010);
    expect(no.timeMs).toBeGreaterThanOrEqual(3000 + noWord.end);
    expect(no.timeMs).toBeLessThanOrEqual(3000 + noWord.start + 1010);
    expect(yes.score).toBeGreaterThan(200);
    expect(no.score).toBeGreaterThan(200);
    // What this implementation gives (regression values, not TFLM goldens): yes at 2410 ms, no at 3910 ms.
    expect([yes.timeMs, no.timeMs]).toEqual([2410, 3910]);
  });

  it('chunk size does not change features, scores or decisions', () => {
    const reference = run(stream, [stream.length]);
    expect(reference.heard.map((d) => d.label)).toEqual(['yes', 'no']);
    for (const sizes of [[1], [160], [319, 1], [320], [480], [481], [1000, 7], [4096], ODD]) {
      const { heard, spotter } = run(stream, sizes);
      expect(heard, `chunks ${sizes}`).toEqual(reference.heard);
      expect(Array.from(spotter.features), `chunks ${sizes}`).toEqual(Array.from(reference.spotter.features));
      expect([spotter.lastIndex, spotter.lastScore, spotter.lastTimeMs]).toEqual([
        reference.spotter.lastIndex,
        reference.spotter.lastScore,
        reference.spotter.lastTimeMs,
      ]);
    }
  });

  it('reset() gives the same results again; nowMs sets the time base', () => {
    const m = models();
    const first = run(stream, ODD, {}, m);
    const heard: KeywordDetection[] = [];
    const spotter = createKeywordSpotter({ ...m, labels: LABELS, onKeyword: (d) => heard.push(d) });
    spotter.push(recording('noise'));
    spotter.reset();
    // 1600-sample chunks (100 ms) timestamped with their end time, starting at 10 s.
    for (let at = 0; at < stream.length; at += 1600) spotter.push(stream.subarray(at, at + 1600), 10_000 + (at + 1600) / 16);
    expect(heard).toEqual(first.heard.map((d) => ({ ...d, timeMs: d.timeMs + 10_000 })));
  });

  it('a throwing onKeyword leaves the spotter sound: the stream goes on as if nothing happened', () => {
    const reference = run(stream, ODD);
    const heard: KeywordDetection[] = [];
    let thrown = 0;
    const spotter = createKeywordSpotter({
      ...models(),
      labels: LABELS,
      onKeyword: (d) => {
        heard.push(d);
        if (heard.length === 1) throw new Error('app bug');
      },
    });
    // One sample at a time: a frame runs at the end of a chunk, so the throw loses no audio.
    for (let at = 0; at < stream.length; at++) {
      try {
        spotter.push(stream.subarray(at, at + 1));
      } catch {
        thrown++;
      }
    }
    expect(thrown).toBe(1);
    expect(heard).toEqual(reference.heard);
  });

  it('strideFrames runs the classifier every n frames', () => {
    const { spotter } = run(stream, ODD, { strideFrames: 3 });
    expect(spotter.inferences).toBe(Math.floor((249 - 49) / 3) + 1);
  });

  it('RecognizeCommands rules: minimum count and span, threshold, suppression, silence, queue capacity', () => {
    // Stand-in models: the front end's features do not matter; the classifier answers `scores(n)` for its
    // n-th run (n = 0 at frame 48, time 990 ms; each later frame +20 ms). Drives the decision logic alone.
    function spot(scores: (n: number) => number[], options: Partial<KeywordSpotterOptions> = {}, seconds = 6) {
      const frontEnd = fake(480 * 2, 'int16', 40, () => undefined);
      let n = 0;
      const classifier = fake(1960, 'int8', 4, (out) => out.set(scores(n++)));
      const heard: KeywordDetection[] = [];
      const results: number[][] = [];
      const spotter = createKeywordSpotter({ frontEnd, classifier, labels: LABELS, onKeyword: (d) => heard.push(d), ...options });
      for (let at = 0; at < 16 * 1000 * seconds; at += 320) {
        const before = spotter.inferences;
        spotter.push(new Int16Array(320));
        if (spotter.inferences > before) results.push([spotter.lastTimeMs, spotter.lastIndex, spotter.lastScore]);
      }
      return { heard: heard.map((d) => [d.label, d.timeMs - 990, d.score]), results };
    }
    const YES = [-128, -128, 127, -128];
    const SILENCE = [127, -128, -128, -128];
    // Constant "yes": no decision (score 0) until 3 results spanning >= 250 ms (the 14th result, +260 ms);
    // then "yes", suppressed for 1500 ms after each detection (strictly more: +1780, not +1760).
    const yes = spot(() => YES, {}, 4);
    expect(yes.results[12]).toEqual([990 + 240, 0, 0]);
    expect(yes.results[13]).toEqual([990 + 260, 2, 255]);
    expect(yes.heard).toEqual([['yes', 260, 255], ['yes', 1780, 255]]);
    // minimumCount dominates when larger than the span rule; threshold is strict (255 never passes).
    expect(spot(() => YES, { minimumCount: 20 }, 2).heard[0]).toEqual(['yes', 380, 255]);
    expect(spot(() => YES, { detectionThreshold: 255 }).heard).toEqual([]);
    // Silence is decided like any label but not reported, and it never suppresses: reported, it fires on
    // every result.
    expect(spot(() => SILENCE, {}, 2).heard).toEqual([]);
    const silence = spot(() => SILENCE, { reportSilence: true }, 2);
    expect(silence.heard.length).toBe(silence.results.length - 13);
    // A different label is never suppressed; after silence the same label fires again at once.
    const flip = spot((n) => (n < 30 ? YES : n < 60 ? SILENCE : YES), { averageWindowMs: 100, minimumCount: 1 }, 3);
    expect(flip.heard.map((d) => d[0])).toEqual(['yes', 'yes']);
    // TFLM's queue holds 50 results: the 51st and 52nd (1000 and 1020 ms after the first) are dropped,
    // so a zero score there does not lower the mean; with room for 100 it does.
    const dip = (n: number) => (n === 50 ? [-128, -128, -128, -128] : YES);
    expect(spot(dip, {}, 3).results[50]).toEqual([990 + 1000, 2, 255]);
    expect(spot(dip, { maxResults: 100 }, 3).results[50]).toEqual([990 + 1000, 2, Math.floor((50 * 255) / 51)]);
  });
});

function fake(inBytes: number, inType: 'int8' | 'int16', outBytes: number, invoke: (out: Int8Array) => void): Model {
  const input = inType === 'int16' ? new Int16Array(inBytes / 2) : new Int8Array(inBytes);
  const output = new Int8Array(outBytes);
  const tensor = (type: string, bytes: number) => ({ type, bytes, shape: [bytes], offset: 0, inPack: false, scale: 1, zeroPoint: 0 });
  return {
    layout: { inputs: [tensor(inType, inBytes)], outputs: [tensor('int8', outBytes)] },
    input: () => input,
    output: () => output,
    invoke: () => invoke(output),
  } as unknown as Model;
}
