/**
 * The firmware side of a served board: the console commands Espruino's
 * interpreter has beyond the app API (reset(), load(), E.reboot(), echo()),
 * the boot sequence they run from Storage, and the console output tap.
 *
 * Boot files, as Espruino 2v29 runs them (src/jsflash.c, jsfLoadBootCodeFromFlash):
 *   reset()        fresh interpreter, then .boot0-.boot3 and .bootrst
 *   load()         fresh interpreter, then .boot0-.boot3 and .bootrst, else .bootcde
 *   load("f")      fresh interpreter, then .boot0-.boot3 and .bootrst, then the file f
 *   E.reboot()     as at power-on: .bootPowerOn, .boot0-.boot3, .bootrst, else .bootcde
 * Espruino runs these after the console line that asked for them has
 * finished (a "TODO" in its idle loop); so does runPending().
 *
 * Two things here reach behind EspruinoBoard's public API until it has hooks
 * for them (the report asks for `reset()` and `tapOutput()`; when the board
 * has them they are used instead): a fresh interpreter context, and a
 * listener on the board's console output.
 */
import vm from 'node:vm';
import { ESPRUINO_PROFILE, applyProfile } from '../engine-profile.js';
import type { EspruinoBoard, EspruinoHooks } from '../espruino.js';

export type OutputListener = (line: string, t: number) => void;

/** Public hooks a later EspruinoBoard may offer; preferred when present. */
interface BoardHookApi {
  reset?(): void;
  tapOutput?(listener: OutputListener): () => void;
}

/** The private parts of EspruinoBoard the fallbacks touch (same names as in host/sim/espruino.ts). */
interface BoardInternals {
  context: vm.Context;
  hooks: EspruinoHooks;
  accelListeners: unknown[];
  accelTimer: number | null;
  pollMs: number;
  installGlobals(): void;
}

/** Espruino's default Bangle.js poll interval, restored by a reset. */
const DEFAULT_POLL_MS = 80;

/** Listens to every console line the board prints (print, console.log, uncaught errors); returns the removal. */
export function tapOutput(board: EspruinoBoard, listener: OutputListener): () => void {
  const api = board as unknown as BoardHookApi;
  if (typeof api.tapOutput === 'function') return api.tapOutput(listener);
  const hooks = (board as unknown as BoardInternals).hooks;
  const original = hooks.output;
  hooks.output = (line, t) => {
    original.call(hooks, line, t);
    listener(line, t);
  };
  return () => {
    hooks.output = original;
  };
}

/** A fresh interpreter over the same Storage and clock: no globals, timers or listeners of the old app. */
export function resetInterpreter(board: EspruinoBoard): void {
  const api = board as unknown as BoardHookApi;
  if (typeof api.reset === 'function') return api.reset();
  const internals = board as unknown as BoardInternals;
  board.clock.clear();
  internals.accelListeners = [];
  internals.accelTimer = null;
  internals.pollMs = DEFAULT_POLL_MS;
  internals.context = vm.createContext({});
  applyProfile(internals.context, ESPRUINO_PROFILE);
  internals.installGlobals();
}

type Restart = { kind: 'reset'; eraseStorage: boolean } | { kind: 'load'; file?: string } | { kind: 'reboot' };

export interface FirmwareConsole {
  /** Console text that is not app output (the boot banner). */
  print(text: string): void;
  /** echo(on) from the app: the console of the line being run turns its echo on or off. */
  setEcho(on: boolean): void;
}

export class VirtualFirmware {
  private pending: Restart | undefined;

  constructor(
    readonly board: EspruinoBoard,
    private readonly console: FirmwareConsole,
  ) {}

  /** Puts the firmware commands into the board's current interpreter (again after every restart). */
  install(): void {
    const g = vm.runInContext('this', this.board.context) as Record<string, unknown>;
    g.reset = (eraseStorage?: unknown) => {
      this.pending = { kind: 'reset', eraseStorage: eraseStorage === true };
    };
    g.load = (file?: unknown) => {
      this.pending = { kind: 'load', file: typeof file === 'string' ? file : undefined };
    };
    g.echo = (on?: unknown) => this.console.setEcho(!!on);
    // E is a strict proxy over a plain object: assigning through it adds to the object.
    (g.E as Record<string, unknown>).reboot = () => {
      this.pending = { kind: 'reboot' };
    };
    // The espruino CLI reads MODULES to know require("Storage") is built in (else it searches the web for it).
    const env = (g.process as { env: Record<string, unknown> }).env;
    if (env.MODULES === undefined) env.MODULES = 'Storage';
  }

  /** Runs the reset/load/reboot a command asked for, if any; true when one ran. */
  runPending(): boolean {
    let ran = false;
    // Boot code may itself call load(): follow it, but not forever.
    for (let hops = 0; this.pending && hops < 4; hops++) {
      const restart = this.pending;
      this.pending = undefined;
      this.restart(restart);
      ran = true;
    }
    this.pending = undefined;
    return ran;
  }

  private restart(restart: Restart): void {
    resetInterpreter(this.board);
    this.install();
    if (restart.kind === 'reset' && restart.eraseStorage) this.board.storage.clear();
    const ranBootCode = this.boot(restart);
    // Espruino greets after reset() and load("file"), and at power-on when there is no boot code.
    if (restart.kind === 'reset' || (restart.kind === 'load' && restart.file) || (restart.kind === 'reboot' && !ranBootCode)) this.banner();
    if (restart.kind === 'load' && restart.file) this.runFile(restart.file);
  }

  private boot(restart: Restart): boolean {
    if (restart.kind === 'reboot') this.runFile('.bootPowerOn', false);
    for (const n of [0, 1, 2, 3]) this.runFile(`.boot${n}`, false);
    if (this.runFile('.bootrst', false)) return true;
    const runsSavedCode = restart.kind === 'reboot' || (restart.kind === 'load' && !restart.file);
    return runsSavedCode && this.runFile('.bootcde', false);
  }

  private runFile(name: string, required = true): boolean {
    const bytes = this.board.storage.get(name);
    if (!bytes) {
      if (required) this.console.print(`ERROR: File ${JSON.stringify(name)} not found\n`);
      return false;
    }
    this.board.run(Buffer.from(bytes).toString('latin1'), name);
    return true;
  }

  private banner(): void {
    const env = this.board.evaluate('process.env') as { VERSION?: string; BOARD?: string };
    this.console.print(
      '\n' +
        ' ____                 _ \n' +
        '|  __|___ ___ ___ _ _|_|___ ___ \n' +
        '|  __|_ -| . |  _| | | |   | . |\n' +
        '|____|___|  _|_| |___|_|_|_|___|\n' +
        '         |_| espruino.com\n' +
        ` ${env.VERSION ?? ''} tinysense simulator of ${env.BOARD ?? 'a board'}\n\n`,
    );
  }
}
