// Shape-only operators and constant subgraphs are folded on the host (host/compiler/fold.ts, issue 13):
// models that use SHAPE, FILL, ZEROS_LIKE, EXPAND_DIMS, SQUEEZE and all-constant operators compile,
// the folded operators leave no record in the pack, and the folded model computes byte for byte what
// the same model computes with those values written out (or fed in) instead.
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../host/compiler/lower/index.js';
import { compileTflite, instantiate, runOnce } from '../../host/model.js';
import { TfliteModel, TfliteTensor, writeTflite } from '../../host/quantize/tflite-writer.js';
import { prng } from '../shared.js';

const q = { scale: [0.05], zeroPoint: [-3] };
const int8 = (name: string, shape: number[], data?: Uint8Array): TfliteTensor => ({ name, shape, type: 'INT8', quantization: q, ...(data ? { data } : {}) });
const int32 = (name: string, shape: number[], values?: number[]): TfliteTensor => ({
  name, shape, type: 'INT32', ...(values ? { data: new Uint8Array(Int32Array.from(values).buffer) } : {}),
});

const SHAPE = [1, 2, 3, 4];
const FIVE = new Uint8Array([5]);
const A = new Uint8Array([10, 250, 7, 128]); // int8 10, -6, 7, -128
const B = new Uint8Array([20, 3, 133, 127]);

/**
 * x [1,2,3,4] int8 ->
 *   out0 = ADD(x, FILL(SHAPE(x), 5))
 *   out1 = ADD(x, ZEROS_LIKE(x))
 *   out2 = SQUEEZE(EXPAND_DIMS(ADD(x, x), 0))
 *   out3 = ADD(x, ADD(a, b))           a, b constant [4]: a constant subgraph
 */
function folded(): TfliteModel {
  return {
    description: 'fold',
    tensors: [
      int8('x', SHAPE), // 0
      int32('shape', [4]), // 1
      int8('five', [], FIVE), // 2
      int8('filled', SHAPE), // 3
      int8('out0', SHAPE), // 4
      int8('zeros', SHAPE), // 5
      int8('out1', SHAPE), // 6
      int8('twice', SHAPE), // 7
      int32('axis', [1], [0]), // 8
      int8('expanded', [1, ...SHAPE]), // 9
      int8('out2', SHAPE), // 10
      int8('a', [4], A), // 11
      int8('b', [4], B), // 12
      int8('ab', [4]), // 13
      int8('out3', SHAPE), // 14
    ],
    operators: [
      { op: 'SHAPE', version: 1, inputs: [0], outputs: [1] },
      { op: 'FILL', version: 1, inputs: [1, 2], outputs: [3] },
      { op: 'ADD', version: 2, inputs: [0, 3], outputs: [4] },
      { op: 'ZEROS_LIKE', version: 1, inputs: [0], outputs: [5] },
      { op: 'ADD', version: 2, inputs: [0, 5], outputs: [6] },
      { op: 'ADD', version: 2, inputs: [0, 0], outputs: [7] },
      { op: 'EXPAND_DIMS', version: 1, inputs: [7, 8], outputs: [9] },
      { op: 'SQUEEZE', version: 1, inputs: [9], outputs: [10] },
      { op: 'ADD', version: 2, inputs: [11, 12], outputs: [13] },
      { op: 'ADD', version: 2, inputs: [0, 13], outputs: [14] },
    ],
    inputs: [0],
    outputs: [4, 6, 10, 14],
  };
}

/** The same computation with FILL's and ZEROS_LIKE's values written as constants and a, b fed as inputs. */
function spelledOut(): TfliteModel {
  const count = SHAPE.reduce((p, d) => p * d, 1);
  return {
    description: 'spelled out',
    tensors: [
      int8('x', SHAPE), // 0
      int8('filled', SHAPE, new Uint8Array(count).fill(5)), // 1
      int8('out0', SHAPE), // 2
      int8('zeros', SHAPE, new Uint8Array(count)), // 3
      int8('out1', SHAPE), // 4
      int8('out2', SHAPE), // 5
      int8('a', [4]), // 6
      int8('b', [4]), // 7
      int8('ab', [4]), // 8
      int8('out3', SHAPE), // 9
    ],
    operators: [
      { op: 'ADD', version: 2, inputs: [0, 1], outputs: [2] },
      { op: 'ADD', version: 2, inputs: [0, 3], outputs: [4] },
      { op: 'ADD', version: 2, inputs: [0, 0], outputs: [5] },
      { op: 'ADD', version: 2, inputs: [6, 7], outputs: [8] },
      { op: 'ADD', version: 2, inputs: [0, 8], outputs: [9] },
    ],
    inputs: [0, 6, 7],
    outputs: [2, 4, 5, 9],
  };
}

