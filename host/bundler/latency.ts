/**
 * How long one invoke of a pack takes on a board, estimated op by op: each record's work (the
 * validator's own count, device/validate.ts: MACs for CONV_2D, DEPTHWISE_CONV_2D and
 * FULLY_CONNECTED, element operations for every other op) times that op kind's cycles per unit of
 * work, as `npm run bench` measured them for the Cortex-M4 blob (bench/arm/m4-cycles.json: exact
 * instruction counts under qemu, cycles from the documented model in bench/arm/README.md).
 *
 * One figure per op kind over the bench models, not per shape: a layer far from the bench's shapes
 * (a depthwise with 3 channels, say) can be off by 2x; the whole-model figures of the bench models
 * are within a few percent. The build, the datasheet, the simulator's virtual time and the dev page
 * all read it from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OP_NAMES } from '../../device/records.js';
import { Work, checkRecord, validateTables } from '../../device/validate.js';
import { crc32 } from '../compiler/crc32.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { CpuName } from './boards.js';

export const M4_CYCLES_JSON = join(PACKAGE_ROOT, 'bench', 'arm', 'm4-cycles.json');

/** The work of each op record of a pack, in order, as the validator counts it. */
export interface RecordWork {
  /** Byte offset of the record in the pack. */
  record: number;
  code: number;
  kernel: string;
  macs: number;
  /** Element operations (ops without MACs). */
  ops: number;
}

/** Validates the pack (as the device does) and returns each record's work. Throws the validator's error. */
export function recordWork(pack: Uint8Array): RecordWork[] {
  const layout = validateTables(pack, (from, length) => crc32(pack.subarray(from, from + length)));
  return layout.records.map((record, i) => {
    const work: Work = { macs: 0, ops: 0 };
    const code = checkRecord(pack, record, layout.packBytes, i, layout, work);
    return { record, code, kernel: OP_NAMES[code] ?? `op${code}`, macs: work.macs, ops: work.ops };
  });
}

/** Cycles per unit of work for one op kind: per MAC (MAC ops) or per element operation. */
export interface KindCost {
  cyclesPerMac?: number;
  cyclesPerOp?: number;
}

export interface CycleTable {
  cpu: CpuName;
  mhz: number;
  /** Where the figures come from, for reports. */
  source: string;
  opKinds: Record<string, KindCost>;
}

let m4: CycleTable | null | undefined;

/** The Cortex-M4 table the bench wrote; null when the file is missing (an installation without bench/). */
export function m4CycleTable(): CycleTable | null {
  if (m4 !== undefined) return m4;
  if (!existsSync(M4_CYCLES_JSON)) return (m4 = null);
  const raw = JSON.parse(readFileSync(M4_CYCLES_JSON, 'utf8')) as { mhz: number; opKinds: Record<string, KindCost> };
  m4 = { cpu: 'cortex-m4f', mhz: raw.mhz, source: 'bench/arm/m4-cycles.json (npm run bench)', opKinds: raw.opKinds };
  return m4;
}

/** The measured table for a CPU, or null when none was measured (Xtensa today). */
export function cycleTable(cpu: CpuName): CycleTable | null {
  return cpu === 'cortex-m4f' ? m4CycleTable() : null;
}

export interface OpLatency extends RecordWork {
  cycles: number;
  /** Op kinds the table has no figure for count 0 cycles and are listed here. */
  unmeasured: boolean;
}

/** Estimated cycles of each record, and their sum. */
export function estimateCycles(work: readonly RecordWork[], table: CycleTable): { cycles: number; ops: OpLatency[]; unmeasured: string[] } {
  const unmeasured = new Set<string>();
  let cycles = 0;
  const ops = work.map((w) => {
    const k = table.opKinds[w.kernel];
    const perMac = k?.cyclesPerMac;
    const perOp = k?.cyclesPerOp;
    let c = 0;
    let missing = false;
    if (w.macs > 0) {
      if (perMac !== undefined) c += w.macs * perMac;
      else missing = true;
    }
    if (w.ops > 0 && w.macs === 0) {
      if (perOp !== undefined) c += w.ops * perOp;
      else missing = true;
    }
    if (missing) unmeasured.add(w.kernel);
    cycles += c;
    return { ...w, cycles: c, unmeasured: missing };
  });
  return { cycles, ops, unmeasured: [...unmeasured] };
}

/** Milliseconds for `cycles` at `mhz`. */
export function cyclesToMs(cycles: number, mhz: number): number {
  return cycles / (mhz * 1000);
}
