/**
 * The ML sensor datasheet of a build, in the spirit of "Machine Learning
 * Sensors" (Warden et al., 2022) and its datasheet template: what the sensor
 * does, its interface, the model, the hardware, memory and flash use,
 * performance, the data it was trained and evaluated on, and its limits.
 * Figures come from the build; dataset, evaluation and intended use from a
 * model card JSON when one is given. Rendered as Markdown and as one
 * self-contained HTML page (inline CSS, no scripts, no external resources).
 */
import { readFileSync } from 'node:fs';
import type { Board } from './boards.js';
import { BudgetReport, formatBytes, formatFree, regions } from './budget.js';
import type { ModelFacts, TensorFacts } from './model-facts.js';

/** A model card: every field optional; unknown fields are listed under "Other". */
export interface ModelCard {
  name?: string;
  version?: string;
  description?: string;
  authors?: string | string[];
  license?: string;
  url?: string;
  intendedUse?: string;
  limitations?: string;
  ethicalConsiderations?: string;
  privacy?: string;
  /** Labels of the output classes, in output order. */
  classes?: string[];
  dataset?: { name?: string; description?: string; url?: string; size?: string | number; license?: string; collection?: string };
  evaluation?: { dataset?: string; metrics?: { name: string; value: number | string; notes?: string }[]; notes?: string };
  [other: string]: unknown;
}

const CARD_FIELDS = new Set(['name', 'version', 'description', 'authors', 'license', 'url', 'intendedUse', 'limitations',
  'ethicalConsiderations', 'privacy', 'classes', 'dataset', 'evaluation']);

/** Reads and checks a model card file; throws an Error naming the bad field. */
export function loadModelCard(path: string): ModelCard {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return checkModelCard(raw, path);
}

