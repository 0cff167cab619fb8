/**
 * What every emulated board shares: a node:vm context stripped to its engine's
 * profile, a virtual clock, and uncaught errors printed the engine's way and
 * kept for tests.
 */
import vm from 'node:vm';
import { VirtualClock } from './clock.js';
import { EngineProfile, applyProfile } from './engine-profile.js';
import { Watchdog, WatchdogError } from './watchdog.js';

export abstract class SandboxBoard {
  readonly clock = new VirtualClock();
  readonly context: vm.Context;
  /** Errors thrown by the app or its callbacks (the board prints them and goes on). */
  readonly errors: Error[] = [];
  /** Stops a callback or the top-level code that runs too long (watchdog.ts); set watchdog.limitMs to change it. */
  readonly watchdog: Watchdog;

  constructor(profile: EngineProfile) {
    this.context = vm.createContext({});
    this.watchdog = new Watchdog(this.context);
    this.clock.onError = (e) => this.reportError(e);
    // The app's own functions (made in the context's realm) are named in the message; the board's internal ones are not.
    const appFunction = vm.runInContext('Function', this.context) as FunctionConstructor;
    this.clock.invoke = (timer) => {
      const name = timer.callback instanceof appFunction && timer.callback.name ? ` ${timer.callback.name}()` : '';
      const what = timer.what !== undefined ? timer.what : timer.kind === 'interval' ? `setInterval callback${name} (every ${timer.interval} ms)` : `setTimeout callback${name}`;
      this.watchdog.call(timer.callback, timer.what !== undefined ? what : `the ${what}`, timer.site);
    };
    applyProfile(this.context, profile);
  }

  /** Runs a script (the app bundle) at the current virtual time. */
  run(code: string, filename = 'app.js'): void {
    try {
      this.watchdog.runScript(code, filename);
    } catch (e) {
      this.reportError(e);
    }
  }

  /** Evaluates an expression in the board's context (like typing at the console). */
  evaluate(code: string): unknown {
    return vm.runInContext(code, this.context, { filename: 'console' });
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** The line the engine prints for an uncaught error. */
  protected abstract uncaughtLine(error: Error): string;

  /** Prints one console line at the current virtual time. */
  protected abstract printLine(line: string): void;

  protected reportError(e: unknown): void {
    // Errors made in the context's realm are not instances of this realm's Error.
    const error = e && typeof e === 'object' && 'message' in e ? (e as Error) : new Error(String(e));
    this.errors.push(error);
    this.printLine(this.uncaughtLine(error));
    // A hung board runs nothing more: the watchdog's stop halts the simulated board.
    if (error instanceof WatchdogError) this.clock.clear();
  }
}
