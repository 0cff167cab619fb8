/**
 * Bangle.js 2 for the simulator: the globals a watch app has beyond the Espruino core, with the
 * semantics of Espruino 2v29 (libs/banglejs/jswrap_bangle.c, src/jswrap_io.c, libs/js/banglejs/*;
 * read for facts, nothing copied). Installed by the Espruino board only when the board file lists
 * the `Bangle` object; other boards get none of these globals.
 *
 * - `g`: the screen (host/sim/graphics.ts), every drawing call recorded with its virtual time.
 * - `BTN1` / `BTN` (pin D17) and `setWatch` / `clearWatch` on it, driven by a `btn1` column (0/1) of
 *   the scalar trace: a change of value at time T is an edge at T. Built-in buttons default to
 *   `edge: 'rising'` and a 25 ms debounce (jswrap_interface_setWatch): the callback runs at T + debounce,
 *   if no other edge came meanwhile (a bounce restarts the wait), with `{ state, time: T / 1000, lastTime, pin }`
 *   (lastTime: the watch's previous debounced change, whichever edge; undefined before the first).
 * - `Bangle.buzz(time = 200, strength = 1)`: time clamped to 1..5000 ms (0 or less means 200), strength
 *   to 0..1; recorded with its start and duration; returns a Promise resolved when the buzz ends. A buzz
 *   while one is running starts after it (2v29 chains on the running buzz's promise).
 *   Then-callbacks of that Promise run when the host drains its microtasks, after the current
 *   `advance()`: the simulator does not interleave promise jobs with virtual time.
 * - `Bangle.on('accel')` at the poll interval (80 ms default), `Bangle.setPollInterval`, `Bangle.getAccel`,
 *   `Bangle.appRect` (the whole screen: no widgets are loaded), `Bangle.setLCDPower`/`isLCDOn`.
 * - `E.showMessage(message, title?)` (libs/js/banglejs/E_showMessage.js): clears the app area, draws the
 *   title bar in the theme's highlight colours and the message centred. The watch picks the largest
 *   font that fits (g.findFont); the simulator draws the message in "6x8:2" if it fits the width, else
 *   "6x8", and the title in "6x8". Recorded as an event.
 * - `E.getBattery()`: the trace's `battery` column (percent, sample and hold), else 100.
 */
import vm from 'node:vm';
import { DrawCall, GraphicsState, SCREEN_HEIGHT, SCREEN_WIDTH, Screen, THEME, lcdTo565, parseFont, toColor565 } from './graphics.js';
import type { VirtualClock } from './clock.js';
/** One accelerometer reading in g (the trace's x, y, z columns). */
export interface AccelSample {
  x: number;
  y: number;
  z: number;
}

/** The pin of Bangle.js 2's button (boards/BANGLEJS2.py: BTN1 D17, negated in software: pressed reads 1). */
export const BTN1_PIN = 17;
/** Most drawing calls kept for the report; later ones are counted only. */
const MAX_DRAW_LOG = 5000;

export interface BangleInputs {
  accel?(t: number): AccelSample | undefined;
  /** The trace's value of a column at time t (sample and hold), or undefined when the trace has none. */
  column?(name: string, t: number): number | undefined;
  /** Times (ms) and values where a trace column changes, in order, from an initial 0. */
  edges?(name: string): { t: number; value: number }[];
}

export interface BuzzRecord {
  /** Virtual ms the buzz starts (after any buzz still running). */
  t: number;
  ms: number;
  strength: number;
}

export interface WatchRecord {
  id: number;
  pin: number;
  edge: -1 | 0 | 1;
  repeat: boolean;
  debounce: number;
  callback: (e: object) => void;
  site: Error;
  /** The debounced state the watch last saw, and when it changed (seconds; undefined before any change). */
  state: boolean;
  lastTime?: number;
}

export interface BangleHost {
  clock: VirtualClock;
  context: vm.Context;
}

