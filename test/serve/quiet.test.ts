// The espruino CLI (0.1.67, bin/espruino-cli.js connect()) ends its session 500 ms after the board
// last printed, once it has sent everything. A served board that keeps the real one's pace (E.CRC32:
// 593 ms for 317 KB on Espruino 2v29) shows why the uploader verifies in 16 KB lines that each print.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRC_MS_PER_BYTE } from '../../host/sim/serve.js';
import { ServedTestBoard, espruinoCli, patternBytes, startBoard, tempDir } from './helpers.js';

describe('the CLI hangs up on a quiet board', () => {
  let served: ServedTestBoard;
  const dir = tempDir('quiet');
  beforeAll(async () => {
    served = await startBoard('JOLTJS', undefined, { boardTime: { crcMsPerByte: CRC_MS_PER_BYTE } });
    served.board.storage.set('big.bin', patternBytes(316_962, 3));
  });
  afterAll(async () => {
    await served.served.close();
  });

  const run = async (script: string) => {
    writeFileSync(join(dir, 'script.js'), script);
    const args = ['--no-ble', '-p', served.served.address, '--config', 'STORAGE_UPLOAD_METHOD=1', 'script.js'];
    return espruinoCli(args, dir);
  };

  // The old uploader's last line: CRCs of every file written (317 KB; twice here, as the old verify's
  // work plus what followed it), then one print. The CLI says "Upload Complete" about 0.1 s after
  // sending the line, so more than ~0.6 s of silence ends the session before the board answers.
  it('one silent line of 1.2 s of CRCs: the board finishes, the CLI has gone', async () => {
    const before = served.output.length;
    const crc = 'E.CRC32(require("Storage").read("big.bin"))';
    const { stdout } = await run(`print("Q start")\nprint("Q done "+(${crc}^${crc}))\n`);
    expect(stdout).toContain('Q start');
    expect(stdout).not.toContain('Q done');
    await served.waitForOutput(/^Q done \d+$/);
    expect(served.output.slice(before).some((l) => l.startsWith('Q done'))).toBe(true);
  });

  it('the same work in 16 KB lines that print: the CLI stays to the end', async () => {
    const lines = ['print("Q2 start")'];
    for (let at = 0; at < 2 * 316_962; at += 16384) lines.push(`print("Q2 part ${at} "+(E.CRC32(require("Storage").read("big.bin",${at % 316_962},16384))>>>0))`);
    lines.push('print("Q2 done")');
    const { stdout } = await run(lines.join('\n') + '\n');
    expect(stdout).toContain('Q2 done');
  });
});
