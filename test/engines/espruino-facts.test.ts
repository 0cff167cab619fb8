// One list of Espruino 2v29's built-ins (host/engines/espruino-2v29.ts) drives both the build's
// compatibility check and the simulator's engine profile: what one refuses, the other lacks.
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ESPRUINO_MISSING_METHODS, checkEspruinoCompat } from '../../host/bundler/compat.js';
import { MISSING_GLOBALS, missingMethodPaths, missingStaticPaths } from '../../host/engines/espruino-2v29.js';
import { ESPRUINO_PROFILE, applyProfile } from '../../host/sim/engine-profile.js';

function profiledContext(): vm.Context {
  const context = vm.createContext({});
  applyProfile(context, ESPRUINO_PROFILE);
  return context;
}

const rulesHit = (code: string) => checkEspruinoCompat(code).issues.map((i) => i.rule);

describe('Espruino 2v29 facts: the build check and the simulator agree', () => {
  const context = profiledContext();
  const run = (code: string) => vm.runInContext(code, context) as unknown;

  it('every missing global is refused by the build and absent in the simulator', () => {
    expect(ESPRUINO_PROFILE.missingGlobals).toEqual([...MISSING_GLOBALS]);
    for (const g of MISSING_GLOBALS) {
      expect(rulesHit(`var x = ${g};`), g).toContain('missing-global');
      expect(run(`typeof ${g}`), g).toBe('undefined');
    }
  });

  it('every missing static is refused by the build and absent in the simulator', () => {
    expect(ESPRUINO_PROFILE.missingStatics).toEqual(missingStaticPaths());
    for (const path of missingStaticPaths()) {
      expect(rulesHit(`var x = ${path};`), path).toContain('missing-static');
      // Number.EPSILON and the SAFE_INTEGER bounds are non-configurable in V8: no sandbox can delete
      // them, so only the build's check can catch those three.
      const [owner, name] = path.split('.');
      if (run(`(Object.getOwnPropertyDescriptor(${owner}, ${JSON.stringify(name)}) || {}).configurable`) === false) continue;
      expect(run(`typeof ${path}`), path).toBe('undefined');
    }
  });

  it('every method that no Espruino type has is flagged by the build and gone from every simulated prototype', () => {
    const protos = ['Array', 'String', 'Number', 'Function', 'Promise', 'Date', 'RegExp', 'Error', 'ArrayBuffer'];
    for (const m of ESPRUINO_MISSING_METHODS) {
      expect(rulesHit(`x.${m}(1);`), m).toContain('missing-method');
      for (const p of protos) {
        expect(run(`typeof Object.getOwnPropertyDescriptor(${p}.prototype, ${JSON.stringify(m)})`), `${p}.prototype.${m}`).toBe('undefined');
      }
      expect(run(`typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), ${JSON.stringify(m)})`), `TypedArray ${m}`).toBe('undefined');
    }
  });

  it('the lists the issue found apart now agree: finally and search gone in the simulator, entries/keys/values flagged by the build', () => {
    expect(missingMethodPaths()).toEqual(expect.arrayContaining(['Promise.prototype.finally', 'String.prototype.search', 'Array.prototype.lastIndexOf',
      'Array.prototype.entries', 'Array.prototype.keys', 'Array.prototype.values']));
    for (const m of ['finally', 'search', 'entries', 'keys', 'values']) expect(ESPRUINO_MISSING_METHODS).toContain(m);
    // lastIndexOf exists on strings, so a call cannot be judged without the receiver's type: the
    // simulator, which knows it, refuses it on arrays only.
    expect(ESPRUINO_MISSING_METHODS).not.toContain('lastIndexOf');
    expect(run('typeof [].lastIndexOf')).toBe('undefined');
    expect(run("typeof ''.lastIndexOf")).toBe('function');
    // Statics with the same names as missing methods are judged as statics.
    expect(rulesHit('var k = Object.keys({}), v = Object.values({}), e = Object.entries({});')).toEqual([]);
  });

  it('what Espruino has stays in the simulator', () => {
    for (const code of ['[1,2].indexOf(2)', "'ab'.padStart(3)", '(1.5).toFixed(1)', 'Object.keys({a:1}).length', 'new Date(0).getTime()', '/a/g.source']) {
      expect(() => run(code), code).not.toThrow();
    }
  });
});
