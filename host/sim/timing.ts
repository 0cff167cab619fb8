/**
 * Board time for model runs in the simulator, on every engine: each op the kernels run moves the
 * virtual clock by that op's estimated time on the board (host/bundler/latency.ts: the validator's work
 * count x cycles per unit), as a blocking native call keeps the board busy that long. Ops are grouped
 * into model runs (a run starts at the pack's first op record and ends at its last), so the report
 * shows runs and their latency rather than kernel calls.
 *
 * Deadlines. An app asks for a result every period when a setInterval callback (or a board event on an
 * interval, such as Bangle.js's accelerometer poll) starts a model run: the run's deadline is the
 * callback's next due time (when it was due + the period). A run that ends later misses it, and the
 * ticks that fell due meanwhile never ran: the interval runs once, late, and counts its next period
 * from then (host/sim/clock.ts). Runs started by a timeout, a button watch or the top-level code have
 * no period, so no deadline.
 *
 * Figures. Cortex-M4F boards use the cycles the bench measured (bench/arm/m4-cycles.json). Xtensa
 * (ESP32) has no measured figures: the simulator then uses an assumed table, labelled as such
 * everywhere it is shown: 4 cycles per MAC (the budget's assumption, host/bundler/budget.ts) and the
 * Cortex-M4's cycles per element op for the rest.
 */
import type { CpuName } from '../bundler/boards.js';
import { CycleTable, cycleTable, cyclesToMs, estimateCycles, m4CycleTable, recordWork } from '../bundler/latency.js';
import type { VirtualClock } from './clock.js';

/** Cycles per MAC assumed for a CPU without measured figures (host/bundler/budget.ts DEFAULT_CYCLES_PER_MAC). */
const ASSUMED_CYCLES_PER_MAC = 4;

export interface TimingTable {
  table: CycleTable;
  /** false: assumed figures (no bench for this CPU); every time shown from them says "not measured". */
  measured: boolean;
}

/** The figures the simulator times a CPU's ops with: measured where the bench ran, else assumed. */
export function timingTable(cpu: CpuName): TimingTable | null {
  const measured = cycleTable(cpu);
  if (measured) return { table: measured, measured: true };
  const m4 = m4CycleTable();
  if (!m4) return null;
  const opKinds: CycleTable['opKinds'] = {};
  for (const [kind, cost] of Object.entries(m4.opKinds)) {
    opKinds[kind] = cost.cyclesPerMac !== undefined ? { cyclesPerMac: ASSUMED_CYCLES_PER_MAC } : { ...cost };
  }
  return {
    measured: false,
    table: { cpu, mhz: m4.mhz, opKinds, source: `assumed for ${cpu}, not measured: ${ASSUMED_CYCLES_PER_MAC} cycles/MAC, the Cortex-M4's figures for element ops` },
  };
}

export interface ModelRun {
  /** Which pack (0, 1, ... in the order the app first ran them). */
  model: number;
  /** Virtual ms the first op started and the last op ended. */
  start: number;
  end: number;
  /** Estimated board ms of its ops (end - start when nothing else ran between its ops). */
  ms: number;
  ops: number;
  /** The interval that started it: its period and the deadline (next due time); absent without a period. */
  period?: number;
  deadline?: number;
  /** It ended after its deadline. */
  missed?: boolean;
  /** Ticks of its interval that fell due while it ran and never ran (the first one due runs late instead). */
  skipped?: number;
  /** Unfinished (the simulation stopped inside it). */
  open?: boolean;
}

export interface RunSummary {
  runs: number;
  /** Latency of finished runs, ms. */
  minMs: number;
  meanMs: number;
  maxMs: number;
  /** Runs with a deadline (started by an interval), those that missed it, and the ticks they cost. */
  withDeadline: number;
  missed: number;
  skipped: number;
  /** The periods apps asked for, ms. */
  periods: number[];
  measured: boolean;
  source: string;
}

interface PackTiming {
  index: number;
  first: number;
  last: number;
  ms: Map<number, number>;
}

