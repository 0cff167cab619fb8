/**
 * The keyword tests' audio: TFLM's 1 s test recordings (16 kHz, signed 16-bit little-endian raw PCM) from
 * the repository's models/testdata, the same files traces/yes-no.json plays, and two small helpers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TESTDATA = join(new URL('.', import.meta.url).pathname, '../../models/testdata');

/** testdata/<word>_1000ms_s16le.raw as samples (yes, no, silence, noise). */
export function recording(word: string): Int16Array {
  const bytes = readFileSync(join(TESTDATA, `${word}_1000ms_s16le.raw`));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int16Array.from({ length: bytes.length >> 1 }, (_, i) => view.getInt16(2 * i, true));
}

export function concatSamples(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Where the word is in 16 kHz audio: first and last 50 ms block whose RMS is over 10% of the loudest block's (ms). */
export function speechSpan(audio: Int16Array): { start: number; end: number } {
  const rms: number[] = [];
  for (let at = 0; at + 800 <= audio.length; at += 800) {
    let e = 0;
    for (let i = at; i < at + 800; i++) e += audio[i] * audio[i];
    rms.push(Math.sqrt(e / 800));
  }
  const floor = 0.1 * Math.max(...rms);
  const loud = rms.map((r, i) => (r > floor ? i : -1)).filter((i) => i >= 0);
  return { start: 50 * loud[0], end: 50 * (loud[loud.length - 1] + 1) };
}
