// The simulated JerryScript firmware's tinysense.invoke checks the op record before any kernel runs, as the
// C glue's ts_check_record does on the board (device/validate.ts's checkRecord against the pack's tables
// and the arena actually given): a hostile record is refused with a RangeError naming it, and no kernel runs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { H } from '../../device/pack.js';
import { SIGNAL_OP, SIGNAL_SPECTRAL_SUBTRACTION, SIGNAL_WINDOW } from '../../device/records.js';
import { PackLayout, validatePack, validateTables } from '../../device/validate.js';
import { compileTflite } from '../../host/model.js';
import { crc32 } from '../../host/compiler/crc32.js';
import { BoardInfo } from '../../host/sim/espruino.js';
import { JerryScriptBoard } from '../../host/sim/jerryscript.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, sharedBytes } from '../shared.js';

vi.mock('../../device/validate.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../device/validate.js')>();
  return { ...original, validateTables: vi.fn(original.validateTables) };
});

const ESP32: BoardInfo = { id: 'ESP32_JERRYSCRIPT', engine: 'jerryscript', heapBytes: 65536, jsVarBytes: 0, storageMapped: true, storageBytes: 1 << 20, objects: [] };

const PACK = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
const LAYOUT: PackLayout = validatePack(PACK, (from, length) => crc32(PACK.subarray(from, from + length)));

afterEach(() => {
  vi.restoreAllMocks();
  vi.mocked(validateTables).mockClear();
});

/** A board with `pack` in flash as "m", `pack` and `arena` (arenaBytes, filled with 0x5a) in the app's scope. */
function board(pack: Uint8Array = PACK, arenaBytes = LAYOUT.arenaBytes) {
  const b = new JerryScriptBoard(ESP32, { output: () => undefined });
  b.storage.set('m', pack);
  b.run(`var pack = tinysense.flash('m'); var arena = tinysense.allocate(${arenaBytes}); arena.fill(0x5a);`);
  return b;
}

/** A copy of PACK with int32 words changed (CRC left stale: the glue does not check it). */
function mutated(changes: [number, number][]): Uint8Array {
  const pack = PACK.slice();
  const dv = new DataView(pack.buffer);
  for (const [at, v] of changes) dv.setInt32(at, v, true);
  return pack;
}

function thrown(b: JerryScriptBoard, code: string): string {
  return b.evaluate(`(function () { try { ${code}; return 'no error'; } catch (e) { return e.name + ': ' + e.message; } })()`) as string;
}

const recordOf = (op: number) => LAYOUT.records[LAYOUT.ops.indexOf(op)];
const WINDOW_REC = recordOf(SIGNAL_OP.SIGNAL_WINDOW);
const SUBTRACTION_REC = recordOf(SIGNAL_OP.SIGNAL_SPECTRAL_SUBTRACTION);