function strict<T extends object>(target: T, name: string): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string' && !(key in t) && key !== 'toJSON' && key !== 'then') {
        throw new Error(`${name}.${key} is not emulated by the tinysense simulator`);
      }
      return Reflect.get(t, key, receiver) as unknown;
    },
  });
}

const int = (v: unknown, fallback = 0) => {
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
};

export class BangleDevice {
  readonly screen = new Screen();
  readonly gfx = new GraphicsState(this.screen);
  /** Drawing calls in order (the first MAX_DRAW_LOG), and how many there were. */
  readonly draws: DrawCall[] = [];
  drawCalls = 0;
  flips = 0;
  readonly buzzes: BuzzRecord[] = [];
  readonly messages: { t: number; message: string; title?: string }[] = [];
  /** Button presses seen (rising edges of BTN1), with their virtual times. */
  readonly presses: number[] = [];
  private readonly watches = new Map<number, WatchRecord>();
  private nextWatch = 1;
  private readonly pinState = new Map<number, { state: boolean; lastEdge: number }>();
  private buzzBusyUntil = 0;
  private pollMs = 80;
  private accelListeners: ((a: unknown) => void)[] = [];
  private accelTimer: number | null = null;
  private lcdOn = true;

  constructor(
    private readonly host: BangleHost,
    private readonly inputs: BangleInputs,
  ) {
    // Button edges from the trace: each is a board event at its time (an interrupt on the watch).
    for (const edge of inputs.edges?.('btn1') ?? []) {
      host.clock.schedule(() => this.pinChanged(BTN1_PIN, edge.value !== 0, edge.t), edge.t, 'the BTN1 edge from the trace');
    }
  }

  /** The state of a pin driven by the trace (BTN1), for digitalRead. */
  pinValue(pin: number): number | undefined {
    const s = this.pinState.get(pin);
    return pin === BTN1_PIN ? (s?.state ? 1 : 0) : undefined;
  }

  private record(call: string, args: unknown[]): void {
    this.drawCalls++;
    if (this.draws.length < MAX_DRAW_LOG) this.draws.push({ t: this.host.clock.now, call, args: args.map((a) => (typeof a === 'object' && a !== null ? JSON.parse(JSON.stringify(a)) : a)) as unknown[] });
  }

  // ------------------------------------------------------------------ buttons and setWatch

  private pinChanged(pin: number, state: boolean, t: number): void {
    const before = this.pinState.get(pin) ?? { state: false, lastEdge: 0 };
    if (before.state === state) return;
    this.pinState.set(pin, { state, lastEdge: t });
    if (pin === BTN1_PIN && state) this.presses.push(t);
    for (const w of [...this.watches.values()]) {
      if (w.pin !== pin) continue;
      // jsinteractive.c: the edge (re)starts the watch's debounce timer; when it runs, a state that differs
      // from the watch's last debounced state is a change: lastTime moves whichever the edge, and the
      // callback runs for the edge it watches, with time = the edge's time (timer time - debounce).
      const settle = () => {
        if (!this.watches.has(w.id) || this.pinState.get(pin)?.lastEdge !== t || w.state === state) return;
        w.state = state;
        const lastTime = w.lastTime;
        w.lastTime = t / 1000;
        if ((w.edge === 1 && !state) || (w.edge === -1 && state)) return;
        if (!w.repeat) this.watches.delete(w.id);
        const event = vm.runInContext('({})', this.host.context) as Record<string, unknown>;
        event.state = state;
        event.lastTime = lastTime;
        event.time = t / 1000;
        event.pin = pin;
        w.callback(event);
      };
      const what = `the setWatch callback on ${pin === BTN1_PIN ? 'BTN1' : `D${pin}`}`;
      // The firmware runs it from its event loop (debounced: that much later), as a callback of its own.
      this.host.clock.schedule(settle, t + w.debounce - this.host.clock.now, what, w.site);
    }
  }

