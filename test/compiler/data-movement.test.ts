// Data movement (ops-move, issue 13): SPLIT, SPLIT_V, UNPACK, PACK, SLICE, BROADCAST_TO, DEPTH_TO_SPACE,
// SPACE_TO_DEPTH, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, the reshape family, GATHER and RESIZE_*, int8 and
// int16 (and float32 where TFLM registers it), plus int16 through PAD/PADV2/CONCATENATION/STRIDED_SLICE/
// TRANSPOSE/RESHAPE. Each one-operator model (move-cases.ts) compiles and runs on the WebAssembly kernels and
// must give TFLM's reference outputs byte for byte; the goldens in test/fixtures/move/ come from TFLM's own
// interpreter (tflite-micro 90b983c2b, reference kernels, x86-64), run outside this repository. The models
// are rebuilt here from their specs and must equal the committed files, so the goldens stay tied to them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { OP } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, prng } from '../shared.js';
import { ModelSpec, buildModel } from '../tflite/build-model.js';
import { CASES, MoveCase, f32, i32, inputOf, q8, spec } from './move-cases.js';

const DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'move');
const TFLM_ARENA = (JSON.parse(readFileSync(join(DIR, 'tflm-arena.json'), 'utf8')) as { arena_used_bytes: Record<string, number> }).arena_used_bytes;

