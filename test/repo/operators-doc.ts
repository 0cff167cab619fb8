/**
 * docs/operators.md, generated from the code and the test corpus (test/repo/operators-doc.test.ts checks
 * the committed file against this; `npm run gen:operators` rewrites it).
 *
 * What counts as support is measured, not declared: every model of the byte-exact test corpus (models/,
 * models-zoo/, test/fixtures/) is read and compiled by the real compiler; an (operator, type) pair is
 * supported when a model that uses it compiles, and the test named beside the corpus then holds its
 * outputs to TFLM's goldens byte for byte. TFLM's kernel-test vectors (test/peer) count too. A model the
 * compiler refuses gives no evidence, so a gap shows as a gap. The list of operators and the types their
 * reference kernels compute is data (docs/tflm-operators.json, read from TFLM's source).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { graphFromTflite } from '../../host/compiler/from-tflite.js';
import { ALIASING_OPS, LOWERINGS } from '../../host/compiler/lower/index.js';
import type { Graph, Operator } from '../../host/compiler/graph.js';
import { compileTflite } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';

export const OPERATORS_DOC = join(PACKAGE_ROOT, 'docs', 'operators.md');
export const TFLM_OPERATORS = join(PACKAGE_ROOT, 'docs', 'tflm-operators.json');

/** One operator TFLM's MicroMutableOpResolver registers. */
export interface TflmOperator {
  op: string;
  kind: 'builtin' | 'custom';
  /** Its kernel file in tflite-micro. */
  file: string;
  /** Activation types the reference kernel computes. */
  types: string[];
  note?: string;
}

/** A folder of the byte-exact corpus and the test that holds its models to TFLM's outputs. */
interface CorpusFolder {
  dir: string;
  test: string;
}

/** The corpus folders: models/ (the workspace corpus' copy), the public model zoo, the op fixtures. */
function corpusFolders(): CorpusFolder[] {
  const folders: CorpusFolder[] = [
    { dir: 'models/ops/models', test: 'test/models/ops-models.test.ts' },
    { dir: 'models/mlperf_tiny/models', test: 'test/models/reference-models.test.ts' },
    { dir: 'models/hello_world', test: 'test/models/reference-models.test.ts' },
    { dir: 'models/micro_speech', test: 'test/models/reference-models.test.ts' },
    { dir: 'models/person_detection', test: 'test/models/reference-models.test.ts' },
    { dir: 'models-zoo/models', test: 'test/zoo/zoo.test.ts' },
  ];
  // test/fixtures/<name>/: tested by the test files that name the folder.
  const fixtures = join(PACKAGE_ROOT, 'test', 'fixtures');
  const tests = testFiles();
  for (const name of existsSync(fixtures) ? readdirSync(fixtures).sort() : []) {
    const dir = `test/fixtures/${name}`;
    if (!tflitesIn(dir).length) continue;
    const by = tests.filter((t) => new RegExp(`fixtures['"/, ]+${name}\\b`).test(readFileSync(join(PACKAGE_ROOT, t), 'utf8')));
    for (const test of by) folders.push({ dir, test });
  }
  return folders;
}

function testFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'fixtures') walk(path);
      else if (e.name.endsWith('.test.ts')) out.push(relative(PACKAGE_ROOT, path).split('\\').join('/'));
    }
  };
  walk(join(PACKAGE_ROOT, 'test'));
  return out.sort();
}

function tflitesIn(dir: string): string[] {
  const abs = join(PACKAGE_ROOT, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.tflite')) out.push(relative(PACKAGE_ROOT, join(d, e.name)).split('\\').join('/'));
    }
  };
  walk(abs);
  return out.sort();
}

/**
 * The type an operator instance is listed under: its first activation input's (constant operands
 * such as TRANSPOSE_CONV's output shape are skipped), and for the converting operators the pair.
 */
export function typeKey(graph: Graph, op: Operator): string {
  const inputs = op.inputs.filter((i) => i >= 0).map((i) => graph.tensors[i]);
  const main = inputs.find((t) => t.data === null) ?? inputs[0];
  const out = op.outputs.length ? graph.tensors[op.outputs[0]] : undefined;
  const name = (t: Graph['tensors'][number] | undefined) => (t === undefined ? 'none' : t.type === 'other' ? t.typeName.toLowerCase() : t.type);
  if (op.name === 'QUANTIZE' || op.name === 'DEQUANTIZE' || op.name === 'CAST') return `${name(main)}→${name(out)}`;
  return name(main);
}

