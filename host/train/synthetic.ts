/**
 * SYNTHETIC accelerometer data: three made-up gestures from a seeded
 * generator, for tests, docs and trying the pipeline without a device. It is
 * not recorded data and says nothing about real gestures.
 *
 * Every recording is a device lying roughly flat (gravity ~1 g on z, a small
 * random tilt) sampled at `sampleRateHz` with +-2 ms timestamp jitter and
 * Gaussian sensor noise (sigma 0.05 g), plus the gesture:
 *   idle   nothing more;
 *   shake  a fast back-and-forth on x: 4-7 Hz, amplitude 0.6-1.2 g;
 *   circle a slow circle in the x-y plane: 0.8-1.6 Hz, amplitude 0.4-0.9 g.
 * Frequency, amplitude and phase are drawn per recording.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRecording } from './csv.js';
import { normal, seededRandom } from './random.js';

export const SYNTHETIC_GESTURES = ['circle', 'idle', 'shake'] as const;
export type SyntheticGesture = (typeof SYNTHETIC_GESTURES)[number];

export interface SyntheticOptions {
  seed?: number;
  recordingsPerClass?: number;
  durationMs?: number;
  sampleRateHz?: number;
  noise?: number;
}

export interface SyntheticRecording {
  label: SyntheticGesture;
  /** ms */
  t: Float64Array;
  /** [sample][x, y, z] */
  samples: Float32Array;
}

function uniform(random: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}

export function generateSyntheticGestures(options: SyntheticOptions = {}): SyntheticRecording[] {
  const random = seededRandom(options.seed ?? 1);
  const perClass = options.recordingsPerClass ?? 8;
  const rate = options.sampleRateHz ?? 50;
  const count = Math.floor(((options.durationMs ?? 4000) * rate) / 1000);
  const noise = options.noise ?? 0.05;
  const out: SyntheticRecording[] = [];
  for (const label of SYNTHETIC_GESTURES) {
    for (let r = 0; r < perClass; r++) {
      const tiltX = uniform(random, -0.1, 0.1);
      const tiltY = uniform(random, -0.1, 0.1);
      const frequency = label === 'shake' ? uniform(random, 4, 7) : uniform(random, 0.8, 1.6);
      const amplitude = label === 'shake' ? uniform(random, 0.6, 1.2) : uniform(random, 0.4, 0.9);
      const phase = uniform(random, 0, 2 * Math.PI);
      const t = new Float64Array(count);
      const samples = new Float32Array(count * 3);
      for (let i = 0; i < count; i++) {
        t[i] = Math.round((i * 1000) / rate + uniform(random, -2, 2)) + 2; // +2 keeps t[0] >= 0
        const seconds = t[i] / 1000;
        const angle = 2 * Math.PI * frequency * seconds + phase;
        let [x, y] = [tiltX, tiltY];
        if (label === 'shake') x += amplitude * Math.sin(angle);
        if (label === 'circle') {
          x += amplitude * Math.cos(angle);
          y += amplitude * Math.sin(angle);
        }
        samples[i * 3] = x + noise * normal(random);
        samples[i * 3 + 1] = y + noise * normal(random);
        samples[i * 3 + 2] = 1 + noise * normal(random);
      }
      out.push({ label, t, samples });
    }
  }
  return out;
}

/** Writes recordings as `<dir>/<label>/<label>_<n>.csv`; returns the file paths. */
export function writeSyntheticGestures(dir: string, options: SyntheticOptions = {}): string[] {
  const counters = new Map<string, number>();
  return generateSyntheticGestures(options).map((r) => {
    const n = (counters.get(r.label) ?? 0) + 1;
    counters.set(r.label, n);
    const folder = join(dir, r.label);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${r.label}_${String(n).padStart(2, '0')}.csv`);
    // Marked as made up: a comment line, which the training and trace CSV readers skip.
    const mark = `# synthetic: a made-up "${r.label}" gesture (tinysense synth, seed ${options.seed ?? 1}), not a sensor recording\n`;
    writeFileSync(path, mark + formatRecording(r.t, r.samples, ['x', 'y', 'z']));
    return path;
  });
}
