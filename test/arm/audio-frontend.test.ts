// The audio preprocessor (TFLM signal ops) on the Cortex-M4 blob under qemu-arm and qemu-system-arm:
// the 49 windows of each recording go through one harness run (one arena: the noise-estimate state
// carries from window to window, as on a device; a fresh run is a fresh state) and must give TFLM's
// features byte for byte.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTflite } from '../../host/model.js';
import { firstDifference, sharedBytes } from '../shared.js';
import { Blob, buildHarnesses, buildPrivateBlob, requireTools, runQemuArm, runQemuM4 } from './arm.js';

function windows(word: string): Uint8Array {
  const pcm = sharedBytes('testdata', `${word}_1000ms_s16le.raw`);
  const out = new Uint8Array(49 * 960);
  for (let k = 0; k < 49; k++) out.set(pcm.subarray(640 * k, 640 * k + 960), 960 * k);
  return out;
}

describe('audio preprocessor on the Cortex-M4 blob matches TFLM byte for byte', () => {
  let blob: Blob;
  let harnesses: { linux: string; m4: string };
  const pack = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
  beforeAll(() => {
    requireTools();
    blob = buildPrivateBlob();
    harnesses = buildHarnesses();
  });
  afterAll(() => {
    if (blob) rmSync(blob.dir, { recursive: true, force: true });
  });

  for (const word of ['yes', 'no', 'silence', 'noise']) {
    it(`qemu-arm: ${word}, 49 frames`, () => {
      const run = runQemuArm(harnesses.linux, blob, pack, [windows(word)]);
      expect(firstDifference(run.output, sharedBytes('testdata', `${word}_features_49x40_int8.bin`)), run.stdout).toBe('equal');
    }, 120_000);
  }

  it('qemu-system-arm (mps2-an386, Cortex-M4): yes, 49 frames', () => {
    const run = runQemuM4(harnesses.m4, blob, pack, [windows('yes')]);
    expect(firstDifference(run.output, sharedBytes('testdata', 'yes_features_49x40_int8.bin')), run.stdout).toBe('equal');
  }, 300_000);
});