/** What the corpus shows for one (operator, type): models and vectors that run it, how tinysense runs it. */
export interface Evidence {
  models: Set<string>;
  tests: Set<string>;
  /** Kernel records it lowers to; 'folded' when the host computed it, 'alias' when it moves no byte. */
  how: Set<string>;
}

export interface Coverage {
  /** op -> type -> evidence */
  supported: Map<string, Map<string, Evidence>>;
  /** Corpus models the compiler refuses (with its message), for the "gaps" section. */
  refused: { model: string; error: string }[];
  modelCount: number;
}

function evidence(cov: Coverage, op: string, type: string): Evidence {
  let byType = cov.supported.get(op);
  if (!byType) cov.supported.set(op, (byType = new Map()));
  let e = byType.get(type);
  if (!e) byType.set(type, (e = { models: new Set(), tests: new Set(), how: new Set() }));
  return e;
}

export function measureCoverage(): Coverage {
  const cov: Coverage = { supported: new Map(), refused: [], modelCount: 0 };
  const seen = new Map<string, ReturnType<typeof compileOne>>();
  for (const folder of corpusFolders()) {
    for (const file of tflitesIn(folder.dir)) {
      if (!seen.has(file)) seen.set(file, compileOne(file));
      const result = seen.get(file)!;
      if ('error' in result) continue;
      for (const use of result.uses) {
        const e = evidence(cov, use.op, use.type);
        e.models.add(file);
        e.tests.add(folder.test);
        e.how.add(use.how);
      }
    }
  }
  for (const [file, result] of seen) {
    cov.modelCount++;
    if ('error' in result) cov.refused.push({ model: file, error: result.error });
  }
  const peerDir = join(PACKAGE_ROOT, 'test', 'peer');
  const peerCases = readdirSync(peerDir)
    .filter((f) => /^tflm-kernel-vectors.*\.json$/.test(f))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(join(peerDir, f), 'utf8')) as { cases: PeerCase[] }).cases)
    .filter((c) => c.expect === undefined || c.expect === 'match');
  for (const c of peerCases) {
    const type = c.op === 'QUANTIZE' || c.op === 'DEQUANTIZE' ? `${c.tensors[0].type}→${c.tensors[c.tensors.length - 1].type}` : c.tensors[0].type;
    const e = evidence(cov, c.op, type);
    e.models.add(`peer:${c.name}`);
    e.tests.add('test/peer/peer.test.ts');
  }
  return cov;
}

/** A TFLM kernel-test case of test/peer (cases expected to be refused give no evidence). */
interface PeerCase {
  name: string;
  op: string;
  tensors: { type: string }[];
  expect?: string;
}

