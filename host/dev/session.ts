/**
 * `tinysense dev` with the simulator as the source: builds the app, runs it on
 * the emulated board with virtual time paced by the wall clock (times a
 * speed), and gathers what the page shows: sensor samples, every model
 * invoke's outputs and per-op times, the app's events, the console and
 * memory. Play, pause, step, speed, seek (backwards replays from the start:
 * the simulation is deterministic), switch trace, and rebuild on edits.
 *
 * Every change goes to listeners as messages (host/dev/protocol.ts): a
 * `snapshot` (everything so far, after a restart or for a new page) and then
 * `tick`s with what is new.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { H, u32 } from '../../device/pack.js';
import type { BuildReport } from '../bundler/plugin.js';
import { Simulation, readBuiltApp, type BuiltApp } from '../sim/index.js';
import type { OpCall } from '../sim/observe.js';
import { encodePng } from '../sim/png.js';
import { loadTrace, type Trace } from '../sim/traces.js';
import { parseEventLine } from '../sim/event-line.js';
import { DevModel, devModels, readOutput } from './models.js';
import { type AppWatcher, watchAppFiles } from './watch.js';
import type { DevMessage, DevSnapshot, DevState, DevTick, InvokeRecord, ModelInfo, SensorInfo } from './protocol.js';

export interface DevSessionOptions {
  /** App folder (tinysense.json) or entry .ts. */
  app: string;
  board: string;
  /** Trace file or folder; default: the first trace in the app folder's traces/. */
  trace?: string;
  model?: string;
  /** Where builds go (default out/dev/<app>-<board>). */
  outDir?: string;
  /** Start playing at once (default true). */
  autoplay?: boolean;
  /** Initial speed (default 1: virtual time runs as fast as the wall clock). */
  speed?: number;
  /** Rebuild and restart when the app's files change (default true). */
  watch?: boolean;
  /** How often the page is updated, wall ms (default 100: 10 updates a second). */
  tickMs?: number;
  /** Progress and build messages. */
  log?: (message: string) => void;
}

/** The most virtual time one tick advances (a slow host runs the replay slower rather than stalling). */
const MAX_STEP_MS = 2000;
/** Audio is shown as a min/max envelope of this many ms per point. */
const AUDIO_BUCKET_MS = 10;
/** Console lines kept. */
const MAX_CONSOLE = 2000;

/** Long enough to replay the whole trace and a little more (as `tinysense simulate`). */
export function traceDuration(trace: Trace | undefined): number {
  if (!trace) return Infinity;
  if (trace.kind === 'scalar') return (trace.t[trace.t.length - 1] ?? 0) + 1000;
  if (trace.kind === 'frames') return (trace.frames[trace.frames.length - 1]?.t ?? 0) + 2000;
  return Math.ceil((1000 * trace.samples.length) / trace.sampleRate) + 1000;
}

/** Traces in the app folder's traces/ (files the simulator can load), plus the one given. */
function findTraces(appDir: string | undefined, given: string | undefined): string[] {
  const list: string[] = [];
  if (given) list.push(resolve(given));
  const dir = appDir ? join(appDir, 'traces') : undefined;
  if (dir && existsSync(dir) && statSync(dir).isDirectory()) {
    for (const name of readdirSync(dir).sort()) {
      if (['.csv', '.wav', '.json'].includes(extname(name).toLowerCase())) {
        const path = join(dir, name);
        if (!list.includes(path)) list.push(path);
      }
    }
  }
  return list;
}

interface ModelStats {
  invokes: number;
  /** Per op: total host ms and the last call's. */
  hostTotal: number[];
  hostLast: number[];
}

export class DevSession {
  readonly appDir?: string;
  readonly traces: string[];
  private tracePath?: string;
  private appName: string;
  private built?: BuiltApp;
  private report?: BuildReport;
  private models: DevModel[] = [];
  private sim?: Simulation;
  private trace?: Trace;
  private duration = Infinity;
  private generation = 0;
  private buildError?: string;
  private building = false;
  private playing: boolean;
  private speed: number;
  private listeners = new Set<(m: DevMessage) => void>();
  private timer?: NodeJS.Timeout;
  private watcher?: AppWatcher;
  private rebuildTimer?: NodeJS.Timeout;
  private lastWall = 0;
  /** Wall ms the host spent advancing simulations (the app, kernels, observers) and the virtual ms advanced, since the start. */
  private cpuMs = 0;
  private simulatedMs = 0;
  private ticks = 0;
  /** What the last screen image sent showed (generation and drawing counts). */
  private screenSent?: string;