  setWatch(fn: unknown, pin: unknown, options: unknown): number {
    if (typeof fn !== 'function') throw new Error('Function or String not supplied!');
    const p = int(pin, -1);
    if (p < 0 || p > 47) throw new Error(`setWatch: pin ${String(pin)} is not a pin of Bangle.js 2`);
    const button = p === BTN1_PIN;
    let edge: -1 | 0 | 1 = button ? 1 : 0;
    let debounce = button ? 25 : 0;
    let repeat = false;
    if (options && typeof options === 'object') {
      const o = options as Record<string, unknown>;
      if ('repeat' in o) repeat = !!o.repeat;
      if ('debounce' in o) {
        const d = Number(o.debounce);
        debounce = Number.isNaN(d) || d < 0 ? 0 : d;
      }
      if (o.edge !== undefined) {
        const e = o.edge;
        const parsed = typeof e === 'number' ? Math.sign(e) : e === 'rising' ? 1 : e === 'falling' ? -1 : e === 'both' ? 0 : NaN;
        if (Number.isNaN(parsed)) throw new TypeError("'edge' in setWatch should be 1, -1, 0, 'rising', 'falling' or 'both'");
        edge = parsed as -1 | 0 | 1;
      }
    } else repeat = !!options;
    const id = this.nextWatch++;
    const state = this.pinState.get(p)?.state ?? false;
    this.watches.set(id, { id, pin: p, edge, repeat, debounce, callback: fn as (e: object) => void, site: new Error('setWatch here'), state });
    return id;
  }

  clearWatch(id?: unknown): void {
    if (id === undefined) {
      this.watches.clear();
      return;
    }
    if (!this.watches.delete(int(id))) throw new Error(`clearWatch: invalid ID`);
  }

  // ------------------------------------------------------------------ g

