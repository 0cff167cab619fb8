/** Shared bits of the .tflite reader tests: where the reference models are, and small readers. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SubGraph, TfliteModel } from '../../host/tflite/index.js';
import { MODELS_DIR } from '../../host/paths.js';
import { sharedBytes, sharedJson } from '../shared.js';

/** The seeded PRNG every mutation test uses, so each run damages files the same way. */
export { prng } from '../shared.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The reference models committed in models/ (models/README.md). */
export const modelsDir = MODELS_DIR;

/** A file of models/ (bytes or parsed JSON), by its path there: test/shared.ts's readers, one argument (for .map). */
export const modelBytes = (relativePath: string): Uint8Array => sharedBytes(relativePath);
export const modelJson = <T>(relativePath: string): T => sharedJson<T>(relativePath);

/** Operator names of subgraph 0 in execution order (custom ops by their custom code). */
export function operatorNames(model: TfliteModel): string[] {
  return (model.subgraphs[0]?.operators ?? []).map((op) => model.operatorCodes[op.opcodeIndex]?.name ?? '?');
}

/** A constant int32 tensor's values, read from its buffer. */
export function constantInt32s(model: TfliteModel, subgraph: SubGraph, tensorIndex: number): number[] {
  const tensor = subgraph.tensors[tensorIndex];
  if (tensor === undefined || tensor.type !== 'int32') throw new Error(`tensor ${tensorIndex} is not int32`);
  const data = model.buffers[tensor.buffer]?.data ?? new Uint8Array(0);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Array.from({ length: data.length / 4 }, (_, i) => view.getInt32(4 * i, true));
}
