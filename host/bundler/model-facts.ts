/**
 * What the build reports about a model: sizes, operators, tensors and MACs,
 * from a compiled .tflite (everything) or a .tsm pack (what the pack keeps:
 * no MACs, no parameter count).
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { PACK_MAGIC, TensorInfo } from '../../device/pack.js';
import { OP_NAMES } from '../../device/records.js';
import { validatePack } from '../../device/validate.js';
import type { CompiledModel } from '../compiler/compile.js';
import { crc32 } from '../compiler/crc32.js';

export interface TensorFacts {
  type: string;
  shape: number[];
  bytes: number;
  /** 0 when not quantized. */
  scale: number;
  zeroPoint: number;
}

export interface ModelFacts {
  /** The file it came from (or a name given by the caller). */
  source: string;
  format: 'tflite' | 'tsm';
  pack: Uint8Array;
  packBytes: number;
  arenaBytes: number;
  constBytes: number;
  /** Multiply-accumulates per invoke (compiled models only). */
  macs?: number;
  /** Weights and biases: elements of the constant tensors the pack holds (compiled models only). */
  parameters?: number;
  /** Ops in execution order (kernel name, MACs when known). */
  ops: { name: string; macs?: number }[];
  /** The op record codes the pack uses (device/records.ts), for a blob that holds only their kernels. */
  opCodes: number[];
  inputs: TensorFacts[];
  outputs: TensorFacts[];
  description?: string;
}

function tensorFacts(t: TensorInfo): TensorFacts {
  return { type: t.type, shape: t.shape, bytes: t.bytes, scale: t.scale, zeroPoint: t.zeroPoint };
}

function isPack(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 === PACK_MAGIC;
}

/** Facts of a pack alone: validated exactly as the device validates it. */
export function factsFromPack(pack: Uint8Array, source: string): ModelFacts {
  const layout = validatePack(pack, (from, length) => crc32(pack.subarray(from, from + length)));
  return {
    source,
    format: 'tsm',
    pack,
    packBytes: layout.packBytes,
    arenaBytes: layout.arenaBytes,
    constBytes: layout.constBytes,
    ops: layout.ops.map((op) => ({ name: OP_NAMES[op] })),
    opCodes: [...new Set(layout.ops)].sort((a, b) => a - b),
    inputs: layout.inputs.map(tensorFacts),
    outputs: layout.outputs.map(tensorFacts),
  };
}

/** Facts of a compiled model: the pack's, plus MACs, per-op kernels and the parameter count. */
export function factsFromCompiled(compiled: CompiledModel, source: string): ModelFacts {
  const facts = factsFromPack(compiled.pack, source);
  let parameters = 0;
  for (const t of compiled.graph.tensors) {
    const placement = compiled.placements[t.index];
    if (t.data !== null && placement?.where === 'pack') parameters += t.shape.reduce((n, d) => n * d, 1);
  }
  return {
    ...facts,
    format: 'tflite',
    macs: compiled.macs,
    parameters,
    ops: compiled.ops.map((op) => ({ name: op.kernel, macs: op.macs })),
    description: compiled.graph.description || undefined,
  };
}

/**
 * Reads a .tsm as is or compiles a .tflite. The compiler is loaded only for
 * a .tflite, so packs build without it.
 */
export async function loadModelFacts(path: string): Promise<ModelFacts> {
  const bytes = new Uint8Array(readFileSync(path));
  if (isPack(bytes)) return factsFromPack(bytes, path);
  const { compileTflite } = await import('../model.js');
  return factsFromCompiled(compileTflite(bytes), path);
}

/** Default Storage name of a model's pack: its base name with .tsm. */
export function defaultPackName(source: string): string {
  return `${basename(source, extname(source))}.tsm`;
}
