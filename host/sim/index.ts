/**
 * The simulator: runs the bundle a build produced for a board, unchanged, on
 * an emulated engine with virtual time and recorded sensor traces.
 *
 *   const run = await simulate({ app: 'src/app.ts', board: 'BANGLEJS2', trace: 'test/walk.csv' });
 *   run.advance(5000);
 *   expect(run.events('gesture')).toEqual([...]);
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { BangleDevice } from './bangle.js';
import { CameraStats, simulatedCamera } from './camera.js';
import { parseEventLine } from './event-line.js';
import type { BoardInfo, SpiDevice } from './espruino.js';
import type { EmulatedBoard, SimulatedBoard } from './board.js';
import type { MicStats } from './mic.js';
import { engineNamed } from '../engines/index.js';
import { Trace, loadTrace, sampleAt } from './traces.js';
import type { ModelRun, ModelTimer, RunSummary } from './timing.js';

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
  /** The bundle's source map (app.js.map), for original positions in watchdog messages. */
  map?: import('../bundler/sourcemap.js').SourceMapV3;
}

export interface SimulateOptions {
  /**
   * The app: its entry .ts, or a folder with a tinysense.json ({ "entry", "model" or "models", "modelCard"? }).
   * It is built for the board first, exactly as `tinysense build` does.
   */
  app?: string;
  /** Or an app built already: a `tinysense build` output folder, or the parts in memory. */
  built?: string | BuiltApp;
  /** Board id (boards/) to build for and emulate. */
  board: string;
  /** Model for the build when the app folder does not name one (.tflite or .tsm). */
  model?: string;
  /** Where the build goes (default: a folder under out/). */
  outDir?: string;
  /** A trace file or folder (see docs/traces.md). */
  trace?: string | Trace;
  /** Chip-select pin of the SPI camera module, when the trace is frames. */
  cameraCs?: number;
  /** Called for every console line as it happens (progress, debugging). */
  onOutput?: (line: OutputLine) => void;
  /** Host ms a callback or the top-level code may run before the watchdog stops it (default DEFAULT_WATCHDOG_MS; 0: none). */
  watchdogMs?: number;
  /** false: type errors do not fail the build (BuildAppOptions.typecheck). */
  typecheck?: boolean;
}

/** Reads a `tinysense build` output folder: app.js and every other file as a Storage file. */
export function readBuiltApp(dir: string, board: BoardInfo): BuiltApp {
  const bundlePath = join(dir, 'app.js');
  if (!existsSync(bundlePath)) throw new Error(`${dir} has no app.js; run \`tinysense build\` first`);
  const storage: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tsm') || name.endsWith('.bin')) storage[name] = new Uint8Array(readFileSync(join(dir, name)));
  }
  return { bundle: readFileSync(bundlePath, 'utf8'), storage, board, map: readSourceMap(join(dir, 'app.js.map')) };
}

/** app.js.map with its sources made relative to the working directory (undefined when absent or unreadable). */
function readSourceMap(path: string): BuiltApp['map'] {
  if (!existsSync(path)) return undefined;
  try {
    const map = JSON.parse(readFileSync(path, 'utf8')) as NonNullable<BuiltApp['map']>;
    return { ...map, sources: map.sources.map((s) => (s === null ? s : relative(process.cwd(), resolve(dirname(path), (map.sourceRoot ?? '') + s)))), sourceRoot: undefined };
  } catch {
    return undefined;
  }
}

export class Simulation {
  /** The emulated board (its engine's sandbox and files). */
  readonly board: EmulatedBoard;
  /** The board as its engine's simulator gives it: figures, observers, console (host/sim/board.ts). */
  readonly simulated: SimulatedBoard;
  readonly output: OutputLine[] = [];
  private readonly allEvents: SimEvent[] = [];
  readonly trace?: Trace;
  readonly camera: CameraStats = { captures: 0, captured: [] };
  /** Model outputs over time, for the report, as the app reported them. */

  constructor(readonly app: BuiltApp, options: Pick<SimulateOptions, 'trace' | 'cameraCs' | 'onOutput' | 'watchdogMs'> = {}) {
    this.trace = typeof options.trace === 'string' ? loadTrace(options.trace) : options.trace;
    const trace = this.trace;
    const engine = engineNamed(app.board.engine ?? 'espruino');
    if (trace?.kind === 'audio' && !engine.simulator.microphone) {
      throw new Error(`an audio trace needs a microphone, and the simulated ${engine.title} board ${app.board.id} has none: the simulator emulates the I2S microphone on JerryScript boards only (tinysense.sensors.mic)`);
    }
    const spiDevices: Record<number, SpiDevice> = {};
    if (trace?.kind === 'frames') spiDevices[options.cameraCs ?? 5] = simulatedCamera(trace, () => this.now, this.camera);
    const hooks = {
      output: (line: string, t: number) => {
        const entry = { t, line };
        this.output.push(entry);
        options.onOutput?.(entry);
        const event = parseEventLine(line);
        if (event) this.allEvents.push({ t, ...event });
      },
      accel: trace?.kind === 'scalar' ? (t: number) => accelAt(trace, t) : undefined,
      column: trace?.kind === 'scalar' ? (name: string, t: number) => columnAt(trace, name, t) : undefined,
      edges: trace?.kind === 'scalar' ? (name: string) => columnEdges(trace, name) : undefined,
      spiDevices,
      frames: trace?.kind === 'frames' ? trace : undefined,
      audio: trace?.kind === 'audio' ? trace : undefined,
    };
    this.simulated = engine.simulator.create(app.board, hooks);
    this.board = this.simulated.board;
    for (const [name, bytes] of Object.entries(app.storage)) this.board.storage.set(name, bytes);
    if (options.watchdogMs !== undefined) this.board.watchdog.limitMs = options.watchdogMs;
    this.board.watchdog.sourceMap = app.map;
    this.simulated.start(app.bundle, 'app.js');
  }