export class ModelTimer {
  /** Estimated board ms in model ops, in all. */
  deviceMs = 0;
  readonly runs: ModelRun[] = [];
  private readonly packs = new WeakMap<object, Map<number, PackTiming>>();
  private packCount = 0;
  private readonly open = new Map<number, ModelRun>();

  constructor(
    private readonly clock: VirtualClock,
    readonly timing: TimingTable,
    private readonly mhz: number,
  ) {}

  /** For a board: null when no figures exist at all (an installation without bench/). */
  static forBoard(clock: VirtualClock, cpu: CpuName | undefined, mhz: number | undefined): ModelTimer | null {
    if (!cpu || !mhz) return null;
    const t = timingTable(cpu);
    return t ? new ModelTimer(clock, t, mhz) : null;
  }

  /** A pack's per-record ms, first and last record; undefined for a pack the validator refuses (it gets no time). */
  private packTiming(key: object, packOffset: number, pack: () => Uint8Array): PackTiming | undefined {
    let byOffset = this.packs.get(key);
    if (!byOffset) this.packs.set(key, (byOffset = new Map()));
    let t = byOffset.get(packOffset);
    if (t === undefined) {
      try {
        const work = recordWork(pack());
        const ms = new Map<number, number>();
        for (const op of estimateCycles(work, this.timing.table).ops) ms.set(op.record, cyclesToMs(op.cycles, this.mhz));
        t = { index: this.packCount++, first: work[0]?.record ?? -1, last: work[work.length - 1]?.record ?? -1, ms };
      } catch {
        // A pack the validator refuses runs (hostile tests) but gets no time: the device would not run it.
        t = { index: -1, first: -1, last: -1, ms: new Map() };
      }
      byOffset.set(packOffset, t);
    }
    return t.index < 0 ? undefined : t;
  }

  /**
   * After the kernels ran the op at `record` (bytes into the pack) of the pack identified by `key` and
   * `packOffset`: moves the clock by the op's estimate and keeps the run it belongs to.
   */
  afterOp(key: object, packOffset: number, record: number, pack: () => Uint8Array): void {
    const t = this.packTiming(key, packOffset, pack);
    if (!t) return;
    const ms = t.ms.get(record) ?? 0;
    let run = this.open.get(t.index);
    if (record === t.first || !run) {
      // A run that had not reached its last op stays open (abandoned, or the app stepped ops itself).
      run = { model: t.index, start: this.clock.now, end: this.clock.now, ms: 0, ops: 0 };
      const current = this.clock.running;
      if (current && current.timer.interval !== null) {
        run.period = current.timer.interval;
        run.deadline = current.due + current.timer.interval;
      }
      this.runs.push(run);
      this.open.set(t.index, run);
    }
    this.deviceMs += ms;
    this.clock.now += ms;
    run.ms += ms;
    run.ops++;
    run.end = this.clock.now;
    if (record !== t.last) {
      run.open = true;
      return;
    }
    delete run.open;
    this.open.delete(t.index);
    if (run.deadline !== undefined && run.period !== undefined) {
      run.missed = run.end > run.deadline;
      // The tick due at the deadline runs late, when the run ends; those due after it until then never run.
      run.skipped = run.missed ? Math.floor((run.end - run.deadline) / run.period) : 0;
    }
  }

  summary(): RunSummary {
    const done = this.runs.filter((r) => !r.open);
    const ms = done.map((r) => r.ms);
    const withDeadline = done.filter((r) => r.deadline !== undefined);
    return {
      runs: done.length,
      minMs: ms.length ? Math.min(...ms) : 0,
      meanMs: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0,
      maxMs: ms.length ? Math.max(...ms) : 0,
      withDeadline: withDeadline.length,
      missed: withDeadline.filter((r) => r.missed).length,
      skipped: withDeadline.reduce((n, r) => n + (r.skipped ?? 0), 0),
      periods: [...new Set(withDeadline.map((r) => r.period!))].sort((a, b) => a - b),
      measured: this.timing.measured,
      source: this.timing.table.source,
    };
  }
}