describe('data movement matches TFLM byte for byte', () => {
  if (process.env.TS_WRITE_MOVE_FIXTURES) {
    // Writes the models and inputs; the goldens are TFLM's outputs for them (see the header).
    mkdirSync(DIR, { recursive: true });
    for (const c of CASES) {
      writeFileSync(join(DIR, `${c.name}.tflite`), buildModel(spec(c)));
      writeFileSync(join(DIR, `${c.name}.in.bin`), inputOf(c));
    }
  }
  for (const c of CASES) {
    it(`${c.name} (${c.op})`, () => {
      const model = buildModel(spec(c));
      expect(Buffer.from(model).equals(readFileSync(join(DIR, `${c.name}.tflite`))), 'the committed model is the spec\'s').toBe(true);
      const x = inputOf(c);
      expect(Buffer.from(x).equals(readFileSync(join(DIR, `${c.name}.in.bin`)))).toBe(true);
      const compiled = compileTflite(model);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compiled.pack, kernels);
      expect(m.layout.ops).toEqual(c.records.map((r) => OP[r as keyof typeof OP]));
      const outs = runOnce(m, x);
      expect(outs.length).toBe(c.outs.length);
      outs.forEach((out, k) => {
        const golden = join(DIR, `${c.name}.golden.${k}.bin`);
        expect(existsSync(golden), golden).toBe(true);
        expect(firstDifference(out, readFileSync(golden)), `${c.name} output ${k}`).toBe('equal');
      });
      kernels.checkGuards();
      // The planned arena is never above TFLM's for the same model.
      expect(compiled.arenaBytes).toBeLessThanOrEqual(TFLM_ARENA[c.name]);
    });
  }

  // Two ops: SPLIT x [2,8] along axis 1 into a, b [2,4]; CONCATENATION (b, a) along axis 0 -> [4,4], whose
  // rows are one row, so the split writes b and a straight into the output (in place, no copy record; slots
  // stay 4-byte aligned as every arena buffer).
  const inPlaceSpec = (): ModelSpec => {
    const q = { type: 9, scale: [0.05], zeroPoint: [-3n] };
    const table = (fields: [number, number][]) => (b: Builder) => {
      b.startObject(2);
      for (const [id, v] of fields) b.addFieldInt32(id, v, null);
      return b.endObject();
    };
    return {
      version: 3, identifier: 'TFL3',
      codes: [{ builtin: 49 }, { builtin: 2 }], // SPLIT, CONCATENATION
      tensors: [{ shape: [2, 8], name: 'x', ...q }, { shape: [], type: 2, buffer: 1, name: 'axis' }, { shape: [2, 4], name: 'a', ...q }, { shape: [2, 4], name: 'b', ...q }, { shape: [4, 4], name: 'y', ...q }],
      inputs: [0], outputs: [4],
      operators: [
        { opcodeIndex: 0, inputs: [1, 0], outputs: [2, 3], optionsType: 35, options: table([[0, 2]]) },
        { opcodeIndex: 1, inputs: [3, 2], outputs: [4], optionsType: 10, options: table([[0, 0]]) },
      ],
      buffers: [{}, { data: Uint8Array.of(1, 0, 0, 0) }],
    };
  };
  const inPlaceInput = () => { const rand = prng(77); return Uint8Array.from({ length: 16 }, () => Math.floor(rand() * 256)); };
  if (process.env.TS_WRITE_MOVE_FIXTURES) {
    writeFileSync(join(DIR, 'concat_in_place_int8.tflite'), buildModel(inPlaceSpec()));
    writeFileSync(join(DIR, 'concat_in_place_int8.in.bin'), inPlaceInput());
  }
  it('concat_in_place_int8 (SPLIT then CONCATENATION): the split writes into the output, no copy, as TFLM', () => {
    const model = buildModel(inPlaceSpec());
    expect(Buffer.from(model).equals(readFileSync(join(DIR, 'concat_in_place_int8.tflite')))).toBe(true);
    const compiled = compileTflite(model);
    expect(compiled.inPlaceConcats).toBe(1);
    const m = new Model(compiled.pack, new WasmKernels({ guardBytes: 64 }));
    expect(m.layout.ops).toEqual([OP.GATHER_VIEW, OP.GATHER_VIEW]);
    const x = inPlaceInput();
    expect(Buffer.from(x).equals(readFileSync(join(DIR, 'concat_in_place_int8.in.bin')))).toBe(true);
    expect(firstDifference(runOnce(m, x)[0], readFileSync(join(DIR, 'concat_in_place_int8.golden.0.bin')))).toBe('equal');
    expect(compiled.arenaBytes).toBeLessThanOrEqual(TFLM_ARENA.concat_in_place_int8);
  });

  it('a GATHER position outside the axis fails the invoke instead of reading past the input', () => {
    const c = CASES.find((k) => k.name === 'gather_axis0_int8')!;
    const m = new Model(compileTflite(buildModel(spec(c))).pack, new WasmKernels({ guardBytes: 64 }));
    const x = inputOf(c);
    for (const bad of [5, -1]) {
      const y = x.slice();
      new DataView(y.buffer).setInt32(15 + 4, bad, true); // positions follow the 15 int8 params
      expect(() => runOnce(m, y)).toThrow();
    }
  });

  // TFLM's Prepare-time checks and what tinysense does not lower, each a clear error naming the op.
  const refusals: [string, MoveCase, RegExp][] = [
    ['GATHER with a constant position outside the axis', { name: 'r', op: 'GATHER', options: ['GatherOptions', [['i32', 0], ['i32', 0]]], ins: [q8([3, 2]), i32([0, 3])], outs: [q8([2, 2])], records: [] }, /operator 0 \(GATHER\): position 3 is outside \[0, 3\)/],
    ['GATHER of int16 (TFLM: int8 and float32)', { name: 'r', op: 'GATHER', ins: [{ shape: [3], type: 'int16', scale: 1, zeroPoint: 0 }, i32([0])], outs: [{ shape: [1], type: 'int16', scale: 1, zeroPoint: 0 }], records: [] }, /is int16, expected int8 or float32/],
    ['RESIZE_BILINEAR with align_corners and half_pixel_centers', { name: 'r', op: 'RESIZE_BILINEAR', options: ['ResizeBilinearOptions', [null, null, ['bool', true], ['bool', true]]], ins: [q8([1, 2, 2, 1]), i32([4, 4])], outs: [q8([1, 4, 4, 1])], records: [] }, /align_corners must be False/],
    ['RESIZE_BILINEAR of float32', { name: 'r', op: 'RESIZE_BILINEAR', ins: [f32([1, 2, 2, 1]), i32([4, 4])], outs: [f32([1, 4, 4, 1])], records: [] }, /is float32, expected int8/],
    ['RESIZE_NEAREST_NEIGHBOR with a run-time size', { name: 'r', op: 'RESIZE_NEAREST_NEIGHBOR', ins: [q8([1, 2, 2, 1]), { shape: [2], type: 'int32' }], outs: [q8([1, 4, 4, 1])], records: [] }, /not a constant; TFLM supports only a constant size/],
    ['SPLIT with a run-time axis', { name: 'r', op: 'SPLIT', options: ['SplitOptions', [['i32', 2]]], ins: [{ shape: [], type: 'int32' }, q8([4])], outs: [q8([2]), q8([2])], records: [] }, /axis tensor 0 \(t0\) is not a constant/],
    ['SPLIT into unequal parts', { name: 'r', op: 'SPLIT', options: ['SplitOptions', [['i32', 2]]], ins: [i32([0], []), q8([5])], outs: [q8([2]), q8([3])], records: [] }, /dimension 0 \(5\) does not split into 2 equal parts/],
    ['SPACE_TO_BATCH_ND whose padded height is not a multiple of the block', { name: 'r', op: 'SPACE_TO_BATCH_ND', ins: [q8([1, 3, 2, 1]), i32([2, 2]), i32([1, 1, 0, 0], [2, 2])], outs: [q8([4, 2, 1, 1])], records: [] }, /padded height 5 and width 2 are not multiples of the block \[2,2\]/],
    ['DEPTH_TO_SPACE of int16 (TFLM: float32 and int8)', { name: 'r', op: 'DEPTH_TO_SPACE', options: ['DepthToSpaceOptions', [['i32', 2]]], ins: [{ shape: [1, 1, 1, 4], type: 'int16', scale: 1, zeroPoint: 0 }], outs: [{ shape: [1, 2, 2, 1], type: 'int16', scale: 1, zeroPoint: 0 }], records: [] }, /is int16, expected float32 or int8/],
    ['CONCATENATION of int16 with a zero point', { name: 'r', op: 'CONCATENATION', options: ['ConcatenationOptions', [['i32', 0], ['i8', 0]]], ins: [{ shape: [2], type: 'int16', scale: 1, zeroPoint: 3 }, { shape: [2], type: 'int16', scale: 1, zeroPoint: 3 }], outs: [{ shape: [4], type: 'int16', scale: 1, zeroPoint: 3 }], records: [] }, /has zero point 3, TFLM requires 0/],
  ];
  for (const [what, c, message] of refusals) {
    it(`refuses ${what}`, () => {
      expect(() => compileTflite(buildModel(spec(c)))).toThrow(message);
    });
  }
});
