/**
 * The simulator's watchdog: a callback (timer, setWatch, sensor event handler) or the app's top-level
 * code that does not return within a limit of host time is stopped, with an error naming it and where
 * it was set up.
 *
 * Neither engine has such a limit of its own: Espruino runs a JS function until it returns (Ctrl-C at
 * the console, or holding BTN1 on a Bangle.js, interrupts it; the Bangle.js hardware watchdog, 5 s, is
 * kicked from an interrupt, so a busy loop does not trip it), and JerryScript only stops when the
 * firmware installs a halt callback (JERRY_FEATURE_VM_HALT, off by default). A real board simply hangs.
 * So the limit is the simulator's: DEFAULT_WATCHDOG_MS of host time, enforced with node:vm's `timeout`
 * (V8 TerminateExecution, which also stops WebAssembly kernels), after which the board is halted
 * (every timer cleared), as the hung board would do nothing more either.
 */
import vm from 'node:vm';
import { SourceMapLookup, type SourceMapV3 } from '../bundler/sourcemap.js';

/** Host time a single callback may run: far beyond any real callback in the simulator (a person-detection invoke takes well under a second even on a loaded machine), and the period of the Bangle.js hardware watchdog. */
export const DEFAULT_WATCHDOG_MS = 5000;

export class WatchdogError extends Error {
  constructor(
    message: string,
    /** What was stopped: "setInterval callback", "the app's top-level code", ... */
    readonly what: string,
    /** Where it was set up (app.js:line:col, and the original source when the bundle has a map). */
    readonly where: string | undefined,
    readonly limitMs: number,
  ) {
    super(message);
    this.name = 'WatchdogError';
  }
}

/** Global name the trampoline calls; deleted after each call. */
const SLOT = '__tinysenseWatchdogCall';
const TRAMPOLINE = new vm.Script(`${SLOT}()`, { filename: 'tinysense-watchdog' });

export class Watchdog {
  /** ms of host time; 0 or Infinity: no limit. */
  limitMs = DEFAULT_WATCHDOG_MS;
  /** The bundle's source map (sources absolute or relative to the working directory), for original positions. */
  sourceMap?: SourceMapV3;
  private lookup?: SourceMapLookup;
  private depth = 0;

  constructor(private readonly context: vm.Context) {}

  private get active(): boolean {
    return this.depth === 0 && Number.isFinite(this.limitMs) && this.limitMs > 0;
  }

  /** Runs a script (the app bundle) under the limit. */
  runScript(code: string, filename: string): void {
    if (!this.active) {
      vm.runInContext(code, this.context, { filename });
      return;
    }
    this.depth++;
    try {
      vm.runInContext(code, this.context, { filename, timeout: this.limitMs });
    } catch (e) {
      throw this.translate(e, `the app's top-level code (${filename})`, undefined);
    } finally {
      this.depth--;
    }
  }

  /** Calls `fn` (a callback the board runs) under the limit. `site`: an Error made where it was set up. */
  call(fn: () => void, what: string, site?: Error): void {
    if (!this.active) {
      fn();
      return;
    }
    const g = this.context as Record<string, unknown>;
    Object.defineProperty(g, SLOT, { value: fn, configurable: true, enumerable: false, writable: true });
    this.depth++;
    try {
      TRAMPOLINE.runInContext(this.context, { timeout: this.limitMs });
    } catch (e) {
      throw this.translate(e, what, site);
    } finally {
      this.depth--;
      delete g[SLOT];
    }
  }

  private translate(e: unknown, what: string, site: Error | undefined): unknown {
    if ((e as { code?: string } | null)?.code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') return e;
    const where = site ? this.appLocation(site) : undefined;
    return new WatchdogError(
      `watchdog: ${what}${where ? ` set up at ${where}` : ''} ran for more than ${this.limitMs} ms of host time and was stopped ` +
        '(an endless loop, or a wait for something that never comes?). A real board would hang here: the simulation halts. ' +
        'Raise the limit with --watchdog <ms> (simulate({ watchdogMs })), 0 for none.',
      what,
      where,
      this.limitMs,
    );
  }

  /** The first frame of the app (a vm script, not host code) in the stack of `site`. */
  appLocation(site: Error): string | undefined {
    const stack = site.stack ?? '';
    for (const line of stack.split('\n').slice(1)) {
      const m = /\(?([^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
      if (!m) continue;
      const [, file, l, c] = m;
      // Host frames are absolute paths or file: URLs (node:internal too); the bundle runs as a bare name.
      if (file.startsWith('/') || file.includes('://') || file.startsWith('node:') || file === 'tinysense-watchdog' || /^[A-Za-z]:\\/.test(file)) continue;
      const generated = `${file}:${l}:${c}`;
      const original = this.original(Number(l), Number(c) - 1);
      return original ? `${original} (${generated})` : generated;
    }
    return undefined;
  }

  private original(line: number, column: number): string | undefined {
    if (!this.sourceMap) return undefined;
    this.lookup ??= new SourceMapLookup(this.sourceMap);
    const pos = this.lookup.original(line, column);
    return pos ? `${pos.source}:${pos.line}:${pos.column + 1}` : undefined;
  }
}
