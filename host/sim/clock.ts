/**
 * Virtual time for the simulator: timers fire in due order as fast as the
 * host allows; nothing waits for the wall clock.
 */

export interface Timer {
  id: number;
  due: number;
  interval: number | null;
  callback: () => void;
  /** Espruino's setWatch-style timers are external events; plain timers are app timers. */
  kind: 'timeout' | 'interval';
  /** Made where the timer was set, for the watchdog's message (its stack names the app's line). */
  site?: Error;
  /** A board event (a button edge, the end of a buzz) rather than an app timer: what it is, for messages. */
  what?: string;
}

/** What a timer callback did to virtual time: when it was due, and when it started and ended. */
export interface CallbackSpan {
  timer: Timer;
  /** When it was due (an interval's scheduled time, before it ran late). */
  due: number;
  started: number;
  ended: number;
}

export class VirtualClock {
  /** Milliseconds since the simulation started. */
  now = 0;
  /** The longest virtual time one timer callback took: how long the event loop was blocked at most. */
  longestCallbackMs = 0;
  private timers: Timer[] = [];
  private nextId = 1;
  /** Called when a callback throws; Espruino prints the error and carries on. */
  onError: (error: unknown) => void = (e) => {
    throw e;
  };
  /** Runs a due timer's callback (the board's watchdog wraps it); default: calls it. */
  invoke: (timer: Timer) => void = (timer) => timer.callback();
  /** Called after every timer callback. */
  onCallback?: (span: CallbackSpan) => void;
  /** The timer whose callback is running, and when it was due (host/sim/timing.ts: a run's deadline). */
  running?: { timer: Timer; due: number };

  setTimeout(callback: () => void, ms: number): number {
    return this.add(callback, ms, null);
  }

  setInterval(callback: () => void, ms: number): number {
    return this.add(callback, ms, Math.max(ms, 0.001));
  }

  /** A board event `ms` from now (never earlier than now): runs like a timeout, described as `what`. */
  schedule(callback: () => void, ms: number, what: string, site?: Error): number {
    const id = this.add(callback, ms, null);
    const timer = this.timers.find((t) => t.id === id)!;
    timer.what = what;
    if (site) timer.site = site;
    return id;
  }

  clear(id?: number): void {
    if (id === undefined) this.timers = [];
    else this.timers = this.timers.filter((t) => t.id !== id);
  }

  changeInterval(id: number, ms: number): void {
    const t = this.timers.find((x) => x.id === id);
    if (t) {
      t.interval = Math.max(ms, 0.001);
      t.due = this.now + t.interval;
    }
  }

  pending(): number {
    return this.timers.length;
  }

  /** Runs every timer due up to now + ms, in order, then sets the clock to now + ms (or later, see below). */
  advance(ms: number, beforeEach?: (t: number) => void): void {
    const end = this.now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.due <= end && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      if (!next) break;
      // A callback may have moved the clock past this timer (a blocking native such as a microphone
      // read): the timer then runs late, now, as the firmware's loop would run it after the call.
      this.now = Math.max(this.now, next.due);
      beforeEach?.(this.now);
      const due = next.due;
      if (next.interval !== null) {
        next.due += next.interval;
        // A late interval runs once and counts its next period from now, no catch-up burst: the rule
        // of the JerryScript firmware's timer loop (kernels-c/jerryscript/tinysense_timers.c).
        if (next.due <= this.now) next.due = this.now + next.interval;
      } else this.timers = this.timers.filter((t) => t !== next);
      const started = this.now;
      this.running = { timer: next, due };
      try {
        this.invoke(next);
      } catch (e) {
        this.onError(e);
      } finally {
        this.running = undefined;
      }
      // Time a callback kept the board busy (a model run, a blocking read): nothing else ran meanwhile.
      this.longestCallbackMs = Math.max(this.longestCallbackMs, this.now - started);
      this.onCallback?.({ timer: next, due, started, ended: this.now });
    }
    // Never backwards: a blocking callback may have taken the clock past `end`. Timers that fell due
    // in between run at the start of the next advance.
    this.now = Math.max(this.now, end);
  }

  private add(callback: () => void, ms: number, interval: number | null): number {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.push({ id, due: this.now + delay, interval, callback, kind: interval === null ? 'timeout' : 'interval', site: new Error('timer set here') });
    return id;
  }
}
