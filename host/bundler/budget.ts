/**
 * The budget of a build: what each part costs where it lives on the board
 * (Storage/flash, JS heap), against the board's capacity, and an estimated
 * invoke latency. Pure: figures in, report out.
 *
 * How each part is placed follows the device runtime and Espruino 2v29:
 * - Storage files cost their bytes plus a 32-byte header (src/jsflash.h
 *   JsfFileHeader: u32 size + 28-byte name).
 * - A flat buffer of n bytes takes 1 + ceil(n / bytesPerVariable) JsVars
 *   (src/jsvar.c jsvNewFlatStringOfLength), and they must be contiguous; a
 *   typed array adds its ArrayBufferView and ArrayBuffer JsVars.
 * - E.nativeCall copies a blob that is not a flat string into one in RAM
 *   (src/jswrap_espruino.c -> jsvAsFlatString), so the blob always costs RAM.
 * - The pack is used in place from memory-mapped Storage, else copied into a
 *   flat buffer (device/engines/espruino.ts `place`).
 * - The arena is a flat Uint8Array (device/engines/espruino.ts `allocate`).
 * - Code run from a Storage file keeps function bodies in flash
 *   (src/jsparse.c jspeFunctionDefinitionInternal makes native/flash strings
 *   of them), so the bundle's text costs Storage, not heap, on Espruino; what
 *   the app and the device runtime make as they start (functions, closures,
 *   tables, the models' views) costs JsVars in proportion to the code, a
 *   figure calibrated on the real interpreter (host/engines/espruino-heap.ts),
 *   and so do the sensors' frame buffers the bundle opens.
 * - JerryScript parses the bundle into byte code in its heap, and the app's
 *   objects live there too (JERRYSCRIPT_HEAP_PER_CODE_BYTE). The tinysense firmware
 *   allocates the arena natively (tinysense.allocate(),
 *   kernels-c/jerryscript/tinysense_jerry.h) and maps the pack from flash.
 */
import type { Board, CpuName } from './boards.js';
import { InstallPlan, loaderCode, planInstall } from '../install.js';
import { storageCost } from '../sim/storage.js';
import { ESPRUINO_JSVARS_PER_CODE_BYTE, SensorBuffer, cameraBuffers, codeJsVars, flatStringJsVars, typedArrayJsVars } from '../engines/espruino-heap.js';

/**
 * Cycles per int8 multiply-accumulate, for a latency estimate from a MAC count alone (a pack's own
 * op-by-op estimate, host/bundler/latency.ts, is used whenever the build has the pack).
 * Cortex-M4F: the whole-model average of the bench models with the Cortex-M4 fast paths
 * (bench/arm/m4-cycles.json, npm run bench: person_detect 27.6 M cycles for 7.16 M MACs = 3.9,
 * MLPerf Tiny 2.5-4.3; exact instruction counts under qemu, cycles from the documented model).
 * Xtensa LX6: not measured; ~4 cycles per MAC for a scalar inner loop
 * (two byte loads, a single-cycle MAC16, loop arithmetic).
 */
export const DEFAULT_CYCLES_PER_MAC: Record<CpuName, number> = { 'cortex-m4f': 4, 'xtensa-lx6': 4 };

/**
 * JerryScript heap an app needs per byte of its code without comments and
 * indentation: the byte code plus the objects the app and the device runtime
 * make. Measured with JerryScript v3.0.0 host builds (--mem-stats, the
 * heap at the smallest size that ran): examples/keyword, 41,638 bytes of code,
 * 36,176 bytes of byte code after parsing, peak 47,608 at a 48 KB heap and
 * 49,120 at 64 KB (1.14-1.18 per byte); a 19-op model app, 26,449 bytes of code,
 * peak 27 KB at a 40 KB heap (1.02). Rounded up. A snapshot saves about a
 * fifth (keyword: peak 38,896), which the budget does not assume.
 */
