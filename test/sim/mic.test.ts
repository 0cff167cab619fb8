// The JerryScript ESP32 board's I2S microphone in the simulator: the recording in order then silence,
// reads that block in virtual time, the driver's bounded DMA buffers, and the glue's argument errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardInfo } from '../../host/sim/espruino.js';
import { Simulation } from '../../host/sim/index.js';
import { JerryScriptBoard } from '../../host/sim/jerryscript.js';
import { MIC_BUFFER_SAMPLES } from '../../host/sim/mic.js';
import { simulationReport } from '../../host/sim/report.js';
import { AudioTrace, loadTrace } from '../../host/sim/traces.js';
import { pcm16, shared } from '../shared.js';

const ESP32: BoardInfo = { id: 'ESP32_JERRYSCRIPT', engine: 'jerryscript', heapBytes: 65536, jsVarBytes: 0, storageMapped: true, storageBytes: 1 << 20, objects: [] };
const JOLT: BoardInfo = { id: 'JOLTJS', heapBytes: 168000, jsVarBytes: 14, storageMapped: true, storageBytes: 400000, objects: [] };

const YES = pcm16('yes_1000ms_s16le.raw');
const YES_TRACE: AudioTrace = { kind: 'audio', sampleRate: 16000, samples: YES };

function board(audio: AudioTrace | null = YES_TRACE) {
  const lines: string[] = [];
  const b = new JerryScriptBoard(ESP32, { output: (line, t) => lines.push(`${t}: ${line}`), audio: audio ?? undefined });
  b.run('var mic = tinysense.sensors.mic;');
  return { b, lines };
}

/** An Int16Array of the board's context as plain numbers. */
function numbers(b: JerryScriptBoard, expression: string): number[] {
  return Array.from(b.evaluate(expression) as Int16Array);
}

/** What a call throws on the board, as JerryScript would print it: "Name: message". */
function thrown(b: JerryScriptBoard, code: string): string {
  return b.evaluate(`(function () { try { ${code}; return 'no error'; } catch (e) { return e.name + ': ' + e.message; } })()`) as string;
}

describe('the microphone delivers the trace', () => {
  it('every sample in order, then digital silence after the recording ends', () => {
    const { b } = board();
    // Reads every 10 ms without blocking into a subarray of one long buffer.
    b.run(`
      var heard = new Int16Array(20000), n = 0;
      mic.start(16000);
      setInterval(function () { n += mic.read(heard.subarray(n, n + 320), 0); }, 10);
    `);
    b.advance(1200);
    // 16 samples per ms, all captured by 1200 ms read by the tick at 1200 ms.
    expect(b.evaluate('n')).toBe(19200);
    const heard = numbers(b, 'heard.subarray(0, n)');
    expect(heard.slice(0, 16000)).toEqual(Array.from(YES));
    expect(heard.slice(16000)).toEqual(new Array(3200).fill(0));
    expect(b.micStats()).toEqual({ delivered: 19200, dropped: 0, blockedMs: 0 });
    expect(b.errors).toEqual([]);
  });

  it('audio arrives in 240-sample DMA buffers, each readable once its last sample is captured; nothing from before start()', () => {
    const { b } = board();
    b.evaluate('var buf = new Int16Array(4000)');
    b.advance(500);
    b.evaluate('mic.start(16000)');
    expect(b.evaluate('mic.read(buf, 0)')).toBe(0);
    b.advance(15 - 0.0625); // one sample short of the first buffer
    expect(b.evaluate('mic.read(buf, 0)')).toBe(0);
    b.advance(0.0625);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(240);
    expect(numbers(b, 'buf.subarray(0, 240)')).toEqual(Array.from(YES.subarray(8000, 8240)));
    b.advance(10);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(0);
    b.advance(5);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(240);
    expect(numbers(b, 'buf.subarray(0, 240)')).toEqual(Array.from(YES.subarray(8240, 8480)));
  });

  it('has no microphone without an audio trace', () => {
    const { b } = board(null);
    expect(b.evaluate('typeof tinysense.sensors.mic')).toBe('undefined');
  });
});

