// An app in its own folder outside the repository, as a user writes one: tinysense installed from the
// packed tarball (`npm pack`, what `npm install` would unpack into node_modules/tinysense), the app
// importing only 'tinysense/device', its test only 'tinysense/host'. It must build with the CLI without
// warnings about the import, simulate, and pass its own vitest test. Needs `npm run build` first (dist/ and
// kernels-c/out/ go into the tarball), as `npm test` does.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTemplates, loadTemplate } from '../../host/init.js';
import { MODELS_DIR, PACKAGE_ROOT } from '../../host/paths.js';

let work: string;
let app: string;

/** Runs a command in `cwd`; its status and everything it printed. */
function run(cwd: string, file: string, args: string[], timeout = 120_000) {
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const CLI = () => join(app, 'node_modules', 'tinysense', 'bin', 'tinysense.js');

const APP_TS = `// A sine from TFLM's hello_world model: every 100 ms the next x (0, 0.5, ... 6), quantized into the
// input, one invoke, the output dequantized and reported.
import { dequantize, openModel, quantize, report } from 'tinysense/device';

var model = openModel('sine.tsm');
var input = model.input(0) as Int8Array;
var output = model.output(0) as Int8Array;
var step = 0;

setInterval(function () {
  if (step > 12) return;
  var x = step * 0.5;
  input[0] = quantize(x, model.layout.inputs[0]);
  model.invoke();
  report('y', { x: x, q: output[0], y: dequantize(output[0], model.layout.outputs[0]) });
  step++;
}, 100);
`;

const APP_TEST = `import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { instantiate, loadModelFile, quantizeValue, simulate } from 'tinysense/host';

it('reports the sine the model computes, one value every 100 ms', async () => {
  const sim = await simulate({ app: '.', board: 'JOLTJS', outDir: 'out/sim' });
  sim.advance(1500);
  expect(sim.errors).toEqual([]);
  const ys = sim.events('y');
  expect(ys.map((e) => e.t)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300]);
  // The same model on the host's kernels gives the same int8 outputs for the same quantized inputs.
  const host = instantiate(loadModelFile('sine.tflite').pack);
  for (const e of ys) {
    const v = e.value as { x: number; q: number; y: number };
    (host.input(0) as Int8Array)[0] = quantizeValue(v.x, host.layout.inputs[0]);
    host.invoke();
    expect(v.q).toBe((host.output(0) as Int8Array)[0]);
    expect(Math.abs(v.y - Math.sin(v.x))).toBeLessThan(0.15);
  }
});
`;

beforeAll(() => {
  for (const built of ['dist/host/index.js', 'dist/device/index.js', 'kernels-c/out/tinysense-m4.bin', 'kernels-c/out/tinysense.wasm']) {
    if (!existsSync(join(PACKAGE_ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first (the tarball packs the build)`);
  }
  work = mkdtempSync(join(tmpdir(), 'tinysense-external-'));
  // Outside the repository: nothing above the app may resolve 'tinysense' by accident.
  expect(relative(PACKAGE_ROOT, work).startsWith('..')).toBe(true);
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);

  app = join(work, 'sine-app');
  const installed = join(app, 'node_modules', 'tinysense');
  mkdirSync(installed, { recursive: true });
  // What `npm install <tarball>` puts into node_modules/tinysense; the tarball's dependencies are linked
  // from this checkout's node_modules rather than fetched (the test runs offline).
  execFileSync('tar', ['xzf', join(work, tarball), '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(execFileSync('tar', ['xzOf', join(work, tarball), 'package/package.json'], { encoding: 'utf8' })) as { dependencies: Record<string, string> };
  for (const dep of [...Object.keys(manifest.dependencies), 'vitest']) {
    const link = join(app, 'node_modules', dep);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(PACKAGE_ROOT, 'node_modules', dep), link, 'dir');
  }

  mkdirSync(join(app, 'src'));
  mkdirSync(join(app, 'test'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sine-app', private: true, type: 'module', dependencies: { tinysense: `file:../${tarball}` } }, null, 2));
  writeFileSync(join(app, 'tinysense.json'), JSON.stringify({ entry: 'src/app.ts', model: 'sine.tflite' }, null, 2));
  copyFileSync(join(MODELS_DIR, 'hello_world', 'hello_world_int8.tflite'), join(app, 'sine.tflite'));
  writeFileSync(join(app, 'src', 'app.ts'), APP_TS);
  writeFileSync(join(app, 'test', 'app.test.ts'), APP_TEST);
  // simulate() builds the app first (rollup, TypeScript): seconds, more than vitest's default 5 s.
  writeFileSync(join(app, 'vitest.config.ts'), "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { testTimeout: 120_000 } });\n");
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('an app outside the repository, with tinysense installed from its tarball', () => {
  it('the tarball holds the device sources the build bundles, and no tests, nor examples or models beyond what `tinysense init` copies', () => {
    const pkg = join(app, 'node_modules', 'tinysense');
    expect(existsSync(join(pkg, 'device', 'index.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'host', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'types', 'espruino.d.ts'))).toBe(true);
    for (const absent of ['test', 'bench']) expect(existsSync(join(pkg, absent)), absent).toBe(false);
    // The templates' files (host/init.ts) and the recordings their JSON traces name, nothing else.
    const copied = new Set<string>(['models/NOTICE']);
    for (const template of listTemplates()) {
      for (const from of Object.values(loadTemplate(template).copy)) {
        copied.add(from);
        if (!from.endsWith('.json')) continue;
        const trace = JSON.parse(readFileSync(join(PACKAGE_ROOT, from), 'utf8')) as { frames?: { file: string }[]; parts?: { file: string }[] };
        for (const f of [...(trace.frames ?? []), ...(trace.parts ?? [])]) copied.add(relative(PACKAGE_ROOT, join(PACKAGE_ROOT, from, '..', f.file)));
      }
    }
    const shipped = (dir: string): string[] =>
      readdirSync(join(pkg, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(pkg, join(e.parentPath, e.name)));
    expect([...shipped('examples'), ...shipped('models')].sort()).toEqual([...copied].sort());
  });

  it('`tinysense build` bundles tinysense/device into the app, with no warning about it', () => {
    const r = run(app, process.execPath, [CLI(), 'build', '.', '--board', 'JOLTJS']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toMatch(/TS\d{4}|could not be resolved|external|no exported member/);
    const bundle = join(app, 'dist', 'sine-app-JOLTJS', 'app.js');
    expect(existsSync(bundle)).toBe(true);
    // Bundled, not left as an import the board could not satisfy.
    const code = readFileSync(bundle, 'utf8');
    expect(code).not.toMatch(/tinysense\/device/);
    expect(code).toMatch(/function openModel/);
  });

  it('its own vitest test, importing tinysense/host, simulates the app and passes', () => {
    const r = run(app, process.execPath, [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], 180_000);
    expect(r.out).toMatch(/1 passed/);
    expect(r.status, r.out).toBe(0);
  }, 200_000);

  it('an app importing tinysense/host (Node-only) is refused, saying what to import instead', () => {
    writeFileSync(join(app, 'src', 'wrong.ts'), "import { simulate } from 'tinysense/host';\nsimulate({ board: 'JOLTJS' });\n");
    const r = run(app, process.execPath, [CLI(), 'build', 'src/wrong.ts', '--board', 'JOLTJS', '--model', 'sine.tflite']);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/"tinysense\/host" cannot go into an app bundle: an app imports the device API from 'tinysense\/device'/);
  });
});
