// Issue 14, item 4: `simulate` hung forever on a callback that never returns; `--duration abc` printed
// "NaN ms simulated" with exit 0.
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard, simBoardInfo } from '../../host/bundler/boards.js';
import { Simulation } from '../../host/sim/index.js';
import { DEFAULT_WATCHDOG_MS, WatchdogError } from '../../host/sim/watchdog.js';
import { appFolder, cli } from './helpers.js';

const board = { ...simBoardInfo(loadBoard('JOLTJS')), engine: 'espruino' as const };
const jerry = { ...simBoardInfo(loadBoard('ESP32_JERRYSCRIPT')), engine: 'jerryscript' as const };

// A loop the bundler cannot drop (rollup removes an empty `for (;;) {}`).
const SPIN = 'while (n > 0) n = n + 1 - 1;';
const HANG_APP = `declare function print(...args: unknown[]): void;
let n = 0;
function spin(): void {
  n++;
  print('tick ' + n);
  if (n === 3) ${SPIN}
}
setInterval(spin, 1000);
`;

describe('the simulator watchdog', () => {
  it('stops a setInterval callback that never returns, names it and where it was set, and halts the board', () => {
    const started = Date.now();
    const sim = new Simulation({ bundle: `var n = 0;\nfunction spin() { n++; print('tick ' + n); if (n === 3) { ${SPIN} } }\nsetInterval(spin, 1000);\n`, storage: {}, board }, { watchdogMs: 200 });
    sim.advance(10000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sim.errors).toHaveLength(1);
    expect(sim.errors[0]).toBeInstanceOf(WatchdogError);
    expect(sim.errors[0].message).toBe(
      'watchdog: the setInterval callback spin() (every 1000 ms) set up at app.js:3:1 ran for more than 200 ms of host time and was stopped ' +
        '(an endless loop, or a wait for something that never comes?). A real board would hang here: the simulation halts. ' +
        'Raise the limit with --watchdog <ms> (simulate({ watchdogMs })), 0 for none.',
    );
    // Ticks 1..3, then the uncaught error line, and nothing more: the hung board runs no timer.
    expect(sim.output.map((o) => o.line).slice(0, 3)).toEqual(['tick 1', 'tick 2', 'tick 3']);
    expect(sim.output).toHaveLength(4);
    expect(sim.output[3].line).toMatch(/^Uncaught WatchdogError: watchdog: the setInterval callback spin\(\)/);
  });

  it('stops setTimeout callbacks and the top-level code, on JerryScript boards too', () => {
    const timeout = new Simulation({ bundle: 'var n = 1;\nsetTimeout(function () { while (n > 0) n = n + 1 - 1; }, 50);\n', storage: {}, board: jerry }, { watchdogMs: 100 });
    timeout.advance(1000);
    expect(timeout.errors[0].message).toMatch(/^watchdog: the setTimeout callback set up at app\.js:2:1 ran for more than 100 ms/);
    const top = new Simulation({ bundle: 'var n = 1;\nwhile (n > 0) n = n + 1 - 1;\n', storage: {}, board }, { watchdogMs: 100 });
    expect(top.errors[0].message).toMatch(/^watchdog: the app's top-level code \(app\.js\) ran for more than 100 ms of host time/);
  });

  it('has a stated default and can be turned off', () => {
    expect(DEFAULT_WATCHDOG_MS).toBe(5000);
    const sim = new Simulation({ bundle: 'var n = 0; setInterval(function () { n++; }, 10);', storage: {}, board }, { watchdogMs: 0 });
    sim.advance(100);
    expect(sim.errors).toEqual([]);
    expect(sim.board.evaluate('n')).toBe(10);
  });

  it('simulate on the CLI ends with the error naming the callback in the app source, exit 1', async () => {
    const dir = appFolder({ 'app.ts': HANG_APP });
    const r = await cli(['simulate', join(dir, 'app.ts'), '--board', 'JOLTJS', '--duration', '10000', '--watchdog', '300', '--quiet']);
    expect(r.code).toBe(1);
    const file = relative(process.cwd(), join(dir, 'app.ts'));
    expect(r.stderr).toContain(`tinysense: the app threw 1 error(s); first: watchdog: the setInterval callback spin() (every 1000 ms) set up at ${file}:8:1 (app.js:`);
  });
});

describe('numeric options are checked', () => {
  it.each([
    [['simulate', 'examples/gesture', '--board', 'BANGLEJS2', '--duration', 'abc'], '--duration abc: give a number of at least 0 (milliseconds of board time to simulate)'],
    [['simulate', 'examples/gesture', '--board', 'BANGLEJS2', '--watchdog=-5'], '--watchdog -5: give a number of at least 0'],
    [['build', 'examples/gesture', '--board', 'BANGLEJS2', '--cycles-per-mac', 'fast'], '--cycles-per-mac fast: give a number of at least 0.001'],
    [['synth', '/tmp/x', '--seed', '1.5'], '--seed 1.5: give a whole number (the random seed)'],
    [['record', '--board', 'BANGLEJS2', '--port', 'tcp://127.0.0.1:1', '--label', 'x', '--seconds', 'ten'], '--seconds ten: give a number of at least 0.1 (seconds to record)'],
    [['record', '--board', 'BANGLEJS2', '--port', 'tcp://127.0.0.1:1', '--label', 'x', '--interval', '5'], '--interval 5: give a number from 10 to 4000'],
    [['simulate', 'examples/gesture', '--board', 'BANGLEJS2', '--serve', 'http'], '--serve http: give a whole number from 0 to 65535 (a TCP port; 0 picks a free one)'],
  ])('%j -> a usage error, exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tinysense: ${message}`);
    expect(r.stdout).not.toContain('NaN');
  });
});
