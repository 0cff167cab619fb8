// `tinysense dev --port`: the page's source follows a board through the espruino CLI. Here the board is the
// simulator's virtual device (`simulate --serve`) running the gesture example on its held-out trace in real time.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootFiles } from '../../host/upload.js';
import { simulate } from '../../host/sim/index.js';
import { EspruinoBoard } from '../../host/sim/espruino.js';
import { serveBoard } from '../../host/sim/serve.js';
import { PortSource, probeCode } from '../../host/dev/port.js';
import type { DevMessage } from '../../host/dev/protocol.js';

const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('tinysense dev --port (the virtual device of simulate --serve)', () => {
  it('streams the board\'s accelerometer samples, its events and console, and says which source it shows', async () => {
    const sim = await simulate({ app: join('examples', 'gesture'), board: 'BANGLEJS2', trace: join('examples', 'gesture', 'traces', 'heldout.csv'), outDir: join('out', 'dev', 'test-port') });
    if (!(sim.board instanceof EspruinoBoard)) throw new Error('BANGLEJS2 runs Espruino');
    for (const [name, bytes] of Object.entries(bootFiles(Buffer.from(sim.app.bundle, 'utf8')))) sim.board.storage.set(name, bytes);
    const served = await serveBoard(sim.board, { port: 0 });
    closers.push(() => served.close());
    const source = new PortSource({ port: served.address, board: 'BANGLEJS2', app: 'examples/gesture' });
    closers.push(() => source.close());
    await source.start();
    const ticks: DevMessage[] = [];
    source.subscribe((m) => ticks.push(m));
    const gathered = () => {
      let samples = 0;
      const events: string[] = [];
      for (const m of ticks) {
        if (m.type === 'status') continue;
        samples += m.sensor.t.length;
        events.push(...m.events.map((e) => `${e.name}:${String(e.value)}`));
      }
      return { samples, events };
    };
    // The board plays the 20 s trace in real time from when it started; gestures keep coming after the CLI connects.
    await expect.poll(() => { const g = gathered(); return g.samples > 25 && g.events.length > 0; }, { timeout: 40000, interval: 250 }).toBe(true);
    const got = gathered();
    expect(got.samples).toBeGreaterThan(25);
    expect(got.events[0]).toMatch(/^gesture:(circle|shake)$/);
    const snap = source.snapshot();
    expect(snap.state.source).toBe('port');
    expect(snap.state.sourceLabel).toContain(served.address);
    expect(snap.sensorInfo).toEqual({ kind: 'scalar', columns: ['x', 'y', 'z'] });
    expect(() => source.control('seek')).toThrow(/simulator only/);
    // The probe added one listener, and only once: the app's own events are untouched.
    expect(probeCode()).toContain('typeof __tsdev === "undefined"');
  }, 120_000);
});
