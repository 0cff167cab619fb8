/**
 * Arena planning: every activation buffer gets an offset in one arena so that buffers alive at the same
 * time never overlap. Finding the smallest arena is NP-hard (dynamic storage allocation), so the planner
 * places buffers greedily — one at a time, each in a gap between the buffers it overlaps in time — under
 * several orders and two gap choices, and keeps the smallest plan:
 * - orders: largest first (the order of TFLM's GreedyMemoryPlanner, tried first so that it wins ties),
 *   then variants that break size ties by lifetime or weigh size by lifetime, start-time order, and a
 *   bounded seeded search around the largest-first order;
 * - gaps: first fit (the lowest gap that fits, as TFLM) and best fit (the tightest gap that fits).
 * It stops early once a plan reaches the lower bound: the most bytes alive at one moment.
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

export type Fit = 'first' | 'best';

/** Places the buffers in `order`, each in a gap among those already placed that overlap it in time. */
export function place(order: readonly BufferRequest[], fit: Fit): ArenaPlan {
  const placed: { offset: number; req: BufferRequest }[] = []; // by offset
  const offsets = new Map<number, number>();
  let arenaBytes = 0;
  for (const req of order) {
    const align = Math.max(ARENA_ALIGN, req.align ?? ARENA_ALIGN);
    let offset = 0;
    let chosen = -1;
    let tightest = Infinity;
    for (const p of placed) {
      if (p.req.first > req.last || req.first > p.req.last) continue;
      if (offset + req.bytes <= p.offset) {
        if (fit === 'first') {
          chosen = offset;
          break;
        }
        if (p.offset - offset < tightest) {
          tightest = p.offset - offset;
          chosen = offset;
        }
      }
      offset = Math.max(offset, alignUp(p.offset + p.req.bytes, align));
    }
    if (chosen < 0) chosen = offset; // above everything it overlaps
    const at = placed.findIndex((p) => p.offset > chosen);
    placed.splice(at < 0 ? placed.length : at, 0, { offset: chosen, req });
    offsets.set(req.id, chosen);
    arenaBytes = Math.max(arenaBytes, chosen + req.bytes);
  }
  return { offsets, arenaBytes: alignUp(arenaBytes, ARENA_ALIGN) };
}

/** No plan can be smaller than the bytes alive at once (aligned, since every offset is). */
export function liveBytesBound(requests: readonly BufferRequest[]): number {
  const times = [...new Set(requests.map((r) => r.first))];
  let bound = 0;
  for (const t of times) {
    let live = 0;
    for (const r of requests) if (r.first <= t && t <= r.last) live += alignUp(r.bytes, ARENA_ALIGN);
    bound = Math.max(bound, live);
  }
  return bound;
}

const span = (r: BufferRequest) => r.last - r.first + 1;
const lowFirst = (a: BufferRequest, b: BufferRequest) => Number(!!b.low) - Number(!!a.low);

/**
 * Orders to try. The first two are largest first: ties by start time (this planner's order before it
 * searched, kept first so that plans it found stay as they were), and TFLM's exactly (its sizes are
 * rounded to 16 bytes, ties kept in tensor order).
 */
const ORDERS: ((a: BufferRequest, b: BufferRequest) => number)[] = [
  (a, b) => lowFirst(a, b) || b.bytes - a.bytes || a.first - b.first || a.id - b.id,
  (a, b) => lowFirst(a, b) || alignUp(b.bytes, 16) - alignUp(a.bytes, 16) || a.id - b.id,
  (a, b) => lowFirst(a, b) || b.bytes - a.bytes || span(b) - span(a) || a.first - b.first || a.id - b.id,
  (a, b) => lowFirst(a, b) || b.bytes * span(b) - a.bytes * span(a) || b.bytes - a.bytes || a.id - b.id,
  (a, b) => lowFirst(a, b) || span(b) - span(a) || b.bytes - a.bytes || a.id - b.id,
  (a, b) => lowFirst(a, b) || a.first - b.first || b.bytes - a.bytes || a.id - b.id,
];

/** A small seeded generator (mulberry32): the same requests always give the same plan. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Work budget of the seeded search, in buffer-pair visits (a few tens of milliseconds). */
const SEARCH_BUDGET = 4_000_000;

export function planArena(requests: readonly BufferRequest[]): ArenaPlan {
  const bound = liveBytesBound(requests);
  let best: ArenaPlan | null = null;
  const consider = (order: readonly BufferRequest[], fit: Fit) => {
    const plan = place(order, fit);
    if (!best || plan.arenaBytes < best.arenaBytes) best = plan;
    return best.arenaBytes <= bound;
  };
  for (const compare of ORDERS) {
    const order = [...requests].sort(compare);
    if (consider(order, 'first') || consider(order, 'best')) return best!;
  }
  // Seeded search: largest first with sizes jittered, so that near-equal buffers swap places.
  const rand = prng(requests.length * 7919 + bound);
  const tries = Math.min(200, Math.floor(SEARCH_BUDGET / Math.max(1, requests.length) ** 2));
  for (let i = 0; i < tries; i++) {
    const jitter = 0.05 + 0.45 * (i / Math.max(1, tries));
    const keyed = requests.map((r) => ({ r, key: r.bytes * (1 + jitter * (rand() * 2 - 1)) }));
    keyed.sort((a, b) => lowFirst(a.r, b.r) || b.key - a.key || a.r.id - b.r.id);
    if (consider(keyed.map((k) => k.r), i % 2 === 0 ? 'first' : 'best')) break;
  }
  return best!;
}