describe('simulated tinysense.invoke checks the op record first (JerryScript firmware)', () => {
  it('runs every record of the audio front end, frame after frame, validating the pack\'s tables once', () => {
    const b = board();
    vi.mocked(validateTables).mockClear(); // the compiler validates what it writes (its work trailer)
    const arena = b.evaluate('arena') as Uint8Array;
    arena.fill(0);
    const pcm = sharedBytes('testdata', 'yes_1000ms_s16le.raw');
    const input = LAYOUT.inputs[0];
    const output = LAYOUT.outputs[0];
    const features: Uint8Array[] = [];
    for (let k = 0; k < 3; k++) {
      arena.set(pcm.subarray(640 * k, 640 * k + input.bytes), input.offset);
      for (const rec of LAYOUT.records) expect(b.evaluate(`tinysense.invoke(pack, ${rec}, arena)`)).toBe(0);
      features.push(arena.slice(output.offset, output.offset + output.bytes));
    }
    const golden = sharedBytes('testdata', 'yes_features_49x40_int8.bin').subarray(0, 3 * output.bytes);
    expect(firstDifference(new Uint8Array(Buffer.concat(features)), golden)).toBe('equal');
    expect(vi.mocked(validateTables)).toHaveBeenCalledTimes(1);
  });

  const hostile: { name: string; changes: [number, number][]; record: number; message: RegExp }[] = [
    { name: 'an output past the arena', changes: [[WINDOW_REC + 4 * SIGNAL_WINDOW.output, LAYOUT.arenaBytes - 2]], record: WINDOW_REC, message: /op 0 \(SIGNAL_WINDOW\): output needs 960 bytes at arena offset \d+, outside \[0, \d+\)/ },
    { name: 'a negative size', changes: [[WINDOW_REC + 4 * SIGNAL_WINDOW.size, -480]], record: WINDOW_REC, message: /size is -480/ },
    { name: 'a window past the constants', changes: [[WINDOW_REC + 4 * SIGNAL_WINDOW.window, LAYOUT.constOffset + LAYOUT.constBytes - 2]], record: WINDOW_REC, message: /window needs \d+ bytes at pack offset/ },
    {
      name: 'a noise estimate outside the state region (but inside the arena)',
      changes: [[SUBTRACTION_REC + 4 * SIGNAL_SPECTRAL_SUBTRACTION.noiseEstimate, LAYOUT.state!.offset + LAYOUT.state!.bytes]],
      record: SUBTRACTION_REC,
      message: /\(SIGNAL_SPECTRAL_SUBTRACTION\): noise estimate lies outside the state region/,
    },
    { name: 'an unknown op code', changes: [[WINDOW_REC, 99]], record: WINDOW_REC, message: /\(code 99\): unknown op code/ },
    { name: 'a record length that is wrong', changes: [[WINDOW_REC + 4, 7]], record: WINDOW_REC, message: /record has 7 words, expected 8/ },
    { name: 'an offset inside a record', changes: [], record: WINDOW_REC + 8, message: /op \? \(code \d+\)/ },
  ];
  for (const h of hostile) {
    it(`refuses ${h.name} with a RangeError, and no kernel runs`, () => {
      const b = board(mutated(h.changes));
      const kernel = vi.spyOn(WasmKernels.prototype, 'invoke');
      const said = thrown(b, `tinysense.invoke(pack, ${h.record}, arena)`);
      expect(said).toMatch(new RegExp(`^RangeError: tinysense\\.invoke: op record at ${h.record}: `));
      expect(said).toMatch(h.message);
      expect(kernel).not.toHaveBeenCalled();
      expect((b.evaluate('arena') as Uint8Array).every((x) => x === 0x5a)).toBe(true);
    });
  }

  it('checks operands against the arena actually given, not the size the pack plans', () => {
    const b = board(PACK, 512);
    const kernel = vi.spyOn(WasmKernels.prototype, 'invoke');
    expect(thrown(b, `tinysense.invoke(pack, ${WINDOW_REC}, arena)`)).toMatch(/^RangeError: .*outside \[0, 512\)/);
    expect(kernel).not.toHaveBeenCalled();
  });

  it('checks the record\'s current bytes on every call, and re-reads the tables when the header changes', () => {
    const b = board();
    vi.mocked(validateTables).mockClear();
    expect(b.evaluate(`tinysense.invoke(pack, ${WINDOW_REC}, arena)`)).toBe(0);
    b.evaluate(`pack[${WINDOW_REC + 4 * SIGNAL_WINDOW.size + 3}] = 0x80`); // size becomes negative
    expect(thrown(b, `tinysense.invoke(pack, ${WINDOW_REC}, arena)`)).toMatch(/op 0 \(SIGNAL_WINDOW\): size is -/);
    expect(vi.mocked(validateTables)).toHaveBeenCalledTimes(1);
    b.evaluate(`pack[${WINDOW_REC + 4 * SIGNAL_WINDOW.size + 3}] = 0`);
    expect(b.evaluate(`tinysense.invoke(pack, ${WINDOW_REC}, arena)`)).toBe(0);
    b.evaluate(`pack[${H.flags}] = 7`);
    expect(thrown(b, `tinysense.invoke(pack, ${WINDOW_REC}, arena)`)).toMatch(/^RangeError: tinysense\.invoke: op record at \d+: unknown flags 0x7/);
    expect(vi.mocked(validateTables)).toHaveBeenCalledTimes(2);
  });

  it('refuses an arena that overlaps the pack with a RangeError, as the glue does, and runs disjoint views of one buffer', () => {
    const b = new JerryScriptBoard(ESP32, { output: () => undefined });
    const bytes = PACK.length + (-PACK.length & 7);
    b.run(`var both = tinysense.allocate(${bytes + LAYOUT.arenaBytes}); var pack = both.subarray(0, ${PACK.length});`);
    (b.evaluate('pack') as Uint8Array).set(PACK);
    const kernel = vi.spyOn(WasmKernels.prototype, 'invoke');
    expect(thrown(b, `tinysense.invoke(pack, ${WINDOW_REC}, both.subarray(${bytes - 8}))`)).toBe('RangeError: tinysense.invoke: the arena overlaps the pack');
    expect(kernel).not.toHaveBeenCalled();
    expect(b.evaluate(`tinysense.invoke(pack, ${WINDOW_REC}, both.subarray(${bytes}))`)).toBe(0);
  });
});