  /** The `g` object: drawing calls act on the screen and are recorded; the rest throw "not emulated". */
  graphics(): object {
    const s = this.gfx;
    let self: object;
    const chain = (call: string, fn: (...args: unknown[]) => void) => (...args: unknown[]) => {
      this.record(call, args);
      fn(...args);
      return self;
    };
    const rect = (args: unknown[]): [number, number, number, number] => {
      const a = args[0];
      if (a && typeof a === 'object') {
        const o = a as Record<string, unknown>;
        if ('r' in o && o.r) throw new Error('g.fillRect/clearRect/drawRect with rounded corners ({r}) is not emulated by the tinysense simulator');
        // _jswrap_graphics_getRect: x/x1, y/y1, x2, y2, and w/h (when >= 0) giving x2 = x + w: w + 1 pixels.
        const x = int(o.x1 ?? o.x);
        const y = int(o.y1 ?? o.y);
        const w = o.w === undefined ? -1 : int(o.w, -1);
        const h = o.h === undefined ? -1 : int(o.h, -1);
        return [x, y, w >= 0 ? x + w : int(o.x2), h >= 0 ? y + h : int(o.y2)];
      }
      return [int(args[0]), int(args[1]), int(args[2]), int(args[3])];
    };
    const target = {
      getWidth: () => SCREEN_WIDTH,
      getHeight: () => SCREEN_HEIGHT,
      getBPP: () => 16,
      theme: { ...THEME },
      reset: chain('reset', () => s.reset()),
      clear: chain('clear', (reset) => {
        if (reset) s.reset();
        const clip = s.clip;
        s.clip = { x1: 0, y1: 0, x2: SCREEN_WIDTH - 1, y2: SCREEN_HEIGHT - 1 };
        s.fillRect(0, 0, SCREEN_WIDTH - 1, SCREEN_HEIGHT - 1, s.bg);
        s.clip = clip;
      }),
      setColor: chain('setColor', (r, g, b) => void (s.fg = toColor565(r, g, b))),
      setBgColor: chain('setBgColor', (r, g, b) => void (s.bg = toColor565(r, g, b))),
      getColor: () => s.fg,
      getBgColor: () => s.bg,
      toColor: (r: unknown, g?: unknown, b?: unknown) => toColor565(r, g, b),
      fillRect: chain('fillRect', (...a) => s.fillRect(...rect(a), s.fg)),
      clearRect: chain('clearRect', (...a) => s.fillRect(...rect(a), s.bg)),
      drawRect: chain('drawRect', (...a) => {
        const [x1, y1, x2, y2] = rect(a);
        s.drawLine(x1, y1, x2, y1);
        s.drawLine(x2, y1, x2, y2);
        s.drawLine(x2, y2, x1, y2);
        s.drawLine(x1, y2, x1, y1);
      }),
      drawLine: chain('drawLine', (x1, y1, x2, y2) => s.drawLine(int(x1), int(y1), int(x2), int(y2))),
      setPixel: chain('setPixel', (x, y, c) => s.setPixel(int(x), int(y), c === undefined ? s.fg : toColor565(c))),
      getPixel: (x: unknown, y: unknown) => {
        const [px, py] = [int(x), int(y)];
        return px < 0 || py < 0 || px >= SCREEN_WIDTH || py >= SCREEN_HEIGHT ? 0 : lcdTo565(this.screen.at(px, py));
      },
      setFont: chain('setFont', (name, size) => void (s.font = parseFont(name, size))),
      getFont: () => {
        const f = s.font;
        return f.scaleX !== f.scaleY ? `${f.name}:${f.scaleX}x${f.scaleY}` : f.scaleX > 1 ? `${f.name}:${f.scaleX}` : f.name;
      },
      setFont6x8: chain('setFont6x8', () => void (s.font = parseFont('6x8'))),
      setFontAlign: chain('setFontAlign', (x, y, rotation) => {
        if (rotation !== undefined && int(rotation) !== 0) throw new Error('g.setFontAlign with a rotation is not emulated by the tinysense simulator');
        s.alignX = Math.sign(int(x));
        s.alignY = Math.sign(int(y));
      }),
      getFontHeight: () => s.fontHeight(),
      stringWidth: (text: unknown) => s.stringWidth(String(text)),
      drawString: chain('drawString', (text, x, y, solid) => s.drawString(text, int(x), int(y), !!solid)),
      setClipRect: chain('setClipRect', (x1, y1, x2, y2) => {
        const c = (v: unknown, max: number) => Math.min(max, Math.max(0, int(v)));
        s.clip = { x1: c(x1, SCREEN_WIDTH - 1), y1: c(y1, SCREEN_HEIGHT - 1), x2: c(x2, SCREEN_WIDTH - 1), y2: c(y2, SCREEN_HEIGHT - 1) };
      }),
      flip: chain('flip', () => void this.flips++),
    };
    self = strict(target, 'g');
    return self;
  }

  // ------------------------------------------------------------------ Bangle

