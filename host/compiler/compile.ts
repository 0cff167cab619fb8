/**
 * The model compiler: Graph -> lowered op records -> arena plan -> model pack, in stages:
 * fold constants (fold.ts) -> lower (host/compiler/lower/) -> lifetimes -> state region -> plan -> layout
 * -> write (pack-writer.ts).
 * The pack format is defined in docs/model-pack.md.
 */
import { DTYPE, H } from '../../device/pack.js';
import { CONCAT, CONCAT_INPUT, MAX_DIMS, OP, OP_NAMES } from '../../device/records.js';
import { Model } from '../../device/runtime.js';
import { Work, checkRecord, validateTables } from '../../device/validate.js';
import { WasmKernels } from '../wasm/kernels.js';
import { foldConstants } from './fold.js';
import { Graph, Operator, Tensor, tensorBytes } from './graph.js';
import { ALIASING_OPS, CompileError, ConstPool, LOWERINGS, LoweredOp, OpContext, Word, copyOp } from './lower/index.js';
import { PackSections, PackTensor, layoutPack, setWork, writePack } from './pack-writer.js';
import { ArenaPlan, BufferRequest, planArena } from './plan.js';

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
  /** CONCATENATION / PACK ops whose inputs are computed straight into their output (no record). */
  inPlaceConcats: number;
}

/** Espruino's largest typed-array byteOffset. */
const MAX_VIEW_OFFSET = 65535;

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

const PACK_DTYPES: Partial<Record<Tensor['type'], number>> = {
  int8: DTYPE.int8, int16: DTYPE.int16, int32: DTYPE.int32, float32: DTYPE.float32, uint8: DTYPE.uint8,
};

/**
 * Which tensors share storage: reshape outputs alias their input's arena memory or a constant's data, and
 * the inputs of an in-place CONCATENATION live inside its output, each at its own byte offset.
 */
class Storage {
  /** tensor -> tensor whose arena memory it shares */
  readonly alias = new Map<number, number>();
  /** tensor -> its byte offset inside the tensor it aliases (in-place CONCATENATION inputs; 0 when absent) */
  readonly aliasOffset = new Map<number, number>();
  /** tensor -> constant tensor whose data it is */
  readonly constAlias = new Map<number, number>();
  constructor(private readonly graph: Graph) {}

  clone(): Storage {
    const copy = new Storage(this.graph);
    this.alias.forEach((v, k) => copy.alias.set(k, v));
    this.aliasOffset.forEach((v, k) => copy.aliasOffset.set(k, v));
    this.constAlias.forEach((v, k) => copy.constAlias.set(k, v));
    return copy;
  }

  /** Byte offset of `t` inside its root's memory. */
  offsetInRoot(t: number): number {
    let offset = 0;
    for (let r = t; this.alias.has(r); r = this.alias.get(r)!) offset += this.aliasOffset.get(r) ?? 0;
    return offset;
  }

  isConst(t: number): boolean {
    return this.graph.tensors[t].data !== null || this.constAlias.has(t);
  }

  /** The tensor whose arena memory `t` is (union-find over aliases). */
  root(t: number): number {
    let r = t;
    while (this.alias.has(r)) r = this.alias.get(r)!;
    return r;
  }
}

