/**
 * The Espruino compatibility rules: every rule fires on a snippet that uses
 * what it rejects and stays quiet on a clean equivalent; positions map back
 * through a source map; the JerryScript check rejects what is past ES2020.
 */
import { describe, expect, it } from 'vitest';
import {
  ESPRUINO_RULES, checkEspruinoCompat, checkJerryScriptCompat, espruinoRegexProblems, formatCompat, formatCompatIssue,
} from '../../host/bundler/compat.js';
import { encodeMappings } from '../../host/bundler/sourcemap.js';

/** Per rule: snippets it must reject, and clean code it must accept. */
const CASES: Record<string, { bad: string[]; good: string[] }> = {
  destructuring: { bad: ['var { a } = o;', 'var [a, b] = arr;', 'function f({ a }) { return a; }'], good: ['var a = o.a, b = arr[1];'] },
  'default-parameters': { bad: ['function f(a, b = 1) { return a + b; }', 'var g = (x = 2) => x;'], good: ['function f(a, b) { if (b === undefined) b = 1; return a + b; }'] },
  'spread-rest': { bad: ['f(...args);', 'var c = [...a, 1];', 'var o2 = { ...o };', 'function f(...rest) { return rest; }'], good: ['f.apply(null, args); var c = a.concat([1]);'] },
  'async-generators': { bad: ['async function f() { await g(); }', 'function* gen() { yield 1; }', 'var h = async () => 1;'], good: ['function f() { return g().then(function (v) { return v; }); }'] },
  'optional-chaining': { bad: ['var v = a?.b;', 'f?.();'], good: ['var v = a && a.b; var n = a ?? 0;'] },
  'exponent-operator': { bad: ['var p = 2 ** 8;', 'x **= 2;'], good: ['var p = Math.pow(2, 8);'] },
  'logical-assignment': { bad: ['a ||= 1;', 'a &&= b;', 'a ??= c;'], good: ['a = a || 1; a |= 2;'] },
  bigint: { bad: ['var big = 10n;'], good: ['var n = 10; var h = 0x1f; var b = 0b101; var sep = 1_000;'] },
  'tagged-template': { bad: ['var s = tag`x${1}`;'], good: ['var s = `x${1}`;'] },
  labels: { bad: ['outer: for (;;) { for (;;) { break outer; } }', 'loop: while (a) { continue loop; }'], good: ['for (;;) { if (a) break; }'] },
  with: { bad: ['with (obj) { a = 1; }'], good: ['obj.a = 1;'] },
  'computed-keys': { bad: ['var o = { [k]: 1 };', 'class A { ["m"]() {} }', 'class B { "quoted"() {} }'], good: ['var o = {}; o[k] = 1; var p = { "s": 1, 2: 3, get x() { return 1; } };'] },
  'class-extends': { bad: ['class A extends mixin(B) {}', 'var C = class extends ns.Base {};'], good: ['class A extends B { constructor() { super(); } static s() {} }'] },
  'class-private-static-block': { bad: ['class A { #x = 1; }', 'class B { static { init(); } }'], good: ['class A { constructor() { this._x = 1; } }'] },
  'modules-meta': { bad: ['function F() { return new.target; }', 'import("./x.js");'], good: ['var m = require("Storage");'] },
  'switch-default-last': { bad: ['switch (x) { case 1: a(); break; default: b(); break; case 2: c(); }'], good: ['switch (x) { case 1: a(); break; case 2: c(); break; default: b(); }'] },
  'function-hoisting': {
    bad: ['var r = f(); function f() { return 1; }', '(function () { g(); function g() {} })();', 'var D = (function (_super) { __extends(D, _super); function D() {} return D; }(B));'],
    good: ['function f() { return 1; } var r = f();', 'var later = function () { return h(); }; function h() { return 2; }'],
  },
  'return-newline': { bad: ['function f() {\n  return\n  42\n}'], good: ['function f() {\n  return 42;\n}', 'function g() {\n  return;\n}'] },
  'string-line-continuation': { bad: ['var s = "one \\\ntwo";'], good: ['var s = "one " +\n  "two"; var t = `one\ntwo`;'] },
  'reserved-identifier': { bad: ['var of = 1;', 'function f(static) { return static; }', 'var undefined = 2;'], good: ['var o = { of: 1, static: 2 }; o.of = o.static; var u = undefined;'] },
  regex: {
    bad: ['var r = /a?b/;', 'var r = /\\bword/;', 'var r = /(?:x)/;', 'var r = /x{2}/;', 'var r = /(ab)+/;', 'var r = /a/m;', 'var r = /(a|b)c/;', 'var r = new RegExp("a?", "y");'],
    good: ['var r = /^[a-z0-9_]+\\.txt$/gi; var s = /a*b+|c/; var t = /[\\b\\d\\s]x\\./; var u = new RegExp("ab+c", "g");'],
  },
  'missing-global': {
    bad: ['var m = new Map();', 'var s = Symbol("x");', 'var w = new WeakMap();', 'Reflect.ownKeys(o);'],
    good: ['if (typeof Map !== "undefined") use(); var Set = function () {}; var s = new Set(); var p = Promise.resolve(1); var g = globalThis;'],
  },
  'missing-static': {
    bad: ['var x = Math.imul(a, b);', 'var a = Array.from(s);', 'Object.freeze(o);', 'var i = Number.isInteger(n);', 'var r = Promise.race([p]);', 'var t = Math.trunc(x);'],
    good: [
      'var x = Math.floor(a * b); var k = Object.keys(o); var as = Object.assign({}, o); var arr = Array.isArray(a); var e = Math.E; var j = JSON.stringify(o);',
      'if (!Math.imul) Math.imul = function (a, b) { return (a * b) | 0; }; var y = Math.imul(2, 3);',
      'var f = Math.trunc || Math.floor; var b = Math.clip(x, 0, 1);',
    ],
  },
  'prototype-builtin': {
    bad: ['var args = Array.prototype.slice.call(arguments);', 'var own = Object.prototype.hasOwnProperty.call(o, "k");', 'var s = String.prototype.trim;'],
    good: ['var args = [].slice.call(arguments); var own = o.hasOwnProperty("k"); function A() {} A.prototype.m = function () {}; var m = A.prototype.m;',
      'Array.prototype.last = function () { return this[this.length - 1]; }; var l = Array.prototype.last; var c = Array.prototype.constructor;'],
  },
  'missing-method': { bad: ['var f = a.flat();', 'var s = str.trimStart();', 'var i = a.at(-1);'], good: ['var f = a.slice(1); var s = str.trim(); var l = a[a.length - 1];'] },
  'let-const': { bad: ['let a = 1;', 'const b = 2;'], good: ['var a = 1;'] },
  'for-of': { bad: ['for (var x of xs) use(x);'], good: ['for (var i = 0; i < xs.length; i++) use(xs[i]); for (var k in o) use(k);'] },
};

