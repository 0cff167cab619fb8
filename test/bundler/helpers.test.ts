/**
 * The Espruino emit helpers (host/bundler/espruino-tslib.js): they pass the
 * Espruino compat rules themselves, and TypeScript features that need them
 * give the same results in a sandbox stripped like Espruino as the ES2020
 * build gives natively.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { describe, expect, it } from 'vitest';
import { checkEspruinoCompat, formatCompat } from '../../host/bundler/compat.js';
import { ESPRUINO_HELPERS, ESPRUINO_TSLIB } from '../../host/engines/espruino.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { FEATURES, bundle, espruinoSandbox, plainSandbox, waitForOutput } from './support.js';

/** The helper module as a script that puts every helper on a global `h`. */
async function helpersScript(): Promise<string> {
  const build = await rollup({ input: ESPRUINO_TSLIB });
  const { output } = await build.generate({ format: 'iife', name: 'h', strict: false, freeze: false, generatedCode: 'es5' });
  await build.close();
  return output[0].code;
}

async function runFeatures(engine: 'espruino' | 'jerryscript', downlevelIteration = false): Promise<unknown> {
  const built = await bundle(FEATURES, {
    board: engine === 'espruino' ? 'ESP32' : 'ESP32_JERRYSCRIPT',
    budget: 'warn',
    // The fixture's generators need IterableIterator, which the ES5 lib of Espruino builds does not declare:
    // this test is about the emitted helpers, not the types.
    typecheck: false,
    typescript: { compilerOptions: { downlevelIteration } },
  });
  const sandbox = engine === 'espruino' ? espruinoSandbox() : plainSandbox();
  sandbox.run(built.code);
  const [line] = await waitForOutput(sandbox);
  expect(line, 'the features script printed nothing (did a promise reject?)').toBeDefined();
  return { results: JSON.parse(line) as unknown, code: built.code, compat: built.report.compat };
}

