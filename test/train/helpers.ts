/** Shared by the training tests: temp folders and the schema description to verify against. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Graph } from '../../host/compiler/graph.js';
import { SchemaDescription } from '../../host/quantize/fbs-schema.js';
import { DecodedTable, DecodedUnion } from '../../host/quantize/fbs-verifier.js';
import { TFLITE_SCHEMA_FBS_PATH, describeTfliteSchema, pinnedTfliteSchema } from '../../host/quantize/tflite-schema.js';

const created: string[] = [];

/** A fresh temporary folder, removed by removeTempDirs (call it from afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tinysense-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A git checkout of TFLite Micro (bare or not) whose schema.fbs the tests
 * parse; TINYSENSE_TFLM_REPO overrides the default location.
 */
export const TFLM_REPO = process.env.TINYSENSE_TFLM_REPO ?? '/work/.mirror/tensorflow+tflite-micro/repo';

/** schema.fbs text from the TFLite Micro checkout, or null when there is none. */
export function mirrorSchemaFbs(): { text: string; source: string } | null {
  if (!existsSync(TFLM_REPO)) return null;
  try {
    const text = execFileSync('git', ['-C', TFLM_REPO, 'show', `HEAD:${TFLITE_SCHEMA_FBS_PATH}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = execFileSync('git', ['-C', TFLM_REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    return { text, source: `tensorflow/tflite-micro@${commit}:${TFLITE_SCHEMA_FBS_PATH}` };
  } catch {
    return null;
  }
}

/** The schema description derived at test time from schema.fbs when present, else the pinned copy. */
export function schemaForTests(): { schema: SchemaDescription; from: 'schema.fbs' | 'pinned' } {
  const fbs = mirrorSchemaFbs();
  return fbs ? { schema: describeTfliteSchema(fbs.text, fbs.source), from: 'schema.fbs' } : { schema: pinnedTfliteSchema(), from: 'pinned' };
}

/**
 * Whether tinysense's .tflite reader and built kernels are in place (they were
 * being written alongside this work). When they are, the int8 checks on the
 * kernels are mandatory; any failure then is a real one.
 */
export const TINYSENSE_RUNTIME_PRESENT =
  existsSync(new URL('../../host/compiler/from-tflite.ts', import.meta.url)) && existsSync(new URL('../../kernels-c/out/tinysense.wasm', import.meta.url));

/**
 * Until tinysense's own .tflite reader is in place: the compiler's Graph built
 * from the verifier's decoded tree, so the exported files can already go
 * through tinysense's lowering (quantization constraints, shapes, options).
 */
export function graphFromDecoded(root: DecodedTable, schema: SchemaDescription): Graph {
  const names = (e: string) => Object.fromEntries(Object.entries(schema.enums[e].values).map(([k, v]) => [v, k]));
  const tensorTypes = names('TensorType');
  const builtins = names('BuiltinOperator');
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const enumOf = (table: string, field: string) => {
    const f = schema.tables[table].fields.find((x) => x.name === field);
    return f?.type.kind === 'enum' ? names(f.type.name) : null;
  };
  const list = (v: unknown) => (Array.isArray(v) ? v : []) as DecodedTable[];
  const buffers = list(root.buffers);
  const codes = list(root.operator_codes);
  const sg = list(root.subgraphs)[0];
  const typeMap: Record<string, Graph['tensors'][number]['type']> = { INT8: 'int8', UINT8: 'uint8', INT16: 'int16', INT32: 'int32', INT64: 'int64', FLOAT32: 'float32', BOOL: 'bool' };
  const tensors = list(sg.tensors).map((t, index) => {
    const q = t.quantization as DecodedTable | null;
    const data = buffers[Number(t.buffer)]?.data;
    const typeName = tensorTypes[Number(t.type)];
    return {
      index, name: String(t.name), type: typeMap[typeName] ?? 'other', typeName,
      shape: (t.shape as number[]).map(Number),
      scales: q ? (q.scale as number[] | null ?? []).map(Number) : [],
      zeroPoints: q ? (q.zero_point as bigint[] | null ?? []).map(Number) : [],
      quantizedDimension: q ? Number(q.quantized_dimension) : 0,
      data: data instanceof Uint8Array && data.length > 0 ? data : null,
      isVariable: Boolean(t.is_variable),
    };
  });
  const operators = list(sg.operators).map((op, index) => {
    const code = codes[Number(op.opcode_index)];
    const union = op.builtin_options as DecodedUnion;
    const options: Record<string, unknown> = {};
    if (union.value) {
      for (const [field, value] of Object.entries(union.value)) {
        if (field === '$type') continue;
        const e = enumOf(union.type, field);
        options[camel(field)] = e ? e[Number(value)] : Array.isArray(value) ? value.map(Number) : value;
      }
    }
    return {
      index, name: builtins[Math.max(Number(code.builtin_code), Number(code.deprecated_builtin_code))], version: Number(code.version),
      inputs: (op.inputs as number[]).map(Number), outputs: (op.outputs as number[]).map(Number), options,
    };
  });
  return { tensors, operators, inputs: (sg.inputs as number[]).map(Number), outputs: (sg.outputs as number[]).map(Number), description: String(root.description) };
}