  get now(): number {
    return this.board.clock.now;
  }

  /** Bangle.js 2's screen, button, buzzer and messages (host/sim/bangle.ts); undefined on other boards. */
  get bangle(): BangleDevice | undefined {
    return this.simulated.bangle;
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

  /** Memory the app uses on the emulated board: flat buffers (Espruino) or native allocations (JerryScript). */
  memory(): { heapBytes: number; flatBytesInUse: number; flatBytesPeak: number } {
    return { heapBytes: this.app.board.heapBytes, ...this.simulated.memory() };
  }

  /**
   * Board time the model ops took (estimated per op, host/sim/timing.ts: measured figures on Cortex-M4
   * boards, assumed ones elsewhere, see `runs().measured`) and the longest a timer callback kept the board
   * busy (event loop blocked).
   */
  timing(): { modelMs: number; longestBlockMs: number } {
    return { modelMs: this.modelTimer?.deviceMs ?? 0, longestBlockMs: this.board.clock.longestCallbackMs };
  }

  /** Model runs (not kernel calls): each with its start, end, board ms and, when an interval started it, its deadline. */
  modelRuns(): ModelRun[] {
    return this.modelTimer ? this.modelTimer.runs.map((r) => ({ ...r })) : [];
  }

  /** Runs, their latency, and the deadlines they missed (host/sim/timing.ts); undefined without figures for the CPU. */
  runSummary(): RunSummary | undefined {
    return this.modelTimer?.summary();
  }

  private get modelTimer(): ModelTimer | undefined {
    return this.simulated.modelTimer();
  }

  /** Native kernel calls made, by entry (ts_invoke/ts_checksum on Espruino, invoke/checksum on JerryScript). */
  nativeCalls(): Record<string, number> {
    return this.simulated.nativeCalls();
  }

  /** Camera frames the app captured. */
  cameraCaptures(): number {
    return this.simulated.cameraCaptures(this.camera);
  }

  /** Microphone samples the app read, samples it lost to buffer overrun, and ms it spent blocked in reads (host/sim/mic.ts). */
  micStats(): MicStats {
    return this.simulated.micStats();
  }
}

function accelAt(trace: Trace & { kind: 'scalar' }, t: number) {
  const v = sampleAt(trace, t);
  if (!v) return undefined;
  const channel = (name: string) => v[trace.columns.indexOf(name)] ?? 0;
  return { x: channel('x'), y: channel('y'), z: channel('z') };
}

/** A column's value at t (sample and hold); undefined without that column or before the first row. */
function columnAt(trace: Trace & { kind: 'scalar' }, name: string, t: number): number | undefined {
  const c = trace.columns.indexOf(name);
  return c < 0 ? undefined : sampleAt(trace, t)?.[c];
}

/** Where a column's value changes, from an initial 0 (a button column: presses and releases). */
function columnEdges(trace: Trace & { kind: 'scalar' }, name: string): { t: number; value: number }[] {
  const c = trace.columns.indexOf(name);
  if (c < 0) return [];
  const edges: { t: number; value: number }[] = [];
  let last = 0;
  trace.values.forEach((row, i) => {
    if (row[c] !== last) edges.push({ t: trace.t[i], value: (last = row[c]) });
  });
  return edges;
}

// The app argument (entry file or folder with tinysense.json) is resolved as `tinysense build` does it.
export { resolveApp } from '../bundler/project.js';
export type { AppProject, ResolvedApp } from '../bundler/project.js';

/** Builds the app for the board (unless built already) and starts it on the emulated board. */
export async function simulate(options: SimulateOptions): Promise<Simulation> {
  const { loadBoard, simBoardInfo, buildApp, resolveApp } = await import('../bundler/index.js');
  const loaded = loadBoard(options.board);
  const board: BoardInfo = simBoardInfo(loaded);
  let built = options.built;
  if (!built) {
    if (!options.app) throw new Error('simulate: give the app (entry or folder) or a built app');
    const app = resolveApp(options.app, options.model);
    const outDir = options.outDir ?? join('out', 'build', `${app.name}-${options.board}`);
    await buildApp({ entry: app.entry, board: options.board, model: app.model, models: app.models, modelCard: app.modelCard, outDir, typecheck: options.typecheck, allowMissingGlobals: app.allowMissingGlobals });
    built = outDir;
  }
  const parts = typeof built === 'string' ? readBuiltApp(built, board) : built;
  return new Simulation(parts, options);
}