export const JERRYSCRIPT_HEAP_PER_CODE_BYTE = 1.2;
/** Espruino src/jsflash.h: sizeof(JsfFileHeader) = 4 + 28. */
export const STORAGE_FILE_HEADER_BYTES = 32;
/** Espruino src/jsflash.h: JsfFileName is 28 chars. */
export const STORAGE_NAME_MAX = 28;
/** Keep this share of the JS heap free for the app's own objects and fragmentation (warning below). */
export const DEFAULT_HEAP_HEADROOM = 0.1;

export type Region = 'storage' | 'jsHeap' | 'nativeHeap';

export interface BudgetItem {
  /** What the part is ("model pack"). */
  what: string;
  /** Its Storage file name, when it is one. */
  file?: string;
  /** Its own size in bytes. */
  bytes: number;
  region: Region;
  /** Bytes it takes from the region (with headers, JsVar rounding), 0 when it takes none. */
  cost: number;
  /** Needs one contiguous block (flat buffers on Espruino). */
  contiguous: boolean;
  note: string;
}

export interface RegionBudget {
  region: Region;
  label: string;
  capacity: number;
  used: number;
  free: number;
  /** The capacity is exact (false: an upper bound). */
  exact: boolean;
}

export interface LatencyEstimate {
  /** The pack whose invoke this estimates. */
  file: string;
  estimate: true;
  /**
   * The cycles per MAC were measured for this CPU (Cortex-M4F, bench/arm/count.js) or given by the
   * caller; false: an assumed figure (Xtensa), so `ms` is a guess, shown as "not measured".
   */
  measured: boolean;
  macs: number;
  cyclesPerMac: number;
  clockMHz: number;
  ms: number;
  basis: string;
}

export interface BudgetReport {
  board: string;
  boardName: string;
  engine: Board['engine'];
  cpu: CpuName;
  items: BudgetItem[];
  storage: RegionBudget;
  jsHeap: RegionBudget;
  /** Boards whose firmware allocates large buffers natively (JerryScript). */
  nativeHeap?: RegionBudget;
  /** One per model with multiply-accumulates, in the order of `models`. */
  latencies: LatencyEstimate[];
  /**
   * Espruino: the Storage an install needs at its peak (host/install.ts), on a board with no app
   * (`fresh`) and over a previous version of this app of the same sizes (`upgrade`, every file
   * changed): the mode `tinysense upload` will use, or none when it cannot fit.
   */
  install?: { fresh: InstallPlan; upgrade: InstallPlan };
  /** Why the build does not fit; empty when it does. */
  problems: string[];
  warnings: string[];
  fits: boolean;
}

export interface BudgetModel {
  /** Storage file / flash partition name of the pack. */
  file: string;
  packBytes: number;
  arenaBytes: number;
  /** Multiply-accumulates per invoke (compiled .tflite only). */
  macs?: number;
  /**
   * The pack's op-by-op estimate (host/bundler/latency.ts): cycles per invoke from each record's work and
   * the measured cycles per unit of its op kind. Preferred over macs x cycles per MAC when present.
   */
  cycles?: { cycles: number; ops: number; source: string; unmeasured: string[] };
}

export interface BudgetInput {
  board: Board;
  /**
   * `codeBytes`: the code without comments and indentation, for the JS heap estimate (default: bytes).
   * `minified`: built with minify (else a Storage refusal suggests it).
   */
  bundle: { file: string; bytes: number; codeBytes?: number; minified?: boolean };
  /** The model packs the app opens (each has its own arena; all live at once). */
  models?: BudgetModel[];
  /** The kernel blob, on boards that upload one. */
  blob?: { file: string; bytes: number; fullBytes?: number };
  /** Buffers the device runtime allocates for the sensors the bundle opens (espruino-heap.ts cameraBuffers). */
  buffers?: SensorBuffer[];
  /** Cycles per MAC for the latency estimate (default DEFAULT_CYCLES_PER_MAC for the board's CPU). */
  cyclesPerMac?: number;
  headroom?: number;
}

