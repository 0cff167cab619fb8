/**
 * What every emulated board shares: a node:vm context stripped to its engine's
 * profile, a virtual clock, and uncaught errors printed the engine's way and
 * kept for tests.
 */
import vm from 'node:vm';
import { VirtualClock } from './clock.js';
import { EngineProfile, applyProfile } from './engine-profile.js';

export abstract class SandboxBoard {
  readonly clock = new VirtualClock();
  readonly context: vm.Context;
  /** Errors thrown by the app or its callbacks (the board prints them and goes on). */
  readonly errors: Error[] = [];

  constructor(profile: EngineProfile) {
    this.context = vm.createContext({});
    this.clock.onError = (e) => this.reportError(e);
    applyProfile(this.context, profile);
  }

  /** Runs a script (the app bundle) at the current virtual time. */
  run(code: string, filename = 'app.js'): void {
    try {
      vm.runInContext(code, this.context, { filename });
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
  }
}
