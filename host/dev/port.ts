/**
 * `tinysense dev --port P`: the page follows a board (a real one, or the
 * virtual device of `tinysense simulate --serve`) through the espruino CLI,
 * the same connection `upload` and `record` use. The CLI is started with a
 * one-line probe (-e) that, on a Bangle, adds an accelerometer listener
 * printing `TSDEV a t,x,y,z` per sample (at the app's poll rate, beside the
 * app's own listener; it does not reset the board or the app). Everything the
 * board prints streams back: the app's events (`@tinysense name json`), the
 * samples, and the rest as console lines.
 *
 * Limits: model outputs, per-op times and memory are not reported by a board
 * (the page says so); times are the board's clock from the samples, or the
 * arrival time when there are none. The CLI ends a session after the board
 * is quiet for a while; the source then connects again (the probe adds its
 * listener once).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { linkArgs, portArgs } from '../upload.js';
import { parseEventLine } from '../sim/event-line.js';
import type { DevMessage, DevSnapshot, DevState } from './protocol.js';

const CLI_PATH = createRequire(import.meta.url).resolve('espruino/bin/espruino-cli.js');
const MARK = 'TSDEV';
const EVENT_PREFIX = '@tinysense ';

/** The probe run on the board: once per boot, an accelerometer listener that prints samples (Bangle only). */
export function probeCode(): string {
  return (
    `if (typeof __tsdev === "undefined") { var __tsdev = 1; ` +
    `if (typeof Bangle !== "undefined") Bangle.on("accel", function (a) { print("${MARK} a " + Math.round(getTime() * 1000) + "," + a.x + "," + a.y + "," + a.z); }); ` +
    `print("${MARK} hello " + process.env.BOARD + " " + process.env.VERSION); }`
  );
}

export interface PortSourceOptions {
  port: string;
  board: string;
  app?: string;
  log?: (message: string) => void;
  /** Extra CLI arguments (tests). */
  cliArgs?: string[];
}

export class PortSource {
  private child?: ChildProcess;
  private closed = false;
  private listeners = new Set<(m: DevMessage) => void>();
  private timer?: NodeJS.Timeout;
  private generation = 1;
  private ticks = 0;
  /** Board ms minus host ms, from the last sample (so lines without a time get one). */
  private offset?: number;
  private connected = false;
  private connections = 0;
  private sensor: { t: number[]; values: number[][] } = { t: [], values: [] };
  private events: { t: number; name: string; value: unknown }[] = [];
  private console: { t: number; line: string }[] = [];
  private sent = { sensor: 0, events: 0, console: 0 };
  private lastError?: string;

  constructor(readonly options: PortSourceOptions) {}

  async start(): Promise<void> {
    this.connect();
    this.timer = setInterval(() => this.flush(), 100);
  }

  private now(): number {
    const host = performance.now();
    return Math.max(0, Math.round(host + (this.offset ?? 0)));
  }

  private connect(): void {
    if (this.closed) return;
    this.connections++;
    const child = spawn(process.execPath, [CLI_PATH, ...portArgs(this.options.port), ...linkArgs(this.options.port), ...(this.options.cliArgs ?? []), '-e', probeCode()], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let pending = '';
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.onCliLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr!.setEncoding('latin1');
    child.stderr!.on('data', (chunk: string) => {
      const text = chunk.trim();
      if (text) this.lastError = text.split('\n').pop();
    });
    child.on('close', () => {
      this.connected = false;
      if (this.closed) return;
      // The CLI leaves after the board goes quiet: connect again.
      setTimeout(() => this.connect(), 1000);
    });
  }

  private onCliLine(raw: string): void {
    if (raw.startsWith('Connected')) this.connected = true;
    if (!raw.startsWith('--] ')) {
      if (/ERROR|error/.test(raw)) this.lastError = raw.trim();
      return;
    }
    const line = raw.slice(4).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '').replace(/^>+/, '');
    if (line === '' || /^< << .* >> >$/.test(line)) return;
    this.connected = true;
    const sample = new RegExp(`${MARK} a (-?[\\d.]+),(-?[\\d.eE+-]+),(-?[\\d.eE+-]+),(-?[\\d.eE+-]+)`).exec(line);
    if (sample) {
      const [t, x, y, z] = sample.slice(1).map(Number);
      this.offset = t - performance.now();
      this.sensor.t.push(t);
      this.sensor.values.push([x, y, z]);
      return;
    }
    if (line.includes(`${MARK} hello`)) return;
    const t = this.now();
    const event = parseEventLine(line, Math.max(0, line.indexOf(EVENT_PREFIX)));
    if (event) this.events.push({ t, ...event });
    this.console.push({ t, line });
  }

  state(): DevState {
    return {
      source: 'port',
      sourceLabel: `board on ${this.options.port} (${this.options.board}, live${this.connected ? '' : ', connecting'})`,
      app: this.options.app ?? '',
      board: this.options.board,
      traces: [],
      t: this.now(),
      duration: null,
      playing: true,
      speed: 1,
      generation: this.generation,
      building: false,
      buildError: this.connected ? undefined : this.lastError,
      errors: [],
      cpuMsPerSimulatedSecond: null,
      ticks: this.ticks,
    };
  }

  snapshot(): DevSnapshot {
    const s = this.sent;
    return {
      type: 'snapshot',
      generation: this.generation,
      state: this.state(),
      sensorInfo: this.sensor.t.length || this.options.board.startsWith('BANGLE') ? { kind: 'scalar', columns: ['x', 'y', 'z'] } : { kind: 'none' },
      models: [],
      screen: { present: this.options.board === 'BANGLEJS2', width: 176, height: 176, emulated: false, reason: "The board's screen is not streamed (only what it prints)." },
      sensor: { t: this.sensor.t.slice(0, s.sensor), values: this.sensor.values.slice(0, s.sensor) },
      audio: { t: [], min: [], max: [] },
      frames: [],
      invokes: [],
      events: this.events.slice(0, s.events),
      console: this.console.slice(0, s.console),
      memory: { jsHeapBytes: 0, flatInUse: 0, flatPeak: 0, flatLabel: 'not reported by a board', arenaBytes: 0 },
      ops: [],
    };
  }

  subscribe(listener: (m: DevMessage) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  private flush(): void {
    this.ticks++;
    const s = this.sent;
    const tick: DevMessage = {
      type: 'tick',
      generation: this.generation,
      state: this.state(),
      sensor: { t: this.sensor.t.slice(s.sensor), values: this.sensor.values.slice(s.sensor) },
      audio: { t: [], min: [], max: [] },
      frames: [],
      invokes: [],
      events: this.events.slice(s.events),
      console: this.console.slice(s.console),
      memory: { jsHeapBytes: 0, flatInUse: 0, flatPeak: 0, flatLabel: 'not reported by a board', arenaBytes: 0 },
      ops: [],
    };
    this.sent = { sensor: this.sensor.t.length, events: this.events.length, console: this.console.length };
    // Keep the last few minutes.
    if (this.sensor.t.length > 20000) {
      const drop = this.sensor.t.length - 15000;
      this.sensor.t.splice(0, drop);
      this.sensor.values.splice(0, drop);
      this.sent.sensor -= drop;
    }
    for (const l of this.listeners) l(tick);
  }

  control(command: string): void {
    throw new Error(`${command}: the page follows a board on ${this.options.port}; replay controls work in the simulator only`);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.child?.kill('SIGTERM');
    this.listeners.clear();
  }
}