  bangle(): object {
    const clock = this.host.clock;
    const emit = () => {
      const sample = this.inputs.accel?.(clock.now);
      if (!sample) return;
      const mag = Math.sqrt(sample.x * sample.x + sample.y * sample.y + sample.z * sample.z);
      const event = { x: sample.x, y: sample.y, z: sample.z, mag, diff: 0 };
      for (const listener of this.accelListeners) listener(event);
    };
    const restart = () => {
      if (this.accelTimer !== null) clock.clear(this.accelTimer);
      this.accelTimer = this.accelListeners.length ? clock.setInterval(emit, this.pollMs) : null;
    };
    const ctxPromise = vm.runInContext('Promise', this.host.context) as PromiseConstructor;
    return strict(
      {
        on: (event: string, listener: (a: unknown) => void) => {
          if (event !== 'accel') throw new Error(`Bangle.on('${event}') is not emulated by the tinysense simulator`);
          this.accelListeners.push(listener);
          restart();
        },
        removeListener: (event: string, listener: (a: unknown) => void) => {
          if (event === 'accel') this.accelListeners = this.accelListeners.filter((l) => l !== listener);
          restart();
        },
        removeAllListeners: (event?: string) => {
          if (event === undefined || event === 'accel') this.accelListeners = [];
          restart();
        },
        setPollInterval: (ms: number) => {
          if (!(ms >= 10 && ms <= 4000)) throw new Error(`Bangle.setPollInterval(${ms}): Espruino accepts 10..4000 ms`);
          this.pollMs = ms;
          restart();
        },
        getAccel: () => this.inputs.accel?.(clock.now) ?? { x: 0, y: 0, z: -1 },
        buzz: (time?: unknown, strength?: unknown) => {
          let ms = int(time, 200);
          if (ms <= 0) ms = 200;
          if (ms > 5000) ms = 5000;
          let amt = strength === undefined ? 1 : Number(strength);
          if (!Number.isFinite(amt) || amt > 1) amt = 1;
          if (amt < 0) amt = 0;
          const start = Math.max(clock.now, this.buzzBusyUntil);
          this.buzzBusyUntil = start + ms;
          this.buzzes.push({ t: start, ms, strength: amt });
          return new ctxPromise<void>((resolve) => clock.schedule(() => resolve(), start + ms - clock.now, 'the end of a Bangle.buzz'));
        },
        appRect: { x: 0, y: 0, w: SCREEN_WIDTH, h: SCREEN_HEIGHT, x2: SCREEN_WIDTH - 1, y2: SCREEN_HEIGHT - 1 },
        setLCDPower: (on: unknown) => void (this.lcdOn = !!on),
        isLCDOn: () => this.lcdOn,
      },
      'Bangle',
    );
  }

  // ------------------------------------------------------------------ E extras

  showMessage(message: unknown, options?: unknown): void {
    const title = typeof options === 'string' ? options : options && typeof options === 'object' ? (options as { title?: unknown }).title : undefined;
    if (options && typeof options === 'object' && 'img' in options) throw new Error('E.showMessage with an image ({img}) is not emulated by the tinysense simulator');
    const s = this.gfx;
    const text = message === undefined ? undefined : String(message);
    this.messages.push({ t: this.host.clock.now, message: text ?? '', title: title === undefined ? undefined : String(title) });
    this.record('E.showMessage', title === undefined ? [message] : [message, title]);
    s.reset();
    s.fillRect(0, 0, SCREEN_WIDTH - 1, SCREEN_HEIGHT - 1, s.bg);
    let y = 0;
    if (title !== undefined && String(title) !== '') {
      s.font = parseFont('6x8');
      const h = s.fontHeight();
      s.fg = THEME.fgH;
      s.bg = THEME.bgH;
      s.fillRect(0, y, SCREEN_WIDTH - 1, y + 4 + h, s.bg);
      s.alignX = 0;
      s.alignY = 0;
      s.drawString(String(title), SCREEN_WIDTH / 2, y + 4 + Math.trunc(h / 2), false);
      y += h + 4;
    }
    if (text !== undefined) {
      s.fg = THEME.fg;
      s.bg = THEME.bg;
      s.font = parseFont('6x8:2');
      if (s.stringWidth(text) > SCREEN_WIDTH - 2) s.font = parseFont('6x8');
      s.alignX = 0;
      s.alignY = 0;
      s.drawString(text, SCREEN_WIDTH / 2, y + Math.trunc((SCREEN_HEIGHT - 1 - y) / 2), false);
    }
    // As E_showMessage.js leaves it: theme colours, centred alignment, the message's font.
    s.fg = THEME.fg;
    s.bg = THEME.bg;
    this.flips++;
  }

  battery(): number {
    const v = this.inputs.column?.('battery', this.host.clock.now);
    return v === undefined ? 100 : Math.min(100, Math.max(0, Math.round(v)));
  }
}
