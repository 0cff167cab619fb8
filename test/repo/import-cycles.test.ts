// No import cycles across host/ and device/ (issue 16): a module imports what it needs and nothing
// imports it back, so each can be read, tested and loaded on its own (a cycle made lower.ts and
// lower-signal.ts patched one another's table at load time).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { importCycles, importGraph, sourceFiles } from './import-graph.js';

describe('import cycles', () => {
  it('host/ and device/ have none', () => {
    const files = sourceFiles([join(PACKAGE_ROOT, 'host'), join(PACKAGE_ROOT, 'device')]);
    const graph = importGraph(files);
    expect(files.length).toBeGreaterThan(50);
    // The walk really follows imports: the compiler reaches its lowerings and the device's records.
    const compile = graph.get(join(PACKAGE_ROOT, 'host/compiler/compile.ts'))!;
    expect(compile).toContain(join(PACKAGE_ROOT, 'host/compiler/lower/index.ts'));
    expect(graph.get(join(PACKAGE_ROOT, 'host/compiler/lower/conv.ts'))).toContain(join(PACKAGE_ROOT, 'device/records.ts'));
    expect(importCycles(graph, PACKAGE_ROOT)).toEqual([]);
  });

  it('finds a cycle through index files, `export … from`, type-only and dynamic imports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinysense-cycles-'));
    mkdirSync(join(dir, 'lower'));
    const files: Record<string, string> = {
      'a.ts': "import { b } from './b.js';\nexport const a = b + 1;\n",
      'b.ts': "export { c as b } from './lower/index.js';\n",
      'lower/index.ts': "import type { A } from '../a.js';\nexport const c = 1;\nexport type C = A;\n",
      'd.ts': "export const d = () => import('./e.js');\n",
      'e.ts': "import { d } from './d.js';\nexport const e = d;\n",
      'f.ts': "import { f as g } from './f.js';\nexport const f = 1; void g;\n",
      'ok.ts': "import { a } from './a.js';\nimport { readFileSync } from 'node:fs';\nexport const ok = [a, readFileSync];\n",
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const cycles = importCycles(importGraph(sourceFiles([dir])), dir);
    expect(cycles).toEqual([
      ['a.ts', 'b.ts', join('lower', 'index.ts'), 'a.ts'],
      ['d.ts', 'e.ts', 'd.ts'],
      ['f.ts', 'f.ts'],
    ].sort((x, y) => x[0].localeCompare(y[0])));
    // Acyclic once the type import goes.
    writeFileSync(join(dir, 'lower/index.ts'), 'export const c = 1;\n');
    expect(importCycles(importGraph(sourceFiles([dir])), dir).map((c) => c[0])).toEqual(['d.ts', 'f.ts']);
  });
});