function ruleIds(code: string): string[] {
  return [...new Set(checkEspruinoCompat(code).issues.map((i) => i.rule))];
}

describe('Espruino compat rules', () => {
  it('every rule has a test case, an explanation and a source', () => {
    expect(Object.keys(CASES).sort()).toEqual(ESPRUINO_RULES.map((r) => r.id).sort());
    for (const rule of ESPRUINO_RULES) {
      expect(rule.what.length).toBeGreaterThan(10);
      // Every "why" names where it was checked: Espruino's source or its feature list.
      expect(rule.why).toMatch(/src\/js\w+\.[ch]|Features\.md|jswrap/);
    }
  });

  for (const rule of ESPRUINO_RULES) {
    describe(rule.id, () => {
      for (const bad of CASES[rule.id].bad) {
        it(`rejects ${JSON.stringify(bad)}`, () => {
          const result = checkEspruinoCompat(bad);
          const mine = result.issues.filter((i) => i.rule === rule.id);
          expect(mine.length, formatCompat(result)).toBeGreaterThan(0);
          expect(mine[0].severity).toBe(rule.severity);
          if (rule.severity === 'error') expect(result.ok).toBe(false);
        });
      }
      for (const good of CASES[rule.id].good) {
        it(`accepts ${JSON.stringify(good)}`, () => {
          expect(ruleIds(good)).not.toContain(rule.id);
        });
      }
    });
  }

  it('accepts the kind of ES5 that TypeScript emits for the device runtime', () => {
    const es5 = `(function () {
      function Model(pack) { this.pack = pack; }
      Model.prototype.invoke = function () { for (var i = 0; i < this.pack.length; i++) this.step(i); };
      var OP = { CONV_2D: 1 }; var names = []; for (var n in OP) names[OP[n]] = n;
      var buf = new Uint8Array(16); var view = new Int8Array(buf.buffer, 4, 8);
      var s = 'x' + JSON.stringify({ a: [1, 2] }) + Math.max(1, 2) + (5).toFixed(1);
      try { throw new Error('e'); } catch (e) { print(e.message); } finally { s = ''; }
      setInterval(function () { print(require('Storage').list()); }, 1000);
    })();`;
    const result = checkEspruinoCompat(es5);
    expect(result.issues, formatCompat(result)).toEqual([]);
  });

  it('reports a bundle that does not parse', () => {
    const result = checkEspruinoCompat('var = ;');
    expect(result.ok).toBe(false);
    expect(result.errors[0].rule).toBe('syntax');
  });

  it('names the original file and line through the source map', () => {
    // Generated line 2 ("var m = new Map();") maps to app.ts line 7, column 4.
    const code = 'var ok = 1;\nvar m = new Map();\n';
    const mappings = encodeMappings([[[0, 0, 0, 0]], [[0, 0, 6, 0], [8, 0, 6, 4]]]);
    const result = checkEspruinoCompat(code, { map: { version: 3, sources: ['src/app.ts'], names: [], mappings } });
    const issue = result.errors.find((i) => i.rule === 'missing-global')!;
    expect(issue.original).toEqual({ source: 'src/app.ts', line: 7, column: 4 });
    expect(formatCompatIssue(issue, 'app.js')).toBe('src/app.ts:7:5 (app.js:2): error [missing-global] Map does not exist on Espruino');
  });

  it('lists regular expression problems by kind', () => {
    expect(espruinoRegexProblems('^[a-z]+$', 'gi')).toEqual([]);
    expect(espruinoRegexProblems('(?=x)\\1\\p{L}', 'u')).toEqual([
      "flag 'u' (only g and i are implemented)", 'group (?=...) (only plain capturing groups)', 'backreference \\1', 'escape \\p',
    ]);
  });
});

describe('JerryScript compat', () => {
  it('accepts ES2020 and rejects what came later', () => {
    expect(checkJerryScriptCompat('class A { m() { return a?.b ?? 2n; } } async function f() { for await (const x of y) {} }').ok).toBe(true);
    const later = checkJerryScriptCompat('a ||= 1;');
    expect(later.ok).toBe(false);
    expect(later.errors[0].rule).toBe('es2020');
    expect(checkJerryScriptCompat('class B { static #p = 1; }').ok).toBe(false);
  });
});
