// `tinysense init`: a new app from each template, made by the CLI of the packed tarball (so every file
// init copies must be in the package's "files"), in a folder outside the repository, passes its own
// `npm test` at once. The install is what `npm install` would do with the tarball, done offline as in
// test/repo/external-app.test.ts: the tarball unpacked into node_modules/tinysense, its dependencies and
// vitest linked from this checkout. Needs `npm run build` first (dist/ and kernels-c/out/ are packed).
// Usage errors get their exact messages.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTemplates, loadTemplate } from '../../host/init.js';
import { PACKAGE_ROOT } from '../../host/paths.js';

let work: string;
let tarball: string;
let tool: string;
const timings: string[] = [];

function run(cwd: string, file: string, args: string[], timeout = 300_000) {
  const started = performance.now();
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`, ms: performance.now() - started };
}

/** What `npm install` of the tarball puts into <dir>/node_modules, offline: the package and links to its dependencies and vitest. */
function install(dir: string): void {
  const installed = join(dir, 'node_modules', 'tinysense');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of [...Object.keys(manifest.dependencies), 'vitest']) {
    const link = join(dir, 'node_modules', dep);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(PACKAGE_ROOT, 'node_modules', dep), link, 'dir');
  }
  // The .bin entries npm would write, for `npm test` (vitest) and `npm run build` (tinysense).
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(join('..', 'vitest', 'vitest.mjs'), join(dir, 'node_modules', '.bin', 'vitest'));
  symlinkSync(join('..', 'tinysense', 'bin', 'tinysense.js'), join(dir, 'node_modules', '.bin', 'tinysense'));
}

const cli = (...args: string[]) => run(work, process.execPath, [join(tool, 'node_modules', 'tinysense', 'bin', 'tinysense.js'), ...args]);

beforeAll(() => {
  for (const built of ['dist/host/index.js', 'dist/host/init.js', 'kernels-c/out/tinysense-m4.bin', 'kernels-c/out/tinysense.wasm']) {
    if (!existsSync(join(PACKAGE_ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first (the tarball packs the build)`);
  }
  work = mkdtempSync(join(tmpdir(), 'tinysense-init-'));
  expect(relative(PACKAGE_ROOT, work).startsWith('..')).toBe(true);
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  const name = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack wrote no tarball into ${work}`);
  tarball = join(work, name);
  // The CLI that runs init: tinysense as installed from the tarball (as `npx tinysense init` would).
  tool = join(work, 'tool');
  install(tool);
}, 180_000);

afterAll(() => {
  if (timings.length) console.log(`tinysense init + npm test, per template:\n  ${timings.join('\n  ')}`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('tinysense init: each template passes its own npm test at once, outside the repository', () => {
  for (const template of listTemplates()) {
    const board = loadTemplate(template).boards[0];
    it(`${template} on ${board}`, () => {
      const dir = join(work, `${template}-app`);
      const init = cli('init', dir, '--board', board, '--template', template, '--tinysense', `file:${tarball}`);
      expect(init.status, init.out).toBe(0);
      expect(init.stdout).toContain(`wrote a ${template} app for ${board} into ${dir}`);
      for (const file of ['app.ts', 'app.test.ts', 'tinysense.json', 'package.json', 'vitest.config.ts', 'tsconfig.json', 'tinysense-env.d.ts', '.gitignore']) {
        expect(existsSync(join(dir, file)), file).toBe(true);
      }
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
      expect(manifest.dependencies.tinysense).toBe(`file:${tarball}`);
      expect(manifest.scripts.test).toBe('vitest run');
      // The app imports nothing of tinysense but the device API.
      const app = readFileSync(join(dir, 'app.ts'), 'utf8');
      expect([...app.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['tinysense/device']);
      // Everything the app, its test and its trace need is in its folder.
      const spec = loadTemplate(template);
      if (spec.trace) {
        expect(existsSync(join(dir, spec.trace))).toBe(true);
        expect(readFileSync(join(dir, spec.trace), 'utf8')).not.toMatch(/\.\.\//);
      }

      install(dir);
      const test = run(dir, 'npm', ['test'], 400_000);
      expect(test.out).toMatch(/1 passed/);
      expect(test.status, test.out).toBe(0);
      timings.push(`${template} on ${board}: init ${Math.round(init.ms)} ms, npm test ${(test.ms / 1000).toFixed(1)} s`);
    }, 450_000);
  }
});

describe('tinysense init: usage errors', () => {
  const usage = 'usage:\n  tinysense init <dir> --board <BOARD> [--template blank|gesture|keyword|person] [--tinysense <version|file:path>]\n';

  it('an unknown board', () => {
    const r = cli('init', join(work, 'x1'), '--board', 'PICO');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tinysense: unknown board "PICO"; known boards: BANGLEJS2, ESP32, ESP32_JERRYSCRIPT, JOLTJS, NRF52840DK (or give the path of a board .json file)\n${usage}`);
    expect(existsSync(join(work, 'x1'))).toBe(false);
  });

  it('an unknown template', () => {
    const r = cli('init', join(work, 'x2'), '--board', 'JOLTJS', '--template', 'radar');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tinysense: unknown template "radar"; templates: blank, gesture, keyword, person\n${usage}`);
    expect(existsSync(join(work, 'x2'))).toBe(false);
  });

  it('a template on a board it does not run on', () => {
    const r = cli('init', join(work, 'x3'), '--board', 'JOLTJS', '--template', 'gesture');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `tinysense: template "gesture" runs on BANGLEJS2, not on JOLTJS: it needs the Bangle.js accelerometer (Bangle.on('accel')) ` +
        `(boards: BANGLEJS2, ESP32, ESP32_JERRYSCRIPT, JOLTJS, NRF52840DK)\n${usage}`,
    );
  });

  it('a folder that is not empty, or is a file', () => {
    const dir = join(work, 'used');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = cli('init', dir, '--board', 'JOLTJS');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tinysense: ${dir} is not empty (notes.txt); init writes a new app into a new or empty folder\n${usage}`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    const file = join(dir, 'notes.txt');
    const f = cli('init', file, '--board', 'JOLTJS');
    expect(f.status).toBe(2);
    expect(f.stderr).toBe(`tinysense: ${file} is a file; init writes a new app into a new or empty folder\n${usage}`);
  });

  it('no folder, or no board', () => {
    expect(cli('init', '--board', 'JOLTJS').stderr).toBe(`tinysense: missing folder for the new app\n${usage}`);
    expect(cli('init', join(work, 'x4')).stderr).toBe(`tinysense: missing --board <BOARD>\n${usage}`);
  });

  it('an empty folder is fine, and the default template is blank with tinysense from this checkout or its version', () => {
    const dir = join(work, 'empty');
    mkdirSync(dir);
    const r = cli('init', dir, '--board', 'BANGLEJS2');
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toContain('wrote a blank app for BANGLEJS2');
    // Run from the tarball (no .git): the dependency is the published version.
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(manifest.dependencies.tinysense).toBe(`^${version}`);
    expect(readFileSync(join(dir, 'app.test.ts'), 'utf8')).toContain("const BOARD = 'BANGLEJS2';");
  });
});