/** Cycles per MAC measured for a CPU (the others in DEFAULT_CYCLES_PER_MAC are assumptions). */
export const MEASURED_CYCLES_PER_MAC: Partial<Record<CpuName, string>> = { 'cortex-m4f': 'the bench models\' average under qemu, bench/arm/m4-cycles.json' };

/** "168 KB": 1 KB = 1000 bytes, as board makers count. */
/** "30 KB free", or "over by 24 KB" when the region is overcommitted. */
export function formatFree(free: number): string {
  return free < 0 ? `over by ${formatBytes(-free)}` : `${formatBytes(free)} free`;
}

export function formatBytes(n: number): string {
  if (n < 0) return `-${formatBytes(-n)}`;
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${n < 10_000 ? (n / 1000).toFixed(1) : Math.round(n / 1000)} KB`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)} MB`;
}

/** JS heap bytes of a flat buffer of `bytes` on an Espruino board. */
export function flatStringCost(bytes: number, bytesPerVariable: number): number {
  return flatStringJsVars(bytes, bytesPerVariable) * bytesPerVariable;
}

/** JS heap bytes of a flat Uint8Array: the flat data plus the ArrayBuffer and view JsVars. */
export function typedArrayCost(bytes: number, bytesPerVariable: number): number {
  return typedArrayJsVars(bytes, bytesPerVariable) * bytesPerVariable;
}

function espruinoItems(input: BudgetInput, perVar: number): BudgetItem[] {
  const { board, bundle, blob } = input;
  const models = input.models ?? [];
  const file = (what: string, name: string, bytes: number, note: string): BudgetItem => ({
    what, file: name, bytes, region: 'storage', cost: bytes + STORAGE_FILE_HEADER_BYTES, contiguous: false, note,
  });
  const items: BudgetItem[] = [
    file('app bundle', bundle.file, bundle.bytes, 'run from Storage: function bodies stay in flash'),
  ];
  const code = bundle.codeBytes ?? bundle.bytes;
  items.push({
    what: 'app and runtime objects', bytes: code, region: 'jsHeap', cost: codeJsVars(code) * perVar, contiguous: false,
    note: `functions, closures, tables and model views made at start: ${ESPRUINO_JSVARS_PER_CODE_BYTE} JsVars per byte of code without comments and indentation (measured on Espruino 2v29)`,
  });
  for (const buffer of input.buffers ?? []) {
    items.push({ what: buffer.what, bytes: buffer.bytes, region: 'jsHeap', cost: typedArrayCost(buffer.bytes, perVar), contiguous: true, note: 'a flat Uint8Array the sensor driver keeps' });
  }
  for (const model of models) items.push(file('model pack', model.file, model.packBytes, 'weights, records, tensor table'));
  if (blob) {
    const only = blob.fullBytes !== undefined && blob.fullBytes !== blob.bytes ? `, only the app's kernels (all kernels: ${blob.fullBytes} B)` : '';
    items.push(file('kernel blob', blob.file, blob.bytes, `Thumb-2 kernels for E.nativeCall${only}`));
  }
  if (blob) {
    items.push({
      what: 'kernel blob (RAM copy)', bytes: blob.bytes, region: 'jsHeap', cost: flatStringCost(blob.bytes, perVar), contiguous: true,
      note: 'E.nativeCall runs the blob from a flat string in RAM',
    });
  }
  // With several models, the RAM parts name their pack.
  const named = models.length > 1;
  for (const model of models) {
    const of = named ? { file: model.file } : {};
    items.push(
      board.storage.memoryMapped
        ? { what: 'model pack', ...of, bytes: model.packBytes, region: 'jsHeap', cost: 0, contiguous: false, note: 'used in place from memory-mapped Storage' }
        : {
            what: 'model pack (RAM copy)', ...of, bytes: model.packBytes, region: 'jsHeap', cost: typedArrayCost(model.packBytes, perVar), contiguous: true,
            note: `${board.name} Storage is not memory-mapped: the pack is copied into a flat buffer`,
          },
      {
        what: 'arena', ...of, bytes: model.arenaBytes, region: 'jsHeap', cost: typedArrayCost(model.arenaBytes, perVar), contiguous: true,
        note: 'activations and scratch, one flat Uint8Array',
      },
    );
  }
  return items;
}

