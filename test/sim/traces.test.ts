// Audio traces: WAV written and read back, and playlists that assemble a recording from pieces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioPlaylist, AudioTrace, TraceError, loadTrace, parseWav, writeWav } from '../../host/sim/traces.js';
import { pcm16, shared, sharedBytes } from '../shared.js';

const dir = mkdtempSync(join(tmpdir(), 'tinysense-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function playlist(name: string, spec: AudioPlaylist | Record<string, unknown>): string {
  return write(name, JSON.stringify(spec));
}

describe('writeWav', () => {
  it('writes the canonical 44-byte header and round-trips through parseWav', () => {
    const yes = pcm16('yes_1000ms_s16le.raw');
    const wav = writeWav(yes, 16000);
    expect(wav.length).toBe(44 + 2 * yes.length);
    const text = (at: number) => Buffer.from(wav.subarray(at, at + 4)).toString('latin1');
    expect([text(0), text(8), text(12), text(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    const view = new DataView(wav.buffer);
    expect(view.getUint32(4, true)).toBe(wav.length - 8);
    expect(view.getUint32(28, true)).toBe(32000);
    // The sample bytes are the .raw file's bytes: both are signed 16-bit little-endian.
    expect(Buffer.compare(wav.subarray(44), sharedBytes('testdata', 'yes_1000ms_s16le.raw'))).toBe(0);
    const back = parseWav(wav);
    expect(back.sampleRate).toBe(16000);
    expect(Array.from(back.samples)).toEqual(Array.from(yes));
  });

  it('keeps the extremes and an empty recording', () => {
    const edge = Int16Array.of(-32768, -1, 0, 1, 32767);
    expect(Array.from(parseWav(writeWav(edge, 8000)).samples)).toEqual([-32768, -1, 0, 1, 32767]);
    expect(parseWav(writeWav(new Int16Array(0), 48000))).toMatchObject({ sampleRate: 48000, samples: new Int16Array(0) });
  });
});

describe('audio playlists', () => {
  it('joins .raw and .wav parts and silence, in order, at the playlist rate', () => {
    const yes = pcm16('yes_1000ms_s16le.raw');
    const no = pcm16('no_1000ms_s16le.raw');
    write('no.wav', writeWav(no, 16000));
    const path = playlist('mix.json', {
      format: 'audio',
      sampleRate: 16000,
      parts: [{ silenceMs: 250 }, { file: shared('testdata', 'yes_1000ms_s16le.raw') }, { silenceMs: 500 }, { file: 'no.wav' }],
    });
    const trace = loadTrace(path) as AudioTrace;
    expect(trace.kind).toBe('audio');
    expect(trace.sampleRate).toBe(16000);
    const expected = [...new Int16Array(4000), ...yes, ...new Int16Array(8000), ...no];
    expect(trace.samples.length).toBe(expected.length);
    expect(Array.from(trace.samples)).toEqual(expected);
  });

  it('resolves file paths against the playlist folder, not the working directory', () => {
    write('one.raw', Uint8Array.of(0x01, 0x00, 0xff, 0xff));
    const trace = loadTrace(playlist('relative.json', { format: 'audio', sampleRate: 8000, parts: [{ file: 'one.raw' }] })) as AudioTrace;
    expect(Array.from(trace.samples)).toEqual([1, -1]);
  });

  const broken: [string, Record<string, unknown>, RegExp][] = [
    ['a missing file', { parts: [{ file: 'nowhere.raw' }] }, /missing\.json: part 1: .*nowhere\.raw does not exist/],
    ['an odd-length .raw', { parts: [{ silenceMs: 10 }, { file: 'odd.raw' }] }, /part 2: .*odd\.raw has 3 bytes, not a whole number of 16-bit samples/],
    ['a .wav at another rate', { parts: [{ file: 'at8k.wav' }] }, /part 1: .*at8k\.wav is recorded at 8000 Hz, the playlist is at 16000 Hz/],
    ['no parts', { parts: [] }, /parts is empty/],
    ['negative silence', { parts: [{ silenceMs: -5 }] }, /part 1: silenceMs must be a whole number of ms >= 0, found -5/],
    ['fractional silence', { parts: [{ silenceMs: 2.5 }] }, /part 1: silenceMs must be a whole number of ms >= 0, found 2.5/],
    ['an unknown part', { parts: [{ tone: 440 }] }, /part 1: expected \{ "file": .* or \{ "silenceMs": ms \}, found \{"tone":440\}/],
    ['another file type', { parts: [{ file: 'odd.mp3' }] }, /odd\.mp3 is neither \.wav nor \.raw/],
    ['no rate', { sampleRate: undefined, parts: [{ silenceMs: 1 }] }, /sampleRate must be a positive integer \(Hz\)/],
  ];
  for (const [what, spec, message] of broken) {
    it(`names the file and the fault: ${what}`, () => {
      write('odd.raw', Uint8Array.of(1, 2, 3));
      write('odd.mp3', Uint8Array.of(1, 2));
      write('at8k.wav', writeWav(Int16Array.of(1, 2), 8000));
      const path = playlist('missing.json', { format: 'audio', sampleRate: 16000, ...spec });
      expect(() => loadTrace(path)).toThrow(TraceError);
      expect(() => loadTrace(path)).toThrow(message);
    });
  }
});

describe('loadTrace on .json', () => {
  it('tells a frame trace from a playlist by content', () => {
    write('frame.bin', new Uint8Array(4).fill(7));
    const frames = loadTrace(playlist('frames.json', { width: 2, height: 2, frames: [{ t: 0, file: 'frame.bin' }] }));
    expect(frames.kind).toBe('frames');
    expect(loadTrace(playlist('audio.json', { format: 'audio', sampleRate: 16000, parts: [{ silenceMs: 1 }] })).kind).toBe('audio');
  });

  it('refuses JSON that is neither, and JSON that does not parse', () => {
    expect(() => loadTrace(playlist('other.json', { format: 'video', parts: [] }))).toThrow(/other\.json: neither an audio playlist .* nor a frame trace/);
    expect(() => loadTrace(write('bad.json', '{ "format": '))).toThrow(/bad\.json: not valid JSON/);
  });
});