describe('blocking reads in virtual time', () => {
  it('a read that cannot fill its array waits exactly until the buffer that fills it completes', () => {
    const { b } = board();
    b.evaluate('var buf = new Int16Array(3200)');
    b.advance(100);
    b.evaluate('mic.start(16000)');
    expect(b.evaluate('mic.read(buf, 1000)')).toBe(3200);
    expect(b.clock.now).toBe(310); // 3200 samples need 14 buffers of 240: 14 x 15 ms from 100 ms
    expect(numbers(b, 'buf')).toEqual(Array.from(YES.subarray(1600, 4800)));
    expect(b.micStats()).toEqual({ delivered: 3200, dropped: 0, blockedMs: 210 });
    // The rest of the 14th buffer is there at once.
    expect(b.evaluate('mic.read(buf, 0)')).toBe(160);
    expect(numbers(b, 'buf.subarray(0, 160)')).toEqual(Array.from(YES.subarray(4800, 4960)));
  });

  it('the timeout bounds each wait for the next buffer, not the whole read; timeout 0 never waits', () => {
    const { b } = board();
    b.evaluate('var buf = new Int16Array(3200); mic.start(16000)');
    // Buffers keep coming every 15 ms, within 50 ms each: the read fills its array, 210 ms in all.
    expect(b.evaluate('mic.read(buf, 50)')).toBe(3200);
    expect(b.clock.now).toBe(210);
    // 160 samples left in the buffer held, then the next one is 15 ms away: a 10 ms timeout gives up.
    expect(b.evaluate('mic.read(buf, 10)')).toBe(160);
    expect(b.clock.now).toBe(220);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(0);
    expect(b.clock.now).toBe(220);
    b.advance(5);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(240);
    expect(b.clock.now).toBe(225);
    expect(numbers(b, 'buf.subarray(0, 240)')).toEqual(Array.from(YES.subarray(3360, 3600)));
    expect(b.micStats()).toEqual({ delivered: 3600, dropped: 0, blockedMs: 220 });
  });

  const ramp = Int16Array.from({ length: 44100 }, (_, i) => i % 32768);
  const RAMP: AudioTrace = { kind: 'audio', sampleRate: 44100, samples: ramp };

  it('at 44.1 kHz a buffer is there exactly at its time despite rounding', () => {
    const { b } = board(RAMP);
    // 240000 / 44100 ms, times 44100 / 1000, is not exactly 240 in floating point: still a whole buffer.
    b.evaluate('var buf = new Int16Array(240); mic.start(44100)');
    b.advance(240000 / 44100);
    expect([b.evaluate('mic.read(buf, 0)'), b.evaluate('mic.read(buf, 0)')]).toEqual([240, 0]);
    expect([b.evaluate('mic.read(buf, 1000)'), b.evaluate('mic.read(buf, 0)')]).toEqual([240, 0]);
    expect(b.clock.now).toBe(480000 / 44100);
    expect(numbers(b, 'buf')).toEqual(Array.from(ramp.subarray(240, 480)));
  });

  it('at 44.1 kHz reads of any size, blocking or not, neither lose nor repeat a sample', () => {
    const { b } = board(RAMP);
    // Blocking and non-blocking reads of sizes that do not divide the rate, on a 7 ms tick.
    b.run(`
      var heard = new Int16Array(44100), n = 0, sizes = [1, 441, 97, 1000, 13], k = 0;
      mic.start(44100);
      setInterval(function () {
        var size = Math.min(sizes[k++ % sizes.length], heard.length - n);
        n += mic.read(heard.subarray(n, n + size), k % 2 ? 5 : 0);
        if (n === heard.length) mic.stop();
      }, 7);
    `);
    b.advance(1100);
    expect(b.evaluate('n')).toBe(44100);
    expect(numbers(b, 'heard')).toEqual(Array.from(ramp));
    expect(b.micStats().dropped).toBe(0);
  });

  it('timers that fell due while a read blocked run late, once each, after the callback', () => {
    const { b, lines } = board();
    b.run(`
      mic.start(16000);
      var first = true;
      setInterval(function () {
        print('tick');
        if (first) { first = false; print('read', mic.read(new Int16Array(4000), 1000)); }
      }, 50);
    `);
    b.advance(120);
    // The read at 50 ms waits for 4000 samples, 17 buffers (255 ms): the ticks due at 100, 150, 200 and 250 ms
    // collapse into one at 255.
    expect(lines).toEqual(['50: tick', '255: read 4000', '255: tick']);
    expect(b.clock.now).toBe(255);
    b.advance(100);
    expect(lines.slice(3)).toEqual(['305: tick', '355: tick']);
  });
});