function jerryscriptItems(input: BudgetInput): BudgetItem[] {
  const { board, bundle } = input;
  const models = input.models ?? [];
  const items: BudgetItem[] = [
    { what: 'app bundle', file: bundle.file, bytes: bundle.bytes, region: 'storage', cost: bundle.bytes, contiguous: false, note: 'in the firmware data partition' },
    {
      what: 'app byte code and objects', bytes: bundle.codeBytes ?? bundle.bytes, region: 'jsHeap',
      cost: Math.ceil((bundle.codeBytes ?? bundle.bytes) * JERRYSCRIPT_HEAP_PER_CODE_BYTE), contiguous: false,
      note: `the parsed program and the app's objects in the JerryScript heap (estimate: ${JERRYSCRIPT_HEAP_PER_CODE_BYTE} x the code without comments and indentation, measured)`,
    },
  ];
  const named = models.length > 1;
  for (const model of models) {
    const of = named ? { file: model.file } : {};
    items.push(
      { what: 'model pack', file: model.file, bytes: model.packBytes, region: 'storage', cost: model.packBytes, contiguous: false, note: 'a flash partition the firmware maps (tinysense.flash)' },
      board.storage.memoryMapped
        ? { what: 'model pack', ...of, bytes: model.packBytes, region: 'nativeHeap', cost: 0, contiguous: false, note: 'used in place from mapped flash' }
        : { what: 'model pack (RAM copy)', ...of, bytes: model.packBytes, region: 'nativeHeap', cost: model.packBytes, contiguous: true, note: 'copied into tinysense.allocate() memory' },
      { what: 'arena', ...of, bytes: model.arenaBytes, region: 'nativeHeap', cost: model.arenaBytes, contiguous: true, note: 'tinysense.allocate(): native memory, not the JerryScript heap' },
    );
  }
  return items;
}

/**
 * An engine's budget model: where a build's parts live on its boards and what each costs. Each engine's
 * description (host/engines/<engine>.ts) holds one; the figures and formulas are here.
 */
export interface EngineBudget {
  /** The parts of a build and their cost in each region (perVar: bytes per JsVar, 1 without JsVars). */
  items(input: BudgetInput, perVar: number): BudgetItem[];
  /** The file store's name in the report. */
  storeName: string;
  /** Buffers the device runtime allocates for the sensors a bundle opens, found in its code (none when absent). */
  sensorBuffers?(code: string): SensorBuffer[];
  /** An unminified bundle that overflows the file store gets the advice to minify. */
  suggestMinify: boolean;
  /** Advice when the JS heap does not hold the build (and the pack's RAM copy is not what breaks it). */
  heapAdvice: string;
  /** What the warning adds when little JS heap is left. */
  lowHeapAdvice: string;
  /** `tinysense upload` installs the files into Storage: plan the install, check Storage file names. */
  installsFiles: boolean;
  /** A model on a board whose stock engine cannot call the kernels is refused (otherwise a warning). */
  refusesWithoutNativeCall: boolean;
}

export const ESPRUINO_BUDGET: EngineBudget = {
  items: espruinoItems,
  sensorBuffers: cameraBuffers,
  storeName: 'Storage',
  suggestMinify: true,
  heapAdvice: 'Use a smaller model (the arena is the activations of the largest layers).',
  lowHeapAdvice: 'flat buffers also need contiguous free JsVars, which fragmentation can break up',
  installsFiles: true,
  refusesWithoutNativeCall: true,
};

