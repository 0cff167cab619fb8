// ops-elem (issue 13): the int8 element-wise ops TFLM's reference kernels run on int8 data, as one-op
// (or two-op) models (cases: ops-elem-cases.ts) compiled and run on the WebAssembly kernels, byte for byte
// against TFLM's goldens in test/fixtures/ops-elem/ (TFLM's own interpreter, reference kernels,
// tflite-micro 90b983c2b, x86-64, run outside this repository). The models are rebuilt here from their
// specs and must equal the committed files, so the goldens stay tied to them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { H } from '../../device/pack.js';
import { ADD, SELECT, TABLE } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference, resign } from '../shared.js';
import { buildModel } from '../tflite/build-model.js';
import { CASES, ElemCase, OPS_ELEM_DIR, caseInput, caseSpec } from './ops-elem-cases.js';

describe('ops-elem: int8 element-wise ops match TFLM byte for byte', () => {
  if (process.env.TS_WRITE_OPS_ELEM_FIXTURES) {
    // Writes the models and inputs; the goldens are TFLM's outputs for them (see the header).
    mkdirSync(OPS_ELEM_DIR, { recursive: true });
    for (const c of CASES) {
      writeFileSync(join(OPS_ELEM_DIR, `${c.name}.tflite`), buildModel(caseSpec(c)));
      for (const k of [0, 1]) writeFileSync(join(OPS_ELEM_DIR, `${c.name}.${k}.in.bin`), caseInput(c, k));
    }
  }
  for (const c of CASES) {
    it(c.name, () => {
      const model = buildModel(caseSpec(c));
      expect(Buffer.from(model).equals(readFileSync(join(OPS_ELEM_DIR, `${c.name}.tflite`))), 'the committed model is the spec\'s').toBe(true);
      const compiled = compileTflite(model);
      const kernels = new WasmKernels({ guardBytes: 64 });
      const m = new Model(compiled.pack, kernels);
      expect(m.layout.ops).toEqual(c.codes);
      for (const k of [0, 1]) {
        const x = caseInput(c, k);
        expect(Buffer.from(x).equals(readFileSync(join(OPS_ELEM_DIR, `${c.name}.${k}.in.bin`)))).toBe(true);
        const outs = runOnce(m, x);
        outs.forEach((out, j) => {
          const golden = join(OPS_ELEM_DIR, `${c.name}.${k}.${j}.golden.bin`);
          expect(existsSync(golden), golden).toBe(true);
          expect(firstDifference(out, readFileSync(golden)), `${c.name} input ${k} output ${j}`).toBe('equal');
        });
      }
      kernels.checkGuards();
    });
  }

  it("arena at or below TFLM's arena_used_bytes on every model", () => {
    const tflm = (JSON.parse(readFileSync(join(OPS_ELEM_DIR, 'tflm-arena.json'), 'utf8')) as { arena_used_bytes: Record<string, number> }).arena_used_bytes;
    for (const c of CASES) {
      const ours = compileTflite(buildModel(caseSpec(c))).arenaBytes;
      expect(tflm[c.name], c.name).toBeGreaterThan(0);
      expect(ours, `${c.name}: ours ${ours}, TFLM ${tflm[c.name]}`).toBeLessThanOrEqual(tflm[c.name]);
    }
  });
});

const byName = (name: string): ElemCase => CASES.find((c) => c.name === name)!;
/** A case with its tensors changed. */
function variant(name: string, change: (c: ElemCase) => void): Uint8Array {
  const original = byName(name);
  const c: ElemCase = { ...original, input: undefined, tensors: original.tensors.map((t) => ({ ...t })), ops: original.ops.map((o) => ({ ...o })) };
  change(c);
  return buildModel(caseSpec(c));
}

