// Pointer bugs and engine-incompatible code fail in simulation with clear messages.
import { describe, expect, it } from 'vitest';
import { EspruinoBoard } from '../../host/sim/espruino.js';
import { kernelBlob } from '../../host/sim/native.js';

const JOLT = { id: 'JOLTJS', heapBytes: 168000, jsVarBytes: 14, storageMapped: true, storageBytes: 400000, objects: [] };

function board() {
  const lines: string[] = [];
  const b = new EspruinoBoard(JOLT, { output: (line) => lines.push(line) });
  b.storage.set('k.bin', new Uint8Array(Buffer.from(kernelBlob().code, 'latin1')));
  return { b, lines };
}

describe('native calls in the simulator', () => {
  it('a wrong pointer is an error, not a hard fault', () => {
    const { b } = board();
    const { ts_invoke } = kernelBlob().entries;
    b.evaluate(`var code = E.toFlatString(require('Storage').read('k.bin')); var invoke = E.nativeCall(${ts_invoke} | 1, 'int(int,int,int)', code);`);
    expect(() => b.evaluate('invoke(0x20001234, 0x20005678, 0x2000abcd)')).toThrow(/is not inside any flat buffer/);
  });

  it('a missing thumb bit or a foreign blob is refused', () => {
    const { b } = board();
    const { ts_invoke } = kernelBlob().entries;
    expect(() => b.evaluate(`E.nativeCall(${ts_invoke}, 'int(int,int,int)', E.toFlatString(require('Storage').read('k.bin')))`)).toThrow(/thumb bit/);
    expect(() => b.evaluate(`E.nativeCall(1, 'int(int)', atob('AAAA'))`)).toThrow(/is not a tinysense kernel blob/);
    expect(() => b.evaluate(`E.nativeCall(${ts_invoke} | 1, 'int(int,int)', E.toFlatString(require('Storage').read('k.bin')))`)).toThrow(/signature/);
  });
});