describe('Espruino emit helpers', () => {
  it('provide every helper the plugin allows, and pass the Espruino compat rules', async () => {
    const script = await helpersScript();
    const sandbox = espruinoSandbox();
    sandbox.run(script);
    expect(Object.keys(sandbox.run('h') as object).sort()).toEqual([...ESPRUINO_HELPERS].sort());
    const compat = checkEspruinoCompat(script);
    expect(compat.issues, formatCompat(compat)).toEqual([]);
  });

  it('the sandbox lacks what Espruino lacks, so that tslib itself fails there', async () => {
    const sandbox = espruinoSandbox();
    expect(sandbox.run('typeof Symbol + typeof Map + typeof Math.imul + typeof Object.setPrototypeOf')).toBe('undefinedundefinedundefinedundefined');
    expect(() => sandbox.run('Array.prototype.slice')).toThrow(/undefined on Espruino/);
    expect(sandbox.run('[1, 2, 3].slice(1).length')).toBe(2);
    // tslib's own __spreadArray and __assign-style loops read built-ins through X.prototype.
    const tslib = readFileSync(join(PACKAGE_ROOT, 'node_modules', 'tslib', 'tslib.es6.js'), 'utf8');
    const spread = tslib.slice(tslib.indexOf('export function __spreadArray('), tslib.indexOf('export function __await('));
    sandbox.run(spread.replace('export function __spreadArray(', 'var tslibSpread = function ('));
    expect(() => sandbox.run('tslibSpread([], [1, 2])')).toThrow(/Array\.prototype\.slice is undefined/);
    sandbox.run(await helpersScript());
    expect(sandbox.run('JSON.stringify(h.__spreadArray([0], [1, 2]))')).toBe('[0,1,2]');
  });

  it('behave like tslib on the edge cases TypeScript relies on', async () => {
    const sandbox = espruinoSandbox();
    sandbox.run(await helpersScript());
    const run = (code: string): unknown => JSON.parse(sandbox.run(`JSON.stringify((function () { ${code} })())`) as string);
    // Statics are copied, the prototype chain and constructor are set, null parents are allowed.
    expect(run('function B() {} B.s = 1; function D() {} h.__extends(D, B); var d = new D(); return [D.s, d instanceof B, d.constructor === D];')).toEqual([1, true, true]);
    // Statics are a copy taken by __extends (Espruino looks properties of functions up on Function.prototype,
    // never through __proto__, so they cannot be inherited live as Object.setPrototypeOf would).
    expect(run('function B() {} B.s = 1; function D() {} h.__extends(D, B); B.s = 2; return D.s;')).toBe(1);
    expect(run('function D() {} h.__extends(D, null); return Object.getPrototypeOf(D.prototype);')).toBeNull();
    expect(() => sandbox.run('h.__extends(function () {}, 3)')).toThrow(/not a constructor or null/);
    // Object spread skips null/undefined sources; rest leaves the named keys out.
    expect(run('return [h.__assign({}, null, { a: 1 }, undefined, { b: 2 }), h.__rest({ a: 1, b: 2, c: 3 }, ["a"])];')).toEqual([{ a: 1, b: 2 }, { b: 2, c: 3 }]);
    // Spread of arguments and strings; the target array is not mutated.
    expect(run('var to = [0]; var r = h.__spreadArray(to, "ab"); return [r, to, (function () { return h.__spreadArray([], arguments); })(1, 2)];')).toEqual([[0, 'a', 'b'], [0], [1, 2]]);
    // __values iterates array-likes; __read refuses what it cannot index.
    expect(run('var it = h.__values([7, 8]); return [it.next(), it.next(), it.next()];')).toEqual([{ value: 7, done: false }, { value: 8, done: false }, { done: true }]);
    expect(() => sandbox.run('h.__read(5)')).toThrow(/only arrays and strings/);
    // Tagged template objects carry raw strings.
    expect(run('var t = h.__makeTemplateObject(["a\\n"], ["a\\\\n"]); return [t[0], t.raw[0]];')).toEqual(['a\n', 'a\\n']);
    // A generator asked to throw before it started ends without running its body.
    expect(() => sandbox.run('var ran = false; var g = h.__generator(null, function () { ran = true; return [2]; }); g["throw"](new Error("early"));')).toThrow('early');
    expect(sandbox.run('ran')).toBe(false);
  });

  it('run TypeScript classes, spreads, destructuring, tagged templates, generators and async in the stripped sandbox as ES2020 runs them natively', async () => {
    const espruino = (await runFeatures('espruino')) as { results: unknown; code: string; compat: { issues: unknown[] } };
    const native = (await runFeatures('jerryscript')) as { results: unknown };
    expect(espruino.results).toEqual(native.results);
    expect(espruino.compat.issues).toEqual([]);
    // The helpers really came from espruino-tslib.js, and the results are the expected ones.
    for (const helper of ['__extends', '__assign', '__rest', '__spreadArray', '__makeTemplateObject', '__awaiter', '__generator']) {
      expect(espruino.code).toContain(`function ${helper}(`);
    }
    expect(espruino.results).toEqual({
      classes: ['rect 10.0', '[square 9.0]', true, true, 'shapes: 2'],
      objects: [1, { b: 2, c: 3, d: 4 }, { a: 1, b: 20, c: 3 }],
      arrays: [[0, 1, 2, 3, 4], 16, 3, 5],
      destructuring: ['x', 'default', ['p', 'q'], ['A', 'B', 'C'], [2, 12]],
      tagged: 'a|b\\n|c:1,2',
      syntax: [6, 9, 'none', 1024, { dyn1: true }, 5, 'Low'],
      accessors: [0, 7],
      generator: [3, 2, 1, 'liftoff', true],
      async: [5, 'boom', 'finally', 0, 1],
    });
  });

  it('run the same features with downlevelIteration (__read, __values)', async () => {
    const espruino = (await runFeatures('espruino', true)) as { results: unknown; code: string };
    const native = (await runFeatures('jerryscript', true)) as { results: unknown };
    expect(espruino.code).toContain('function __read(');
    expect(espruino.code).toContain('function __values(');
    expect(espruino.results).toEqual(native.results);
  });
});
