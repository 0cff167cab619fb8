// docs/operators.md is generated (test/repo/operators-doc.ts): this fails when the committed file is stale,
// i.e. when an operator or type gained or lost support, a corpus model was added, or TFLM's list changed.
// `npm run gen:operators` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATORS_DOC, TFLM_OPERATORS, TflmOperator, measureCoverage, renderOperatorsDoc } from './operators-doc.js';

const tflm = JSON.parse(readFileSync(TFLM_OPERATORS, 'utf8')) as TflmOperator[];

describe('docs/operators.md', () => {
  it('lists every operator TFLM registers, once', () => {
    expect(tflm.length).toBeGreaterThan(100);
    expect(new Set(tflm.map((t) => t.op)).size).toBe(tflm.length);
  });

  it('equals what the compiler and the corpus show today', { timeout: 300_000 }, () => {
    const doc = renderOperatorsDoc(measureCoverage(), tflm);
    if (process.env.UPDATE_OPERATORS_DOC) writeFileSync(OPERATORS_DOC, doc);
    expect(readFileSync(OPERATORS_DOC, 'utf8'), 'docs/operators.md is stale: npm run gen:operators').toBe(doc);
  });
});