describe("ops-elem: what TFLM's Prepare or Eval refuses is refused, with the reason", () => {
  it('RSQRT: an input below the zero point fails the invoke (TFLM: "Rsqrt is only defined for positive values")', () => {
    const m = new Model(compileTflite(buildModel(caseSpec(byName('rsqrt_zp')))).pack, new WasmKernels());
    const x = caseInput(byName('rsqrt_zp'), 0);
    expect(() => runOnce(m, x)).not.toThrow();
    x[17] = (-21) & 0xff; // zero point -20
    expect(() => runOnce(m, x)).toThrow(/op 0 \(TABLE\) failed with status -2/);
  });
  it('EXP and NEG: TFLM runs them float32 only; the refusal says so', () => {
    for (const op of ['EXP', 'NEG']) {
      const model = variant('abs_rescale', (c) => (c.ops[0].op = op));
      expect(() => compileTflite(model)).toThrow(new RegExp(`operator 0 \\(${op}\\) is not supported by tinysense: TFLM's ${op} kernel runs float32 only`));
    }
  });
  it('comparisons: an input scale of 1 or more (QuantizeMultiplierSmallerThanOneExp), an output that is not bool', () => {
    expect(() => compileTflite(variant('less_broadcast', (c) => (c.tensors[1].scale = [1.5])))).toThrow(
      /operator 0 \(LESS\): input 2 scale 1.5 is not in \(0, 1\)/,
    );
    expect(() => compileTflite(variant('less_broadcast', (c) => (c.tensors[2] = { ...c.tensors[0] })))).toThrow(
      /operator 0 \(LESS\): tensor 2 \(t2\) is int8, expected bool/,
    );
  });
  it('HARD_SWISH: input scale / 128 at or above the output scale (TFLM: output_multiplier_exponent <= 0)', () => {
    expect(() => compileTflite(variant('hard_swish', (c) => (c.tensors[1].scale = [0.0001])))).toThrow(
      /operator 0 \(HARD_SWISH\): output multiplier exponent \d+ is positive/,
    );
  });
  it('SELECT_V2: a condition that is not bool, an output that is not the broadcast shape', () => {
    expect(() => compileTflite(variant('select_v2_same', (c) => (c.tensors[0] = { ...c.tensors[1] })))).toThrow(
      /operator 0 \(SELECT_V2\): tensor 0 \(t0\) is int8, expected bool/,
    );
    expect(() => compileTflite(variant('select_v2_broadcast', (c) => (c.tensors[3].shape = [3, 3, 4])))).toThrow(
      /operator 0 \(SELECT_V2\): output shape \[3,3,4\] is not the broadcast shape \[2,3,4\]/,
    );
  });
  it('L2_NORMALIZATION: rank above 4, a fused activation', () => {
    expect(() => compileTflite(variant('l2norm', (c) => {
      c.tensors[0].shape = [1, 1, 4, 4, 8];
      c.tensors[1].shape = [1, 1, 4, 4, 8];
    }))).toThrow(/operator 0 \(L2_NORMALIZATION\): input has rank 5; TFLM's L2_NORMALIZATION takes at most 4/);
  });
  it('LOG_SOFTMAX: an output quantization other than 16/256 and 127', () => {
    expect(() => compileTflite(variant('log_softmax', (c) => (c.tensors[1].zeroPoint = [0n])))).toThrow(
      /operator 0 \(LOG_SOFTMAX\): int8 LOG_SOFTMAX output must have scale 16\/256 and zero point 127/,
    );
  });
  it('RELU_N1_TO_1, RELU_0_TO_1, SELECT: TFLM registers no kernel for them; the refusal says so', () => {
    expect(() => compileTflite(variant('abs_rescale', (c) => (c.ops[0].op = 'RELU_N1_TO_1')))).toThrow(/operator 0 \(RELU_N1_TO_1\) is not supported by tinysense: TFLM registers no RELU_N1_TO_1 kernel/);
    expect(() => compileTflite(variant('abs_rescale', (c) => (c.ops[0].op = 'RELU_0_TO_1')))).toThrow(/operator 0 \(RELU_0_TO_1\) is not supported by tinysense: TFLM registers no RELU_0_TO_1 kernel/);
    expect(() => compileTflite(variant('select_v2_same', (c) => (c.ops[0].op = 'SELECT')))).toThrow(/operator 0 \(SELECT\) is not supported by tinysense: TFLM registers no SELECT kernel/);
  });
  it('SQUARED_DIFFERENCE: inputs of different types', () => {
    expect(() => compileTflite(variant('sqdiff_same', (c) => (c.tensors[1].type = 7)))).toThrow(/operator 0 \(SQUARED_DIFFERENCE\): input types differ/);
  });
});

describe('ops-elem: the validators run the spec rules of the new records', () => {
  function damaged(name: string, field: number, value: number): Uint8Array {
    const pack = compileTflite(buildModel(caseSpec(byName(name)))).pack.slice();
    const view = new DataView(pack.buffer, pack.byteOffset);
    const record = view.getUint32(view.getUint32(H.opTable, true), true);
    view.setInt32(record + 4 * field, value, true);
    return resign(pack);
  }
  it('TABLE: a table outside the constants, a minimum input out of range, a size past the arena', () => {
    expect(() => new Model(damaged('hard_swish', TABLE.table, 1 << 20), new WasmKernels())).toThrow(/op 0 \(TABLE\): table needs 256 bytes/);
    expect(() => new Model(damaged('hard_swish', TABLE.minInput, 300), new WasmKernels())).toThrow(/op 0 \(TABLE\): minimum input 300 outside \[-128, 128\]/);
    expect(() => new Model(damaged('hard_swish', TABLE.size, 1 << 20), new WasmKernels())).toThrow(/op 0 \(TABLE\): input needs 1048576 bytes/);
  });
  it('SELECT_V2: a condition view that does not walk the output, a y view past its constant', () => {
    expect(() => new Model(damaged('select_v2_broadcast', SELECT.conditionView + 5, 7), new WasmKernels())).toThrow(
      /op 0 \(SELECT_V2\): input views do not walk the output shape/,
    );
    expect(() => new Model(damaged('select_v2_broadcast', SELECT.view2 + 12, 100), new WasmKernels())).toThrow(/op 0 \(SELECT_V2\): input 2/);
  });
  it('the comparisons keep ADD\'s rules; MAXIMUM keeps the binary walk rules', () => {
    expect(() => new Model(damaged('equal_broadcast', ADD.leftShift, 40), new WasmKernels())).toThrow(/op 0 \(EQUAL\): left shift is 40, outside \[0, 20\]/);
    expect(() => new Model(damaged('maximum_broadcast', ADD.outputShape + 3, 9), new WasmKernels())).toThrow(/op 0 \(MAXIMUM\): input views do not walk the output shape/);
  });
});
