/**
 * What `tinysense dev` knows about the app's models: each pack the build put
 * into Storage (validated, keyed by its CRC so an op call finds its model),
 * per-op MACs and the board's cycle figure for an estimated device time, and
 * class labels when the app folder says them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { H, TensorInfo, u32 } from '../../device/pack.js';
import { validatePack } from '../../device/validate.js';
import type { BuildReport } from '../bundler/plugin.js';
import { cycleTable, cyclesToMs, estimateCycles, recordWork } from '../bundler/latency.js';
import { crc32 } from '../compiler/crc32.js';

export interface DevOp {
  name: string;
  /** Multiply-accumulates of the op (0 when unknown or none). */
  macs: number;
  /** Estimated device time: macs x cycles per MAC at the board's clock; undefined without MACs. */
  deviceMs?: number;
}

export interface DevModel {
  /** Storage name (file) of the pack. */
  file: string;
  crc: number;
  records: number[];
  /** Op index by record offset. */
  opIndex: Map<number, number>;
  ops: DevOp[];
  outputs: TensorInfo[];
  /** Labels of output 0's values, when known. */
  labels?: string[];
  /** 'classes' (a few values per invoke: probabilities over time) or 'features' (many: a heat map, e.g. a spectrogram). */
  view: 'classes' | 'features';
  arenaBytes: number;
  packBytes: number;
  /** Estimated device ms per invoke from the board's cycles per MAC (budget.latencies), when the model has MACs. */
  deviceMsPerInvoke?: number;
  cyclesBasis?: string;
}

/** Output 0 with at most this many values is shown as class probabilities. */
const MAX_CLASSES = 16;

/** Class labels from the app folder: the model card's "classes", or the training record's (model/training.json). */
function findLabels(appDir: string | undefined, modelCard: string | undefined, source: string, count: number): string[] | undefined {
  const candidates = [modelCard, join(dirname(source), 'model', 'training.json'), join(dirname(source), 'training.json')];
  if (appDir) candidates.push(join(appDir, 'model-card.json'), join(appDir, 'model', 'training.json'));
  for (const path of candidates) {
    if (!path || !existsSync(path)) continue;
    try {
      const json = JSON.parse(readFileSync(path, 'utf8')) as { classes?: unknown; labels?: unknown };
      const list = Array.isArray(json.classes) ? json.classes : Array.isArray(json.labels) ? json.labels : undefined;
      if (list && list.length === count && list.every((l) => typeof l === 'string')) return list as string[];
    } catch {
      // not JSON: not a label source
    }
  }
  return undefined;
}

/** The models of a build, from its Storage files and report. */
export function devModels(storage: Record<string, Uint8Array>, report: BuildReport | undefined, app: { dir?: string; modelCard?: string }, clockMHz: number): DevModel[] {
  const models: DevModel[] = [];
  for (const [file, pack] of Object.entries(storage)) {
    if (!file.endsWith('.tsm')) continue;
    const layout = validatePack(pack, (from, length) => crc32(pack.subarray(from, from + length)));
    const packReport = report?.models.find((m) => m.file === file);
    const latency = report?.budget.latencies.find((l) => l.file === file);
    // Per-op MACs and device time: each record's work as the validator counts it, times the measured
    // cycles of its op kind for the board's CPU (host/bundler/latency.ts), as the build's estimate does.
    const table = report ? cycleTable(report.budget.cpu) : null;
    const work = recordWork(pack);
    const estimate = table ? estimateCycles(work, table) : undefined;
    const ops = work.map((w, i) => ({
      name: w.kernel,
      macs: w.macs,
      deviceMs: estimate && !estimate.ops[i].unmeasured ? cyclesToMs(estimate.ops[i].cycles, clockMHz) : undefined,
    }));
    const count = layout.outputs[0] ? layout.outputs[0].bytes / bytesOf(layout.outputs[0]) : 0;
    models.push({
      file,
      crc: u32(pack, H.crc),
      records: layout.records,
      opIndex: new Map(layout.records.map((r, i) => [r, i])),
      ops,
      outputs: layout.outputs,
      labels: packReport?.source ? findLabels(app.dir, app.modelCard, packReport.source, count) : undefined,
      view: count <= MAX_CLASSES ? 'classes' : 'features',
      arenaBytes: layout.arenaBytes,
      packBytes: layout.packBytes,
      deviceMsPerInvoke: latency?.ms,
      cyclesBasis: latency?.basis,
    });
  }
  return models;
}

function bytesOf(t: TensorInfo): number {
  return t.type === 'int16' ? 2 : t.type === 'int32' || t.type === 'float32' ? 4 : 1;
}

/** Output 0 of a model, dequantized ((q - zero point) x scale), from the arena (or pack, for a constant output). */
export function readOutput(model: DevModel, arena: Uint8Array, pack: Uint8Array): number[] {
  const t = model.outputs[0];
  if (!t) return [];
  const src = t.inPack ? pack : arena;
  const view = new DataView(src.buffer, src.byteOffset + t.offset, t.bytes);
  const n = t.bytes / bytesOf(t);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let q: number;
    switch (t.type) {
      case 'int8':
        q = view.getInt8(i);
        break;
      case 'uint8':
        q = view.getUint8(i);
        break;
      case 'int16':
        q = view.getInt16(2 * i, true);
        break;
      case 'int32':
        q = view.getInt32(4 * i, true);
        break;
      default:
        out[i] = view.getFloat32(4 * i, true);
        continue;
    }
    out[i] = t.scale ? (q - t.zeroPoint) * t.scale : q;
  }
  return out;
}