/** Stage 1: every operator to a record (host/compiler/lower/), or to an alias of its input. */
function lowerGraph(graph: Graph, consts: ConstPool, storage: Storage): LoweredOp[] {
  const lowered: LoweredOp[] = [];
  for (const op of graph.operators) {
    const c = new OpContext(graph, op, consts, storage.constAlias);
    if (ALIASING_OPS.has(op.name)) {
      if (op.inputs.length < 1 || op.outputs.length !== 1) c.fail('needs an input and an output');
      const [input, output] = [c.input(0), c.output()];
      if (tensorBytes(input) !== tensorBytes(output) || input.type !== output.type) c.fail('input and output differ in size or type');
      if (storage.isConst(input.index)) {
        storage.constAlias.set(output.index, storage.constAlias.get(input.index) ?? input.index);
      } else if (graph.inputs.includes(output.index)) {
        lowered.push(copyOp(c, input, output));
      } else {
        storage.alias.set(output.index, input.index);
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
    const records = lower(c);
    lowered.push(...(Array.isArray(records) ? records : [records]));
  }
  return lowered;
}

/**
 * Stage 1b: CONCATENATION (and PACK) in place. When the output's rows are one row (outer size 1), input k is
 * the output's bytes [offset_k, offset_k + bytes_k): the op that computes input k can write it there, and the
 * copy disappears. An input qualifies when its storage root is an arena tensor of exactly its bytes that
 * nothing else places (not a model input or output, not a variable or state, not already inside another
 * output, not the same root as another input) and its offset keeps the root's alignment; a concatenation
 * moves all its inputs or none. Returns the lowered list and storage with the moves made, or null when no
 * concatenation qualifies. The planner's lifetimes then make the output's memory live from the first input
 * computed, which can cost more than it saves: compileGraph keeps whichever plan is smaller.
 */
function concatInPlace(graph: Graph, lowered: readonly LoweredOp[], base: Storage, only?: ReadonlySet<number>): { lowered: LoweredOp[]; storage: Storage; moved: number[] } | null {
  const storage = base.clone();
  const fixed = new Set<number>();
  for (const t of [...graph.inputs, ...graph.outputs]) if (!storage.isConst(t)) fixed.add(storage.root(t));
  graph.tensors.forEach((t) => t.isVariable && fixed.add(storage.root(t.index)));
  lowered.forEach((op) => op.persistent?.forEach((t) => fixed.add(storage.root(t))));
  const moved: number[] = [];
  const result = lowered.map((op, position): LoweredOp => {
    if (op.code !== OP.CONCATENATION || op.words[CONCAT.outerSize] !== 1 || (only && !only.has(position))) return op;
    const output = op.words[CONCAT.output];
    const count = op.words[CONCAT.inputCount];
    if (typeof output === 'number' || output.kind !== 'arena' || typeof count !== 'number') return op;
    const outRoot = storage.root(output.tensor);
    if (storage.offsetInRoot(output.tensor) !== 0) return op;
    const moves: [number, number][] = [];
    let at = 0;
    for (let k = 0; k < count; k++) {
      const base = CONCAT.words + k * CONCAT_INPUT.words;
      const operand = op.words[base + CONCAT_INPUT.input];
      const bytes = op.words[base + CONCAT_INPUT.rowBytes];
      if (typeof operand === 'number' || operand.kind !== 'arena' || typeof bytes !== 'number') return op;
      const root = storage.root(operand.tensor);
      const type = graph.tensors[root].type;
      const align = type === 'int64' || type === 'uint64' ? 8 : 4;
      if (storage.offsetInRoot(operand.tensor) !== 0 || tensorBytes(graph.tensors[root]) !== bytes || root === outRoot) return op;
      if (fixed.has(root) || moves.some(([r]) => r === root) || at % align !== 0) return op;
      moves.push([root, at]);
      at += bytes;
    }
    for (const [root, offset] of moves) {
      storage.alias.set(root, outRoot);
      storage.aliasOffset.set(root, offset);
      fixed.add(root);
    }
    moved.push(position);
    // No record; the inputs stay alive until here, as an alias's input does.
    return { ...op, code: 0, words: [] };
  });
  return moved.length > 0 ? { lowered: result, storage, moved } : null;
}

/** How long a storage root must hold its data: first and last position in the lowered list. */
export interface Lifetime {
  first: number;
  last: number;
  bytes: number;
  align?: number;
}

/**
 * Stage 2: lifetimes per storage root, over positions of the lowered list (aliases included, they hold
 * reads). Inputs are live from before the first op, outputs and variables until after the last.
 */
function lifetimes(graph: Graph, lowered: readonly LoweredOp[], storage: Storage): Map<number, Lifetime> {
  const n = lowered.length;
  const life = new Map<number, Lifetime>();
  const touch = (t: number, at: number) => {
    if (storage.isConst(t)) return;
    const root = storage.root(t);
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
    if (t.isVariable && !storage.isConst(t.index)) {
      touch(t.index, 0);
      touch(t.index, n);
    }
  });
  return life;
}

/** State that lives across invokes, at the start of the arena: offset per storage root, and its size. */
interface StateRegion {
  offsets: Map<number, number>;
  bytes: number;
}

/**
 * Stage 3: state that lives across invokes (e.g. noise estimates) is kept out of the planner: it gets its
 * own region at the start of the arena, which the pack declares so that a runtime can reset it. Removes
 * those roots from `life`.
 */
function stateRegion(graph: Graph, lowered: readonly LoweredOp[], storage: Storage, life: Map<number, Lifetime>): StateRegion {
  const roots = [...new Set(lowered.flatMap((op) => op.persistent ?? []).map((t) => storage.root(t)))];
  const offsets = new Map<number, number>();
  let bytes = 0;
  for (const root of roots) {
    life.delete(root);
    offsets.set(root, bytes);
    bytes = alignUp(bytes + tensorBytes(graph.tensors[root]), 8);
  }
  return { offsets, bytes };
}

/**
 * Stage 4: arena offsets for every storage root, the state region first. The app reaches inputs and
 * outputs through typed-array views into the arena, whose byteOffset Espruino caps at 65535: when a plan
 * puts one higher, plan again with them placed first.
 */
function planStorage(graph: Graph, storage: Storage, life: Map<number, Lifetime>, state: StateRegion): ArenaPlan {
  const requests: BufferRequest[] = [...life].map(([id, l]) => ({ id, ...l }));
  let plan = planArena(requests);
  const ioRoots = new Set([...graph.inputs, ...graph.outputs].filter((t) => !storage.isConst(t)).map((t) => storage.root(t)));
  if ([...ioRoots].some((r) => plan.offsets.get(r)! > MAX_VIEW_OFFSET)) {
    plan = planArena(requests.map((r) => ({ ...r, low: ioRoots.has(r.id) })));
  }
  if (state.bytes > 0) {
    const offsets = new Map([...plan.offsets].map(([id, offset]) => [id, offset + state.bytes]));
    state.offsets.forEach((offset, root) => offsets.set(root, offset));
    plan = { offsets, arenaBytes: plan.arenaBytes + state.bytes };
  }
  return plan;
}

/** Stage 5: where every section of the pack goes, and where every tensor lives. */
function layout(graph: Graph, records: readonly LoweredOp[], consts: ConstPool, storage: Storage, plan: ArenaPlan, state: StateRegion): { sections: PackSections; placements: Placement[] } {
  const sections = layoutPack({
    recordWords: records.map((op) => op.words.length),
    tensors: graph.inputs.length + graph.outputs.length + (state.bytes > 0 ? 1 : 0),
    inputs: graph.inputs.length,
    outputs: graph.outputs.length,
    constants: consts.blobs.map((blob) => blob.length),
    // The work trailer (flags bit 1) closes the pack.
    work: true,
  });
  const placements: Placement[] = graph.tensors.map((t) => {
    if (storage.isConst(t.index)) {
      const owner = storage.constAlias.get(t.index) ?? t.index;
      const data = graph.tensors[owner].data!;
      // Only constants that ops use were added to the pool.
      const id = consts.find(data);
      return id === undefined ? { where: 'unused' } : { where: 'pack', offset: sections.constants[id], bytes: data.length };
    }
    const root = storage.root(t.index);
    const rootOffset = plan.offsets.get(root);
    if (rootOffset === undefined) return { where: 'unused' };
    const offset = rootOffset + storage.offsetInRoot(t.index);
    return root === t.index ? { where: 'arena', offset, bytes: tensorBytes(t) } : { where: 'arena', offset, bytes: tensorBytes(t), aliasOf: root };
  });
  return { sections, placements };
}

/** The tensor-table entries: inputs, outputs, then the state region when there is one (flags bit 0). */
function tensorEntries(graph: Graph, placements: readonly Placement[], state: StateRegion): PackTensor[] {
  const entries = [...graph.inputs, ...graph.outputs].map((index, i): PackTensor => {
    const t = graph.tensors[index];
    const dtype = PACK_DTYPES[t.type];
    if (dtype === undefined) throw new CompileError(`model ${i < graph.inputs.length ? 'input' : 'output'} tensor ${index} (${t.name}) has type ${t.typeName}, which tinysense cannot pass in or out`);
    if (t.shape.length > MAX_DIMS) throw new CompileError(`tensor ${index} (${t.name}) has rank ${t.shape.length} above ${MAX_DIMS}`);
    const p = placements[index];
    if (p.where === 'unused') throw new CompileError(`tensor ${index} (${t.name}) is a model input or output but has no storage`);
    return { dtype, shape: t.shape, inPack: p.where === 'pack', offset: p.offset, bytes: p.bytes, zeroPoint: t.zeroPoints[0] ?? 0, scale: t.scales[0] ?? 0 };
  });
  if (state.bytes > 0) entries.push({ dtype: DTYPE.uint8, shape: [state.bytes], offset: 0, bytes: state.bytes });
  return entries;
}

/** The inputs an operator computes on; its other inputs are parameters lowering reads as constants. */
function operandInputs(op: Operator): number[] {
  if (op.name === 'CONCATENATION') return op.inputs.filter((t) => t >= 0);
  if (op.name === 'PACK') return op.inputs.filter((t) => t >= 0);
  if (op.name === 'SPLIT') return op.inputs.slice(1, 2);
  if (op.name === 'GATHER' || op.name === 'GATHER_ND') return op.inputs.slice(0, 2);
  if (['ADD', 'MUL', 'SUB', 'DIV', 'MINIMUM', 'MAXIMUM'].includes(op.name)) return op.inputs.slice(0, 2);
  return op.inputs.slice(0, 1);
}

/**
 * Evaluates an operator whose inputs are all constants the way the device would: compiled alone, its
 * operands fed as inputs, run on the WebAssembly build of the kernels. Null for what has no lowering
 * (the op then fails in lowering as it would have) and for types the tensor table cannot carry.
 */
function evaluateConstantOp(graph: Graph, op: Operator): Uint8Array[] | null {
  if (!LOWERINGS[op.name] || ALIASING_OPS.has(op.name)) return null;
  const feeds = [...new Set(operandInputs(op))];
  if ([...feeds, ...op.outputs].some((t) => t < 0 || PACK_DTYPES[graph.tensors[t].type] === undefined)) return null;
  const single: Graph = {
    ...graph,
    tensors: graph.tensors.map((t) => (feeds.includes(t.index) ? { ...t, data: null } : t)),
    operators: [op],
    inputs: feeds,
    outputs: [...op.outputs],
  };
  const model = new Model(compileGraph(single).pack, new WasmKernels());
  feeds.forEach((t, i) => {
    const view = model.input(i);
    new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(graph.tensors[t].data!);
  });
  model.invoke();
  return op.outputs.map((_, i) => {
    const view = model.output(i);
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  });
}

export interface CompileOptions {
  /** Try CONCATENATION in place (stage 1b; default true): kept only when its plan is no larger. */
  concatInPlace?: boolean;
}

export function compileGraph(input: Graph, options: CompileOptions = {}): CompiledModel {
  const graph = foldConstants(input, evaluateConstantOp);
  const consts = new ConstPool();
  const copying = new Storage(graph);
  const loweredCopying = lowerGraph(graph, consts, copying);
  const planWith = (lowered: LoweredOp[], storage: Storage) => {
    const life = lifetimes(graph, lowered, storage);
    const state = stateRegion(graph, lowered, storage, life);
    return { lowered, storage, state, plan: planStorage(graph, storage, life, state) };
  };
  let chosen = planWith(loweredCopying, copying);
  // All that qualify in place; when that plan is larger, one at a time, each kept while the arena does not grow.
  let inPlaceConcats = 0;
  const all = options.concatInPlace === false ? null : concatInPlace(graph, loweredCopying, copying);
  if (all) {
    const alternative = planWith(all.lowered, all.storage);
    if (alternative.plan.arenaBytes <= chosen.plan.arenaBytes) {
      chosen = alternative;
      inPlaceConcats = all.moved.length;
    } else if (all.moved.length > 1) {
      const kept = new Set<number>();
      for (const position of all.moved) {
        const trial = concatInPlace(graph, loweredCopying, copying, new Set([...kept, position]));
        if (!trial || trial.moved.length !== kept.size + 1) continue;
        const candidate = planWith(trial.lowered, trial.storage);
        if (candidate.plan.arenaBytes <= chosen.plan.arenaBytes) {
          chosen = candidate;
          kept.add(position);
        }
      }
      inPlaceConcats = kept.size;
    }
  }
  const { storage, state, plan } = chosen;
  const records = chosen.lowered.filter((op) => op.code !== 0);
  const { sections, placements } = layout(graph, records, consts, storage, plan, state);

  // Stage 6: write. Operand words become arena or pack offsets.
  const resolve = (w: Word): number => {
    if (typeof w === 'number') return w;
    if (w.kind === 'const') return sections.constants[w.id];
    const offset = plan.offsets.get(storage.root(w.tensor));
    if (offset === undefined) throw new Error(`internal: tensor ${w.tensor} was not planned`);
    return offset + storage.offsetInRoot(w.tensor);
  };
  const nIn = graph.inputs.length;
  const pack = writePack(sections, {
    arenaBytes: plan.arenaBytes,
    records: records.map((op) => op.words.map(resolve)),
    tensors: tensorEntries(graph, placements, state),
    inputs: graph.inputs.map((_, i) => i),
    outputs: graph.outputs.map((_, i) => nIn + i),
    constants: consts.blobs,
    state: state.bytes > 0,
    work: { macs: 0, ops: 0 },
  });
  // The work of one invoke, computed by the device validator's own rules from the records just written.
  const work: Work = { macs: 0, ops: 0 };
  try {
    const tables = validateTables(pack, () => new DataView(pack.buffer).getUint32(H.crc, true));
    tables.records.forEach((offset, i) => checkRecord(pack, offset, sections.packBytes, i, tables, work));
  } catch (e) {
    throw new CompileError(`the compiled pack would not pass the device's validator: ${(e as Error).message}`);
  }
  setWork(pack, sections, work);

  const ops: CompiledOp[] = records.map((op, i) => ({
    index: op.index,
    name: op.name,
    kernel: OP_NAMES[op.code],
    recordOffset: sections.records[i],
    recordWords: op.words.length,
    macs: op.macs,
  }));
  return {
    pack,
    graph,
    ops,
    placements,
    arenaBytes: plan.arenaBytes,
    packBytes: sections.packBytes,
    constBytes: sections.constBytes,
    macs: ops.reduce((s, op) => s + op.macs, 0),
    work,
    inPlaceConcats,
  };
}
