// Out of memory as Espruino has it: not an exception but an interrupt (OUT OF MEMORY, then Execution
// Interrupted; catch blocks do not run), and the device binding's allocation, which checks free
// JsVars and asks for a flat block that can fail quietly (E.toFlatString), so the app gets the
// documented "cannot allocate N bytes" error instead of a stopped board.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { BoardInfo, EspruinoBoard } from '../../host/sim/espruino.js';
import { kernelBlob } from '../../host/sim/native.js';

const JOLT: BoardInfo = { id: 'JOLTJS', heapBytes: 168000, jsVarBytes: 14, storageMapped: true, storageBytes: 409600, objects: [] };

/** The device binding, compiled to ES5 as the build would, loaded into a board. */
function boardWithBinding(heapBytes = JOLT.heapBytes) {
  const lines: string[] = [];
  const b = new EspruinoBoard({ ...JOLT, heapBytes }, { output: (line) => lines.push(line) });
  const source = readFileSync(new URL('../../device/engines/espruino.ts', import.meta.url), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS } }).outputText;
  // Its one module import (the SPI camera driver, device/sensors/arducam.ts) is not used here: an empty module.
  b.run(`var exports = {};\n(function (require) {\n${js}\n})(function (m) { return m === 'Storage' ? require(m) : {}; });`, 'espruino.js');
  const blob = kernelBlob();
  (b.evaluate('this') as Record<string, unknown>).blobCode = blob.code;
  b.run(`var kernels = exports.espruinoKernels(blobCode, { invoke: ${blob.entries.ts_invoke}, invokeOps: ${blob.entries.ts_invoke_ops}, checksum: ${blob.entries.ts_checksum} });`, 'setup.js');
  return { b, lines };
}

describe('out of memory on Espruino', () => {
  it('is an interrupt: the catch block never runs, the console says OUT OF MEMORY and Execution Interrupted', () => {
    const lines: string[] = [];
    const b = new EspruinoBoard(JOLT, { output: (line) => lines.push(line) });
    b.run('try { var a = new Uint8Array(200000); print("allocated"); } catch (e) { print("caught " + e.message); }\nprint("next statement");');
    expect(lines).toEqual(['OUT OF MEMORY', 'Execution Interrupted']);
    // The next execution runs normally.
    b.run('print("later " + new Uint8Array(100).length)');
    expect(lines[2]).toBe('later 100');
  });

  it('a catch that only does plain JavaScript is still an interrupted execution', () => {
    const lines: string[] = [];
    const b = new EspruinoBoard(JOLT, { output: (line) => lines.push(line) });
    b.run('var got; try { new Float32Array(50000); } catch (e) { got = 1; }');
    expect(lines).toEqual(['OUT OF MEMORY', 'Execution Interrupted']);
  });

  it('the binding refuses before allocating, with the size and the free JsVars', () => {
    const { b, lines } = boardWithBinding();
    expect(lines).toEqual([]);
    b.run('try { kernels.allocate(200000); } catch (e) { print(e.message); }');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tinysense: cannot allocate 200000 bytes for the arena: it needs 14289 JsVars and \d+ of 12000 are free$/);
  });

  it('the binding allocates a flat, zeroed buffer when there is room', () => {
    const { b } = boardWithBinding();
    expect(b.evaluate('var n = kernels.allocate(55296); n.length')).toBe(55296);
    expect(b.evaluate('n.address()')).toBeGreaterThan(0x20000000);
    expect(b.evaluate('n.view()[0] + n.view()[55295]')).toBe(0);
  });
});
