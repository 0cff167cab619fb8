/**
 * TFLM's activation-arena plan, reimplemented from reading tflite-micro (micro_allocation_info.cc,
 * micro_allocator.cc CreatePlan, memory_planner/greedy_memory_planner.cc) to compare our planner with:
 * - every tensor without constant data, not a variable, of non-zero size, is one buffer (no aliasing:
 *   a RESHAPE output is a buffer of its own);
 * - lifetimes in "allocation scopes": graph inputs and outputs are created at scope 0, operator i runs in
 *   scope i + 1 (its outputs created there, its inputs and outputs last used there), graph outputs are
 *   last used at the final scope; ranges are inclusive;
 * - sizes rounded up to MicroArenaBufferAlignment() (16);
 * - GreedyMemoryPlanner: buffers in descending size, ties in the order they were added (tensor index,
 *   a stable sort), each placed at the lowest offset where it fits between buffers that overlap it in
 *   time; the head's size is the highest end.
 * TFLM's arena_used_bytes adds its own structures (tensors, node data, persistent buffers) to this head.
 */
import { Graph, tensorBytes } from '../../host/compiler/graph.js';

export interface TflmBuffer {
  tensor: number;
  bytes: number;
  first: number;
  last: number;
}

const ALIGN = 16;

export function tflmBuffers(graph: Graph): TflmBuffer[] {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const created = (t: number, scope: number) => {
    first.set(t, scope);
    last.set(t, scope);
  };
  const used = (t: number, scope: number) => last.set(t, scope);
  let scope = 0;
  graph.inputs.forEach((t) => created(t, scope));
  graph.outputs.forEach((t) => created(t, scope));
  for (const op of graph.operators) {
    scope++;
    op.outputs.forEach((t) => created(t, scope));
    op.inputs.forEach((t) => t >= 0 && used(t, scope));
    op.outputs.forEach((t) => used(t, scope));
  }
  graph.outputs.forEach((t) => used(t, scope));
  const buffers: TflmBuffer[] = [];
  graph.tensors.forEach((t) => {
    const bytes = tensorBytes(t);
    if (t.data !== null || t.isVariable || bytes === 0 || !first.has(t.index)) return;
    buffers.push({ tensor: t.index, bytes: Math.ceil(bytes / ALIGN) * ALIGN, first: first.get(t.index)!, last: last.get(t.index)! });
  });
  return buffers;
}

/** GreedyMemoryPlanner's offsets (by buffer) and its maximum memory size. */
export function tflmGreedy(buffers: readonly TflmBuffer[]): { offsets: number[]; bytes: number } {
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b].bytes - buffers[a].bytes || a - b);
  const offsets = new Array<number>(buffers.length).fill(-1);
  const placed: number[] = []; // buffer ids by offset
  let bytes = 0;
  for (const id of order) {
    const want = buffers[id];
    let offset = 0;
    for (const other of placed) {
      const b = buffers[other];
      if (b.first > want.last || want.first > b.last) continue;
      if (offsets[other] - offset >= want.bytes) break;
      offset = Math.max(offset, offsets[other] + b.bytes);
    }
    offsets[id] = offset;
    const at = placed.findIndex((other) => offsets[other] > offset);
    placed.splice(at < 0 ? placed.length : at, 0, id);
    bytes = Math.max(bytes, offset + want.bytes);
  }
  return { offsets, bytes };
}

export function tflmArenaHead(graph: Graph): number {
  return tflmGreedy(tflmBuffers(graph)).bytes;
}
