/**
 * Board definitions: boards/<ID>.json, one per board, data not code. Each
 * figure names where it comes from in its `sources` entry (docs/boards.md
 * describes every field). This module loads and validates them.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

export const BOARDS_DIR = join(PACKAGE_ROOT, 'boards');

/** The engines tinysense builds for; each is described in host/engines/<name>.ts (ENGINES there is typed by this list). */
export const ENGINE_NAMES = ['espruino', 'jerryscript'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export type CpuName = 'cortex-m4f' | 'xtensa-lx6';

/** The memory JavaScript objects (and so typed arrays: the arena, RAM copies) come from. */
export type JsHeap =
  /** Espruino: a fixed table of `variables` JsVars of `bytesPerVariable` bytes each. */
  | { kind: 'jsvars'; variables: number; bytesPerVariable: number; bytes: number; exact: boolean }
  /** JerryScript: one heap of `bytes` bytes. */
  | { kind: 'heap'; bytes: number; exact: boolean };

export interface StorageInfo {
  /** Bytes of the file store (Espruino's Storage; the firmware's data partition on JerryScript). */
  bytes: number;
  /** Files can be addressed in place by native code (internal flash), rather than copied to RAM. */
  memoryMapped: boolean;
  medium: string;
  /** What to do when a build does not fit (the budget's Storage refusal adds it). */
  note?: string;
}

export interface NativeCallInfo {
  /** The stock engine can call the kernels shipped as a separate blob. */
  supported: boolean;
  /** 'blob': the kernels-c blob uploaded to Storage; 'firmware': kernels linked into a custom firmware. */
  kernels: 'blob' | 'firmware';
  /** Base name of the blob in kernels-c/out (tinysense-m4 -> tinysense-m4.bin and .json). */
  blob?: string;
  /**
   * 'small': the blob holds the portable C kernels only (kernels-c/arm/build.sh --portable), for boards
   * whose Storage cannot hold the Cortex-M4 fast paths next to an app; slower (the bench gives the
   * figures). Default: the fast paths.
   */
  blobKernels?: 'fast' | 'small';
  note: string;
}

export interface BoardSensor {
  name: string;
  part: string;
  api: string;
  /** The rate the firmware samples at unless the app changes it; null when it samples on demand. */
  defaultRateHz: number | null;
}

export interface Board {
  id: string;
  name: string;
  engine: EngineName;
  /** Engine versions this definition was checked against (Espruino "2v29" style or semver). */
  engineVersions: string;
  mcu: string;
  cpu: CpuName;
  clockMHz: number;
  ramBytes: number;
  flashBytes: number;
  jsHeap: JsHeap;
  /**
   * Native memory the firmware hands out for large buffers (JerryScript firmware: tinysense.allocate()
   * and ArrayBuffers above its threshold). Absent where everything lives in the JS heap (Espruino).
   */
  nativeHeap?: { bytes: number; exact: boolean };
  /**
   * Espruino: the stack free when app and boot code run. Storage.write copies data that is neither
   * flat nor memory-mapped onto it (src/jsvar.h JSV_GET_AS_CHAR_ARRAY) and fails beyond it, so every
   * copy the installer and the boot file make is chunked well below it (host/install.ts COPY_CHUNK).
   */
  stack?: { freeBytes: number; exact: boolean };
  storage: StorageInfo;
  nativeCall: NativeCallInfo;
  interfaces: { spi: number; i2c: number; usart: number };
  /**
   * Globals the firmware defines on this board beyond the engine's own (Bangle, g, NRF, Jolt ...;
   * on JerryScript the firmware's tinysense natives): the app's typings and the build's globals
   * check (host/bundler/globals.ts) are derived from it.
   */
  objects: string[];
  /** Pin globals: names (BTN1, LED1) and ranges ("D0-D47" is D0 to D47). */
  pins: string[];
  sensors: BoardSensor[];
  /** Where each figure comes from: field name -> source. */
  sources: Record<string, string>;
}

/** Fields whose figures must name a source. */
const SOURCED_FIELDS = ['engine', 'mcu', 'clockMHz', 'ramBytes', 'flashBytes', 'jsHeap', 'storage', 'nativeCall', 'sensors', 'objects', 'pins'];

/** A pin name (LED1) or a range of numbered pins with one prefix (D0-D47). */
const PIN_PATTERN = /^([A-Z]+)(\d*)(?:-\1\d+)?$/;

/** The pin names of a board: its ranges expanded ("D0-D2" -> D0, D1, D2). */
export function pinNames(board: Pick<Board, 'pins'>): string[] {
  return board.pins.flatMap((p) => {
    const m = /^([A-Z]+)(\d+)-[A-Z]+(\d+)$/.exec(p);
    if (!m) return [p];
    const names: string[] = [];
    for (let i = Number(m[2]); i <= Number(m[3]); i++) names.push(`${m[1]}${i}`);
    return names;
  });
}

type Json = unknown;

/** Collects every problem of one board file, so a broken file reports all of them at once. */
class Checker {
  readonly problems: string[] = [];
  constructor(private readonly raw: Record<string, Json>) {}

  private field(path: string): Json {
    let v: Json = this.raw;
    for (const part of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, Json>)[part] : undefined;
    return v;
  }

  string(path: string): string {
    const v = this.field(path);
    if (typeof v !== 'string' || v === '') this.problems.push(`${path} must be a non-empty string`);
    return String(v);
  }

  oneOf<T extends string>(path: string, allowed: readonly T[]): T {
    const v = this.field(path);
    if (!allowed.includes(v as T)) this.problems.push(`${path} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
    return v as T;
  }

  count(path: string): number {
    const v = this.field(path);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.problems.push(`${path} must be a whole number >= 0 (got ${JSON.stringify(v)})`);
    return v as number;
  }

  positive(path: string): number {
    const v = this.field(path);
    if (typeof v !== 'number' || !(v > 0)) this.problems.push(`${path} must be a number > 0 (got ${JSON.stringify(v)})`);
    return v as number;
  }

  boolean(path: string): boolean {
    const v = this.field(path);
    if (typeof v !== 'boolean') this.problems.push(`${path} must be true or false`);
    return v as boolean;
  }

  array(path: string): Json[] {
    const v = this.field(path);
    if (!Array.isArray(v)) {
      this.problems.push(`${path} must be an array`);
      return [];
    }
    return v as Json[];
  }

  object(path: string): Record<string, Json> {
    const v = this.field(path);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.problems.push(`${path} must be an object`);
      return {};
    }
    return v as Record<string, Json>;
  }
}

function checkJsHeap(c: Checker): JsHeap {
  const kind = c.oneOf('jsHeap.kind', ['jsvars', 'heap'] as const);
  const bytes = c.count('jsHeap.bytes');
  const exact = c.boolean('jsHeap.exact');
  if (kind !== 'jsvars') return { kind: 'heap', bytes, exact };
  const variables = c.count('jsHeap.variables');
  const bytesPerVariable = c.count('jsHeap.bytesPerVariable');
  if (variables * bytesPerVariable !== bytes) {
    c.problems.push(`jsHeap.bytes (${bytes}) must equal variables x bytesPerVariable (${variables} x ${bytesPerVariable} = ${variables * bytesPerVariable})`);
  }
  return { kind, variables, bytesPerVariable, bytes, exact };
}

/** Validates the parsed contents of a board file; throws an Error listing every problem. */
export function validateBoard(raw: Json, origin: string): Board {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${origin}: a board definition must be a JSON object`);
  const c = new Checker(raw as Record<string, Json>);
  const engine = c.oneOf('engine', ENGINE_NAMES);
  const kernels = c.oneOf('nativeCall.kernels', ['blob', 'firmware'] as const);
  const sensors = c.array('sensors').map((s, i): BoardSensor => {
    const rate = (s as { defaultRateHz?: Json }).defaultRateHz;
    if (rate !== null && !(typeof rate === 'number' && rate > 0)) c.problems.push(`sensors[${i}].defaultRateHz must be a number > 0 or null`);
    return {
      name: c.string(`sensors.${i}.name`),
      part: c.string(`sensors.${i}.part`),
      api: c.string(`sensors.${i}.api`),
      defaultRateHz: rate as number | null,
    };
  });
  const board: Board = {
    id: c.string('id'),
    name: c.string('name'),
    engine,
    engineVersions: c.string('engineVersions'),
    mcu: c.string('mcu'),
    cpu: c.oneOf('cpu', ['cortex-m4f', 'xtensa-lx6'] as const),
    clockMHz: c.positive('clockMHz'),
    ramBytes: c.count('ramBytes'),
    flashBytes: c.count('flashBytes'),
    jsHeap: checkJsHeap(c),
    ...(raw as { nativeHeap?: unknown }).nativeHeap !== undefined
      ? { nativeHeap: { bytes: c.count('nativeHeap.bytes'), exact: c.boolean('nativeHeap.exact') } }
      : {},
    ...(raw as { stack?: unknown }).stack !== undefined
      ? { stack: { freeBytes: c.count('stack.freeBytes'), exact: c.boolean('stack.exact') } }
      : {},
    storage: {
      bytes: c.count('storage.bytes'), memoryMapped: c.boolean('storage.memoryMapped'), medium: c.string('storage.medium'),
      ...((raw as { storage?: { note?: unknown } }).storage?.note !== undefined ? { note: c.string('storage.note') } : {}),
    },
    nativeCall: {
      supported: c.boolean('nativeCall.supported'),
      kernels,
      note: c.string('nativeCall.note'),
      ...(kernels === 'blob' ? { blob: c.string('nativeCall.blob') } : {}),
      ...((raw as { nativeCall?: { blobKernels?: unknown } }).nativeCall?.blobKernels !== undefined
        ? { blobKernels: c.oneOf('nativeCall.blobKernels', ['fast', 'small'] as const) }
        : {}),
    },
    interfaces: { spi: c.count('interfaces.spi'), i2c: c.count('interfaces.i2c'), usart: c.count('interfaces.usart') },
    objects: c.array('objects').map((o, i) => (typeof o === 'string' ? o : (c.problems.push(`objects[${i}] must be a string`), ''))),
    pins: c.array('pins').map((p, i) => (typeof p === 'string' && PIN_PATTERN.test(p) ? p : (c.problems.push(`pins[${i}] must be a pin name or range such as "LED1" or "D0-D47" (got ${JSON.stringify(p)})`), ''))),
    sensors,
    sources: c.object('sources') as Record<string, string>,
  };
  if (board.stack && !board.sources.stack) c.problems.push('sources.stack must say where the figure comes from');
  // What the engine requires of its boards is the engine's (host/engines/<engine>.ts boardProblems, checked by engineOf).
  if (board.nativeHeap && !board.sources.nativeHeap) c.problems.push('sources.nativeHeap must say where the figure comes from');
  if (kernels === 'blob' && !board.nativeCall.supported) c.problems.push('nativeCall.kernels "blob" needs nativeCall.supported true');
  for (const field of SOURCED_FIELDS) {
    if (typeof board.sources[field] !== 'string' || board.sources[field] === '') c.problems.push(`sources.${field} must say where the figure comes from`);
  }
  if (c.problems.length > 0) throw new Error(`${origin}: invalid board definition:\n  ${c.problems.join('\n  ')}`);
  return board;
}

/** Ids of the boards in boards/. */
export function listBoards(): string[] {
  return readdirSync(BOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

/**
 * Loads a board by id (case-insensitive, from boards/) or from a path to a
 * board file of the same shape (a custom or modified board).
 */
export function loadBoard(idOrPath: string): Board {
  const isPath = idOrPath.endsWith('.json') || idOrPath.includes('/') || idOrPath.includes('\\');
  let path: string;
  if (isPath) {
    path = idOrPath;
    if (!existsSync(path)) throw new Error(`board file ${path} does not exist`);
  } else {
    const known = listBoards();
    const id = known.find((k) => k.toLowerCase() === idOrPath.toLowerCase());
    if (!id) throw new Error(`unknown board "${idOrPath}"; known boards: ${known.join(', ')} (or give the path of a board .json file)`);
    path = join(BOARDS_DIR, `${id}.json`);
  }
  let raw: Json;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return validateBoard(raw, path);
}

/** The board as the simulator (host/sim) describes it. */
export function simBoardInfo(board: Board): {
  id: string;
  engine: EngineName;
  heapBytes: number;
  jsVarBytes: number;
  stackBytes?: number;
  storageMapped: boolean;
  storageBytes: number;
  objects: string[];
  cpu: CpuName;
  clockMHz: number;
} {
  return {
    ...(board.stack ? { stackBytes: board.stack.freeBytes } : {}),
    id: board.id,
    engine: board.engine,
    cpu: board.cpu,
    clockMHz: board.clockMHz,
    heapBytes: board.jsHeap.bytes,
    jsVarBytes: board.jsHeap.kind === 'jsvars' ? board.jsHeap.bytesPerVariable : 1,
    storageMapped: board.storage.memoryMapped,
    storageBytes: board.storage.bytes,
    objects: board.objects,
  };
}
