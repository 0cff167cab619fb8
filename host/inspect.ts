/**
 * `tinysense inspect`: what a model holds and what it costs, from a compiled
 * .tflite (everything) or a .tsm pack (what the pack keeps).
 */
import { validatePack } from '../device/validate.js';
import { OP_NAMES } from '../device/records.js';
import { CompiledModel } from './compiler/compile.js';
import { crc32 } from './compiler/crc32.js';

export interface TensorReport {
  index: number;
  name: string;
  shape: number[];
  type: string;
  scale?: number;
  zeroPoint?: number;
  /** Number of per-channel scales, when more than one. */
  channels?: number;
  where: 'arena' | 'pack' | 'unused';
  offset?: number;
  bytes: number;
  aliasOf?: number;
}

export interface InspectReport {
  description?: string;
  operators: { index: number; name: string; kernel: string; inputs?: number[]; outputs?: number[]; macs?: number }[];
  tensors: TensorReport[];
  inputs: TensorReport[];
  outputs: TensorReport[];
  arenaBytes: number;
  packBytes: number;
  constBytes: number;
  macs?: number;
}

export function inspectCompiled(m: CompiledModel): InspectReport {
  const tensors: TensorReport[] = m.graph.tensors.map((t) => {
    const p = m.placements[t.index];
    const r: TensorReport = { index: t.index, name: t.name, shape: t.shape, type: t.typeName, where: p.where, bytes: p.where === 'unused' ? 0 : p.bytes };
    if (t.scales.length > 0) {
      r.scale = t.scales[0];
      r.zeroPoint = t.zeroPoints[0] ?? 0;
      if (t.scales.length > 1) r.channels = t.scales.length;
    }
    if (p.where !== 'unused') r.offset = p.offset;
    if (p.where === 'arena' && p.aliasOf !== undefined) r.aliasOf = p.aliasOf;
    return r;
  });
  const kernelOf = new Map(m.ops.map((op) => [op.index, op]));
  return {
    description: m.graph.description,
    operators: m.graph.operators.map((op) => ({
      index: op.index,
      name: op.name,
      kernel: kernelOf.get(op.index)?.kernel ?? 'alias',
      inputs: op.inputs,
      outputs: op.outputs,
      macs: kernelOf.get(op.index)?.macs ?? 0,
    })),
    tensors,
    inputs: m.graph.inputs.map((i) => tensors[i]),
    outputs: m.graph.outputs.map((i) => tensors[i]),
    arenaBytes: m.arenaBytes,
    packBytes: m.packBytes,
    constBytes: m.constBytes,
    macs: m.macs,
  };
}

export function inspectPack(pack: Uint8Array): InspectReport {
  const layout = validatePack(pack, (from, length) => crc32(pack.subarray(from, from + length)));
  const io = (list: typeof layout.inputs, what: string): TensorReport[] =>
    list.map((t, i) => ({
      index: i,
      name: `${what}${i}`,
      shape: t.shape,
      type: t.type,
      scale: t.scale,
      zeroPoint: t.zeroPoint,
      where: t.inPack ? 'pack' : 'arena',
      offset: t.offset,
      bytes: t.bytes,
    }));
  const inputs = io(layout.inputs, 'input');
  const outputs = io(layout.outputs, 'output');
  return {
    operators: layout.ops.map((op, i) => ({ index: i, name: OP_NAMES[op], kernel: OP_NAMES[op] })),
    tensors: [...inputs, ...outputs],
    inputs,
    outputs,
    arenaBytes: layout.arenaBytes,
    packBytes: layout.packBytes,
    constBytes: layout.constBytes,
  };
}

function describe(t: TensorReport): string {
  const q = t.scale !== undefined ? ` s=${t.scale.toPrecision(6)} zp=${t.zeroPoint}${t.channels ? ` (${t.channels} channels)` : ''}` : '';
  const place = t.where === 'unused' ? 'unused' : `${t.where}@${t.offset}${t.aliasOf !== undefined ? ` (alias of ${t.aliasOf})` : ''}`;
  return `${t.type}[${t.shape.join(',')}]${q} ${t.bytes} B ${place}`;
}

export function formatInspect(path: string, r: InspectReport): string {
  const lines = [`${path}${r.description ? ` (${r.description})` : ''}`, '', 'operators:'];
  for (const op of r.operators) {
    const io = op.inputs ? ` in [${op.inputs.join(',')}] out [${op.outputs!.join(',')}]` : '';
    lines.push(`  ${String(op.index).padStart(3)} ${op.name.padEnd(20)} -> ${op.kernel.padEnd(18)}${io}${op.macs ? ` ${op.macs} MACs` : ''}`);
  }
  lines.push('', 'tensors:');
  for (const t of r.tensors) lines.push(`  ${String(t.index).padStart(3)} ${t.name.slice(0, 40).padEnd(40)} ${describe(t)}`);
  lines.push('', `inputs:  ${r.inputs.map(describe).join('; ')}`, `outputs: ${r.outputs.map(describe).join('; ')}`);
  lines.push(`arena ${r.arenaBytes} B, pack ${r.packBytes} B (constants ${r.constBytes} B)${r.macs !== undefined ? `, ${r.macs} MACs per invoke` : ''}`, '');
  return lines.join('\n');
}