export function checkModelCard(raw: unknown, origin: string): ModelCard {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${origin}: a model card must be a JSON object`);
  const card = raw as Record<string, unknown>;
  for (const key of ['name', 'version', 'description', 'license', 'url', 'intendedUse', 'limitations', 'ethicalConsiderations', 'privacy']) {
    if (card[key] !== undefined && typeof card[key] !== 'string') throw new Error(`${origin}: ${key} must be a string`);
  }
  const metrics = (card.evaluation as { metrics?: unknown } | undefined)?.metrics;
  if (metrics !== undefined && (!Array.isArray(metrics) || metrics.some((m) => typeof (m as { name?: unknown }).name !== 'string'))) {
    throw new Error(`${origin}: evaluation.metrics must be a list of {name, value}`);
  }
  if (card.classes !== undefined && (!Array.isArray(card.classes) || card.classes.some((c) => typeof c !== 'string'))) {
    throw new Error(`${origin}: classes must be a list of strings`);
  }
  return card as ModelCard;
}

export interface DatasheetInput {
  title: string;
  /** The app entry the bundle was built from. */
  app: string;
  board: Board;
  budget: BudgetReport;
  bundleBytes: number;
  /** The packs the app opens, by Storage name. */
  models: { file: string; facts: ModelFacts }[];
  card?: ModelCard;
}

// A small document model rendered both ways, so the two formats cannot drift apart.
type Block =
  | { kind: 'text'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] };
interface Section {
  title: string;
  blocks: Block[];
}

const NOT_GIVEN = 'Not provided (add it to the model card).';

function quantization(t: TensorFacts): string {
  return t.scale === 0 ? 'not quantized' : `scale ${t.scale.toPrecision(6)}, zero point ${t.zeroPoint}`;
}

function tensorRows(list: TensorFacts[], what: string, classes?: string[]): string[][] {
  return list.map((t, i) => [
    `${what} ${i}`,
    t.type,
    `[${t.shape.join(', ')}]`,
    formatBytes(t.bytes),
    quantization(t) + (what === 'output' && i === 0 && classes ? `; classes: ${classes.join(', ')}` : ''),
  ]);
}

function operatorCounts(model: ModelFacts): string[][] {
  const counts = new Map<string, { n: number; macs: number }>();
  for (const op of model.ops) {
    const c = counts.get(op.name) ?? { n: 0, macs: 0 };
    c.n++;
    c.macs += op.macs ?? 0;
    counts.set(op.name, c);
  }
  return [...counts].map(([name, c]) => [name, String(c.n), model.macs !== undefined ? c.macs.toLocaleString('en-US') : 'unknown']);
}

function sections(d: DatasheetInput): Section[] {
  const { board, budget, models, card } = d;
  const out: Section[] = [];
  const description = card?.description ?? models.find((m) => m.facts.description)?.facts.description;
  out.push({
    title: 'Description',
    blocks: [
      { kind: 'text', text: description ?? `A machine learning sensor built from ${d.app} for ${board.name}.` },
      {
        kind: 'list',
        items: [
          `App: ${d.app}`,
          `Board: ${board.name} (${board.id}), ${board.engine} ${board.engineVersions}`,
          ...(card?.version ? [`Model version: ${card.version}`] : []),
          ...(card?.authors ? [`Authors: ${Array.isArray(card.authors) ? card.authors.join(', ') : card.authors}`] : []),
          ...(card?.license ? [`License: ${card.license}`] : []),
          ...(card?.url ? [`More: ${card.url}`] : []),
        ],
      },
    ],
  });
  for (const { file, facts: model } of models) {
    // One model keeps the plain titles; several (a front end and a classifier) are told apart by pack.
    const of = models.length > 1 ? ` of ${file}` : '';
    // The card's classes name the outputs of the model; with several, of the one with that many scores.
    const classes = models.length === 1 || model.outputs[0]?.bytes === card?.classes?.length ? card?.classes : undefined;
    out.push({
      title: `Interface${of}`,
      blocks: [
        { kind: 'text', text: 'What the model takes and gives (tensors in the arena, as the app reads and writes them).' },
        { kind: 'table', head: ['tensor', 'type', 'shape', 'bytes', 'quantization'], rows: [...tensorRows(model.inputs, 'input'), ...tensorRows(model.outputs, 'output', classes)] },
      ],
    });
    out.push({
      title: `Model characteristics${of}`,
      blocks: [
        {
          kind: 'list',
          items: [
            `Source: ${model.source} (${model.format === 'tflite' ? 'TensorFlow Lite, compiled to a tinysense pack' : 'tinysense pack'})`,
            `Operators: ${model.ops.length}`,
            `Parameters: ${model.parameters !== undefined ? model.parameters.toLocaleString('en-US') : 'unknown (build from the .tflite to count them)'}`,
            `Multiply-accumulates per inference: ${model.macs !== undefined ? model.macs.toLocaleString('en-US') : 'unknown (build from the .tflite to count them)'}`,
            `Model pack: ${formatBytes(model.packBytes)} (constants ${formatBytes(model.constBytes)})`,
            `Arena (activations and scratch): ${formatBytes(model.arenaBytes)}`,
          ],
        },
        { kind: 'table', head: ['kernel', 'count', 'MACs'], rows: operatorCounts(model) },
      ],
    });
  }
  out.push({
    title: 'Hardware',
    blocks: [
      {
        kind: 'list',
        items: [
          `MCU: ${board.mcu}, ${board.cpu} at ${board.clockMHz} MHz, ${formatBytes(board.ramBytes)} RAM, ${formatBytes(board.flashBytes)} flash`,
          `JavaScript engine: ${board.engine} ${board.engineVersions}, JS heap ${formatBytes(board.jsHeap.bytes)}${board.jsHeap.exact ? '' : ' (at most)'}`,
          `Kernels: ${board.nativeCall.kernels === 'blob' ? 'int8 C kernels as a Thumb-2 blob called through E.nativeCall' : 'int8 C kernels linked into the firmware'}. ${board.nativeCall.note}`,
          `Storage: ${formatBytes(board.storage.bytes)}, ${board.storage.medium}, ${board.storage.memoryMapped ? 'memory-mapped' : 'not memory-mapped'}`,
        ],
      },
      board.sensors.length > 0
        ? { kind: 'table', head: ['sensor', 'part', 'API', 'default rate'], rows: board.sensors.map((s) => [s.name, s.part, s.api, s.defaultRateHz === null ? 'on demand' : `${s.defaultRateHz} Hz`]) }
        : { kind: 'text', text: 'No built-in sensor: the app reads external sensors over SPI, I2C or serial.' },
    ],
  });
  out.push({
    title: 'Memory and flash use',
    blocks: [
      { kind: 'text', text: `Budget: ${budget.fits ? 'fits' : 'does not fit'}. 1 KB = 1000 bytes.` },
      {
        kind: 'table',
        head: ['part', 'bytes', 'where', 'cost there', 'note'],
        rows: budget.items.map((i) => [i.file ? `${i.what} (${i.file})` : i.what, formatBytes(i.bytes), regions(budget).find((g) => g.region === i.region)!.label, formatBytes(i.cost), i.note]),
      },
      {
        kind: 'table',
        head: ['region', 'used', 'capacity', 'free'],
        rows: regions(budget).map((g) => [g.label, formatBytes(g.used), formatBytes(g.capacity) + (g.exact ? '' : ' (at most)'), formatFree(g.free)]),
      },
      ...(budget.problems.length + budget.warnings.length > 0 ? [{ kind: 'list' as const, items: [...budget.problems, ...budget.warnings] }] : []),
    ],
  });
  const evaluation = card?.evaluation;
  out.push({
    title: 'Performance',
    blocks: [
      {
        kind: 'text',
        text: budget.latencies.length > 0
          ? budget.latencies
            .map((l) => l.measured
              ? `Estimated invoke latency${models.length > 1 ? ` of ${l.file}` : ''}: ${l.ms.toFixed(1)} ms. This is an estimate (${l.basis}), not a measurement.`
              : `Invoke latency${models.length > 1 ? ` of ${l.file}` : ''}: not measured on this CPU (${l.basis} would give ${l.ms.toFixed(1)} ms, a guess).`)
            .join(' ')
          : 'Estimated invoke latency: unknown (no measured cycle figures for this CPU).',
      },
      evaluation?.metrics && evaluation.metrics.length > 0
        ? { kind: 'table', head: ['metric', 'value', 'notes'], rows: evaluation.metrics.map((m) => [m.name, String(m.value), m.notes ?? '']) }
        : { kind: 'text', text: `Accuracy: ${NOT_GIVEN}` },
      ...(evaluation?.dataset || evaluation?.notes ? [{ kind: 'text' as const, text: [evaluation.dataset ? `Evaluated on ${evaluation.dataset}.` : '', evaluation.notes ?? ''].join(' ').trim() }] : []),
    ],
  });
  const ds = card?.dataset;
  out.push({
    title: 'Dataset',
    blocks: ds
      ? [{
          kind: 'list',
          items: [
            ...(ds.name ? [`Name: ${ds.name}`] : []),
            ...(ds.description ? [`Description: ${ds.description}`] : []),
            ...(ds.size !== undefined ? [`Size: ${ds.size}`] : []),
            ...(ds.collection ? [`Collection: ${ds.collection}`] : []),
            ...(ds.license ? [`License: ${ds.license}`] : []),
            ...(ds.url ? [`URL: ${ds.url}`] : []),
          ],
        }]
      : [{ kind: 'text', text: NOT_GIVEN }],
  });
  out.push({
    title: 'Intended use and limitations',
    blocks: [
      { kind: 'text', text: `Intended use: ${card?.intendedUse ?? NOT_GIVEN}` },
      { kind: 'text', text: `Limitations: ${card?.limitations ?? NOT_GIVEN}` },
      { kind: 'text', text: `Ethical considerations: ${card?.ethicalConsiderations ?? NOT_GIVEN}` },
      { kind: 'text', text: `Privacy: ${card?.privacy ?? 'The model runs on the device; what leaves it is what the app reports.'}` },
    ],
  });
  const other = card ? Object.entries(card).filter(([k]) => !CARD_FIELDS.has(k)) : [];
  if (other.length > 0) out.push({ title: 'Other', blocks: [{ kind: 'list', items: other.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`) }] });
  out.push({
    title: 'Sources of the board figures',
    blocks: [{ kind: 'list', items: Object.entries(board.sources).map(([k, v]) => `${k}: ${v}`) }],
  });
  return out;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function datasheetMarkdown(d: DatasheetInput): string {
  const lines = [`# ${d.title}`, '', '*ML sensor datasheet generated by `tinysense build`.*', ''];
  for (const s of sections(d)) {
    lines.push(`## ${s.title}`, '');
    for (const b of s.blocks) {
      if (b.kind === 'text') lines.push(b.text, '');
      else if (b.kind === 'list') lines.push(...b.items.map((i) => `- ${i}`), '');
      else {
        lines.push(`| ${b.head.map(mdCell).join(' | ')} |`, `|${b.head.map(() => '---').join('|')}|`);
        lines.push(...b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`), '');
      }
    }
  }
  return lines.join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.6rem;border-bottom:2px solid #333}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}.note{color:#555;font-style:italic}`;

export function datasheetHtml(d: DatasheetInput): string {
  const body: string[] = [`<h1>${esc(d.title)}</h1>`, '<p class="note">ML sensor datasheet generated by <code>tinysense build</code>.</p>'];
  for (const s of sections(d)) {
    body.push(`<h2>${esc(s.title)}</h2>`);
    for (const b of s.blocks) {
      if (b.kind === 'text') body.push(`<p>${esc(b.text)}</p>`);
      else if (b.kind === 'list') body.push(`<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`);
      else {
        body.push(
          `<table><thead><tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
            b.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') +
            '</tbody></table>',
        );
      }
    }
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title><style>${STYLE}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
}
