// Engines are described once (host/engines/): every board's engine has a description whose parts are
// real (its device binding exists, its simulator boots a board of it), and no other host or device file
// decides anything by testing an engine's name.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBoards, loadBoard, simBoardInfo } from '../../host/bundler/boards.js';
import { ENGINES, engineOf } from '../../host/engines/index.js';
import { PACKAGE_ROOT } from '../../host/paths.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

describe('engines', () => {
  it('every board runs a described engine whose rules it meets, with a device binding and a simulator', () => {
    for (const id of listBoards()) {
      const board = loadBoard(id);
      const engine = engineOf(board);
      expect(engine.name).toBe(board.engine);
      expect(engine.boardProblems(board), id).toEqual([]);
      expect(existsSync(engine.deviceBinding), engine.deviceBinding).toBe(true);
      const lines: string[] = [];
      const sim = engine.simulator.create(simBoardInfo(board), { output: (line) => lines.push(line) });
      sim.board.run('print(typeof setTimeout)');
      expect(lines, id).toEqual(['function']);
      expect(sim.nativeCalls()).toEqual({});
      expect(sim.memory()).toEqual({ flatBytesInUse: 0, flatBytesPeak: 0 });
    }
    expect(Object.keys(ENGINES).sort()).toEqual([...new Set(listBoards().map((id) => loadBoard(id).engine))].sort());
  });

  it('no host or device code outside host/engines and the bindings tests which engine it runs on', () => {
    const decides = /(?:===|!==)\s*['"](?:espruino|jerryscript)['"]|['"](?:espruino|jerryscript)['"]\s*(?:===|!==)|instanceof\s+(?:EspruinoBoard|JerryScriptBoard)|TINYSENSE_TARGET\.engine/;
    const found: string[] = [];
    for (const file of [...tsFiles(join(PACKAGE_ROOT, 'host')), ...tsFiles(join(PACKAGE_ROOT, 'device'))]) {
      const rel = relative(PACKAGE_ROOT, file);
      if (rel.startsWith(join('host', 'engines'))) continue;
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (decides.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
