// device/ runs on Espruino and JerryScript: tsconfig.device.json checks it against an ES5 library
// (no Map, Symbol, Promise, spread helpers...). The README promises that check; this runs it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';

it('device/ type-checks against ES5 (tsconfig.device.json)', () => {
  const tsc = join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(PACKAGE_ROOT, 'tsconfig.device.json'), '--noEmit'], { encoding: 'utf8' });
  expect(`${r.stdout}${r.stderr}`).toBe('');
  expect(r.status).toBe(0);
}, 120_000);
