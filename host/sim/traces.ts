/**
 * Recorded sensor traces the simulator replays. Formats (docs/traces.md):
 *
 * - Accelerometer / scalar sensors: CSV with a header row. Column `t` is the
 *   time in milliseconds from the start; the other columns are the sensor's
 *   channels (for the accelerometer `x,y,z` in g). Lines starting with # are
 *   comments.
 * - Camera frames: JSON `{ "width", "height", "format": "gray8" | "int8",
 *   "frames": [{ "t": ms, "file": "relative/path.bin" }] }`, each file the raw
 *   frame (width x height bytes), or a folder of `.bin`/`.pgm` files taken in
 *   name order one per `intervalMs` (default 1000) with `frame.json` absent.
 * - Audio: 16-bit PCM mono WAV, or an audio playlist JSON `{ "format": "audio",
 *   "sampleRate", "parts": [{ "file": "a.wav" | "a.raw" }, { "silenceMs": 500 }] }`
 *   assembling one recording from pieces (.raw: signed 16-bit little-endian at
 *   the playlist's rate).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

export interface ScalarTrace {
  kind: 'scalar';
  columns: string[];
  /** Time (ms) of each sample, ascending. */
  t: number[];
  /** values[i][c]: sample i, channel c. */
  values: number[][];
}

export interface Frame {
  t: number;
  /** Raw gray8 bytes (int8 frames are stored shifted by 128 so every trace is gray8). */
  pixels: Uint8Array;
  source: string;
}

export interface FrameTrace {
  kind: 'frames';
  width: number;
  height: number;
  frames: Frame[];
}

export interface AudioTrace {
  kind: 'audio';
  sampleRate: number;
  samples: Int16Array;
}

export type Trace = ScalarTrace | FrameTrace | AudioTrace;

export class TraceError extends Error {}

export function parseCsvTrace(text: string, source = 'trace'): ScalarTrace {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length < 1) throw new TraceError(`${source}: empty CSV trace`);
  const columns = lines[0].split(',').map((c) => c.trim());
  const tIndex = columns.indexOf('t');
  if (tIndex < 0) throw new TraceError(`${source}: the header needs a 't' column (milliseconds), found ${columns.join(',')}`);
  const channels = columns.filter((_, i) => i !== tIndex);
  const t: number[] = [];
  const values: number[][] = [];
  lines.slice(1).forEach((line, row) => {
    const cells = line.split(',').map(Number);
    if (cells.length !== columns.length || cells.some((c) => !Number.isFinite(c))) {
      throw new TraceError(`${source}: line ${row + 2} has ${cells.length} cells or a non-number, expected ${columns.length} numbers`);
    }
    const time = cells[tIndex];
    if (t.length && time < t[t.length - 1]) throw new TraceError(`${source}: line ${row + 2} goes back in time`);
    t.push(time);
    values.push(cells.filter((_, i) => i !== tIndex));
  });
  return { kind: 'scalar', columns: channels, t, values };
}

/** The last sample at or before `time` (sample-and-hold, as a sensor register would read). */
export function sampleAt(trace: ScalarTrace, time: number): number[] | undefined {
  let lo = 0;
  let hi = trace.t.length - 1;
  if (hi < 0 || time < trace.t[0]) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (trace.t[mid] <= time) lo = mid;
    else hi = mid - 1;
  }
  return trace.values[lo];
}

function readFrame(path: string, width: number, height: number, format: string): Uint8Array {
  let bytes = new Uint8Array(readFileSync(path));
  if (extname(path) === '.pgm') {
    // Binary PGM (P5): header "P5 w h maxval" then bytes.
    const header = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
    const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
    if (!m) throw new TraceError(`${path}: not a binary PGM (P5) file`);
    bytes = bytes.subarray(m[0].length);
  } else if (format === 'int8') {
    bytes = bytes.map((b) => (b + 128) & 0xff);
  }
  if (bytes.length !== width * height) throw new TraceError(`${path}: ${bytes.length} bytes, expected ${width}x${height}`);
  return bytes;
}

export function loadFrameTrace(path: string): FrameTrace {
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path).filter((f) => f.endsWith('.bin') || f.endsWith('.pgm')).sort();
    const spec = { width: 96, height: 96, intervalMs: 1000, format: 'gray8' };
    const frames = files.map((f, i) => ({ t: i * spec.intervalMs, pixels: readFrame(join(path, f), spec.width, spec.height, spec.format), source: f }));
    return { kind: 'frames', width: spec.width, height: spec.height, frames };
  }
  const spec = readJson(path) as unknown as { width: number; height: number; format?: string; frames: { t: number; file: string }[] };
  if (!Number.isInteger(spec.width) || !Number.isInteger(spec.height) || !Array.isArray(spec.frames)) {
    throw new TraceError(`${path}: a frame trace needs width, height and frames`);
  }
  const base = dirname(path);
  const frames = spec.frames.map((f) => ({ t: f.t, pixels: readFrame(resolve(base, f.file), spec.width, spec.height, spec.format ?? 'gray8'), source: f.file }));
  return { kind: 'frames', width: spec.width, height: spec.height, frames };
}

