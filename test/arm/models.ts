/**
 * The reference models (models/, see its README) as cases for the ARM harnesses: a model,
 * the input files fed in order (each may hold several invokes), and the golden files whose
 * concatenation is the expected harness output (every invoke's outputs in order).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileTflite } from '../../host/model.js';
import { MOBILENET_NOTICE, MOBILENET_ROOT, MODELS_DIR, opsIndex, shared } from '../shared.js';
import { concat } from '../shared.js';
import { CASES as MOVE_CASES } from '../compiler/move-cases.js';

export interface ArmCase {
  name: string;
  model: string;
  inputs: string[];
  /** Golden files, in harness output order, each named for messages. */
  golden: string[];
  category: string;
  /** Why the case cannot run here (its files are absent); the test skips with this notice. */
  missing?: string;
}

export const REFERENCE_CASES: ArmCase[] = [
  {
    name: 'hello_world',
    category: 'reference',
    model: shared('hello_world', 'hello_world_int8.tflite'),
    inputs: [shared('golden', 'hello_world', 'inputs_all_int8.bin')], // 256 invokes of one byte
    golden: [shared('golden', 'hello_world', 'outputs_all_int8.bin')],
  },
  {
    name: 'micro_speech',
    category: 'reference',
    model: shared('micro_speech', 'micro_speech_quantized_int8.tflite'),
    inputs: ['yes', 'no', 'silence', 'noise'].map((w) => shared('testdata', `${w}_features_49x40_int8.bin`)),
    golden: ['yes', 'no', 'silence', 'noise'].map((w) => shared('golden', 'micro_speech', `${w}_scores_int8.bin`)),
  },
  {
    name: 'person_detect',
    category: 'reference',
    model: shared('person_detection', 'person_detect_int8.tflite'),
    inputs: ['person', 'no_person'].map((i) => shared('testdata', `${i}_96x96_int8.bin`)),
    golden: ['person', 'no_person'].map((i) => shared('golden', 'person_detection', `${i}_scores_int8.bin`)),
  },
  {
    name: 'simple_add',
    category: 'reference',
    model: shared('simple_add', 'simple_add_int8.tflite'),
    inputs: [shared('testdata', 'simple_add_random_2x16384_int8.bin')],
    golden: [shared('golden', 'simple_add', 'random_out_int8.bin')],
  },
  {
    // Not committed (3.9 MB): from wherever test/shared.ts found it, else skipped with the notice.
    name: 'mobilenet_v2',
    category: 'reference',
    model: join(MOBILENET_ROOT ?? MODELS_DIR, 'mobilenet_v2', 'mobilenet_v2_int8_1x3x224x224.tflite'),
    inputs: [join(MOBILENET_ROOT ?? MODELS_DIR, 'testdata', 'dog_1x3x224x224_int8.bin')],
    golden: [join(MOBILENET_ROOT ?? MODELS_DIR, 'golden', 'mobilenet_v2', 'dog_logits_int8.bin')],
    missing: MOBILENET_ROOT === undefined ? MOBILENET_NOTICE : undefined,
  },
];

export function opsCases(): ArmCase[] {
  return opsIndex().map((e) => {
    const category = (e as unknown as { category?: string }).category ?? e.name.replace(/_\d+$/, '');
    return {
      name: e.name,
      category,
      model: shared('ops', e.files.model),
      inputs: e.files.inputs.map((f) => shared('ops', f)),
      golden: e.files.golden.flat().map((f) => shared('ops', f)),
    };
  });
}

/** The data-movement models of test/fixtures/move (ops-move), each one operator with TFLM's goldens. */
export function moveCases(): ArmCase[] {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'move');
  return MOVE_CASES.map((c) => ({
    name: c.name,
    category: `move/${c.op}`,
    model: join(dir, `${c.name}.tflite`),
    inputs: [join(dir, `${c.name}.in.bin`)],
    golden: c.outs.map((_, k) => join(dir, `${c.name}.golden.${k}.bin`)),
  }));
}

const packs = new Map<string, Uint8Array>();

function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** The model's pack from the project's compiler (cached per process). */
export function packOf(c: ArmCase): Uint8Array {
  let pack = packs.get(c.model);
  if (!pack) {
    pack = compileTflite(readBytes(c.model)).pack;
    packs.set(c.model, pack);
  }
  return pack;
}

export function inputsOf(c: ArmCase): Uint8Array[] {
  return c.inputs.map(readBytes);
}

export function expectedOf(c: ArmCase): { bytes: Uint8Array; parts: { name: string; start: number; length: number }[] } {
  const files = c.golden.map(readBytes);
  let at = 0;
  const parts = files.map((bytes, i) => {
    const part = { name: relative(MODELS_DIR, c.golden[i]), start: at, length: bytes.length };
    at += bytes.length;
    return part;
  });
  return { bytes: concat(files), parts };
}

/** 'equal', or which golden file differs first and where. */
export function compareOutputs(actual: Uint8Array, expected: ReturnType<typeof expectedOf>): string {
  if (actual.length !== expected.bytes.length) return `output has ${actual.length} bytes, the goldens ${expected.bytes.length}`;
  for (const p of expected.parts) {
    for (let i = 0; i < p.length; i++) {
      const a = actual[p.start + i];
      const b = expected.bytes[p.start + i];
      if (a !== b) return `${p.name}: byte ${i}: got ${(a << 24) >> 24}, TFLM ${(b << 24) >> 24}`;
    }
  }
  return 'equal';
}
