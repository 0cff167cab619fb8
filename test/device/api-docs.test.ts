// docs/api.md documents tinysense/device exactly: one `### name` section per export of device/index.ts,
// nothing the module does not export, and every runtime export is defined (not a type-only name).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as device from 'tinysense/device';
import { PACKAGE_ROOT } from '../../host/paths.js';

const source = readFileSync(join(PACKAGE_ROOT, 'device', 'index.ts'), 'utf8');
const docs = readFileSync(join(PACKAGE_ROOT, 'docs', 'api.md'), 'utf8');

/** Names in `export { a, b as c } from ...` / `export type { ... }` statements: the exported (outer) names. */
function exportedNames(typeOnly: boolean): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/^export (type )?\{([^}]*)\}/gm)) {
    if (Boolean(m[1]) !== typeOnly) continue;
    for (const part of m[2].split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop();
      if (name) names.push(name);
    }
  }
  return names;
}

describe('docs/api.md and tinysense/device', () => {
  const values = exportedNames(false);
  const types = exportedNames(true);
  const documented = [...docs.matchAll(/^### `(\w+)`$/gm)].map((m) => m[1]);

  it('every export has a section, and every section is an export', () => {
    expect(values.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...values, ...types].sort());
  });

  it('the runtime exports are what the module really exports', () => {
    expect(Object.keys(device).sort()).toEqual([...values].sort());
    for (const name of values) expect((device as Record<string, unknown>)[name], name).toBeDefined();
  });

  it('each function section shows its signature', () => {
    for (const name of values.filter((n) => typeof (device as Record<string, unknown>)[n] === 'function' && !/^[A-Z]/.test(n))) {
      expect(docs, name).toMatch(new RegExp('```ts\\nfunction ' + name + '\\('));
    }
  });
});