describe('host folding of shape-only ops and constant subgraphs', () => {
  it('compiles SHAPE, FILL, ZEROS_LIKE, EXPAND_DIMS, SQUEEZE and a constant ADD to no records of their own', () => {
    const compiled = compileTflite(writeTflite(folded()));
    // Four ADDs on x remain; SHAPE, FILL, ZEROS_LIKE and the constant ADD(a, b) are gone, the reshapes alias.
    expect(compiled.ops.map((op) => op.name)).toEqual(['ADD', 'ADD', 'ADD', 'ADD']);
    expect(compiled.ops.map((op) => op.index)).toEqual([2, 4, 5, 9]);
    // The folded tensors are pack constants, with the values TFLM's kernels produce.
    const constant = (t: number) => {
      const p = compiled.placements[t];
      if (p.where !== 'pack') throw new Error(`tensor ${t} is not a pack constant`);
      return compiled.pack.subarray(p.offset, p.offset + p.bytes);
    };
    expect(Array.from(constant(3))).toEqual(new Array(24).fill(5));
    expect(Array.from(constant(5))).toEqual(new Array(24).fill(0));
    expect(compiled.placements[1].where).toBe('unused'); // SHAPE's [1,2,3,4] only fed FILL
  });

  it('runs byte for byte as the same model with the folded values spelled out', () => {
    const a = instantiate(compileTflite(writeTflite(folded())).pack);
    const b = instantiate(compileTflite(writeTflite(spelledOut())).pack);
    const rand = prng(5);
    for (let round = 0; round < 20; round++) {
      const x = Uint8Array.from({ length: 24 }, () => Math.floor(rand() * 256));
      const got = runOnce(a, x);
      const want = runOnce(b, new Uint8Array([...x, ...A, ...B]));
      expect(got).toEqual(want);
    }
    // And the constant ADD(a, b) itself: out3 - x is broadcast over the last axis.
    expect(runOnce(a, new Uint8Array(24).fill(253))[3]).toEqual(runOnce(b, new Uint8Array([...new Uint8Array(24).fill(253), ...A, ...B]))[3]);
  });

  it("refuses what TFLM's kernels refuse, naming the op", () => {
    const variant = (edit: (m: TfliteModel) => void) => {
      const m = folded();
      edit(m);
      return () => compileTflite(writeTflite(m));
    };
    expect(variant((m) => (m.tensors[1] = { name: 'shape', shape: [4], type: 'INT64' }))).toThrow(/operator 0 \(SHAPE\): output type int64 is not supported \(TFLM's SHAPE writes int32\)/);
    expect(variant((m) => (m.tensors[2] = { name: 'five', shape: [1], type: 'INT8', quantization: q, data: FIVE }))).toThrow(/operator 1 \(FILL\): the value must be a scalar/);
    expect(variant((m) => (m.tensors[2] = { name: 'five', shape: [], type: 'INT32', data: new Uint8Array(4) }))).toThrow(/operator 1 \(FILL\): value type int32 differs from the output's int8/);
    expect(variant((m) => {
      m.tensors[1] = int32('dims', [4], [1, 2, 3, 5]);
      m.operators.splice(0, 1, { op: 'ZEROS_LIKE', version: 1, inputs: [0], outputs: [15] });
      m.tensors.push(int8('unused', SHAPE));
    })).toThrow(/operator 1 \(FILL\): dims \[1,2,3,5\] differ from the output shape \[1,2,3,4\]/);
    expect(variant((m) => {
      m.tensors[2] = int8('five', []);
      m.inputs.push(2);
    })).toThrow(/FILL only with a constant value/);
    expect(variant((m) => {
      m.tensors[0] = { name: 'x', shape: SHAPE, type: 'INT16', quantization: q };
      m.tensors[5] = { name: 'zeros', shape: SHAPE, type: 'INT16', quantization: q };
    })).toThrow(/operator 3 \(ZEROS_LIKE\): type int16 is not supported/);
    expect(variant((m) => (m.tensors[1] = int32('shape', [3])))).toThrow(CompileError);
  });
});
