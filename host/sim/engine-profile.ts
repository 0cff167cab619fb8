/**
 * Engine profiles: what the simulator's sandbox takes away so that code that
 * would fail on the board fails in simulation too.
 *
 * The Espruino list was derived from Espruino's own source (2v29): every
 * built-in is declared by a JSON block in src/jswrap_*.c; what below has no
 * block there does not exist on the board. Built-in methods also are not
 * reachable through X.prototype on Espruino (they are looked up by name on
 * the value's type), so `Array.prototype.slice` is undefined there; the
 * sandbox makes such accesses throw with a message that says why.
 */
import vm from 'node:vm';

export interface EngineProfile {
  name: string;
  /** Globals that do not exist. */
  missingGlobals: string[];
  /** Static members that do not exist, as 'Object.freeze'. */
  missingStatics: string[];
  /** Instance methods that do not exist, as 'Array.prototype.flat'. */
  missingMethods: string[];
  /** Prototypes whose built-in methods cannot be reached as X.prototype.method. */
  hiddenPrototypes: string[];
}

export const ESPRUINO_PROFILE: EngineProfile = {
  name: 'Espruino 2v29',
  missingGlobals: [
    'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Symbol', 'Proxy', 'Reflect', 'BigInt',
    'BigInt64Array', 'BigUint64Array', 'Intl', 'SharedArrayBuffer', 'Atomics', 'queueMicrotask', 'structuredClone',
    'TextEncoder', 'TextDecoder', 'WebAssembly', 'Iterator', 'AggregateError',
  ],
  missingStatics: [
    'Object.freeze', 'Object.seal', 'Object.isFrozen', 'Object.is', 'Object.getOwnPropertySymbols', 'Object.preventExtensions',
    'Array.from', 'Array.of',
    'Math.imul', 'Math.clz32', 'Math.trunc', 'Math.log2', 'Math.log10', 'Math.hypot', 'Math.cbrt', 'Math.fround',
    'Math.expm1', 'Math.log1p', 'Math.sinh', 'Math.cosh', 'Math.tanh', 'Math.asinh', 'Math.acosh', 'Math.atanh',
    'Number.isInteger', 'Number.isFinite', 'Number.isNaN', 'Number.isSafeInteger', 'Number.parseFloat', 'Number.parseInt',
    'Number.EPSILON', 'Number.MAX_SAFE_INTEGER', 'Number.MIN_SAFE_INTEGER',
    'String.fromCodePoint', 'String.raw',
  ],
  missingMethods: [
    'Array.prototype.findLast', 'Array.prototype.flat', 'Array.prototype.flatMap', 'Array.prototype.copyWithin',
    'Array.prototype.entries', 'Array.prototype.keys', 'Array.prototype.values', 'Array.prototype.reduceRight',
    'Array.prototype.lastIndexOf', 'Array.prototype.at',
    'String.prototype.trimStart', 'String.prototype.trimEnd', 'String.prototype.codePointAt', 'String.prototype.normalize',
    'String.prototype.at', 'String.prototype.matchAll',
  ],
  hiddenPrototypes: ['Object', 'Array', 'String', 'Number', 'Function', 'Boolean'],
};

/** JerryScript v3 is ES2020+ with typed arrays: nothing to take away for the code tinysense emits. */
export const JERRYSCRIPT_PROFILE: EngineProfile = {
  name: 'JerryScript 3.0',
  missingGlobals: ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'Intl'],
  missingStatics: [],
  missingMethods: [],
  hiddenPrototypes: [],
};

/** Applies a profile to a vm context's own built-ins (its intrinsics, not the host's). */
export function applyProfile(context: vm.Context, profile: EngineProfile): void {
  const setup = `(function (profile) {
    var g = this;
    profile.missingGlobals.forEach(function (name) { delete g[name]; });
    profile.missingStatics.forEach(function (path) {
      var parts = path.split('.');
      var owner = g[parts[0]];
      if (owner) delete owner[parts[1]];
    });
    profile.missingMethods.forEach(function (path) {
      var parts = path.split('.');
      var proto = g[parts[0]].prototype;
      // Undefined, as on the board, so feature tests see the truth.
      delete proto[parts[2]];
    });
    profile.hiddenPrototypes.forEach(function (name) {
      var proto = g[name].prototype;
      Object.getOwnPropertyNames(proto).forEach(function (key) {
        if (key === 'constructor') return;
        var d = Object.getOwnPropertyDescriptor(proto, key);
        if (!d || typeof d.value !== 'function') return;
        var original = d.value;
        Object.defineProperty(proto, key, {
          configurable: true,
          enumerable: false,
          get: function () {
            if (this === proto) {
              throw new TypeError(name + '.prototype.' + key + ' is undefined on ' + profile.name +
                ': built-in methods are not reachable through X.prototype (call them on a value instead)');
            }
            return original;
          },
          set: function (v) { Object.defineProperty(this, key, { value: v, writable: true, configurable: true, enumerable: true }); },
        });
      });
    });
  })`;
  const fn = vm.runInContext(setup, context) as (this: unknown, p: EngineProfile) => void;
  fn.call(vm.runInContext('this', context), JSON.parse(JSON.stringify(profile)) as EngineProfile);
}
