// The real, unmodified espruino CLI (0.1.67, a child process) against a served simulated board on
// 127.0.0.1: `-e` expressions, and an app upload with a Storage file (`--storage`), whose output
// then appears both in the CLI and in the board's console log.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoard, simBoardInfo } from '../../host/bundler/boards.js';
import { crc32 } from '../../host/compiler/crc32.js';
import { EspruinoBoard } from '../../host/sim/espruino.js';
import { Simulation } from '../../host/sim/index.js';
import { serveBoard } from '../../host/sim/serve.js';
import { bootFiles } from '../../host/upload.js';
import { ServedTestBoard, espruinoCli, patternBytes, startBoard, tempDir } from './helpers.js';

describe('the espruino CLI and a served board', () => {
  let served: ServedTestBoard;
  const work = tempDir('cli');

  beforeAll(async () => {
    served = await startBoard('BANGLEJS2');
  });
  afterAll(async () => {
    await served.served.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('-e evaluates on the board and prints the result', async () => {
    const { stdout, code } = await espruinoCli(['--no-ble', '-p', served.served.address, '-e', 'print(1+1)'], work);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--\] >?2\r?\n/);
    expect(stdout).toContain('Connected');
  });

  it('uploads an app and a Storage file; the app runs on the board and its output comes back', async () => {
    const blob = patternBytes(3000, 99);
    writeFileSync(join(work, 'blob.bin'), blob);
    // Multi-line functions make the CLI send Alt-Enter newlines and line-number escapes.
    writeFileSync(
      join(work, 'app.js'),
      `var data = require("Storage").read("blob.bin");
print("blob " + data.length + " crc " + (E.CRC32(data) >>> 0));
function add(a,
             b) {
  return a + b;
}
var n = 0;
var id = setInterval(function () {
  n++;
  print("tick " + n + " sum " + add(n, 1));
  if (n >= 3) clearInterval(id);
}, 100);
`,
    );
    // Leftovers of an earlier app must not survive the CLI's reset().
    served.board.evaluate('setInterval(function () { print("old app"); }, 50)');
    const { stdout, code } = await espruinoCli(['--no-ble', '-p', served.served.address, '--storage', 'blob.bin:blob.bin', 'app.js'], work);
    expect(code).toBe(0);
    expect(stdout).toContain(`blob 3000 crc ${crc32(blob)}`);
    expect(stdout).toMatch(/tick 3 sum 4/);
    expect(Buffer.from(served.board.storage.get('blob.bin')!)).toEqual(Buffer.from(blob));
    const afterUpload = served.output.slice(served.output.findIndex((l) => l.startsWith('blob 3000')));
    expect(afterUpload).not.toContain('old app');
    expect(afterUpload.filter((l) => l.startsWith('tick '))).toEqual(['tick 1 sum 2', 'tick 2 sum 3', 'tick 3 sum 4']);
  });
});

describe('simulate --serve: a Simulation served, its app installed as the boot code', () => {
  it('the simulated app runs, and load() from the CLI restarts it from Storage', async () => {
    const info = simBoardInfo(loadBoard('BANGLEJS2'));
    const bundle = 'print("simulated app started at " + Math.round(getTime()))';
    const lines: string[] = [];
    const sim = new Simulation({ bundle, storage: {}, board: info }, { onOutput: ({ line }) => lines.push(line) });
    // What `tinysense simulate --serve` does before serving (see the report's wiring).
    expect(sim.board).toBeInstanceOf(EspruinoBoard);
    for (const [name, bytes] of Object.entries(bootFiles(Buffer.from(bundle, 'utf8')))) sim.board.storage.set(name, bytes);
    const served = await serveBoard(sim.board as EspruinoBoard, { port: 0 });
    const work = tempDir('sim-serve');
    try {
      // Not just `-e load()`: CLI 0.1.67 never finishes sending code shorter than one 19-byte write block.
      const { stdout } = await espruinoCli(['--no-ble', '-p', served.address, '-e', 'load();print("reloading")'], work);
      expect(stdout).toContain('simulated app started at');
      expect(lines.filter((l) => l.startsWith('simulated app started'))).toHaveLength(2);
      expect(sim.errors).toEqual([]);
    } finally {
      await served.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
