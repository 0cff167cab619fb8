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
}

export class VirtualClock {
  /** Milliseconds since the simulation started. */
  now = 0;
  private timers: Timer[] = [];
  private nextId = 1;
  /** Called when a callback throws; Espruino prints the error and carries on. */
  onError: (error: unknown) => void = (e) => {
    throw e;
  };

  setTimeout(callback: () => void, ms: number): number {
    return this.add(callback, ms, null);
  }

  setInterval(callback: () => void, ms: number): number {
    return this.add(callback, ms, Math.max(ms, 0.001));
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

  /** Runs every timer due up to now + ms, in order, then sets the clock to now + ms. */
  advance(ms: number, beforeEach?: (t: number) => void): void {
    const end = this.now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.due <= end && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      if (!next) break;
      this.now = Math.max(this.now, next.due);
      beforeEach?.(this.now);
      if (next.interval !== null) next.due += next.interval;
      else this.timers = this.timers.filter((t) => t !== next);
      try {
        next.callback();
      } catch (e) {
        this.onError(e);
      }
    }
    this.now = end;
  }

  private add(callback: () => void, ms: number, interval: number | null): number {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.push({ id, due: this.now + delay, interval, callback, kind: interval === null ? 'timeout' : 'interval' });
    return id;
  }
}
