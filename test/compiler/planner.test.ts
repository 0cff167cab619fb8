// The arena planner (host/compiler/plan.ts) against TFLM's (issue 13 item 4): at or below TFLM's
// arena_used_bytes on every model whose TFLM figure models/ records, and at or below TFLM's greedy
// planner itself (reimplemented in tflm-planner.ts) on every model in models/ and on generated
// detection-style graphs, the kind where a single largest-first pass loses.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePack } from '../../device/validate.js';
import { compileGraph } from '../../host/compiler/compile.js';
import { crc32 } from '../../host/compiler/crc32.js';
import { graphFromTflite } from '../../host/compiler/from-tflite.js';
import { BufferRequest, liveBytesBound, place, planArena } from '../../host/compiler/plan.js';
import { instantiate, runOnce } from '../../host/model.js';
import { detectionGraph } from './detection-graphs.js';
import { MODELS_DIR, firstDifference, prng, sharedBytes, sharedJson } from '../shared.js';
import { TflmBuffer, tflmArenaHead, tflmGreedy } from './tflm-planner.js';

/** TFLM's arena_used_bytes per model file (path under models/), from the goldens' and indexes' metadata. */
function tflmArenaFigures(): Map<string, number> {
  const figures = new Map<string, number>();
  for (const dir of readdirSync(join(MODELS_DIR, 'golden'))) {
    for (const name of readdirSync(join(MODELS_DIR, 'golden', dir)).filter((n) => n.endsWith('.json'))) {
      const meta = sharedJson<{ model?: string; arena_used_bytes?: number }>('golden', dir, name);
      if (meta.model && meta.arena_used_bytes) figures.set(meta.model, meta.arena_used_bytes);
    }
  }
  for (const folder of ['ops', 'mlperf_tiny']) {
    for (const m of sharedJson<{ models: { arena_used_bytes: number; files: { model: string } }[] }>(folder, 'index.json').models) {
      figures.set(`${folder}/${m.files.model}`, m.arena_used_bytes);
    }
  }
  return figures;
}

function tflites(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tflites(path);
    return name.endsWith('.tflite') ? [path] : [];
  });
}

/** No two buffers alive at the same time share a byte; offsets aligned; everything inside the arena. */
function expectValidPlan(requests: readonly BufferRequest[], plan: { offsets: Map<number, number>; arenaBytes: number }): void {
  for (const a of requests) {
    const at = plan.offsets.get(a.id)!;
    expect(at % Math.max(4, a.align ?? 4)).toBe(0);
    expect(at + a.bytes).toBeLessThanOrEqual(plan.arenaBytes);
    for (const b of requests) {
      if (a === b || a.first > b.last || b.first > a.last) continue;
      const bt = plan.offsets.get(b.id)!;
      expect(at + a.bytes <= bt || bt + b.bytes <= at, `buffers ${a.id} and ${b.id} overlap`).toBe(true);
    }
  }
}

describe('TFLM greedy planner reimplementation', () => {
  it("gives TFLM's own unit-test plans (greedy_memory_planner_test.cc: medium and overlap cases)", () => {
    const medium: TflmBuffer[] = [[10, 0, 1], [20, 1, 2], [30, 2, 3], [40, 3, 4], [50, 0, 1]].map(([bytes, first, last], tensor) => ({ tensor, bytes, first, last }));
    expect(tflmGreedy(medium)).toEqual({ offsets: [50, 70, 40, 0, 0], bytes: 90 });
    const overlap: TflmBuffer[] = [[100, 0, 1], [50, 2, 3], [20, 1, 2]].map(([bytes, first, last], tensor) => ({ tensor, bytes, first, last }));
    expect(tflmGreedy(overlap).bytes).toBe(120);
  });
});

describe('arena planner', () => {
  it('plans never overlap live buffers, and reach at least the largest-first plan and the live-bytes bound', () => {
    const rand = prng(13);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rand() * 30);
      const requests: BufferRequest[] = Array.from({ length: n }, (_, id) => {
        const first = Math.floor(rand() * 20);
        const bytes = rand() < 0.3 ? 16 * (1 + Math.floor(rand() * 8)) : 1 + Math.floor(rand() * 300);
        return { id, bytes, first, last: first + Math.floor(rand() * 6), ...(rand() < 0.1 ? { align: 8 } : {}), ...(rand() < 0.1 ? { low: true } : {}) };
      });
      const plan = planArena(requests);
      expectValidPlan(requests, plan);
      const largestFirst = place([...requests].sort((a, b) => Number(!!b.low) - Number(!!a.low) || b.bytes - a.bytes || a.first - b.first || a.id - b.id), 'first');
      expect(plan.arenaBytes).toBeLessThanOrEqual(largestFirst.arenaBytes);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(liveBytesBound(requests));
    }
  });

  it("TFLM's unit-test buffers: 84 bytes (the live-bytes bound at 4-byte alignment) where TFLM's greedy plan takes 90", () => {
    const requests = [[10, 0, 1], [20, 1, 2], [30, 2, 3], [40, 3, 4], [50, 0, 1]].map(([bytes, first, last], id) => ({ id, bytes, first, last }));
    const plan = planArena(requests);
    expectValidPlan(requests, plan);
    expect(liveBytesBound(requests)).toBe(84); // 12 + 20 + 52 alive at time 1
    expect(plan.arenaBytes).toBe(84);
  });
});

