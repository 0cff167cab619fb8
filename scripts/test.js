#!/usr/bin/env node
// Runs the whole test suite with vitest and ends with the plain summary line 'N passed, N failed'
// (CI reads it). Extra arguments go to vitest, e.g. `npm test -- test/models/ops-models.test.ts`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = 'out/vitest-results.json';
mkdirSync('out', { recursive: true });
rmSync(results, { force: true });
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (r.numTotalTests === 0) {
    console.error('no tests ran');
    process.exit(1);
  }
}
process.exit(run.status ?? 1);