  // What has been gathered, and how much of it was sent in ticks (new pages get only what was sent).
  private sensor: { t: number[]; values: number[][] } = { t: [], values: [] };
  private audio: { t: number[]; min: number[]; max: number[] } = { t: [], min: [], max: [] };
  private frames: { t: number; source: string; pixels: string }[] = [];
  private invokes: InvokeRecord[] = [];
  private events: { t: number; name: string; value: unknown }[] = [];
  private console: { t: number; line: string }[] = [];
  private sent = { sensor: 0, audio: 0, frames: 0, invokes: 0, events: 0, console: 0 };
  private sensorCursor = 0;
  private audioCursor = 0;
  private stats: ModelStats[] = [];
  /** Labels found in an event value ({ labels: [...] }), per output count. */
  private eventLabels = new Map<number, string[]>();

  constructor(readonly options: DevSessionOptions) {
    const appPath = resolve(options.app);
    this.appDir = existsSync(appPath) && statSync(appPath).isDirectory() ? appPath : dirname(appPath);
    this.appName = basename(appPath).replace(/\.[jt]s$/, '');
    this.traces = findTraces(this.appDir, options.trace);
    this.tracePath = options.trace ? resolve(options.trace) : this.traces[0];
    this.playing = options.autoplay ?? true;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0 && this.speed <= 100)) throw new Error(`speed ${options.speed}: give a factor above 0, at most 100`);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  /** Builds, starts the simulation and the clock, and watches the app's files. */
  async start(): Promise<void> {
    await this.rebuild();
    if (!this.sim) throw new Error(this.buildError ?? 'the app did not start');
    this.lastWall = performance.now();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 100);
    if (this.options.watch !== false && this.appDir) {
      this.watcher = watchAppFiles(this.appDir, (name) => void this.rebuild(`${name} changed`));
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.watcher?.close();
    this.listeners.clear();
  }

  subscribe(listener: (m: DevMessage) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  private broadcast(m: DevMessage): void {
    for (const l of this.listeners) l(m);
  }

  /** Builds the app (as `tinysense build`) and restarts the simulation; a failed build keeps the old one running. */
  async rebuild(reason?: string): Promise<void> {
    if (this.building) {
      // Another edit while building: build again afterwards.
      if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
      this.rebuildTimer = setTimeout(() => void this.rebuild(reason), 250);
      return;
    }
    this.building = true;
    const started = performance.now();
    if (reason) this.log(`${reason}: rebuilding`);
    this.broadcast({ type: 'status', state: { ...this.state(), building: true } });
    try {
      const { buildApp, loadBoard, simBoardInfo, resolveApp } = await import('../bundler/index.js');
      const app = resolveApp(this.options.app, this.options.model);
      const loaded = loadBoard(this.options.board);
      const outDir = this.options.outDir ?? join('out', 'dev', `${app.name}-${this.options.board}`);
      const { report } = await buildApp({ entry: app.entry, board: this.options.board, model: app.model, models: app.models, modelCard: app.modelCard, outDir, allowOverBudget: true, allowMissingGlobals: app.allowMissingGlobals });
      this.report = report;
      this.built = readBuiltApp(outDir, simBoardInfo(loaded));
      this.models = devModels(this.built.storage, report, { dir: this.appDir, modelCard: app.modelCard }, loaded.clockMHz);
      this.buildError = undefined;
      this.log(`built ${app.name} for ${this.options.board} in ${Math.round(performance.now() - started)} ms`);
      this.restart(0);
    } catch (e) {
      this.buildError = (e as Error).message;
      this.log(`build failed: ${this.buildError}`);
      this.broadcast({ type: 'status', state: this.state() });
    } finally {
      this.building = false;
    }
  }

  /** A fresh simulation of the built app on the current trace, run to virtual time `to`. */
  private restart(to: number): void {
    if (!this.built) return;
    this.generation++;
    this.trace = this.tracePath ? loadTrace(this.tracePath) : undefined;
    this.duration = traceDuration(this.trace);
    this.sensor = { t: [], values: [] };
    this.audio = { t: [], min: [], max: [] };
    this.frames = [];
    this.invokes = [];
    this.events = [];
    this.console = [];
    this.sent = { sensor: 0, audio: 0, frames: 0, invokes: 0, events: 0, console: 0 };
    this.sensorCursor = 0;
    this.audioCursor = 0;
    this.stats = this.models.map((m) => ({ invokes: 0, hostTotal: m.ops.map(() => 0), hostLast: m.ops.map(() => 0) }));
    this.eventLabels.clear();
    const sim = new Simulation(this.built, {
      trace: this.trace,
      onOutput: ({ t, line }) => this.onOutput(t, line),
    });
    this.sim = sim;
    sim.simulated.observeOps((call: OpCall) => this.onOp(call));
    this.collectSensor();
    if (to > 0) this.advance(to);
    this.flush(true);
  }

  private onOutput(t: number, line: string): void {
    const event = parseEventLine(line);
    if (event) {
      const { value } = event;
      this.events.push({ t, ...event });
      const labels = (value as { labels?: unknown } | null)?.labels;
      if (Array.isArray(labels) && labels.every((l) => typeof l === 'string')) this.eventLabels.set(labels.length, labels as string[]);
    }
    this.console.push({ t, line });
  }

  private onOp(call: OpCall): void {
    const crc = u32(call.pack, H.crc);
    const index = this.models.findIndex((m) => m.crc === crc);
    if (index < 0) return;
    const model = this.models[index];
    const op = model.opIndex.get(call.record);
    if (op === undefined) return;
    const stats = this.stats[index];
    stats.hostLast[op] = call.hostMs;
    stats.hostTotal[op] += call.hostMs;
    if (op !== model.records.length - 1) return;
    // The last op of an invoke: its outputs are ready.
    stats.invokes++;
    const out = readOutput(model, call.arena, call.pack).map((v) => Math.round(v * 1e4) / 1e4);
    this.invokes.push({ t: this.sim ? this.sim.now : 0, m: index, out, ms: Math.round(stats.hostLast.reduce((a, b) => a + b, 0) * 1000) / 1000 });
  }

  /** Trace samples up to the current time. */
  private collectSensor(): void {
    const trace = this.trace;
    const now = this.sim?.now ?? 0;
    if (!trace) return;
    if (trace.kind === 'scalar') {
      while (this.sensorCursor < trace.t.length && trace.t[this.sensorCursor] <= now) {
        this.sensor.t.push(trace.t[this.sensorCursor]);
        this.sensor.values.push(trace.values[this.sensorCursor]);
        this.sensorCursor++;
      }
    } else if (trace.kind === 'audio') {
      const per = Math.max(1, Math.round((trace.sampleRate * AUDIO_BUCKET_MS) / 1000));
      const captured = Math.floor((now * trace.sampleRate) / 1000 + 1e-6);
      while (this.audioCursor + per <= captured) {
        let lo = 0;
        let hi = 0;
        for (let i = this.audioCursor; i < this.audioCursor + per; i++) {
          const v = i < trace.samples.length ? trace.samples[i] : 0;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        this.audio.t.push((1000 * (this.audioCursor + per)) / trace.sampleRate);
        this.audio.min.push(lo / 32768);
        this.audio.max.push(hi / 32768);
        this.audioCursor += per;
      }
    } else {
      let current: (typeof trace.frames)[number] | undefined;
      for (const f of trace.frames) if (f.t <= now) current = f;
      const last = this.frames[this.frames.length - 1];
      if (current && (!last || last.source !== current.source || last.t !== current.t)) {
        this.frames.push({ t: current.t, source: current.source, pixels: Buffer.from(current.pixels).toString('base64') });
      }
    }
  }

  /** Advances virtual time by `ms` (in slices, so sensor data and frames keep their times). */
  private advance(ms: number): void {
    const sim = this.sim;
    if (!sim || ms <= 0) return;
    const started = performance.now();
    const end = Math.min(sim.now + ms, this.duration);
    while (sim.now < end) {
      sim.advance(Math.min(100, end - sim.now));
      this.collectSensor();
    }
    this.cpuMs += performance.now() - started;
    this.simulatedMs += ms;
    if (sim.now >= this.duration) this.playing = false;
  }

  private tick(): void {
    const wall = performance.now();
    const elapsed = wall - this.lastWall;
    this.lastWall = wall;
    if (this.playing && this.sim && !this.building) this.advance(Math.min(elapsed * this.speed, MAX_STEP_MS));
    this.flush(false);
  }

  /** Sends what is new (a tick), or everything (a snapshot, after a restart). */
  private flush(all: boolean): void {
    this.ticks++;
    if (all) {
      this.markSent();
      this.broadcast(this.snapshot());
      return;
    }
    const tick: DevTick = {
      type: 'tick',
      generation: this.generation,
      state: this.state(),
      sensor: { t: this.sensor.t.slice(this.sent.sensor), values: this.sensor.values.slice(this.sent.sensor) },
      audio: { t: this.audio.t.slice(this.sent.audio), min: this.audio.min.slice(this.sent.audio), max: this.audio.max.slice(this.sent.audio) },
      frames: this.frames.slice(this.sent.frames),
      invokes: this.invokes.slice(this.sent.invokes),
      events: this.events.slice(this.sent.events),
      console: this.console.slice(this.sent.console),
      memory: this.memory(),
      ops: this.opStats(),
      screenImage: this.screenImage(false),
    };
    this.markSent();
    if (this.console.length > MAX_CONSOLE) {
      this.console.splice(0, this.console.length - MAX_CONSOLE);
      this.sent.console = this.console.length;
    }
    this.broadcast(tick);
  }

  private markSent(): void {
    this.sent = {
      sensor: this.sensor.t.length,
      audio: this.audio.t.length,
      frames: this.frames.length,
      invokes: this.invokes.length,
      events: this.events.length,
      console: this.console.length,
    };
  }

  state(): DevState {
    return {
      source: 'simulator',
      sourceLabel: `simulator: ${this.appName} on ${this.options.board} (virtual time)`,
      app: this.appName,
      board: this.options.board,
      trace: this.tracePath ? relative(process.cwd(), this.tracePath) : undefined,
      traces: this.traces.map((t) => relative(process.cwd(), t)),
      t: this.sim?.now ?? 0,
      duration: Number.isFinite(this.duration) ? this.duration : null,
      playing: this.playing,
      speed: this.speed,
      generation: this.generation,
      building: this.building,
      buildError: this.buildError,
      errors: this.sim ? this.sim.errors.map((e) => e.message) : [],
      cpuMsPerSimulatedSecond: this.simulatedMs > 0 ? (1000 * this.cpuMs) / this.simulatedMs : null,
      ticks: this.ticks,
    };
  }

  private sensorInfo(): SensorInfo {
    const trace = this.trace;
    if (!trace) return { kind: 'none' };
    if (trace.kind === 'scalar') return { kind: 'scalar', columns: trace.columns };
    if (trace.kind === 'audio') return { kind: 'audio', sampleRate: trace.sampleRate, bucketMs: AUDIO_BUCKET_MS };
    return { kind: 'frames', width: trace.width, height: trace.height };
  }

  private modelInfo(): ModelInfo[] {
    return this.models.map((m) => {
      const count = m.outputs[0] ? m.outputs[0].shape.reduce((a, b) => a * b, 1) : 0;
      return {
        file: m.file,
        view: m.view,
        labels: m.labels ?? this.eventLabels.get(count) ?? Array.from({ length: count }, (_, i) => `output ${i}`),
        ops: m.ops,
        arenaBytes: m.arenaBytes,
        packBytes: m.packBytes,
        deviceMsPerInvoke: m.deviceMsPerInvoke,
        cyclesBasis: m.cyclesBasis,
      };
    });
  }

  private opStats(): DevTick['ops'] {
    return this.stats.map((s) => ({
      invokes: s.invokes,
      hostLast: s.hostLast.map((v) => Math.round(v * 1000) / 1000),
      hostMean: s.hostTotal.map((v) => (s.invokes ? Math.round((v / s.invokes) * 1000) / 1000 : 0)),
    }));
  }

  private memory(): DevTick['memory'] {
    const sim = this.sim;
    const budget = this.report?.budget;
    const live = sim?.memory();
    let storageUsed: number | undefined;
    if (sim) storageUsed = [...sim.board.storage.values()].reduce((n, f) => n + f.length, 0);
    return {
      jsHeapBytes: budget?.jsHeap.capacity ?? live?.heapBytes ?? 0,
      jsHeapBudgetUsed: budget?.jsHeap.used,
      flatInUse: live?.flatBytesInUse ?? 0,
      flatPeak: live?.flatBytesPeak ?? 0,
      flatLabel: sim ? sim.simulated.memoryLabel : 'flat buffers in the JS heap',
      arenaBytes: this.models.reduce((n, m) => n + m.arenaBytes, 0),
      storageBytes: budget?.storage.capacity,
      storageUsed,
      storageBudgetUsed: budget?.storage.used,
    };
  }

  /** The Bangle.js 2 screen as a PNG data URL: always (all), or only when something was drawn since the last one. */
  private screenImage(all: boolean): string | undefined {
    const b = this.sim?.bangle;
    if (!b) return undefined;
    const key = `${this.generation}:${b.drawCalls}:${b.flips}`;
    if (!all && key === this.screenSent) return undefined;
    this.screenSent = key;
    const image = b.screen.rgba(1);
    return `data:image/png;base64,${encodePng(image.width, image.height, image.data).toString('base64')}`;
  }

  snapshot(): DevSnapshot {
    const s = this.sent;
    return {
      type: 'snapshot',
      generation: this.generation,
      state: this.state(),
      sensorInfo: this.sensorInfo(),
      models: this.modelInfo(),
      screen: { ...screenInfo(this.options.board, this.sim), image: this.screenImage(true) },
      sensor: { t: this.sensor.t.slice(0, s.sensor), values: this.sensor.values.slice(0, s.sensor) },
      audio: { t: this.audio.t.slice(0, s.audio), min: this.audio.min.slice(0, s.audio), max: this.audio.max.slice(0, s.audio) },
      frames: this.frames.slice(0, s.frames),
      invokes: this.invokes.slice(0, s.invokes),
      events: this.events.slice(0, s.events),
      console: this.console.slice(0, s.console),
      memory: this.memory(),
      ops: this.opStats(),
    };
  }

  // ------------------------------------------------------------ controls

  play(): void {
    if (this.sim && this.sim.now >= this.duration) this.restart(0);
    this.playing = true;
    this.lastWall = performance.now();
  }

  pause(): void {
    this.playing = false;
    this.flush(false);
  }

  setSpeed(speed: number): void {
    if (!(speed > 0 && speed <= 100)) throw new Error(`speed ${speed}: give a factor above 0, at most 100`);
    this.speed = speed;
    this.flush(false);
  }

  /** Runs until the next invoke of a classifier (the last model shown as classes), at most 5 s; pauses. */
  step(): void {
    this.playing = false;
    const sim = this.sim;
    if (!sim) return;
    let target = this.models.map((m, i) => (m.view === 'classes' ? i : -1)).filter((i) => i >= 0).pop();
    if (target === undefined) target = this.models.length - 1;
    const before = target >= 0 ? this.stats[target].invokes : 0;
    const limit = Math.min(sim.now + 5000, this.duration);
    while (sim.now < limit) {
      this.advance(10);
      if (target >= 0 && this.stats[target].invokes > before) break;
      if (target < 0 && sim.now >= limit) break;
    }
    this.flush(false);
  }

  /** Moves to virtual time t: forwards by running on, backwards by replaying from the start. */
  seek(t: number): void {
    if (!Number.isFinite(t) || t < 0) throw new Error(`seek ${t}: give a time in ms >= 0`);
    const to = Math.min(t, this.duration);
    const sim = this.sim;
    if (!sim) return;
    if (to >= sim.now) {
      this.advance(to - sim.now);
      this.flush(false);
    } else this.restart(to);
  }

  setTrace(path: string): void {
    const full = resolve(path);
    if (!this.traces.includes(full)) throw new Error(`${path} is not one of this app's traces (${this.traces.join(', ')})`);
    this.tracePath = full;
    this.restart(0);
  }

  /** Restarts the simulation from the start with the current build. */
  reload(): void {
    this.restart(0);
  }

  /** A control from the page (host/dev/server.ts). */
  async control(command: string, value: unknown): Promise<void> {
    switch (command) {
      case 'play':
        return this.play();
      case 'pause':
        return this.pause();
      case 'step':
        return this.step();
      case 'speed':
        return this.setSpeed(Number(value));
      case 'seek':
        return this.seek(Number(value));
      case 'trace':
        return this.setTrace(String(value));
      case 'restart':
        return this.reload();
      case 'rebuild':
        return this.rebuild('rebuild asked for');
      default:
        throw new Error(`unknown control ${command}`);
    }
  }
}

/** The screen the app draws: Bangle.js 2's, emulated by the simulator (host/sim/bangle.ts). */
function screenInfo(board: string, sim: Simulation | undefined): DevSnapshot['screen'] {
  const bangle = sim?.bangle;
  if (!bangle) return { present: false, reason: `${board} has no screen` };
  return { present: true, width: bangle.screen.width, height: bangle.screen.height, emulated: true };
}
