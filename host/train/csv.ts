/**
 * Sensor recordings as CSV: one sample per line, a time column `t` in
 * milliseconds and one column per channel (accelerometer: x, y, z). A header
 * line names the columns; without one, the columns are t, x, y, z.
 */
import { readFileSync } from 'node:fs';

export interface Recording {
  /** Sample times in ms, increasing. */
  t: Float64Array;
  /** Samples row-major: sample i, channel c at [i * channels + c]. */
  samples: Float32Array;
  channels: number;
  path: string;
}

const DEFAULT_COLUMNS = ['t', 'x', 'y', 'z'];

/** Parses CSV text; `channels` names the columns to keep, in order. */
export function parseRecording(text: string, channels: readonly string[], path = '(csv)'): Recording {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  if (lines.length === 0) throw new Error(`${path}: no samples`);
  const first = lines[0].split(',').map((c) => c.trim().toLowerCase());
  const hasHeader = first.some((c) => c !== '' && Number.isNaN(Number(c)));
  const header = hasHeader ? first : DEFAULT_COLUMNS;
  const timeColumn = header.indexOf('t');
  if (timeColumn < 0) throw new Error(`${path}: no 't' column (header: ${header.join(',')})`);
  const columns = channels.map((name) => {
    const at = header.indexOf(name.toLowerCase());
    if (at < 0) throw new Error(`${path}: no '${name}' column (header: ${header.join(',')})`);
    return at;
  });
  const rows = hasHeader ? lines.slice(1) : lines;
  const t = new Float64Array(rows.length);
  const samples = new Float32Array(rows.length * columns.length);
  rows.forEach((line, i) => {
    const cells = line.split(',');
    const value = (column: number) => {
      const v = Number(cells[column]);
      if (cells[column] === undefined || cells[column].trim() === '' || !Number.isFinite(v)) {
        throw new Error(`${path}: line ${i + (hasHeader ? 2 : 1)}: column ${header[column] ?? column} is not a number`);
      }
      return v;
    };
    t[i] = value(timeColumn);
    if (i > 0 && !(t[i] > t[i - 1])) throw new Error(`${path}: line ${i + (hasHeader ? 2 : 1)}: time ${t[i]} does not increase`);
    columns.forEach((column, c) => (samples[i * columns.length + c] = value(column)));
  });
  return { t, samples, channels: columns.length, path };
}

export function readRecording(path: string, channels: readonly string[]): Recording {
  return parseRecording(readFileSync(path, 'utf8'), channels, path);
}

/** Linear interpolation onto a uniform grid at `hz`, starting at the first sample. */
export function resample(recording: Recording, hz: number): Recording {
  if (!(hz > 0)) throw new Error(`resample rate ${hz} Hz is not positive`);
  const { t, samples, channels } = recording;
  const step = 1000 / hz;
  const count = t.length === 0 ? 0 : Math.floor((t[t.length - 1] - t[0]) / step) + 1;
  const outT = new Float64Array(count);
  const out = new Float32Array(count * channels);
  let j = 0;
  for (let i = 0; i < count; i++) {
    const at = t[0] + i * step;
    while (j < t.length - 2 && t[j + 1] < at) j++;
    const span = t.length > 1 ? t[j + 1] - t[j] : 1;
    const f = t.length > 1 ? Math.min(1, Math.max(0, (at - t[j]) / span)) : 0;
    outT[i] = at;
    for (let c = 0; c < channels; c++) {
      const a = samples[j * channels + c];
      const b = t.length > 1 ? samples[(j + 1) * channels + c] : a;
      out[i * channels + c] = a + (b - a) * f;
    }
  }
  return { t: outT, samples: out, channels, path: recording.path };
}

/** Formats samples as CSV with a header (the synthetic generator writes recordings with it). */
export function formatRecording(t: ArrayLike<number>, samples: ArrayLike<number>, channelNames: readonly string[]): string {
  const lines = [['t', ...channelNames].join(',')];
  const channels = channelNames.length;
  for (let i = 0; i < t.length; i++) {
    const row = [String(Math.round(t[i]))];
    for (let c = 0; c < channels; c++) row.push(Number(samples[i * channels + c]).toFixed(4));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
