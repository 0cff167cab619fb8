/**
 * The model compiler: Graph -> lowered op records -> arena plan -> model pack.
 * The pack format is defined in docs/model-pack.md.
 */
import { PACK_FLAG_STATE } from '../../device/state.js';
import { CRC_START, DTYPE, H, HEADER_BYTES, PACK_MAGIC, PACK_VERSION, TENSOR_ENTRY_BYTES, WHERE } from '../../device/pack.js';
import { MAX_DIMS, OP_NAMES } from '../../device/records.js';
import { PACK_FLAG_WORK, WORK_MAGIC, WORK_TRAILER_BYTES, Work, checkRecord, validateTables } from '../../device/validate.js';
import { crc32 } from './crc32.js';
import { Graph, Tensor, tensorBytes } from './graph.js';
import { ALIASING_OPS, CompileError, ConstPool, LOWERINGS, LoweredOp, OpContext, Word, copyOp } from './lower/index.js';
import { planArena } from './plan.js';

/** Where a tensor lives after compilation. */
export type Placement =
  | { where: 'arena'; offset: number; bytes: number; /** Another tensor sharing this memory (reshape). */ aliasOf?: number }
  | { where: 'pack'; offset: number; bytes: number }
  | { where: 'unused' };

export interface CompiledOp {
  index: number;
  name: string;
  kernel: string;
  recordOffset: number;
  recordWords: number;
  macs: number;
}

export interface CompiledModel {
  pack: Uint8Array;
  graph: Graph;
  ops: CompiledOp[];
  placements: Placement[];
  arenaBytes: number;
  packBytes: number;
  constBytes: number;
  macs: number;
  /** The work of one invoke as the pack declares it (and the device validator recomputes): MACs and element operations. */
  work: Work;
}

/** Espruino's largest typed-array byteOffset. */
const MAX_VIEW_OFFSET = 65535;

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Union-find over tensors that share storage (reshape outputs alias their inputs). */
function storageRoot(alias: Map<number, number>, t: number): number {
  let r = t;
  while (alias.has(r)) r = alias.get(r)!;
  return r;
}

const PACK_DTYPES: Partial<Record<Tensor['type'], number>> = {
  int8: DTYPE.int8, int16: DTYPE.int16, int32: DTYPE.int32, float32: DTYPE.float32, uint8: DTYPE.uint8,
};

