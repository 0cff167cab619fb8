/**
 * The simulator: runs the bundle a build produced for a board, unchanged, on
 * an emulated engine with virtual time and recorded sensor traces.
 *
 *   const run = await simulate({ app: 'src/app.ts', board: 'BANGLEJS2', trace: 'test/walk.csv' });
 *   run.advance(5000);
 *   expect(run.events('gesture')).toEqual([...]);
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_PREFIX } from '../../device/events.js';
import { CameraStats, simulatedCamera } from './camera.js';
import { BoardInfo, EspruinoBoard, SpiDevice } from './espruino.js';
import { Trace, loadTrace, sampleAt } from './traces.js';

export interface SimEvent {
  /** Virtual time in ms. */
  t: number;
  name: string;
  value: unknown;
}

export interface OutputLine {
  t: number;
  line: string;
}

export interface BuiltApp {
  /** The bundle (app.js). */
  bundle: string;
  /** Files the upload puts into Storage (model pack, kernel blob), by Storage name. */
  storage: Record<string, Uint8Array>;
  board: BoardInfo;
}

export interface SimulateOptions {
  /** A built app: a dist/ folder of `tinysense build` (app.js plus Storage files) or the parts in memory. */
  built: string | BuiltApp;
  /** Board to emulate when `built` is a folder (its budget.json names it otherwise). */
  board?: BoardInfo;
  /** A trace file or folder (see docs/traces.md). */
  trace?: string | Trace;
  /** Chip-select pin of the SPI camera module, when the trace is frames. */
  cameraCs?: number;
  /** Called for every console line as it happens (progress, debugging). */
  onOutput?: (line: OutputLine) => void;
}

/** Reads a `tinysense build` output folder: app.js and every other file as a Storage file. */
export function readBuiltApp(dir: string, board: BoardInfo): BuiltApp {
  const bundlePath = join(dir, 'app.js');
  if (!existsSync(bundlePath)) throw new Error(`${dir} has no app.js; run \`tinysense build\` first`);
  const storage: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tsm') || name.endsWith('.bin')) storage[name] = new Uint8Array(readFileSync(join(dir, name)));
  }
  return { bundle: readFileSync(bundlePath, 'utf8'), storage, board };
}

export class Simulation {
  readonly board: EspruinoBoard;
  readonly output: OutputLine[] = [];
  private readonly allEvents: SimEvent[] = [];
  readonly trace?: Trace;
  readonly camera: CameraStats = { captures: 0, captured: [] };
  /** Model outputs over time, for the report, as the app reported them. */

  constructor(readonly app: BuiltApp, options: Omit<SimulateOptions, 'built'> = {}) {
    this.trace = typeof options.trace === 'string' ? loadTrace(options.trace) : options.trace;
    const trace = this.trace;
    const spiDevices: Record<number, SpiDevice> = {};
    if (trace?.kind === 'frames') spiDevices[options.cameraCs ?? 5] = simulatedCamera(trace, () => this.now, this.camera);
    this.board = new EspruinoBoard(app.board, {
      output: (line, t) => {
        const entry = { t, line };
        this.output.push(entry);
        options.onOutput?.(entry);
        if (line.startsWith(EVENT_PREFIX)) {
          const rest = line.slice(EVENT_PREFIX.length);
          const space = rest.indexOf(' ');
          const name = space < 0 ? rest : rest.slice(0, space);
          let value: unknown = null;
          try {
            value = space < 0 ? null : JSON.parse(rest.slice(space + 1));
          } catch {
            value = rest.slice(space + 1);
          }
          this.allEvents.push({ t, name, value });
        }
      },
      accel: trace?.kind === 'scalar' ? (t) => accelAt(trace, t) : undefined,
      spiDevices,
    });
    for (const [name, bytes] of Object.entries(app.storage)) this.board.storage.set(name, bytes);
    this.board.run(app.bundle, 'app.js');
  }

  get now(): number {
    return this.board.clock.now;
  }

  /** Runs the board for `ms` of virtual time. */
  advance(ms: number): this {
    this.board.advance(ms);
    return this;
  }

  /** Events the app reported (all, or those with this name), with virtual timestamps. */
  events(name?: string): SimEvent[] {
    return name === undefined ? [...this.allEvents] : this.allEvents.filter((e) => e.name === name);
  }

  /** Errors the app threw (uncaught, as Espruino would print them). */
  get errors(): Error[] {
    return this.board.errors;
  }

  /** Memory the app uses on the emulated board. */
  memory(): { heapBytes: number; flatBytesInUse: number; flatBytesPeak: number } {
    return { heapBytes: this.app.board.heapBytes, flatBytesInUse: this.board.memory.ramInUse, flatBytesPeak: this.board.memory.ramPeak };
  }

  /** Native kernel calls made, by entry. */
  nativeCalls(): Record<string, number> {
    return { ...this.board.native.calls };
  }
}

function accelAt(trace: Trace & { kind: 'scalar' }, t: number) {
  const v = sampleAt(trace, t);
  if (!v) return undefined;
  const channel = (name: string) => v[trace.columns.indexOf(name)] ?? 0;
  return { x: channel('x'), y: channel('y'), z: channel('z') };
}

export function simulate(options: SimulateOptions): Simulation {
  const app = typeof options.built === 'string' ? readBuiltApp(options.built, need(options.board)) : options.built;
  return new Simulation(app, options);
}

function need(board: BoardInfo | undefined): BoardInfo {
  if (!board) throw new Error('simulate: give the board to emulate');
  return board;
}
