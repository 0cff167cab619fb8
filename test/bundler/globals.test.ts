// Issue 14, item 4: typed globals per engine and board (host/bundler/globals.ts), and the build refuses a
// global the target board lacks (host/bundler/globals-check.ts), each failure with its exact message; the
// examples' apps (which the templates copy) and the templates build clean on every board they list.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../host/bundler/index.js';
import { BOARDS_DIR, loadBoard, pinNames, validateBoard } from '../../host/bundler/boards.js';
import { boardGlobals, boardGlobalsDts, missingGlobals } from '../../host/bundler/globals.js';
import { freeReferences } from '../../host/bundler/globals-check.js';
import { GLOBALS } from '../../host/engines/espruino-2v29.js';
import { initApp, listTemplates, loadTemplate } from '../../host/init.js';
import { parse } from 'acorn';
import { appFolder, cli } from '../cli/helpers.js';

const names = (board: string) => boardGlobals(loadBoard(board)).map((g) => g.name);
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Builds app.ts (and tinysense.json, when given) in a fresh folder for the board with the CLI. */
async function build(board: string, app: string, project?: object) {
  const dir = appFolder({ 'app.ts': app, ...(project ? { 'tinysense.json': JSON.stringify({ entry: 'app.ts', ...project }) } : {}) });
  made.push(dir);
  const r = await cli(['build', project ? dir : join(dir, 'app.ts'), '--board', board, '-o', join(dir, 'dist')]);
  return { ...r, file: relative(process.cwd(), join(dir, 'app.ts')) };
}

describe('the globals of each board', () => {
  it('come from the engine facts (every Espruino board) and the board file (objects, pins, interfaces)', () => {
    const bangle = names('BANGLEJS2');
    const jolt = names('JOLTJS');
    for (const g of GLOBALS) {
      expect(bangle).toContain(g);
      expect(jolt).toContain(g);
    }
    expect(bangle).toEqual(expect.arrayContaining(['Bangle', 'g', 'NRF', 'BTN1', 'LED1', 'D47', 'SPI1', 'I2C1', 'Serial2']));
    expect(bangle).not.toContain('SPI2');
    expect(bangle).not.toContain('Jolt');
    expect(jolt).toEqual(expect.arrayContaining(['Jolt', 'Q0', 'Q3', 'H0', 'H7', 'LED3', 'SPI3', 'I2C2', 'USB', 'NRF']));
    expect(jolt).not.toContain('Bangle');
    expect(jolt).not.toContain('g');
    expect(names('ESP32')).toEqual(expect.arrayContaining(['ESP32', 'D39', 'NRF']));
    expect(names('ESP32')).not.toContain('D40');
    expect(names('ESP32_JERRYSCRIPT')).toEqual(['tinysense', 'print', 'console']);
  });

  it("are declared with their types: Bangle.js 2's E has the Bangle additions, JerryScript's tinysense the firmware natives", () => {
    const bangle = boardGlobalsDts(loadBoard('BANGLEJS2'), '/pkg');
    expect(bangle).toContain('/// <reference path="/pkg/types/espruino.d.ts" />');
    expect(bangle).toContain("declare var Bangle: Espruino.Globals['Bangle'];");
    expect(bangle).toContain('declare var E: Espruino.E & Espruino.BangleE;');
    expect(bangle).toContain('declare var BTN1: Espruino.Pin;');
    expect(boardGlobalsDts(loadBoard('JOLTJS'), '/pkg')).toContain("declare var E: Espruino.Globals['E'];");
    const jerry = boardGlobalsDts(loadBoard('ESP32_JERRYSCRIPT'), '/pkg');
    expect(jerry).toContain('/// <reference path="/pkg/types/jerryscript.d.ts" />');
    expect(jerry).toContain("declare var tinysense: TinysenseJerry.Globals['tinysense'];");
    expect(jerry).not.toContain('declare var E');
  });

  it('a board file gives its pins as names or ranges, each checked', () => {
    const jolt = JSON.parse(readFileSync(join(BOARDS_DIR, 'JOLTJS.json'), 'utf8')) as Record<string, unknown>;
    expect(() => validateBoard({ ...jolt, pins: ['D0-D47', 'D0-X3', 7] }, 'x.json')).toThrow(
      'x.json: invalid board definition:\n  pins[1] must be a pin name or range such as "LED1" or "D0-D47" (got "D0-X3")\n  pins[2] must be a pin name or range such as "LED1" or "D0-D47" (got 7)',
    );
    expect(pinNames({ pins: ['D0-D2', 'BTN1'] })).toEqual(['D0', 'D1', 'D2', 'BTN1']);
  });

  it('what a board lacks is what another board has', () => {
    const jolt = missingGlobals(loadBoard('JOLTJS'));
    expect(jolt.get('Bangle')?.map((b) => b.id)).toEqual(['BANGLEJS2']);
    expect(jolt.get('LED4')?.map((b) => b.id)).toEqual(['NRF52840DK']);
    expect(jolt.has('E')).toBe(false);
    expect(missingGlobals(loadBoard('ESP32_JERRYSCRIPT')).get('E')?.map((b) => b.id)).toEqual(['BANGLEJS2', 'ESP32', 'JOLTJS', 'NRF52840DK']);
  });
});