export function parseWav(bytes: Uint8Array, source = 'audio'): AudioTrace {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => Buffer.from(bytes.subarray(at, at + 4)).toString('latin1');
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new TraceError(`${source}: not a WAV file`);
  let at = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') {
      const format = view.getUint16(at + 8, true);
      channels = view.getUint16(at + 10, true);
      sampleRate = view.getUint32(at + 12, true);
      bits = view.getUint16(at + 22, true);
      if (format !== 1 || bits !== 16 || channels !== 1) throw new TraceError(`${source}: only 16-bit PCM mono WAV is supported`);
    } else if (id === 'data') {
      if (!sampleRate) throw new TraceError(`${source}: data before fmt chunk`);
      const end = Math.min(bytes.length, at + 8 + size);
      const samples = new Int16Array(Math.floor((end - at - 8) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(at + 8 + 2 * i, true);
      return { kind: 'audio', sampleRate, samples };
    }
    at += 8 + size + (size & 1);
  }
  throw new TraceError(`${source}: no data chunk`);
}

/** A 16-bit PCM mono WAV file (the canonical 44-byte header, then the samples little-endian). */
export function writeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(44 + 2 * samples.length);
  const view = new DataView(bytes.buffer);
  const tag = (at: number, text: string) => bytes.set(Buffer.from(text, 'latin1'), at);
  tag(0, 'RIFF');
  view.setUint32(4, 36 + 2 * samples.length, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, 2 * sampleRate, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per frame
  view.setUint16(34, 16, true); // bits per sample
  tag(36, 'data');
  view.setUint32(40, 2 * samples.length, true);
  samples.forEach((v, i) => view.setInt16(44 + 2 * i, v, true));
  return bytes;
}

/** One part of an audio playlist: a recording, or digital silence. */
export type AudioPart = { file: string } | { silenceMs: number };

export interface AudioPlaylist {
  format: 'audio';
  sampleRate: number;
  parts: AudioPart[];
}

/**
 * An audio playlist (a .json with "format": "audio"): its parts in order as one
 * recording, so a trace can reuse recordings kept elsewhere instead of copies.
 * File paths are relative to the playlist.
 */
export function loadAudioPlaylist(path: string): AudioTrace {
  return audioFromPlaylist(readJson(path), path);
}

function audioFromPlaylist(spec: Record<string, unknown>, path: string): AudioTrace {
  const rate = spec.sampleRate;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate <= 0) throw new TraceError(`${path}: sampleRate must be a positive integer (Hz), found ${JSON.stringify(rate)}`);
  if (!Array.isArray(spec.parts) || spec.parts.length === 0) throw new TraceError(`${path}: parts is empty; list { "file": ... } or { "silenceMs": ... } parts`);
  const pieces = spec.parts.map((part: unknown, i) => {
    const where = `${path}: part ${i + 1}`;
    if (part && typeof part === 'object' && 'silenceMs' in part) {
      const ms = part.silenceMs;
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) throw new TraceError(`${where}: silenceMs must be a whole number of ms >= 0, found ${JSON.stringify(ms)}`);
      return new Int16Array(Math.round((ms * rate) / 1000));
    }
    if (part && typeof part === 'object' && 'file' in part && typeof part.file === 'string') {
      const file = resolve(dirname(path), part.file);
      if (!existsSync(file)) throw new TraceError(`${where}: ${file} does not exist`);
      const bytes = new Uint8Array(readFileSync(file));
      switch (extname(file).toLowerCase()) {
        case '.raw':
          if (bytes.length % 2) throw new TraceError(`${where}: ${file} has ${bytes.length} bytes, not a whole number of 16-bit samples`);
          return pcm16(bytes);
        case '.wav': {
          const wav = parseWav(bytes, file);
          if (wav.sampleRate !== rate) throw new TraceError(`${where}: ${file} is recorded at ${wav.sampleRate} Hz, the playlist is at ${rate} Hz`);
          return wav.samples;
        }
        default:
          throw new TraceError(`${where}: ${file} is neither .wav nor .raw (signed 16-bit little-endian)`);
      }
    }
    throw new TraceError(`${where}: expected { "file": "path.wav" | "path.raw" } or { "silenceMs": ms }, found ${JSON.stringify(part)}`);
  });
  const samples = new Int16Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    samples.set(piece, at);
    at += piece.length;
  }
  return { kind: 'audio', sampleRate: rate, samples };
}

/** Signed 16-bit little-endian samples. */
function pcm16(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Int16Array(bytes.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(2 * i, true);
  return samples;
}

function readJson(path: string): Record<string, unknown> {
  let spec: unknown;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TraceError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new TraceError(`${path}: expected a JSON object`);
  return spec as Record<string, unknown>;
}

/** A .json trace is an audio playlist ("format": "audio") or camera frames ("frames"), by its content. */
function loadJsonTrace(path: string): Trace {
  const spec = readJson(path);
  if (spec.format === 'audio') return audioFromPlaylist(spec, path);
  if ('frames' in spec) return loadFrameTrace(path);
  throw new TraceError(`${path}: neither an audio playlist ({ "format": "audio", "sampleRate", "parts" }) nor a frame trace ({ "width", "height", "frames" })`);
}

/** Loads a trace by its form: .csv, .wav, a .json (audio playlist or frames) or a folder of frames. */
export function loadTrace(path: string): Trace {
  if (!existsSync(path)) throw new TraceError(`trace ${path} does not exist`);
  if (statSync(path).isDirectory()) return loadFrameTrace(path);
  switch (extname(path).toLowerCase()) {
    case '.csv':
      return parseCsvTrace(readFileSync(path, 'utf8'), path);
    case '.wav':
      return parseWav(new Uint8Array(readFileSync(path)), path);
    case '.json':
      return loadJsonTrace(path);
    default:
      throw new TraceError(`trace ${path}: unknown format (use .csv, .wav, a .json audio playlist or frame trace, or a folder of frames)`);
  }
}
