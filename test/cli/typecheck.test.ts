// Issue 14, item 3: type errors were warnings (TS2322 -> "wrote 7 files", exit 0), and every build of an app
// outside the repository warned "TS2354 ... 'tslib' cannot be found".
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appFolder, cli } from './helpers.js';

const PRINT = 'declare function print(...args: unknown[]): void;\n';

describe('build type-checks the app', () => {
  it('a type error fails the build with file:line:column and the message, exit 1', async () => {
    const dir = appFolder({ 'app.ts': `${PRINT}const x: number = 'hello';\nprint(x);\n` });
    const out = join(dir, 'dist');
    const r = await cli(['build', join(dir, 'app.ts'), '--board', 'JOLTJS', '-o', out]);
    expect(r.code).toBe(1);
    const file = relative(process.cwd(), join(dir, 'app.ts'));
    expect(r.stderr).toContain(`tinysense: the app has 1 type error (build with --no-typecheck, or typecheck: false, to bundle anyway):\n  ${file}:2:7: TS2322: Type 'string' is not assignable to type 'number'.`);
    expect(r.stdout).not.toContain('wrote');
    expect(existsSync(join(out, 'app.js'))).toBe(false);
  });

  it('an unresolved import fails the build, naming the importer and the import', async () => {
    const dir = appFolder({ 'app.ts': `${PRINT}import { thing } from 'no-such-package';\nprint(thing);\n` });
    const r = await cli(['build', join(dir, 'app.ts'), '--board', 'JOLTJS', '-o', join(dir, 'dist')]);
    expect(r.code).toBe(1);
    const file = relative(process.cwd(), join(dir, 'app.ts'));
    expect(r.stderr).toContain('the app has 1 type error and 1 unresolved import');
    expect(r.stderr).toContain(`${file}:2:23: TS2307: Cannot find module 'no-such-package'`);
    expect(r.stderr).toContain(`${file}: cannot resolve import "no-such-package" (no such file or package)`);
  });

  it('--no-typecheck builds anyway, with the diagnostics as warnings', async () => {
    const dir = appFolder({ 'app.ts': `${PRINT}const x: number = 'hello';\nprint(x);\n` });
    const out = join(dir, 'dist');
    const r = await cli(['build', join(dir, 'app.ts'), '--board', 'JOLTJS', '-o', out, '--no-typecheck']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: .*TS2322: Type 'string' is not assignable to type 'number'/);
    expect(r.stdout).toContain(`wrote 6 files to ${out}`);
  });

  it('an app outside the repository with a class and a spread gets no TS2354 tslib warning', async () => {
    const dir = appFolder({
      'app.ts': `${PRINT}class A { m(): number { return 1; } }\nclass B extends A {}\nconst a = [1, 2];\nprint(new B().m(), [...a, 3].length);\n`,
    });
    const r = await cli(['build', join(dir, 'app.ts'), '--board', 'JOLTJS', '-o', join(dir, 'dist')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('TS2354');
    expect(r.stdout).not.toContain('tslib');
    expect(r.stdout).not.toContain('warning');
  });
});