function compileOne(file: string): { uses: { op: string; type: string; how: string }[] } | { error: string } {
  const bytes = new Uint8Array(readFileSync(join(PACKAGE_ROOT, file)));
  let graph: Graph;
  let compiled: ReturnType<typeof compileTflite>;
  try {
    graph = graphFromTflite(bytes);
    compiled = compileTflite(bytes);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const kernelOf = new Map<number, string>();
  for (const op of compiled.ops) kernelOf.set(op.index, op.kernel);
  const uses = graph.operators.map((op) => {
    const kernel = kernelOf.get(op.index);
    const how = kernel !== undefined ? kernel : ALIASING_OPS.has(op.name) ? 'alias' : 'folded';
    return { op: op.name, type: typeKey(graph, op), how };
  });
  return { uses };
}

const TYPE_COLUMNS = ['int8', 'int16', 'int32', 'uint8', 'float32', 'bool', 'int64'];

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** The document. */
export function renderOperatorsDoc(cov: Coverage, tflm: TflmOperator[]): string {
  const lines: string[] = [];
  const registered = new Set(tflm.map((t) => t.op));
  let supportedOps = 0;
  const rows: string[] = [];
  for (const t of tflm) {
    const ours = cov.supported.get(t.op);
    const lowered = Object.prototype.hasOwnProperty.call(LOWERINGS, t.op);
    if (ours) supportedOps++;
    const cells = TYPE_COLUMNS.map((type) => cell(t, type, ours));
    const pairs = ours ? [...ours.keys()].filter((k) => k.includes('→')).sort() : [];
    const other = ours ? [...ours.keys()].filter((k) => !k.includes('→') && !TYPE_COLUMNS.includes(k)).sort() : [];
    const how = ours ? [...new Set([...ours.values()].flatMap((e) => [...e.how]))].sort().join(', ') : lowered ? 'lowered, not in the corpus' : '';
    const tests = ours ? [...new Set([...ours.values()].flatMap((e) => [...e.tests]))].sort().map(shortTest).join(', ') : '';
    const extra = [...pairs.map((p) => `${p} ✓${ours!.get(p)!.models.size}`), ...other.map((p) => `${p} ✓${ours!.get(p)!.models.size}`)].join('<br>');
    rows.push(`| ${t.op} | ${t.types.join(', ') || '—'} | ${cells.join(' | ')} | ${extra} | ${how} | ${tests} | ${t.note ?? ''} |`);
  }
  const unregistered = [...cov.supported.keys()].filter((op) => !registered.has(op)).sort();

  lines.push('# Operators: what tinysense runs, against what TFLM registers');
  lines.push('');
  lines.push('<!-- generated by test/repo/operators-doc.ts (npm run gen:operators); test/repo/operators-doc.test.ts fails when it is stale -->');
  lines.push('');
  lines.push(`Every operator TensorFlow Lite Micro's \`MicroMutableOpResolver\` registers (${tflm.length}, tflite-micro 90b983c2b;`);
  lines.push('the types its reference kernels compute are in [tflm-operators.json](tflm-operators.json), read from its');
  lines.push(`source), and what tinysense does with it. ${supportedOps} of them run on tinysense today.`);
  lines.push('');
  lines.push('How support is measured: not declared by hand. Every model of the byte-exact test corpus (models/, models-zoo/,');
  lines.push(`test/fixtures/; ${fmt(cov.modelCount)} models) is compiled by the real compiler; an operator and type count as`);
  lines.push('supported when a model that uses them compiles, and the test listed beside them then checks that model\'s outputs');
  lines.push('against TFLM\'s reference outputs byte for byte (on the WebAssembly kernels; test/arm runs the Cortex-M4 blob');
  lines.push('under qemu). TFLM\'s own kernel-test vectors (test/peer) count too. A model the compiler refuses gives no evidence.');
  lines.push('');
  lines.push('Cells: `✓N` — supported, N corpus models / peer vectors use it; `✗` — TFLM\'s reference kernel computes this');
  lines.push('type and tinysense does not (yet); empty — TFLM has no such kernel either. The type is the operator\'s first');
  lines.push('activation input; QUANTIZE, DEQUANTIZE and CAST list input→output pairs. "How" names the tinysense kernel');
  lines.push('records the operator lowers to; `folded` means the host computed it from constants (no device work), `alias`');
  lines.push('that it moves no byte (a reshape that shares its input\'s memory).');
  lines.push('');
  lines.push(`| operator | TFLM reference types | ${TYPE_COLUMNS.join(' | ')} | pairs / other | how | tested by | TFLM note |`);
  lines.push(`|---|---|${TYPE_COLUMNS.map(() => '---').join('|')}|---|---|---|---|`);
  lines.push(...rows);
  lines.push('');
  if (unregistered.length) {
    lines.push('## Operators tinysense runs that TFLM does not register');
    lines.push('');
    for (const op of unregistered) lines.push(`- ${op}: ${[...cov.supported.get(op)!.keys()].join(', ')}`);
    lines.push('');
  }
  lines.push('## Corpus models tinysense refuses');
  lines.push('');
  lines.push('Each with the compiler\'s message (models-zoo/\'s are also listed, exactly, in test/zoo/zoo.test.ts).');
  lines.push('');
  if (!cov.refused.length) lines.push('None.');
  for (const r of cov.refused.sort((a, b) => a.model.localeCompare(b.model))) lines.push(`- \`${r.model}\`: ${oneLine(r.error)}`);
  lines.push('');
  return lines.join('\n');
}

/** A type's cell: converting operators count every pair whose input has that type. */
function cell(t: TflmOperator, type: string, ours: Map<string, Evidence> | undefined): string {
  const models = new Set<string>();
  for (const [key, e] of ours ?? []) if (key === type || key.startsWith(`${type}→`)) for (const m of e.models) models.add(m);
  if (models.size) return `✓${models.size}`;
  return t.types.includes(type) ? '✗' : '';
}

function shortTest(path: string): string {
  return path.replace(/^test\//, '').replace(/\.test\.ts$/, '');
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > 220 ? `${flat.slice(0, 217)}...` : flat;
}