describe('the DMA queue holds 5 buffers, 1200 samples', () => {
  it('a reader that falls behind loses the oldest buffers, counted as dropped', () => {
    expect(MIC_BUFFER_SAMPLES).toBe(1200);
    const { b } = board();
    b.evaluate('var buf = new Int16Array(2000); mic.start(16000)');
    b.advance(100); // 6 buffers completed (1440 samples), the newest 5 queued
    expect(b.micStats().dropped).toBe(240);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(1200);
    expect(numbers(b, 'buf.subarray(0, 1200)')).toEqual(Array.from(YES.subarray(240, 1440)));
    // Reading in time loses nothing more: 4 more buffers by 150 ms.
    b.advance(50);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(960);
    expect(numbers(b, 'buf.subarray(0, 960)')).toEqual(Array.from(YES.subarray(1440, 2400)));
    expect(b.micStats()).toEqual({ delivered: 2160, dropped: 240, blockedMs: 0 });
  });

  it('a blocking read drains the buffers as they complete, so a long read loses nothing', () => {
    const { b } = board();
    b.evaluate('var buf = new Int16Array(16000); mic.start(16000)');
    expect(b.evaluate('mic.read(buf, 2000)')).toBe(16000);
    expect(numbers(b, 'buf')).toEqual(Array.from(YES));
    // 16000 samples end inside the 67th buffer, complete at 1005 ms.
    expect(b.micStats()).toEqual({ delivered: 16000, dropped: 0, blockedMs: 1005 });
  });
});

