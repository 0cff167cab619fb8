// The audio front end through the JerryScript glue: TFLM's micro_speech audio preprocessor, compiled like
// any model, runs frame by frame through tinysense.invoke (the C glue on fake_jerry.c, so every record
// passes ts_check_record first, as on a real firmware) with the real kernels, on TFLM's four test
// recordings, and must give TFLM's features byte for byte. Until the C check knew op codes 20-30, every
// record of this pack threw "unknown op code 20" on a firmware; nothing ran it through the glue.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePack } from '../../device/validate.js';
import { compileTflite } from '../../host/model.js';
import { firstDifference, sharedBytes } from '../shared.js';
import { buildHarness, crc, run } from './glue-harness.js';

const WORDS = ['yes', 'no', 'silence', 'noise'];
const FRAMES = 49;
const CHANNELS = 40;
const WINDOW = 480;
const STRIDE = 320;

const work = mkdtempSync(join(tmpdir(), 'tinysense-jerry-signal-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('JerryScript glue: the audio front end (real kernels)', () => {
  const real = buildHarness(work, true);

  it('yes, no, silence, noise: 49 frames x 40 features through tinysense.invoke equal TFLM\'s, byte for byte', (ctx) => {
    if (!real.exe) {
      ctx.skip(real.why);
      return;
    }
    const pack = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
    const layout = validatePack(pack, (from, length) => crc(pack.subarray(from, from + length)));
    expect(layout.inputs[0].bytes).toBe(2 * WINDOW);
    expect(layout.outputs[0].bytes).toBe(CHANNELS);
    expect(layout.state).toBeDefined();
    // Window k of a recording is samples [320k, 320k + 480) (test/models/audio-frontend.test.ts); the state
    // region is zeroed before each recording, as resetState() does.
    const frames: Uint8Array[] = [];
    for (const word of WORDS) {
      const pcm = sharedBytes('testdata', `${word}_1000ms_s16le.raw`);
      for (let k = 0; k < FRAMES; k++) frames.push(pcm.subarray(2 * STRIDE * k, 2 * (STRIDE * k + WINDOW)));
    }
    const packPath = join(work, 'audio.tsm');
    const inputs = join(work, 'audio-frames.bin');
    const outputs = join(work, 'audio-features.bin');
    writeFileSync(packPath, pack);
    writeFileSync(inputs, Buffer.concat(frames));
    const r = run(real.exe, ['stream', packPath, String(FRAMES), inputs, outputs]);
    expect(r.out).toContain(`stream: ${WORDS.length * FRAMES} frames x ${layout.records.length} ops, arenas identical`);
    expect(r.status).toBe(0);
    const features = new Uint8Array(readFileSync(outputs));
    WORDS.forEach((word, w) => {
      const got = features.subarray(w * FRAMES * CHANNELS, (w + 1) * FRAMES * CHANNELS);
      expect(firstDifference(got, sharedBytes('testdata', `${word}_features_49x40_int8.bin`)), word).toBe('equal');
    });
  });
});
