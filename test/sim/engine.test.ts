// The emulated Espruino: what the board lacks fails in simulation with a clear message, virtual time
// runs timers in order, and memory follows Espruino's flat-buffer rules.
import { describe, expect, it } from 'vitest';
import { BoardInfo, EspruinoBoard } from '../../host/sim/espruino.js';

const JOLT: BoardInfo = { id: 'JOLTJS', heapBytes: 168000, jsVarBytes: 14, storageMapped: true, storageBytes: 400000, objects: [] };
const BANGLE: BoardInfo = { ...JOLT, id: 'BANGLEJS2', storageMapped: false, objects: ['Bangle'] };

function board(info = JOLT, accel?: (t: number) => { x: number; y: number; z: number }) {
  const lines: string[] = [];
  const b = new EspruinoBoard(info, { output: (line, t) => lines.push(`${t}: ${line}`), accel });
  return { b, lines };
}

describe('Espruino engine profile', () => {
  const lacking: [string, RegExp][] = [
    ['Math.imul(2, 3)', /Math.imul is not a function/],
    ['new Map()', /Map is not defined/],
    ['new Set()', /Set is not defined/],
    ['Symbol.iterator', /Symbol is not defined/],
    ['Array.from([1])', /Array.from is not a function/],
    ['Object.freeze({})', /Object.freeze is not a function/],
    ['Array.prototype.slice.call([1, 2])', /Array\.prototype\.slice is undefined on Espruino.*not reachable through X\.prototype/],
    ['Object.prototype.hasOwnProperty.call({a: 1}, "a")', /Object\.prototype\.hasOwnProperty is undefined/],
    ['[1, [2]].flat()', /flat is not a function/],
    ['Number.isInteger(1)', /Number.isInteger is not a function/],
  ];
  for (const [code, message] of lacking) {
    it(`${code} fails as on the board`, () => {
      const { b } = board();
      expect(() => b.evaluate(code)).toThrow(message);
    });
  }

  it('what Espruino has still works, including methods called on values', () => {
    const { b } = board();
    expect(b.evaluate('[3, 1, 2].slice(1).concat([4]).indexOf(2)')).toBe(1);
    expect(b.evaluate('({a: 1}).hasOwnProperty("a")')).toBe(true);
    expect(b.evaluate('Object.assign({}, {a: 1}).a')).toBe(1);
    expect(b.evaluate('"abc".padStart(5, "-")')).toBe('--abc');
    expect(b.evaluate('new Int8Array(4).length')).toBe(4);
  });

  it('down-levelled destructuring runs, real destructuring is a syntax the compat check rejects', () => {
    const { b } = board();
    expect(b.evaluate('var _a = [1, 2], x = _a[0], y = _a[1]; x + y')).toBe(3);
  });

  it('an API the simulator does not emulate names itself', () => {
    const { b } = board();
    expect(() => b.evaluate('E.setBootCode("x")')).toThrow(/E.setBootCode is not emulated by the tinysense simulator/);
    expect(() => b.evaluate('require("Wifi")')).toThrow(/require\("Wifi"\): module not emulated/);
    expect(() => b.evaluate('SPI1.send([1], D9)')).toThrow(/no device on chip-select pin 9/);
  });
});

describe('virtual time', () => {
  it('runs timeouts and intervals in due order, without waiting', () => {
    const { b, lines } = board();
    const started = Date.now();
    b.run('setInterval(function () { print("tick", getTime()); }, 1000); setTimeout(function () { print("half"); }, 1500);');
    b.advance(3000);
    expect(lines).toEqual(['1000: tick 1', '1500: half', '2000: tick 2', '3000: tick 3']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('an uncaught error in a callback is printed and the board carries on', () => {
    const { b, lines } = board();
    b.run('setTimeout(function () { null.x; }, 10); setTimeout(function () { print("still here"); }, 20);');
    b.advance(100);
    expect(lines[0]).toMatch(/^10: Uncaught TypeError/);
    expect(lines[1]).toBe('20: still here');
    expect(b.errors).toHaveLength(1);
  });
});

describe('memory as native code sees it', () => {
  it('flat buffers get addresses; small ones are not flat', () => {
    const { b } = board();
    expect(b.evaluate('E.getAddressOf(new Uint8Array(64), true)')).toBeGreaterThan(0x20000000);
    expect(b.evaluate('E.getAddressOf(new Uint8Array(8), true)')).toBe(0);
  });

  it('a buffer larger than the free heap is OUT OF MEMORY, an interrupt (test/sim/oom.test.ts)', () => {
    const { b, lines } = board({ ...JOLT, heapBytes: 10000 });
    b.run('E.getAddressOf(new Uint8Array(20000), true)');
    expect(lines.map((l) => l.replace(/^\d+: /, ''))).toEqual(['OUT OF MEMORY', 'Execution Interrupted']);
  });

  it('Storage files are memory-mapped on Jolt.js and copied on Bangle.js 2', () => {
    for (const [info, mapped] of [[JOLT, true], [BANGLE, false]] as const) {
      const { b } = board(info);
      b.storage.set('m.tsm', new Uint8Array(100).fill(7));
      const address = b.evaluate('E.getAddressOf(require("Storage").read("m.tsm"), true)') as number;
      expect(address !== 0).toBe(mapped);
      // toArrayBuffer of a mapped file views the flash in place: same address.
      const viaBuffer = b.evaluate('E.getAddressOf(new Uint8Array(E.toArrayBuffer(require("Storage").read("m.tsm"))), true)') as number;
      if (mapped) expect(viaBuffer).toBe(address);
      else expect(viaBuffer).toBeGreaterThan(0x20000000);
    }
  });

  it('peek and poke reach flat buffers and refuse stray addresses', () => {
    const { b } = board();
    expect(b.evaluate('var a = new Uint8Array(32); var p = E.getAddressOf(a, true); poke8(p + 3, 42); a[3]')).toBe(42);
    expect(() => b.evaluate('peek32(0x12345678)')).toThrow(/0x12345678 .* is not inside any flat buffer/);
  });
});

describe('Bangle.js accelerometer', () => {
  it('fires accel events at the poll interval from the trace', () => {
    const { b, lines } = board(BANGLE, (t) => ({ x: t / 1000, y: 0, z: -1 }));
    b.run('Bangle.setPollInterval(100); Bangle.on("accel", function (a) { print(a.x.toFixed(1)); });');
    b.advance(350);
    expect(lines).toEqual(['100: 0.1', '200: 0.2', '300: 0.3']);
    expect(() => b.evaluate('Bangle.setPollInterval(5)')).toThrow(/10..4000/);
  });
});
