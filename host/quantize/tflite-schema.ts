/**
 * The TFLite schema description the verifier uses. `tflite-schema.json` is
 * data derived from tensorflow/compiler/mlir/lite/schema/schema.fbs by
 * parseFbsSchema (field names, ids, types, defaults; no comments). Tests
 * re-derive it from a schema.fbs when one is at hand and fail if the pinned
 * copy differs; docs/training.md says how to refresh it.
 */
import pinned from './tflite-schema.json' with { type: 'json' };
import { SchemaDescription, parseFbsSchema } from './fbs-schema.js';
import { verifyFlatbuffer } from './fbs-verifier.js';
import { checkTfliteModel } from './tflite-checks.js';

/** Where schema.fbs lives in the TensorFlow and TFLite Micro repositories. */
export const TFLITE_SCHEMA_FBS_PATH = 'tensorflow/compiler/mlir/lite/schema/schema.fbs';

export function pinnedTfliteSchema(): SchemaDescription {
  return pinned as SchemaDescription;
}

/** Derives the description from schema.fbs text, tagged with where it came from. */
export function describeTfliteSchema(fbsSource: string, source: string): SchemaDescription {
  return { source, ...parseFbsSchema(fbsSource) };
}

export interface TfliteVerification {
  ok: boolean;
  /** Schema-level problems (layout, types), then model-level ones (indices, sizes). */
  problems: string[];
  tablesVerified: Record<string, number>;
  fieldsVerified: number;
}

/** Verifies a .tflite file against the schema and TFLite's structural rules. */
export function verifyTflite(bytes: Uint8Array, schema: SchemaDescription = pinnedTfliteSchema()): TfliteVerification {
  const result = verifyFlatbuffer(bytes, schema);
  const problems = [...result.problems];
  if (result.root) problems.push(...checkTfliteModel(result.root));
  else problems.push('the root table could not be read');
  return { ok: problems.length === 0, problems, tablesVerified: result.tablesVerified, fieldsVerified: result.fieldsVerified };
}