describe('free references (the globals an app module reads)', () => {
  const free = (code: string) => freeReferences(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as never).map((u) => u.name);

  it('are the names no enclosing scope declares; typeof is a feature test', () => {
    expect(free('Bangle.on("accel", function (a) { print(a.x); });')).toEqual(['Bangle', 'print']);
    expect(free('var g = 1; function f(E) { return E + g; } f(2);')).toEqual([]);
    expect(free('if (typeof Bangle !== "undefined") x = 1;')).toEqual(['x']);
    expect(free('import { a } from "m"; const o = { Bangle: a, [k]: 1 }; o.Bangle; label: for (;;) break label;')).toEqual(['k']);
    expect(free('try { f(); } catch (E) { E.x; } (() => { let [g, ...h] = [1]; return g + h.length + arguments.length; })();')).toEqual(['f']);
    expect(free('class A { m() { return NRF; } } new A();')).toEqual(['NRF']);
  });
});

describe('the build refuses globals the target board lacks', () => {
  it('Bangle in a Jolt.js build: the global, where, the boards that have it and the target', async () => {
    const r = await build('JOLTJS', 'Bangle.buzz(200);\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'tinysense: the app uses a global that Jolt.js (JOLTJS) does not have (set "allowMissingGlobals": true in tinysense.json to build anyway, while prototyping):\n' +
        `  ${r.file}:1:1: Bangle is a global of Bangle.js 2 (BANGLEJS2), not of Jolt.js (JOLTJS)\n`,
    );
    expect(r.stdout).not.toContain('wrote');
  });

  it('with type errors too, the missing global comes first (the type errors often follow from it)', async () => {
    const r = await build('JOLTJS', "Bangle.on('accel', function (a) { print(a.x); });\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'tinysense: the app uses a global that Jolt.js (JOLTJS) does not have (set "allowMissingGlobals": true in tinysense.json to build anyway, while prototyping):\n' +
        `  ${r.file}:1:1: Bangle is a global of Bangle.js 2 (BANGLEJS2), not of Jolt.js (JOLTJS)\n` +
        'and has 1 type error (build with --no-typecheck, or typecheck: false, to bundle anyway):\n' +
        `  ${r.file}:1:30: TS7006: Parameter 'a' implicitly has an 'any' type.\n`,
    );
  });

  it('a declaration of its own (declare var Bangle: any) does not hide it, and every use is listed', async () => {
    const r = await build('JOLTJS', "declare var Bangle: any;\ndeclare var g: any;\nBangle.buzz();\ng.clear();\ndigitalWrite(LED4, 1);\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'tinysense: the app uses globals that Jolt.js (JOLTJS) does not have (set "allowMissingGlobals": true in tinysense.json to build anyway, while prototyping):\n' +
        `  ${r.file}:3:1: Bangle is a global of Bangle.js 2 (BANGLEJS2), not of Jolt.js (JOLTJS)\n` +
        `  ${r.file}:4:1: g is a global of Bangle.js 2 (BANGLEJS2), not of Jolt.js (JOLTJS)\n` +
        `  ${r.file}:5:14: LED4 is a global of nRF52840 Development Kit (NRF52840DK), not of Jolt.js (JOLTJS)\n`,
    );
  });

  it("Espruino's E in a JerryScript build", async () => {
    const r = await build('ESP32_JERRYSCRIPT', 'print(E.getTemperature());\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'tinysense: the app uses a global that ESP32 (JerryScript, ESP32_JERRYSCRIPT) does not have (set "allowMissingGlobals": true in tinysense.json to build anyway, while prototyping):\n' +
        `  ${r.file}:1:7: E is a global of Bangle.js 2 (BANGLEJS2), ESP32 (Espruino, ESP32), Jolt.js (JOLTJS), nRF52840 Development Kit (NRF52840DK), not of ESP32 (JerryScript, ESP32_JERRYSCRIPT)\n`,
    );
  });

  it("JerryScript's tinysense natives in an Espruino build, even with --no-typecheck", async () => {
    const dir = appFolder({ 'app.ts': 'print(tinysense.version);\n' });
    made.push(dir);
    const r = await cli(['build', join(dir, 'app.ts'), '--board', 'NRF52840DK', '-o', join(dir, 'dist'), '--no-typecheck']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${relative(process.cwd(), join(dir, 'app.ts'))}:1:7: tinysense is a global of ESP32 (JerryScript, ESP32_JERRYSCRIPT), not of nRF52840 Development Kit (NRF52840DK)`);
  });

  it('typeof Bangle (a feature test), locals named like globals, and the board\'s own globals build', async () => {
    const r = await build('JOLTJS', "var g = 2;\nfunction f(Bangle: number) { return Bangle + g; }\nif (typeof Bangle === 'undefined') print(f(1));\n");
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('"allowMissingGlobals": true in tinysense.json: warnings, and the build is written', async () => {
    const r = await build('JOLTJS', "Bangle.buzz();\n", { allowMissingGlobals: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`warning: ${r.file}:1:1: Bangle is a global of Bangle.js 2 (BANGLEJS2), not of Jolt.js (JOLTJS) (allowed: "allowMissingGlobals" in tinysense.json)\n`);
    expect(r.stdout).not.toContain('TS2304');
    expect(r.stdout).toMatch(/wrote \d+ files/);
  });

  it('"allowMissingGlobals" must be a boolean', async () => {
    const r = await build('JOLTJS', 'print(1);\n', { allowMissingGlobals: 'yes' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tinysense\.json: "allowMissingGlobals" must be true or false\n$/);
  });
});

describe('the board globals are typed, not any', () => {
  const BANGLE_APP = [
    "Bangle.on('accel', function (a) { print(a.x + a.mag); });",
    'Bangle.setPollInterval(80);',
    'g.clear().setColor(1, 0, 0).drawString("hi", 10, 10);',
    'E.showMessage("hello", "title");',
    'print(E.getBattery(), getTime(), NRF.getAddress(), require("Storage").list().length);',
    'setWatch(function (e) { digitalWrite(LED1, e.state); }, BTN1, { repeat: true, edge: "rising" });',
    'SPI1.setup({ sck: D2, mosi: D3, baud: 1000000 });',
    'I2C1.writeTo(0x1e, [1, 2]);',
    '',
  ].join('\n');

  it('a Bangle.js 2 app using Bangle, g, E, NRF, Storage, setWatch, pins, SPI1, I2C1 builds clean', async () => {
    const r = await build('BANGLEJS2', BANGLE_APP);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('warning');
  });

  it('a misuse of a board global is a type error', async () => {
    const r = await build('BANGLEJS2', "Bangle.on('accel', function (a) { print(a.q); });\nrequire('Storage').write('f', 1, 2, 3, 4);\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${r.file}:1:43: TS2339: Property 'q' does not exist on type 'AccelData'.`);
    expect(r.stderr).toContain(`${r.file}:2:40: TS2554: Expected 2-4 arguments, but got 5.`);
  });

  it('on JerryScript, the tinysense natives are typed from the device API', async () => {
    const ok = await build('ESP32_JERRYSCRIPT', 'print(tinysense.version, tinysense.memory().nativeFree);\n');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const bad = await build('ESP32_JERRYSCRIPT', 'print(tinysense.memory().free);\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${bad.file}:1:26: TS2339: Property 'free' does not exist on type 'JerryMemory'.`);
  });
});

describe('every template (the examples\' apps and models) builds clean on every board it lists', () => {
  for (const template of listTemplates()) {
    for (const board of loadTemplate(template).boards) {
      it(`${template} on ${board}`, async () => {
        const dir = mkdtempSync(join(tmpdir(), `tinysense-template-${template}-`));
        made.push(dir);
        const app = join(dir, 'app');
        initApp({ dir: app, board, template });
        const project = JSON.parse(readFileSync(join(app, 'tinysense.json'), 'utf8')) as { entry: string; model?: string; models?: Record<string, string> };
        const { report } = await buildApp({
          entry: join(app, project.entry),
          board,
          model: project.model && join(app, project.model),
          models: project.models && Object.fromEntries(Object.entries(project.models).map(([k, v]) => [k, join(app, v)])),
          outDir: join(dir, 'dist'),
        });
        expect(report.budget.fits).toBe(true);
        expect(report.warnings.filter((w) => /TS\d{4}|global of|could not be resolved/.test(w))).toEqual([]);
      }, 180_000);
    }
  }
});
