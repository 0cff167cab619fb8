// Issue 14, item 6: `simulate --watch` rebuilds and reruns on every edit of the app, and goes on
// watching after a build that fails.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { simulateCommand } from '../../host/cli.js';
import { appFolder } from './helpers.js';

const app = (version: string) => `declare function print(...args: unknown[]): void;
declare var g: { clear(): unknown; drawString(s: string, x: number, y: number): unknown };
g.clear();
g.drawString('${version}', 10, 10);
setInterval(function () { print('app ${version}'); }, 500);
`;

describe('simulate --watch', () => {
  it('reruns after each edit, keeps watching after a failed build, and stops when asked', async () => {
    const dir = appFolder({ 'app.ts': app('v1') });
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    const runs = () => stdout.split('\n').filter((l) => l.startsWith('--- done in')).length;
    const waitFor = async (what: string, ok: () => boolean, ms = 90_000) => {
      const until = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; stdout so far:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    try {
      const done = simulateCommand([join(dir, 'app.ts'), '--board', 'BANGLEJS2', '--duration', '1200', '--watch'], stopped);
      await waitFor('the first run', () => runs() === 1);
      expect(stdout).toContain('--- start: building and simulating app.ts on BANGLEJS2');
      expect(stdout).toContain('[0.500 s] app v1');
      expect(stdout).not.toContain('app v2');

      const edited = Date.now();
      writeFileSync(join(dir, 'app.ts'), app('v2'));
      await waitFor('the run after the edit', () => runs() === 2);
      const seconds = (Date.now() - edited) / 1000;
      expect(stdout).toContain('--- app.ts changed: building and simulating app.ts on BANGLEJS2');
      expect(stdout.slice(stdout.indexOf('--- app.ts changed'))).toContain('[1.000 s] app v2');
      // Edit to summary in seconds (a build and 1.2 s of board time; generous for a loaded machine).
      expect(seconds).toBeLessThan(30);

      // A type error fails the build: it is printed and the watch goes on.
      writeFileSync(join(dir, 'app.ts'), app('v3').replace("print('app v3')", 'print(nope)'));
      await waitFor('the failed build', () => runs() === 3);
      expect(stderr).toMatch(/nope/);
      writeFileSync(join(dir, 'app.ts'), app('v4'));
      await waitFor('the run after the fix', () => runs() === 4);
      expect(stdout).toContain('app v4');
      stop();
      expect(await done).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('refuses --watch with --serve, and with a built folder', async () => {
    await expect(simulateCommand(['x', '--board', 'JOLTJS', '--watch', '--serve', '0'])).rejects.toThrow('give --watch (rerun on every edit) or --serve (a virtual device), not both');
    const built = appFolder({ 'app.js': 'print(1);' });
    await expect(simulateCommand([built, '--board', 'JOLTJS', '--watch'])).rejects.toThrow(`--watch rebuilds the app on every edit: give its entry or folder, not the built folder ${built}`);
  });
});