describe('simulated tinysense.invokeOps checks each record just before it runs it (JerryScript firmware)', () => {
  it('runs the whole front end in one call with the outputs of invoke per record', () => {
    const b = board();
    const arena = b.evaluate('arena') as Uint8Array;
    arena.fill(0);
    const pcm = sharedBytes('testdata', 'yes_1000ms_s16le.raw');
    const input = LAYOUT.inputs[0];
    const output = LAYOUT.outputs[0];
    arena.set(pcm.subarray(0, input.bytes), input.offset);
    expect(b.evaluate(`tinysense.invokeOps(pack, arena, 0, ${LAYOUT.records.length})`)).toBe(0);
    const golden = sharedBytes('testdata', 'yes_features_49x40_int8.bin').subarray(0, output.bytes);
    expect(firstDifference(arena.slice(output.offset, output.offset + output.bytes), golden)).toBe('equal');
  });

  it('refuses a hostile record with the RangeError invoke gives, after running the ops before it only', () => {
    const k = LAYOUT.ops.indexOf(SIGNAL_OP.SIGNAL_SPECTRAL_SUBTRACTION);
    const b = board(mutated([[SUBTRACTION_REC + 4 * SIGNAL_SPECTRAL_SUBTRACTION.noiseEstimate, LAYOUT.state!.offset + LAYOUT.state!.bytes]]));
    const kernel = vi.spyOn(WasmKernels.prototype, 'invokeOps');
    const said = thrown(b, `tinysense.invokeOps(pack, arena, 0, ${LAYOUT.records.length})`);
    expect(said).toMatch(new RegExp(`^RangeError: tinysense\\.invokeOps: op record at ${SUBTRACTION_REC}: .*noise estimate lies outside the state region`));
    expect(kernel.mock.calls.map((c) => c[2])).toEqual([...Array(k).keys()]);
  });

  it('refuses a range outside the op table, and bad arguments, before any kernel runs', () => {
    const b = board();
    const kernel = vi.spyOn(WasmKernels.prototype, 'invokeOps');
    const n = LAYOUT.records.length;
    expect(thrown(b, `tinysense.invokeOps(pack, arena, 1, ${n})`)).toBe(`RangeError: tinysense.invokeOps: ops 1 to ${n} are not all among the pack's ${n}`);
    expect(thrown(b, 'tinysense.invokeOps(pack, arena, -1, 1)')).toBe('RangeError: tinysense.invokeOps: first must be an integer from 0 to 2147483647');
    expect(thrown(b, 'tinysense.invokeOps(pack, arena, 0)')).toBe('TypeError: tinysense.invokeOps: count must be an integer from 0 to 2147483647');
    expect(thrown(b, 'tinysense.invokeOps(arena, pack, 0, 1)')).toMatch(/^TypeError: tinysense\.invokeOps: arena is a view of flash/);
    expect(kernel).not.toHaveBeenCalled();
    expect(b.evaluate(`tinysense.invokeOps(pack, arena, ${n}, 0)`)).toBe(0);
  });
});