export function compileGraph(graph: Graph): CompiledModel {
  const consts = new ConstPool();
  const alias = new Map<number, number>(); // tensor -> tensor whose arena memory it shares
  const constAlias = new Map<number, number>(); // tensor -> constant tensor whose data it is
  const lowered: LoweredOp[] = [];
  const isConst = (t: number) => graph.tensors[t].data !== null || constAlias.has(t);

  for (const op of graph.operators) {
    const c = new OpContext(graph, op, consts, constAlias);
    if (ALIASING_OPS.has(op.name)) {
      if (op.inputs.length < 1 || op.outputs.length !== 1) c.fail('needs an input and an output');
      const [input, output] = [c.input(0), c.output()];
      if (tensorBytes(input) !== tensorBytes(output) || input.type !== output.type) c.fail('input and output differ in size or type');
      if (isConst(input.index)) {
        constAlias.set(output.index, constAlias.get(input.index) ?? input.index);
      } else if (graph.inputs.includes(output.index)) {
        lowered.push(copyOp(c, input, output));
      } else {
        alias.set(output.index, input.index);
        // An alias still needs its input alive until here.
        lowered.push({ index: op.index, name: op.name, code: 0, words: [], reads: [input.index], writes: [output.index], macs: 0 });
      }
      continue;
    }
    const lower = LOWERINGS[op.name];
    if (!lower) {
      if (op.custom) {
        // Custom ops are code the model's author linked into their own interpreter: name it, and say
        // what the common one is (an Arm Ethos-U NPU command stream, written by the Vela compiler).
        const hint = op.name === 'ethos-u' ? ': it is an Arm Ethos-U NPU command stream (a model compiled by Vela); give tinysense the model from before Vela' : '';
        throw new CompileError(`operator ${op.index} is the custom operator "${op.name}", which tinysense cannot run${hint}`);
      }
      throw new CompileError(`operator ${op.index} (${op.name}${op.version > 1 ? ` v${op.version}` : ''}) is not supported by tinysense`);
    }
    lowered.push(lower(c));
  }

  // Lifetimes per storage root, over positions of the lowered list (aliases included, they hold reads).
  const n = lowered.length;
  const life = new Map<number, { first: number; last: number; bytes: number; align?: number }>();
  const touch = (t: number, at: number) => {
    if (isConst(t)) return;
    const root = storageRoot(alias, t);
    const bytes = tensorBytes(graph.tensors[root]);
    const l = life.get(root);
    // 64-bit elements (the filter bank's uint64 energies) are read and written as such: 8-aligned.
    const wide = graph.tensors[t].type === 'uint64' || graph.tensors[t].type === 'int64' || graph.tensors[root].type === 'uint64' || graph.tensors[root].type === 'int64';
    if (!l) life.set(root, { first: at, last: at, bytes, ...(wide ? { align: 8 } : {}) });
    else {
      l.first = Math.min(l.first, at);
      l.last = Math.max(l.last, at);
      if (wide) l.align = 8;
    }
  };
  for (const t of graph.inputs) touch(t, 0);
  lowered.forEach((op, i) => {
    op.reads.forEach((t) => touch(t, i));
    op.writes.forEach((t) => touch(t, i));
  });
  for (const t of graph.outputs) touch(t, n);
  graph.tensors.forEach((t) => {
    if (t.isVariable && !isConst(t.index)) {
      touch(t.index, 0);
      touch(t.index, n);
    }
  });
  // State that lives across invokes (e.g. noise estimates) is kept out of the planner: it gets its own
  // region at the start of the arena, which the pack declares so that a runtime can reset it.
  const stateRoots = [...new Set(lowered.flatMap((op) => op.persistent ?? []).map((t) => storageRoot(alias, t)))];
  const stateOffsets = new Map<number, number>();
  let stateBytes = 0;
  for (const root of stateRoots) {
    life.delete(root);
    stateOffsets.set(root, stateBytes);
    stateBytes = alignUp(stateBytes + tensorBytes(graph.tensors[root]), 8);
  }
  // The app reaches inputs and outputs through typed-array views into the arena, whose byteOffset
  // Espruino caps at 65535: when a plan puts one higher, plan again with them placed first.
  const requests = [...life].map(([id, l]) => ({ id, ...l }));
  let plan = planArena(requests);
  const ioRoots = new Set([...graph.inputs, ...graph.outputs].filter((t) => !isConst(t)).map((t) => storageRoot(alias, t)));
  if ([...ioRoots].some((r) => plan.offsets.get(r)! > MAX_VIEW_OFFSET)) {
    plan = planArena(requests.map((r) => ({ ...r, low: ioRoots.has(r.id) })));
  }
  if (stateBytes > 0) {
    const offsets = new Map([...plan.offsets].map(([id, offset]) => [id, offset + stateBytes]));
    stateOffsets.forEach((offset, root) => offsets.set(root, offset));
    plan = { offsets, arenaBytes: plan.arenaBytes + stateBytes };
  }

  // Layout: header | op table | tensor table | input list | output list | records | constants.
  const records = lowered.filter((op) => op.code !== 0);
  const ioTensors = [...graph.inputs, ...graph.outputs];
  let at = HEADER_BYTES;
  const opTable = at;
  at += 4 * records.length;
  const tensorTable = at;
  at += TENSOR_ENTRY_BYTES * (ioTensors.length + (stateBytes > 0 ? 1 : 0));
  const inputList = at;
  at += 4 * graph.inputs.length;
  const outputList = at;
  at += 4 * graph.outputs.length;
  const recordOffsets = records.map((op) => {
    const offset = at;
    at += 4 * op.words.length;
    return offset;
  });
  const constOffset = at;
  const blobOffsets = consts.blobs.map((blob) => {
    const offset = at;
    at = alignUp(at + blob.length, 4);
    return offset;
  });
  const constBytes = at - constOffset;
  // The work trailer (flags bit 1) closes the pack.
  const trailer = at;
  const packBytes = at + WORK_TRAILER_BYTES;

  const placements: Placement[] = graph.tensors.map((t) => {
    if (isConst(t.index)) {
      const owner = constAlias.get(t.index) ?? t.index;
      const data = graph.tensors[owner].data!;
      // Only constants that ops use were added to the pool.
      const id = consts.find(data);
      return id === undefined ? { where: 'unused' } : { where: 'pack', offset: blobOffsets[id], bytes: data.length };
    }
    const root = storageRoot(alias, t.index);
    const offset = plan.offsets.get(root);
    if (offset === undefined) return { where: 'unused' };
    return root === t.index ? { where: 'arena', offset, bytes: tensorBytes(t) } : { where: 'arena', offset, bytes: tensorBytes(t), aliasOf: root };
  });

  const pack = new Uint8Array(packBytes);
  const view = new DataView(pack.buffer);
  view.setUint32(H.magic, PACK_MAGIC, true);
  view.setUint16(H.version, PACK_VERSION, true);
  view.setUint16(H.headerBytes, HEADER_BYTES, true);
  view.setUint32(H.packBytes, packBytes, true);
  view.setUint32(H.arenaBytes, plan.arenaBytes, true);
  view.setUint32(H.opCount, records.length, true);
  view.setUint32(H.opTable, opTable, true);
  view.setUint32(H.tensorCount, ioTensors.length + (stateBytes > 0 ? 1 : 0), true);
  view.setUint32(H.flags, PACK_FLAG_WORK | (stateBytes > 0 ? PACK_FLAG_STATE : 0), true);
  if (stateBytes > 0) {
    // flags bit 0: the entry after the inputs and outputs is the state region (uint8 [bytes] in the arena).
    const e = tensorTable + ioTensors.length * TENSOR_ENTRY_BYTES;
    pack[e] = DTYPE.uint8;
    pack[e + 1] = 1;
    pack[e + 2] = WHERE.arena;
    view.setInt32(e + 4, 0, true);
    view.setInt32(e + 8, stateBytes, true);
    view.setInt32(e + 20, stateBytes, true);
  }
  view.setUint32(H.tensorTable, tensorTable, true);
  view.setUint32(H.inputCount, graph.inputs.length, true);
  view.setUint32(H.inputList, inputList, true);
  view.setUint32(H.outputCount, graph.outputs.length, true);
  view.setUint32(H.outputList, outputList, true);
  view.setUint32(H.constOffset, constOffset, true);
  view.setUint32(H.constBytes, constBytes, true);

  recordOffsets.forEach((offset, i) => view.setUint32(opTable + 4 * i, offset, true));
  ioTensors.forEach((index, i) => {
    const t = graph.tensors[index];
    const dtype = PACK_DTYPES[t.type];
    if (dtype === undefined) throw new CompileError(`model ${i < graph.inputs.length ? 'input' : 'output'} tensor ${index} (${t.name}) has type ${t.typeName}, which tinysense cannot pass in or out`);
    if (t.shape.length > MAX_DIMS) throw new CompileError(`tensor ${index} (${t.name}) has rank ${t.shape.length} above ${MAX_DIMS}`);
    const p = placements[index];
    if (p.where === 'unused') throw new CompileError(`tensor ${index} (${t.name}) is a model input or output but has no storage`);
    const e = tensorTable + i * TENSOR_ENTRY_BYTES;
    pack[e] = dtype;
    pack[e + 1] = t.shape.length;
    pack[e + 2] = p.where === 'pack' ? WHERE.pack : WHERE.arena;
    view.setInt32(e + 4, p.offset, true);
    view.setInt32(e + 8, p.bytes, true);
    view.setInt32(e + 12, t.zeroPoints[0] ?? 0, true);
    view.setFloat32(e + 16, t.scales[0] ?? 0, true);
    t.shape.forEach((d, k) => view.setInt32(e + 20 + 4 * k, d, true));
  });
  graph.inputs.forEach((_, i) => view.setUint32(inputList + 4 * i, i, true));
  graph.outputs.forEach((_, i) => view.setUint32(outputList + 4 * i, graph.inputs.length + i, true));

  const resolve = (w: Word): number => {
    if (typeof w === 'number') return w;
    if (w.kind === 'const') return blobOffsets[w.id];
    const offset = plan.offsets.get(storageRoot(alias, w.tensor));
    if (offset === undefined) throw new Error(`internal: tensor ${w.tensor} was not planned`);
    return offset;
  };
  records.forEach((op, i) => {
    op.words.forEach((w, k) => view.setInt32(recordOffsets[i] + 4 * k, resolve(w), true));
  });
  consts.blobs.forEach((blob, i) => pack.set(blob, blobOffsets[i]));
  // The work of one invoke, computed by the device validator's own rules from the records just written.
  view.setUint32(trailer, WORK_MAGIC, true);
  view.setUint32(trailer + 4, WORK_TRAILER_BYTES, true);
  const work: Work = { macs: 0, ops: 0 };
  try {
    const layout = validateTables(pack, () => view.getUint32(H.crc, true));
    layout.records.forEach((offset, i) => checkRecord(pack, offset, packBytes, i, layout, work));
  } catch (e) {
    throw new CompileError(`the compiled pack would not pass the device's validator: ${(e as Error).message}`);
  }
  const put64 = (at: number, v: number) => {
    view.setUint32(at, v % 4294967296, true);
    view.setUint32(at + 4, Math.floor(v / 4294967296), true);
  };
  put64(trailer + 8, work.macs);
  put64(trailer + 16, work.ops);
  view.setUint32(H.crc, crc32(pack.subarray(CRC_START)), true);

  const ops: CompiledOp[] = records.map((op, i) => ({
    index: op.index,
    name: op.name,
    kernel: OP_NAMES[op.code],
    recordOffset: recordOffsets[i],
    recordWords: op.words.length,
    macs: op.macs,
  }));
  return {
    pack,
    graph,
    ops,
    placements,
    arenaBytes: plan.arenaBytes,
    packBytes,
    constBytes,
    macs: ops.reduce((s, op) => s + op.macs, 0),
    work,
  };
}
