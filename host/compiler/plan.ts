/**
 * Arena planning: every activation buffer gets an offset in one arena so that
 * buffers alive at the same time never overlap. Greedy by size, largest first,
 * each placed at the lowest offset that fits between the buffers it overlaps
 * in time (the strategy of TFLM's GreedyMemoryPlanner).
 */

export interface BufferRequest {
  /** Any id; the plan maps it to an offset. */
  id: number;
  /** Placed before all others, so it lands at a low offset (Espruino caps typed-array byteOffset at 65535). */
  low?: boolean;
  bytes: number;
  /** Alignment of its offset in bytes (default ARENA_ALIGN; 8 for 64-bit elements, which kernels access as such). */
  align?: number;
  /** First and last op index (inclusive) during which the buffer must hold its data. */
  first: number;
  last: number;
}

export interface ArenaPlan {
  offsets: Map<number, number>;
  arenaBytes: number;
}

export const ARENA_ALIGN = 4;

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

export function planArena(requests: readonly BufferRequest[]): ArenaPlan {
  const order = [...requests].sort(
    (a, b) => Number(!!b.low) - Number(!!a.low) || b.bytes - a.bytes || a.first - b.first || a.id - b.id,
  );
  const placed: { offset: number; req: BufferRequest }[] = [];
  const offsets = new Map<number, number>();
  let arenaBytes = 0;
  for (const req of order) {
    const overlapping = placed
      .filter((p) => p.req.first <= req.last && req.first <= p.req.last)
      .sort((a, b) => a.offset - b.offset);
    const align = Math.max(ARENA_ALIGN, req.align ?? ARENA_ALIGN);
    let offset = 0;
    for (const p of overlapping) {
      if (offset + req.bytes <= p.offset) break;
      offset = Math.max(offset, alignUp(p.offset + p.req.bytes, align));
    }
    placed.push({ offset, req });
    offsets.set(req.id, offset);
    arenaBytes = Math.max(arenaBytes, offset + req.bytes);
  }
  return { offsets, arenaBytes: alignUp(arenaBytes, ARENA_ALIGN) };
}
