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
import { MISSING_GLOBALS, missingMethodPaths, missingStaticPaths } from '../engines/espruino-2v29.js';

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

/** Derived from host/engines/espruino-2v29.ts, which the build's compatibility check reads too. */
export const ESPRUINO_PROFILE: EngineProfile = {
  name: 'Espruino 2v29',
  missingGlobals: [...MISSING_GLOBALS],
  missingStatics: missingStaticPaths(),
  missingMethods: missingMethodPaths(),
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
      // %TypedArray%.prototype has no global name: reach it through Int8Array.
      var proto = parts[0] === 'TypedArray' ? Object.getPrototypeOf(g.Int8Array.prototype) : g[parts[0]].prototype;
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