describe('start, stop and errors as the firmware glue gives them', () => {
  it('start() while running is a no-op; stop() ends capture; a new start() begins at that moment', () => {
    const { b } = board();
    b.evaluate('var buf = new Int16Array(160); mic.start(16000)');
    b.advance(5);
    b.evaluate('mic.start(16000); mic.start(8000)'); // the running channel stays as it is, whatever the rate
    b.advance(10);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(160);
    expect(numbers(b, 'buf')).toEqual(Array.from(YES.subarray(0, 160)));
    b.advance(15);
    b.evaluate('mic.stop()');
    expect(thrown(b, 'mic.read(buf, 0)')).toBe('Error: tinysense.sensors.mic.read: the microphone read failed (not started?)');
    b.advance(95);
    b.evaluate('mic.start(16000)'); // at 125 ms: sample 2000 is the first captured after it
    b.advance(15);
    expect(b.evaluate('mic.read(buf, 0)')).toBe(160);
    expect(numbers(b, 'buf')).toEqual(Array.from(YES.subarray(2000, 2160)));
    // The 320 samples waiting at stop() were discarded, not dropped by an overrun.
    expect(b.micStats()).toEqual({ delivered: 320, dropped: 0, blockedMs: 0 });
    b.evaluate('mic.stop(); mic.stop()');
  });

  it('checks arguments with the glue messages and error types', () => {
    const { b } = board();
    const errors = [
      ['mic.read(new Int16Array(4), 0)', 'Error: tinysense.sensors.mic.read: the microphone read failed (not started?)'],
      ['mic.start(8000)', 'Error: tinysense.sensors.mic.start: the audio trace is recorded at 16000 Hz, not 8000 Hz (the simulator does not resample)'],
      ['mic.start(7999)', 'RangeError: tinysense.sensors.mic.start: sampleRate must be an integer from 8000 to 48000'],
      ['mic.start(16000.5)', 'RangeError: tinysense.sensors.mic.start: sampleRate must be an integer from 8000 to 48000'],
      ['mic.start("16000")', 'TypeError: tinysense.sensors.mic.start: sampleRate must be an integer from 8000 to 48000'],
      ['mic.start(16000); mic.read([0, 0], 0)', 'TypeError: tinysense.sensors.mic.read: into must be an Int16Array'],
      ['mic.read(new Uint8Array(4), 0)', 'TypeError: tinysense.sensors.mic.read: into must be an Int16Array (typed array type 1)'],
      ['mic.read(new Uint16Array(4), 0)', 'TypeError: tinysense.sensors.mic.read: into must be an Int16Array (typed array type 4)'],
      ['mic.read(new Float32Array(4), 0)', 'TypeError: tinysense.sensors.mic.read: into must be an Int16Array (typed array type 8)'],
      ['mic.read(new DataView(new ArrayBuffer(4)), 0)', 'TypeError: tinysense.sensors.mic.read: into must be an Int16Array'],
      ['mic.read(new Int16Array(4), -1)', 'RangeError: tinysense.sensors.mic.read: timeoutMs must be an integer from 0 to 60000'],
      ['mic.read(new Int16Array(4), 60001)', 'RangeError: tinysense.sensors.mic.read: timeoutMs must be an integer from 0 to 60000'],
      ['mic.read(new Int16Array(4))', 'TypeError: tinysense.sensors.mic.read: timeoutMs must be an integer from 0 to 60000'],
      ['mic.read(new Int16Array(0), 1000)', 'no error'],
    ];
    expect(errors.map(([code]) => `${code} -> ${thrown(b, code)}`)).toEqual(errors.map(([code, message]) => `${code} -> ${message}`));
    expect(b.clock.now).toBe(0);
  });
});

describe('Simulation with an audio trace', () => {
  const app = `
    var mic = tinysense.sensors.mic, heard = new Int16Array(48000), n = 0;
    mic.start(16000);
    setInterval(function () { n += mic.read(heard.subarray(n, n + 512), 0); }, 20);
  `;

  it('plays a playlist of the shared recordings to the app, and reports the microphone figures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinysense-mic-'));
    try {
      const path = join(dir, 'yes-no.json');
      writeFileSync(path, JSON.stringify({ format: 'audio', sampleRate: 16000, parts: [{ silenceMs: 500 }, { file: shared('testdata', 'yes_1000ms_s16le.raw') }, { file: shared('testdata', 'no_1000ms_s16le.raw') }] }));
      const sim = new Simulation({ bundle: app, storage: {}, board: ESP32 }, { trace: path });
      sim.advance(3000);
      const b = sim.board as JerryScriptBoard;
      expect(b.evaluate('n')).toBe(48000);
      const expected = [...new Int16Array(8000), ...YES, ...pcm16('no_1000ms_s16le.raw'), ...new Int16Array(8000)];
      expect(numbers(b, 'heard')).toEqual(expected);
      expect(sim.micStats()).toEqual({ delivered: 48000, dropped: 0, blockedMs: 0 });
      expect(simulationReport(sim, 'yes-no')).toContain('<th>microphone</th><td>48000 samples read, 0 lost to buffer overrun, 0 ms blocked in reads</td>');
      expect((loadTrace(path) as AudioTrace).samples.length).toBe(40000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an audio trace on an Espruino board, which has no microphone', () => {
    expect(() => new Simulation({ bundle: app, storage: {}, board: JOLT }, { trace: YES_TRACE })).toThrow(
      /audio trace needs a microphone, and the simulated Espruino board JOLTJS has none/,
    );
  });
});