export const JERRYSCRIPT_BUDGET: EngineBudget = {
  items: (input) => jerryscriptItems(input),
  storeName: 'flash data',
  suggestMinify: false,
  heapAdvice: 'Build the firmware with a larger JerryScript heap (tools/build.py --mem-heap=<KB>), or make the app smaller (minify).',
  lowHeapAdvice: 'leave room for the app',
  installsFiles: false,
  refusesWithoutNativeCall: false,
};

/** A RAM part's name in problem texts: "arena", or "arena (speech.tsm)" when several models have one. */
function partName(i: BudgetItem): string {
  return i.file && i.region !== 'storage' ? `${i.what} (${i.file})` : i.what;
}

function region(region: Region, label: string, capacity: number, exact: boolean, items: BudgetItem[]): RegionBudget {
  const used = items.filter((i) => i.region === region).reduce((sum, i) => sum + i.cost, 0);
  return { region, label, capacity, used, free: capacity - used, exact };
}

/** Why the JS heap does not hold the build, naming the part that breaks it. */
function heapProblem(board: Board, engine: EngineBudget, heap: RegionBudget, items: BudgetItem[]): string {
  const parts = items.filter((i) => i.region === 'jsHeap' && i.cost > 0);
  const biggest = parts.reduce((a, b) => (b.cost > a.cost ? b : a), parts[0]);
  const list = parts.map((i) => `${partName(i)} ${formatBytes(i.cost)}`).join(' + ');
  let text = `${board.name}: the JS heap has ${formatBytes(heap.capacity)}, the build needs ${formatBytes(heap.used)} (${list})`;
  if (biggest?.what === 'model pack (RAM copy)') {
    text = `${board.name} Storage is not memory-mapped: the pack needs ${formatBytes(biggest.cost)} of RAM, the JS heap has ${formatBytes(heap.capacity)} (${list}). ` +
      'Use a board whose Storage is internal flash (Jolt.js) or a smaller model.';
  } else {
    text += `. ${engine.heapAdvice}`;
  }
  return text;
}

