// tinysense record against the simulator's virtual Bangle.js 2: an accelerometer trace drives the
// simulated Bangle, the logger app goes up through the real espruino CLI, and the samples it prints
// come back as a CSV trace that the simulator's own trace reader accepts.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordError, loggerApp, parseSample, recordAccel } from '../../host/record.js';
import { parseCsvTrace, sampleAt, loadTrace, ScalarTrace } from '../../host/sim/traces.js';
import { ServedTestBoard, startBoard, tempDir } from './helpers.js';

describe('tinysense record, against the simulator\'s virtual Bangle.js 2', () => {
  let served: ServedTestBoard;
  const work = tempDir('record');
  // x carries the trace's own time (s), so each recorded row says when on the trace it was read.
  const tracePath = join(work, 'circle-source.csv');
  const rows = ['t,x,y,z'];
  for (let t = 0; t <= 60_000; t += 10) rows.push(`${t},${t / 1000},${Math.sin(t / 300).toFixed(4)},-1`);
  writeFileSync(tracePath, rows.join('\n') + '\n');
  const trace = loadTrace(tracePath) as ScalarTrace;

  beforeAll(async () => {
    served = await startBoard('BANGLEJS2', (t) => {
      const v = sampleAt(trace, t);
      return v && { x: v[0], y: v[1], z: v[2] };
    });
    // An installed app, which the recording interrupts and then starts again.
    served.board.storage.set('.bootcde', Buffer.from('print("installed app running")'));
  });
  afterAll(async () => {
    await served.served.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('records the trace the Bangle sees into data/<label>-<time>.csv', async () => {
    const out = join(work, 'data');
    const result = await recordAccel({ board: 'BANGLEJS2', port: served.served.address, label: 'circle', seconds: 2, pollMs: 80, outDir: out });
    expect(basename(result.file)).toMatch(/^circle-\d{8}T\d{6}Z\.csv$/);
    expect(readdirSync(out)).toEqual([basename(result.file)]);
    expect(result.missing).toBe(0);

    const csv = readFileSync(result.file, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^# tinysense record: label=circle board=BANGLEJS2 pollMs=80 seconds=2 samples=\d+/);
    const recorded = parseCsvTrace(csv, result.file);
    expect(recorded.columns).toEqual(['x', 'y', 'z']);
    // 2 s at 80 ms: samples at 80, 160, ... 2000 ms.
    expect(recorded.t).toEqual(Array.from({ length: 25 }, (_, i) => 80 * (i + 1)));
    expect(result.samples).toBe(25);
    // Each row holds what the trace had at that moment of the board's clock.
    const start = Math.round(recorded.values[0][0] * 1000) - recorded.t[0];
    recorded.values.forEach((v, i) => {
      const traceTime = Math.round(v[0] * 1000); // x is the trace row's time in s
      expect(v[0]).toBe(traceTime / 1000);
      expect(Math.abs(traceTime - (start + recorded.t[i]))).toBeLessThanOrEqual(10);
      expect(v.slice(1)).toEqual(sampleAt(trace, traceTime)!.slice(1));
    });
    // The board's installed app is running again afterwards.
    await served.waitForOutput(/^installed app running$/);
  });

  it('checks its inputs before touching the board', async () => {
    await expect(recordAccel({ board: 'BANGLEJS2', port: served.served.address, label: 'two_words' })).rejects.toThrow(RecordError);
    await expect(recordAccel({ board: 'JOLTJS', port: served.served.address, label: 'circle' })).rejects.toThrow(/no Bangle.on\('accel'\)/);
  });

  it('the logger is plain ES5 the board runs, and its lines parse back', () => {
    const app = loggerApp(1.5, 40);
    expect(app).toContain('DURATION_MS = 1500, POLL_MS = 40');
    expect(app).not.toMatch(/=>|\blet\b|\bconst\b|`/);
    expect(parseSample('TSREC 80,0.08,-0.5,-1')).toEqual({ t: 80, x: 0.08, y: -0.5, z: -1 });
    expect(parseSample('>TSREC 80,1e-5,0,-0.98')).toEqual({ t: 80, x: 1e-5, y: 0, z: -0.98 });
    expect(parseSample('TSREC start 80')).toBeUndefined();
  });
});
