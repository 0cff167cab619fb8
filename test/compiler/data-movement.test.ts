// Data movement (ops-move, issue 13): SPLIT, SPLIT_V, UNPACK, PACK, SLICE, BROADCAST_TO, DEPTH_TO_SPACE,
// SPACE_TO_DEPTH, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, the reshape family, GATHER and RESIZE_*, int8 and
// int16 (and float32 where TFLM registers it), plus int16 through PAD/PADV2/CONCATENATION/STRIDED_SLICE/
// TRANSPOSE/RESHAPE. Each one-operator model (move-cases.ts) compiles and runs on the WebAssembly kernels and
// must give TFLM's reference outputs byte for byte; the goldens in test/fixtures/move/ come from TFLM's own
// interpreter (tflite-micro 90b983c2b, reference kernels, x86-64), run outside this repository. The models
// are rebuilt here from their specs and must equal the committed files, so the goldens stay tied to them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OP } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { firstDifference } from '../shared.js';
import { buildModel } from '../tflite/build-model.js';
import { CASES, inputOf, spec } from './move-cases.js';

const DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'move');

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
    });
  }
});