/** The budget of a build on input.board, whose engine places and costs the parts as `engine` says. */
export function computeBudget(input: BudgetInput, engine: EngineBudget): BudgetReport {
  const { board } = input;
  const perVar = board.jsHeap.kind === 'jsvars' ? board.jsHeap.bytesPerVariable : 1;
  const items = engine.items(input, perVar);
  const storage = region('storage', `${engine.storeName} (${board.storage.medium})`, board.storage.bytes, true, items);
  const heapLabel = board.jsHeap.kind === 'jsvars' ? `JS heap (${board.jsHeap.variables} JsVars x ${board.jsHeap.bytesPerVariable} B)` : 'JS heap';
  const jsHeap = region('jsHeap', heapLabel, board.jsHeap.bytes, board.jsHeap.exact, items);
  const nativeHeap = board.nativeHeap ? region('nativeHeap', 'native memory (firmware allocator)', board.nativeHeap.bytes, board.nativeHeap.exact, items) : undefined;
  const problems: string[] = [];
  const warnings: string[] = [];

  if (storage.used > storage.capacity) {
    const list = items.filter((i) => i.region === 'storage').map((i) => `${i.file ?? i.what} ${formatBytes(i.cost)}`).join(' + ');
    const hints = [
      ...(engine.suggestMinify && input.bundle.minified !== true ? ['build with --minify (minify: true) to drop comments and indentation from the bundle'] : []),
      ...(board.storage.note ? [board.storage.note] : []),
    ];
    problems.push(`${board.name}: ${storage.label} holds ${formatBytes(storage.capacity)}, the build needs ${formatBytes(storage.used)}, over by ${formatBytes(storage.used - storage.capacity)} (${list})` +
      (hints.length ? `. ${hints.map((h) => h[0].toUpperCase() + h.slice(1)).join('. ')}` : ''));
  }
  if (jsHeap.used > jsHeap.capacity) {
    problems.push(heapProblem(board, engine, jsHeap, items));
  } else {
    const headroom = input.headroom ?? DEFAULT_HEAP_HEADROOM;
    if (jsHeap.free < headroom * jsHeap.capacity) {
      warnings.push(`${board.name}: only ${formatBytes(jsHeap.free)} of the JS heap is left for the app's own objects; ` +
        engine.lowHeapAdvice);
    }
  }
  if (nativeHeap && nativeHeap.used > nativeHeap.capacity) {
    const list = items.filter((i) => i.region === 'nativeHeap' && i.cost > 0).map((i) => `${partName(i)} ${formatBytes(i.cost)}`).join(' + ');
    problems.push(`${board.name}: native memory holds at most ${formatBytes(nativeHeap.capacity)}, the build needs ${formatBytes(nativeHeap.used)} (${list}). Use a smaller model or a board with PSRAM.`);
  }
  if (nativeHeap && !nativeHeap.exact && nativeHeap.used > 0) {
    warnings.push(`${board.name}: native memory is an upper bound (${formatBytes(nativeHeap.capacity)}); the firmware's free heap is less (tinysense.memory().nativeFree on the board)`);
  }
  if (!jsHeap.exact) {
    warnings.push(`${board.name}: the JS heap figure is an upper bound (${board.sources.jsHeap ?? 'see the board file'})`);
  }
  let install: BudgetReport['install'];
  if (engine.installsFiles) {
    // The files as `tinysense upload` writes them; the boot file is the installer's loader.
    const files = items.filter((i) => i.region === 'storage').map((i) => ({ name: i.file ?? i.what, bytes: i.bytes }));
    const t = files.reduce((n, f) => n + storageCost(f.bytes), 0);
    const loader = storageCost(loaderCode().length);
    install = {
      fresh: planInstall({ capacity: board.storage.bytes, base: loader, changed: files, oldChanged: 0 }),
      upgrade: planInstall({ capacity: board.storage.bytes, base: loader + t, changed: files, oldChanged: t }, files),
    };
    if (!install.fresh.mode && storage.used <= storage.capacity) {
      problems.push(`${board.name}: the build cannot be installed: ${install.fresh.reason}${board.storage.note ? `. ${board.storage.note}` : ''}`);
    }
    for (const item of items) {
      if (item.region === 'storage' && item.file && item.file.length > STORAGE_NAME_MAX) problems.push(`Storage file name "${item.file}" is longer than ${STORAGE_NAME_MAX} characters`);
    }
  }
  // A build with a model on an Espruino board whose stock firmware cannot run the kernels would upload and then
  // fail on the board: refused. (JerryScript boards run the kernels in the tinysense firmware: a note.)
  const needsKernels = (input.models ?? []).length > 0;
  if (!board.nativeCall.supported && engine.refusesWithoutNativeCall && needsKernels) {
    problems.push(`${board.name}: stock Espruino cannot run the model kernels on this board. ${board.nativeCall.note} ` +
      'Use an nRF52840 board (JOLTJS, BANGLEJS2, NRF52840DK) or ESP32_JERRYSCRIPT with the tinysense firmware.');
  } else if (!board.nativeCall.supported) warnings.push(`${board.name}: ${board.nativeCall.note}`);

  // Models without multiply-accumulates (the audio front end's signal ops, element-wise graphs) get no
  // estimate: cycles per MAC says nothing about them.
  const cyclesPerMac = input.cyclesPerMac ?? DEFAULT_CYCLES_PER_MAC[board.cpu];
  const measured = input.cyclesPerMac !== undefined || MEASURED_CYCLES_PER_MAC[board.cpu] !== undefined;
  const opByOp = (m: BudgetModel): LatencyEstimate | null => {
    const c = m.cycles;
    if (!c || input.cyclesPerMac !== undefined || c.cycles <= 0) return null;
    const macs = m.macs ?? 0;
    return {
      file: m.file,
      estimate: true,
      measured: true,
      macs,
      cyclesPerMac: macs > 0 ? Math.round((c.cycles / macs) * 100) / 100 : 0,
      clockMHz: board.clockMHz,
      ms: c.cycles / (board.clockMHz * 1000),
      basis: `${c.ops} ops, ${Math.round(c.cycles)} cycles at ${board.clockMHz} MHz, op by op from ${c.source}` +
        (c.unmeasured.length ? `; no figure for ${c.unmeasured.join(', ')}, counted as 0` : ''),
    };
  };
  const latencies: LatencyEstimate[] = (input.models ?? []).filter((m) => opByOp(m) !== null || (m.macs !== undefined && m.macs > 0)).map((m) => opByOp(m) ?? ({
    file: m.file,
    estimate: true,
    measured,
    macs: m.macs as number,
    cyclesPerMac,
    clockMHz: board.clockMHz,
    ms: ((m.macs as number) * cyclesPerMac) / (board.clockMHz * 1000),
    basis: `${m.macs} MACs x ${cyclesPerMac} cycles/MAC at ${board.clockMHz} MHz` +
      (input.cyclesPerMac === undefined ? ` (${MEASURED_CYCLES_PER_MAC[board.cpu] ?? `assumed for ${board.cpu}, not measured`})` : ' (cycles/MAC given)'),
  } as LatencyEstimate));
  return {
    board: board.id,
    boardName: board.name,
    engine: board.engine,
    cpu: board.cpu,
    items,
    storage,
    jsHeap,
    ...(nativeHeap ? { nativeHeap } : {}),
    latencies,
    ...(install ? { install } : {}),
    problems,
    warnings,
    fits: problems.length === 0,
  };
}

