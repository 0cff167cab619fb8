// Issue 14, item 6: `upload --monitor` streams the app's console and events after the install, here
// against the simulator's virtual device (`simulate --serve`) through the real espruino CLI.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { uploadCommand } from '../../host/cli.js';
import { monitorBoard } from '../../host/upload.js';
import { ServedTestBoard, startBoard, tempDir } from './helpers.js';

/** A build folder whose app reports an event and prints a line every 200 ms. */
function tickingBuild(): string {
  const dir = tempDir('build-ticking');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'budget.json'), JSON.stringify({ board: 'JOLTJS' }) + '\n');
  writeFileSync(join(dir, 'app.js'), `(function () {
  var n = 0;
  setInterval(function () { n++; print("@tinysense tick " + JSON.stringify({ n: n })); print("plain line " + n); }, 200);
})();
`);
  return dir;
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('upload --monitor, against the virtual device', () => {
  let served: ServedTestBoard;
  const build = tickingBuild();
  beforeAll(async () => {
    served = await startBoard('JOLTJS');
  });
  afterAll(async () => {
    await served.served.close();
    rmSync(build, { recursive: true, force: true });
  });

  it('monitorBoard streams the lines and parses the events, in order', async () => {
    served.board.run('var k = 0; var t = setInterval(function () { k++; print("@tinysense count " + k); print("k is " + k); }, 100);');
    const lines: string[] = [];
    const events: { name: string; value: unknown }[] = [];
    let stop!: () => void;
    const done = monitorBoard({ port: served.served.address, until: new Promise<void>((r) => (stop = r)), onLine: (l) => lines.push(l), onEvent: (e) => events.push(e) });
    await until('fifteen events', () => events.length >= 15);
    stop();
    const counts = await done;
    served.board.run('clearInterval(t);');
    // Once connected, consecutive counts, each followed by its plain line. (The CLI's own query when it
    // connects can swallow a line of the app's: the first few are not checked.)
    const last = events.slice(-8);
    const first = last[0].value as number;
    expect(last).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ name: 'count', value: first + i })));
    expect(lines.every((l) => !l.startsWith('No process.stdin'))).toBe(true);
    const at = lines.indexOf(`@tinysense count ${first}`);
    expect(lines.slice(at, at + 4)).toEqual([`@tinysense count ${first}`, `k is ${first}`, `@tinysense count ${first + 1}`, `k is ${first + 1}`]);
    expect(counts.events).toBe(events.length);
    expect(counts.connections).toBe(1);
  });

  it('the CLI installs, then streams the new app\'s output and events until stopped', async () => {
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let stop!: () => void;
    try {
      const done = uploadCommand(['--board', 'JOLTJS', '--port', served.served.address, '--dir', build, '--monitor'], new Promise<void>((r) => (stop = r)));
      await until('six events streamed', () => (stdout.match(/event tick \{"n":\d+\}/g) ?? []).length >= 6, 60_000);
      stop();
      expect(await done).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(stdout).toMatch(/installed .* the new app reported it started\nmonitoring tcp:\/\/127\.0\.0\.1:\d+: the app's console and events \(Ctrl-C stops\)\n/);
    const ticks = [...stdout.matchAll(/\] event tick \{"n":(\d+)\}/g)].map((m) => Number(m[1])).slice(-3);
    expect(ticks).toEqual([ticks[0], ticks[0] + 1, ticks[0] + 2]);
    expect(stdout).toMatch(/\[\d+\.\d{3} s\] plain line \d+/);
    expect(stdout).toMatch(/monitor stopped: \d+ lines, \d+ events\n$/);
  });
});
