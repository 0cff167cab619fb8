// int8 SUB, the op added through the op spec (docs/adding-an-op.md): four small SUB models (same shapes,
// broadcasting, a constant operand, equal scales where MultiplyByQuantizedMultiplier meets exact ties),
// compiled and run on the WebAssembly kernels, must give TFLM's reference outputs byte for byte. The
// models, inputs and goldens are in test/fixtures/sub/; the goldens come from TFLM's own interpreter
// (reference kernels, tflite-micro 90b983c2b, x86-64), run outside this repository. The models are
// rebuilt here from their specs and must equal the committed files, so the goldens stay tied to them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { H } from '../../device/pack.js';
import { ADD, OP } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, prng, resign } from '../shared.js';
import { ModelSpec, TensorSpec, buildModel } from '../tflite/build-model.js';

const DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'sub');
const SUB = 41; // BuiltinOperator.SUB
const SUB_OPTIONS = 28; // BuiltinOptions.SubOptions

/** SubOptions { fused_activation_function } */
function subOptions(activation: number): (b: Builder) => number {
  return (b) => {
    b.startObject(2);
    b.addFieldInt8(0, activation, null);
    return b.endObject();
  };
}

interface Case {
  name: string;
  a: TensorSpec;
  b: TensorSpec;
  out: TensorSpec;
  activation: number; // 0 NONE, 1 RELU, 3 RELU6
  constant?: Uint8Array; // input 2's bytes when it is a constant
}

const CASES: Case[] = [
  { name: 'sub_same', a: { shape: [1, 5, 4, 3], scale: [0.05], zeroPoint: [3n] }, b: { shape: [1, 5, 4, 3], scale: [0.031], zeroPoint: [-7n] },
    out: { shape: [1, 5, 4, 3], scale: [0.06], zeroPoint: [-2n] }, activation: 0 },
  { name: 'sub_broadcast_relu', a: { shape: [2, 3, 1, 4], scale: [0.02], zeroPoint: [-128n] }, b: { shape: [1, 1, 5, 4], scale: [0.045], zeroPoint: [11n] },
    out: { shape: [2, 3, 5, 4], scale: [0.03], zeroPoint: [-128n] }, activation: 1 },
  { name: 'sub_const_relu6', a: { shape: [1, 8, 8, 2], scale: [0.04], zeroPoint: [-5n] }, b: { shape: [2], scale: [0.01], zeroPoint: [0n], buffer: 1 },
    out: { shape: [1, 8, 8, 2], scale: [6 / 255], zeroPoint: [-128n] }, activation: 3, constant: Uint8Array.of(100, 0x9c) },
  // Equal scales: multipliers of exactly 1/2 and 2^-19, so the rescaled values land on rounding ties.
  { name: 'sub_ties', a: { shape: [1, 16, 16], scale: [0.1], zeroPoint: [0n] }, b: { shape: [1, 16, 16], scale: [0.1], zeroPoint: [0n] },
    out: { shape: [1, 16, 16], scale: [0.1], zeroPoint: [0n] }, activation: 0 },
];

function spec(c: Case): ModelSpec {
  const named = (t: TensorSpec, name: string): TensorSpec => ({ ...t, name });
  return {
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: SUB, deprecated: SUB }],
    tensors: [named(c.a, 'a'), named(c.b, 'b'), named(c.out, 'out')],
    inputs: c.constant ? [0] : [0, 1],
    outputs: [2],
    operators: [{ opcodeIndex: 0, inputs: [0, 1], outputs: [2], optionsType: SUB_OPTIONS, options: subOptions(c.activation) }],
    buffers: c.constant ? [{}, { data: c.constant }] : [{}],
  };
}

/** Input k of a case: k = 0 uniform bytes, k = 1 bytes within 8 of each input's zero point. */
function input(c: Case, k: number): Uint8Array {
  const rand = prng(1000 * CASES.indexOf(c) + k);
  const tensors = c.constant ? [c.a] : [c.a, c.b];
  const bytes: number[] = [];
  for (const t of tensors) {
    const n = t.shape.reduce((x, y) => x * y, 1);
    const zp = Number(t.zeroPoint![0]);
    for (let i = 0; i < n; i++) {
      const v = k === 0 ? Math.floor(rand() * 256) - 128 : Math.max(-128, Math.min(127, zp + Math.floor(rand() * 17) - 8));
      bytes.push(v & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

describe('int8 SUB matches TFLM byte for byte', () => {
  if (process.env.TS_WRITE_SUB_FIXTURES) {
    // Writes the models and inputs; the goldens are TFLM's outputs for them (see the header).
    mkdirSync(DIR, { recursive: true });
    for (const c of CASES) {
      writeFileSync(join(DIR, `${c.name}.tflite`), buildModel(spec(c)));
      for (const k of [0, 1]) writeFileSync(join(DIR, `${c.name}.${k}.in.bin`), input(c, k));
    }
  }
  for (const c of CASES) {
    it(c.name, () => {
      const model = buildModel(spec(c));
      expect(Buffer.from(model).equals(readFileSync(join(DIR, `${c.name}.tflite`))), 'the committed model is the spec\'s').toBe(true);
      const compiled = compileTflite(model);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compiled.pack, kernels);
      expect(m.layout.ops).toEqual([OP.SUB]);
      for (const k of [0, 1]) {
        const x = input(c, k);
        expect(Buffer.from(x).equals(readFileSync(join(DIR, `${c.name}.${k}.in.bin`)))).toBe(true);
        const golden = join(DIR, `${c.name}.${k}.golden.bin`);
        expect(existsSync(golden), golden).toBe(true);
        expect(firstDifference(runOnce(m, x)[0], readFileSync(golden)), `${c.name} input ${k}`).toBe('equal');
      }
      kernels.checkGuards();
    });
  }

  it('the validator runs the spec\'s rules for SUB: a damaged SUB record is refused, naming the op and the field', () => {
    const pack = compileTflite(buildModel(spec(CASES[1]))).pack;
    const view = new DataView(pack.buffer, pack.byteOffset);
    const record = view.getUint32(view.getUint32(H.opTable, true), true);
    for (const [field, value, message] of [
      [ADD.leftShift, 21, /op 0 \(SUB\): left shift is 21, outside \[0, 20\]/],
      [ADD.input2Shift, 31, /op 0 \(SUB\): input 2 shift is 31, outside \[-31, 30\]/],
      [ADD.outputShape + 2, 6, /op 0 \(SUB\): input views do not walk the output shape/],
    ] as [number, number, RegExp][]) {
      const bad = pack.slice();
      new DataView(bad.buffer).setInt32(record + 4 * field, value, true);
      expect(() => new Model(resign(bad), new WasmKernels())).toThrow(message);
    }
  });
});
