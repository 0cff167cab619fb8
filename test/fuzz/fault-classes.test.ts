// Regression tests for the three fault classes of issue 15, in both validators (device/validate.ts and the
// JerryScript glue's C check, tinysense_record_check.c, through the C harness): records the checks used
// to accept and that then spun for seconds, overflowed int32, or made a misaligned 64-bit access.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePack } from '../../device/validate.js';
import { CONV, DW_CONV, GATHER, OP, SIGNAL_FILTER_BANK, SIGNAL_OP, SOFTMAX, VIEW } from '../../device/records.js';
import { compileTflite } from '../../host/model.js';
import { sharedBytes } from '../shared.js';
import { CheckCase, buildHarness, compareChecks, crc, tsVerdict, withWord } from '../jerryscript/glue-harness.js';
import { ARENA_BYTES, buildPack } from '../jerryscript/packs.js';

const work = mkdtempSync(join(tmpdir(), 'tinysense-faults-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const stub = buildHarness(work, false).exe!;
const built = buildPack();
const rec = (name: string) => built.records[built.names.indexOf(name)];

/** The pack with words set (field -> value) in the record at `at`. */
function mutate(pack: Uint8Array, at: number, words: [number, number][]): Uint8Array {
  let p = pack;
  for (const [field, value] of words) p = withWord(p, at + 4 * field, value);
  return p;
}

function bothRefuse(name: string, c: CheckCase, tsMessage: RegExp): void {
  const { verdicts } = compareChecks(stub, work, name, [c]);
  const ts = tsVerdict(c);
  expect(ts, name).toMatch(/^reject /);
  expect(ts, name).toMatch(tsMessage);
  expect(verdicts[0], name).toMatch(/^reject /);
}

describe('issue 15, class 1: work bounded, not just memory', () => {
  it('SOFTMAX with 2^30 rows of 0 bytes (23 s per invoke before) is refused by both, naming the op and the fields', () => {
    const c: CheckCase = { pack: mutate(built.pack, rec('SOFTMAX'), [[SOFTMAX.rows, 1 << 30], [SOFTMAX.rowSize, 0]]), record: rec('SOFTMAX'), arena: ARENA_BYTES, ts: 'pack' };
    bothRefuse('softmax', c, /op \d+ \(SOFTMAX\): row size is 0 inside loops of 1073741824 trips/);
  });

  it('DEPTHWISE_CONV_2D with filter height 2^20 and width 0 (18 s before) is refused by both', () => {
    const at = rec('DEPTHWISE_CONV_2D');
    const c: CheckCase = { pack: mutate(built.pack, at, [[DW_CONV.filterDims + 1, 1 << 20], [DW_CONV.filterDims + 2, 0]]), record: at, arena: ARENA_BYTES, ts: 'pack' };
    bothRefuse('dw', c, /op \d+ \(DEPTHWISE_CONV_2D\): /);
  });

  it('a gather view of 2^24 x 0 elements is refused by both; a view of 1 x 0 is still fine', () => {
    const at = rec('GATHER_VIEW');
    const huge: CheckCase = { pack: mutate(built.pack, at, [[GATHER.view + VIEW.dims, 1 << 24], [GATHER.view + VIEW.dims + 5, 0]]), record: at, arena: ARENA_BYTES, ts: 'pack' };
    bothRefuse('gather', huge, /op \d+ \(GATHER_VIEW\): view dim 5 is 0 inside loops of \d+ trips/);
    const small: CheckCase = { pack: mutate(built.pack, at, [[GATHER.view + VIEW.dims + 5, 0]]), record: at, arena: ARENA_BYTES, ts: 'pack' };
    expect(compareChecks(stub, work, 'gather-ok', [small]).mismatches).toEqual([]);
  });

  it('a compiled pack declares its work, and a pack whose trailer disagrees with its records is refused', () => {
    const pack = compileTflite(sharedBytes('hello_world', 'hello_world_int8.tflite')).pack;
    const sign = (p: Uint8Array) => {
      new DataView(p.buffer).setUint32(12, crc(p.subarray(16)), true);
      return p;
    };
    const layout = validatePack(pack, (from, length) => crc(pack.subarray(from, from + length)));
    expect(layout.declaredWork).toEqual(layout.work);
    expect(layout.work.macs).toBeGreaterThan(0);
    const lie = pack.slice();
    new DataView(lie.buffer).setUint32(lie.length - 16, layout.work.macs - 1, true);
    expect(() => validatePack(sign(lie), (f, l) => crc(lie.subarray(f, f + l)))).toThrow(/declares \d+ MACs, \d+ ops; its records do/);
  });
});

describe('issue 15, class 2: no signed overflow in conv and depthwise index arithmetic', () => {
  for (const [name, R] of [['CONV_2D', CONV], ['DEPTHWISE_CONV_2D', DW_CONV]] as const) {
    it(`${name}: a stride or dilation whose windows reach past int32 is refused by both`, () => {
      const at = rec(name);
      for (const words of [[[R.strideH, 0x40000000], [R.outputDims + 1, 3]], [[R.dilationW, 0x7fffffff], [R.filterDims + 2, 2]]] as [number, number][][]) {
        const c: CheckCase = { pack: mutate(built.pack, at, words), record: at, arena: ARENA_BYTES, ts: 'pack' };
        bothRefuse(`${name}-window`, c, new RegExp(`op \\d+ \\(${name}\\): window [hw] reaches \\d+ > input`));
      }
    });
  }
});

describe('issue 15, class 3: 64-bit operands 8-aligned', () => {
  it('the filter bank\'s uint64 output at 4 mod 8 is refused by both; the compiler places it 8-aligned', () => {
    const pack = compileTflite(sharedBytes('micro_speech', 'audio_preprocessor_int8.tflite')).pack;
    const layout = validatePack(pack, (f, l) => crc(pack.subarray(f, f + l)));
    const i = layout.ops.indexOf(SIGNAL_OP.SIGNAL_FILTER_BANK);
    expect(i).toBeGreaterThanOrEqual(0);
    const at = layout.records[i];
    const output = new DataView(pack.buffer).getInt32(at + 4 * SIGNAL_FILTER_BANK.output, true);
    expect(output % 8).toBe(0);
    const c: CheckCase = { pack: mutate(pack, at, [[SIGNAL_FILTER_BANK.output, output + 4]]), record: at, arena: layout.arenaBytes, ts: 'pack' };
    bothRefuse('fb-align', c, /op \d+ \(SIGNAL_FILTER_BANK\): output at offset \d+ is not 8-byte aligned/);
    expect(OP.CONV_2D).toBeDefined();
  });
});