/** The regions of a report, in display order. */
export function regions(r: BudgetReport): RegionBudget[] {
  return r.nativeHeap ? [r.storage, r.jsHeap, r.nativeHeap] : [r.storage, r.jsHeap];
}

/** A plain-text report for the terminal. */
export function formatBudget(r: BudgetReport): string {
  const lines = [`${r.boardName} (${r.board}) budget: ${r.fits ? 'fits' : 'DOES NOT FIT'}`];
  for (const g of regions(r)) {
    lines.push(`  ${g.label}: ${formatBytes(g.used)} of ${formatBytes(g.capacity)}${g.exact ? '' : ' (at most)'} used, ${formatFree(g.free)}`);
    for (const i of r.items.filter((x) => x.region === g.region)) {
      lines.push(`    ${(i.file ? `${i.what} ${i.file}` : i.what).padEnd(34)} ${formatBytes(i.bytes).padStart(9)} -> ${formatBytes(i.cost).padStart(9)}  ${i.note}`);
    }
  }
  if (r.install) {
    const line = (what: string, p: InstallPlan) =>
      `  install ${what}: ${p.mode ? `${p.mode}, ` : 'DOES NOT FIT, '}peak ${formatBytes(p.mode === 'staged' ? p.stagedPeak : p.inPlacePeak)} of ${formatBytes(p.capacity)} Storage` +
      ` (keeping the old app bootable needs ${formatBytes(p.stagedPeak)}, in place ${formatBytes(p.inPlacePeak)})`;
    lines.push(line('on an empty board', r.install.fresh), line('over a previous version', r.install.upgrade));
    if (r.install.upgrade.mode === 'in-place') lines.push('    (in place: between erasing the old files and finishing the new ones a power cut leaves no app; the boot file then says so)');
  }
  for (const l of r.latencies) {
    lines.push(l.measured
      ? `  invoke latency of ${l.file}: ~${l.ms.toFixed(1)} ms (estimate: ${l.basis})`
      : `  invoke latency of ${l.file}: not measured for ${r.cpu} (${l.basis} would give ~${l.ms.toFixed(1)} ms; give --cycles-per-mac once measured on the board)`);
  }
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}