describe("arena at or below TFLM's", () => {
  const figures = tflmArenaFigures();
  const rows: string[] = [];

  it("every model in models/: at or below TFLM's arena_used_bytes where recorded, and at or below TFLM's greedy plan", () => {
    const files = tflites(MODELS_DIR);
    expect(files.length).toBeGreaterThan(60);
    let compared = 0;
    for (const path of files) {
      const name = relative(MODELS_DIR, path);
      const graph = graphFromTflite(new Uint8Array(readFileSync(path)));
      const compiled = compileGraph(graph);
      // TFLM keeps persistent state (the spectral subtraction's noise estimate) outside its planned head.
      const state = validatePack(compiled.pack, (from, length) => crc32(compiled.pack.subarray(from, from + length))).state?.bytes ?? 0;
      const head = tflmArenaHead(graph);
      const used = figures.get(name);
      rows.push(`${name}: ours ${compiled.arenaBytes}${state ? ` (${state} state)` : ''}, TFLM greedy plan ${head}, TFLM arena_used_bytes ${used ?? '-'}`);
      expect(compiled.arenaBytes - state, `${name} against TFLM's greedy plan`).toBeLessThanOrEqual(head);
      if (used !== undefined) {
        expect(compiled.arenaBytes, `${name} against TFLM's arena_used_bytes`).toBeLessThanOrEqual(used);
        compared++;
      }
    }
    console.log(rows.join('\n'));
    // Every model with a recorded figure was compared: the 56 op models, 4 MLPerf Tiny, 4 examples.
    expect(compared).toBe(figures.size);
    expect(compared).toBeGreaterThanOrEqual(64);
  });

  it('generated detection-style graphs (PAD / STRIDED_SLICE / CONCATENATION tiles): at or below TFLM greedy', () => {
    let below = 0;
    let ours = 0;
    let tflm = 0;
    const seeds = 120;
    for (let seed = 1; seed <= seeds; seed++) {
      const graph = detectionGraph(seed);
      const compiled = compileGraph(graph);
      const head = tflmArenaHead(graph);
      expect(compiled.arenaBytes, `seed ${seed}`).toBeLessThanOrEqual(head);
      ours += compiled.arenaBytes;
      tflm += head;
      below += Number(compiled.arenaBytes < head);
    }
    console.log(`detection-style graphs: ours ${ours} bytes in total, TFLM's greedy plan ${tflm}; strictly below on ${below} of ${seeds}`);
    expect(below).toBeGreaterThan(seeds / 3);
  });

  it('CONCATENATION in place (inputs computed straight into the output): same outputs as copying, never a larger arena', () => {
    let [inPlace, copying, moved, records] = [0, 0, 0, 0];
    const seeds = 120;
    for (let seed = 1; seed <= seeds; seed++) {
      const graph = detectionGraph(seed);
      const a = compileGraph(graph);
      const b = compileGraph(graph, { concatInPlace: false });
      expect(a.arenaBytes, `seed ${seed}`).toBeLessThanOrEqual(b.arenaBytes);
      expect(a.ops.length).toBe(b.ops.length - a.inPlaceConcats);
      [inPlace, copying, moved, records] = [inPlace + a.arenaBytes, copying + b.arenaBytes, moved + a.inPlaceConcats, records + b.ops.filter((op) => op.name === 'CONCATENATION').length];
      if (seed <= 24) {
        // Run both on the same seeded input: byte-identical outputs.
        const rand = prng(seed);
        const bytes = graph.inputs.reduce((s, t) => s + graph.tensors[t].shape.reduce((p, d) => p * d, 1), 0);
        const x = Uint8Array.from({ length: bytes }, () => Math.floor(rand() * 256));
        const [ya, yb] = [runOnce(instantiate(a.pack), x), runOnce(instantiate(b.pack), x)];
        ya.forEach((y, o) => expect(firstDifference(y, yb[o]), `seed ${seed} output ${o}`).toBe('equal'));
      }
    }
    console.log(`concatenation in place on detection-style graphs: arena ${copying} -> ${inPlace} bytes in total; ${moved} of ${records} CONCATENATION records gone`);
    expect(moved).toBeGreaterThan(seeds);
    expect(inPlace).toBeLessThan(copying);
  });

  it('the MLPerf Tiny models still match TFLM byte for byte in their new plans', () => {
    for (const m of sharedJson<{ models: { name: string; files: { model: string; inputs: string[]; golden: string[][] } }[] }>('mlperf_tiny', 'index.json').models) {
      const model = instantiate(compileGraph(graphFromTflite(sharedBytes('mlperf_tiny', m.files.model))).pack);
      m.files.inputs.forEach((input, k) => {
        const outputs = runOnce(model, sharedBytes('mlperf_tiny', input));
        m.files.golden[k].forEach((golden, o) => expect(firstDifference(outputs[o], sharedBytes('mlperf_tiny', golden)), `${m.name} ${golden}`).toBe('equal'));
      });
    }
  });
});
