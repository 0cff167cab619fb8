/**
 * The output transforms: function hoisting (Espruino does not hoist) and the
 * dependency-free minifier, both with source maps that keep every token's
 * original position; and the source map codec they share.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { checkEspruinoCompat } from '../../host/bundler/compat.js';
import { hoistFunctionDeclarations } from '../../host/bundler/hoist.js';
import { minify } from '../../host/bundler/minify.js';
import { SourceMapLookup, decodeMappings, encodeMappings, type Segment } from '../../host/bundler/sourcemap.js';

/** Runs a script in a fresh context and returns what it leaves in `out`. */
function run(code: string): unknown {
  const context = vm.createContext({});
  vm.runInContext(code, context);
  return JSON.parse(vm.runInContext('JSON.stringify(out)', context) as string);
}

/** For each token text, where it is in `before` and where it is in `after` must agree through the map. */
function expectTokensMapped(before: string, after: string, map: ConstructorParameters<typeof SourceMapLookup>[0], tokens: string[]): void {
  const lookup = new SourceMapLookup(map);
  const position = (code: string, text: string): { line: number; column: number } => {
    const at = code.indexOf(text);
    expect(at, `${text} not found`).toBeGreaterThanOrEqual(0);
    const lines = code.slice(0, at).split('\n');
    return { line: lines.length, column: lines[lines.length - 1].length };
  };
  for (const t of tokens) {
    const now = position(after, t);
    const then = position(before, t);
    expect(lookup.original(now.line, now.column), t).toMatchObject({ line: then.line, column: then.column });
  }
}

// TypeScript 5.9's ES5 emit of `class B extends A {}` with a method, as it reaches the bundle.
const TS_CLASS = `var out = [];
function __extends(d, b) { for (var p in b) d[p] = b[p]; function __() { this.constructor = d; } __.prototype = b.prototype; d.prototype = new __(); }
var A = /** @class */ (function () {
    function A() { this.kind = 'a'; }
    A.prototype.hello = function () { return 'hello ' + this.kind; };
    return A;
}());
var B = /** @class */ (function (_super) {
    __extends(B, _super);
    function B() {
        var _this = _super.call(this) || this;
        _this.kind = 'b';
        return _this;
    }
    B.prototype.shout = function () { return this.hello().toUpperCase(); };
    return B;
}(A));
out.push(new B().shout(), later());
function later() { return helper() + 1 }
var gap = 1
function helper() { return gap === undefined ? 40 : 41; }
`;

describe('function hoisting', () => {
  it('moves function declarations to the top of their scope, as JavaScript defines them', () => {
    const result = hoistFunctionDeclarations(TS_CLASS, 'app.js')!;
    // __extends, later and helper at the top level (after `var out`), __ inside __extends, B in its class scope.
    expect(result.moved).toBe(5);
    // Before: uses before declaration (what fails on Espruino). After: none.
    expect(checkEspruinoCompat(TS_CLASS).errors.map((e) => e.rule)).toContain('function-hoisting');
    expect(checkEspruinoCompat(result.code).errors).toEqual([]);
    expect(result.code.indexOf('function B()')).toBeLessThan(result.code.indexOf('__extends(B, _super)'));
    // Same behaviour in a real engine: hoisting changed nothing JavaScript can see ('gap' is undefined when helper runs, as before).
    expect(run(result.code)).toEqual(run(TS_CLASS));
    expect(run(result.code)).toEqual(['HELLO B', 41]);
  });

  it('keeps directives first, leaves block-level declarations, and adds a semicolon where a statement could run on', () => {
    const code = `function f() {\n  'use strict';\n  var a = g()\n  function g() { return 1; }\n  (a)\n  if (a) { function inner() {} }\n}`;
    const result = hoistFunctionDeclarations(code, 'x.js')!;
    expect(result.moved).toBe(1);
    expect(result.code).toMatch(/^function f\(\) \{\n {2}'use strict';\n {2}function g\(\) \{ return 1; \}\nvar a = g\(\)\n {2};\n {2}\(a\)/);
    expect(result.code).toContain('if (a) { function inner() {} }');
    expect(hoistFunctionDeclarations('function a() {} function b() {} var c = 1;', 'x.js')).toBeNull();
  });

  it('maps every moved token back to where it was', () => {
    const result = hoistFunctionDeclarations(TS_CLASS, 'app.js')!;
    expectTokensMapped(TS_CLASS, result.code, result.map, ['function B()', '_this.kind', 'function later()', 'return gap', "'hello '"]);
  });
});

describe('minify', () => {
  const code = `// a comment
/** A doc comment. */
function add(a, b) {
    return a + b; // trailing
}
var s = 'keep   spaces' + \`tpl \${ add(1, 2) }
second line\`;
var r = /a b/g, d = 4 / 2 / 1;
var u = a + +b - -c, n = 1 .toString();
var x = 1
var y = (x)
`;
  it('drops comments and indentation but keeps tokens and line breaks', () => {
    const { code: small } = minify(code, 'app.js');
    expect(small).not.toContain('comment');
    expect(small).toContain("'keep   spaces'");
    expect(small).toContain('`tpl ${add(1,2)}\nsecond line`');
    expect(small).toContain('/a b/g');
    expect(small).toContain('a+ +b- -c');
    expect(small).toContain('1 .toString()');
    expect(small.length).toBeLessThan(code.length * 0.75);
    // Line breaks are kept, so automatic semicolon insertion is the same.
    expect(small).toContain('var x=1\nvar y=(x)');
    const b = 7, c = 3;
    const context = vm.createContext({ a: 5, b, c });
    vm.runInContext(small, context);
    expect(vm.runInContext('[s, r.source, d, u, n, y]', context)).toEqual(['keep   spaces' + 'tpl 3\nsecond line', 'a b', 2, 5 + +b - -c, '1', 1]);
  });

  it('maps tokens back to the input', () => {
    const { code: small, map } = minify(code, 'app.js');
    expectTokensMapped(code, small, map, ['function add', 'return a', "'keep   spaces'", 'add(1', '/a b/g', 'var y']);
  });
});

describe('source map codec', () => {
  it('round-trips segments and finds the segment at or before a column', () => {
    const lines: Segment[][] = [[[0, 0, 0, 0], [5, 0, 0, 7, 0]], [], [[2], [4, 1, 10, 3]]];
    const mappings = encodeMappings(lines);
    expect(decodeMappings(mappings)).toEqual(lines);
    const lookup = new SourceMapLookup({ version: 3, sources: ['a.ts', 'b.ts'], names: ['x'], mappings });
    expect(lookup.original(1, 6)).toEqual({ source: 'a.ts', line: 1, column: 7 });
    expect(lookup.original(3, 0)).toEqual({ source: 'b.ts', line: 11, column: 3 });
    expect(lookup.original(2, 0)).toBeUndefined();
  });
});
