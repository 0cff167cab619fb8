/**
 * The held-out simulator trace, traces/heldout.csv: SYNTHETIC gestures from
 * the documented seeded generator (host/train/synthetic.ts) with a seed the
 * model never saw in training (HELDOUT_SEED; training uses seed 1), cut to the
 * lengths in SCHEDULE and laid end to end on the Bangle's 40 ms poll grid,
 * with idle between the gestures. The schedule (label, start and end in ms)
 * is written into the CSV as comment lines, so the file says what is in it.
 *
 * gesture.test.ts checks that the committed file is exactly what this gives;
 * to rewrite it: TINYSENSE_WRITE_TRACE=1 npx vitest run examples/gesture
 */
import { generateSyntheticGestures } from 'tinysense/host';

export const HELDOUT_SEED = 7;
/** The app's poll interval: one trace row per accelerometer event. */
export const TRACE_STEP_MS = 40;

export type Label = 'circle' | 'idle' | 'shake';

/** Segments in order: label and length in ms. */
export const SCHEDULE: readonly { label: Label; ms: number }[] = [
  { label: 'idle', ms: 2000 },
  { label: 'circle', ms: 2400 },
  { label: 'idle', ms: 2400 },
  { label: 'shake', ms: 1600 },
  { label: 'idle', ms: 2400 },
  { label: 'circle', ms: 2400 },
  { label: 'idle', ms: 2400 },
  { label: 'shake', ms: 1600 },
  { label: 'idle', ms: 2400 },
];

export interface Segment {
  label: Label;
  /** ms, inclusive */
  start: number;
  /** ms, exclusive */
  end: number;
}

export interface HeldOutTrace {
  csv: string;
  segments: Segment[];
  durationMs: number;
}

export function heldOutTrace(): HeldOutTrace {
  const longest = Math.max(...SCHEDULE.map((s) => s.ms));
  const perClass = Math.max(...(['circle', 'idle', 'shake'] as const).map((l) => SCHEDULE.filter((s) => s.label === l).length));
  // 25 Hz recordings, one per segment: every segment has its own tilt, frequency, amplitude and phase.
  const recordings = generateSyntheticGestures({ seed: HELDOUT_SEED, recordingsPerClass: perClass, durationMs: longest, sampleRateHz: 1000 / TRACE_STEP_MS });
  const used: Record<Label, number> = { circle: 0, idle: 0, shake: 0 };
  const segments: Segment[] = [];
  const rows: string[] = [];
  let t = 0;
  for (const { label, ms } of SCHEDULE) {
    const recording = recordings.filter((r) => r.label === label)[used[label]++];
    segments.push({ label, start: t, end: t + ms });
    // The generator's samples are taken at its jittered times; here they sit on the poll grid.
    for (let i = 0; i < ms / TRACE_STEP_MS; i++, t += TRACE_STEP_MS) {
      const s = recording.samples;
      rows.push(`${t},${s[i * 3].toFixed(3)},${s[i * 3 + 1].toFixed(3)},${s[i * 3 + 2].toFixed(3)}`);
    }
  }
  const header = [
    `# SYNTHETIC accelerometer trace (not recorded data): tinysense's seeded gesture generator, seed ${HELDOUT_SEED}, ${1000 / TRACE_STEP_MS} Hz`,
    '# made by examples/gesture/heldout.ts; segments (label start_ms end_ms):',
    ...segments.map((s) => `# ${s.label} ${s.start} ${s.end}`),
    't,x,y,z',
  ];
  return { csv: [...header, ...rows].join('\n') + '\n', segments, durationMs: t };
}
