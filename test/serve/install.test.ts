// Installing on a Jolt.js-sized Storage (409,600 B) an app the size of examples/person (pack 244,748 B,
// blob 7,444 B, bundle ~64.8 KB: 316,962 B), with the real espruino CLI against the virtual device,
// whose Storage keeps Espruino's rules (headers, trash until compaction, erase-before-rewrite).
// Every flash operation of each install is recorded; the Storage is then rebuilt as a power cut
// would leave it before every operation (and half way through every programming operation), and
// booted: every boot must run the old app or the new one, or (in place, once the old files are
// erased) print why there is no app. Never an uncaught error.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoard, simBoardInfo } from '../../host/bundler/boards.js';
import { crc32 } from '../../host/compiler/crc32.js';
import { VirtualFirmware } from '../../host/sim/console/firmware.js';
import { EspruinoBoard } from '../../host/sim/espruino.js';
import { CRC_MS_PER_BYTE } from '../../host/sim/serve.js';
import { FlashOp, FlashStorage, replay } from '../../host/sim/storage.js';
import { UploadError, readBuildFolder, uploadApp } from '../../host/upload.js';
import { ServedTestBoard, fakeBuild, startBoard } from './helpers.js';

const PACK = 244_748;
const BLOB = 7_444;
const PAD = 64_570; // bundle ~64.8 KB with the fake app's code
const person = (version: string, modelSeed = version) => fakeBuild(version, 'JOLTJS', PACK, { blobBytes: BLOB, bundlePad: PAD, modelSeed });

type Booted = 'v1' | 'v2' | 'v3' | 'noapp' | 'nothing';

/** Boots a Storage as at power-on on a fresh Jolt.js; what ran, and every line printed. */
function boot(storage: FlashStorage): { ran: Booted; lines: string[] } {
  const lines: string[] = [];
  const board = new EspruinoBoard(simBoardInfo(loadBoard('JOLTJS')), { output: (l) => lines.push(l) }, storage);
  const firmware = new VirtualFirmware(board, { print: (t) => lines.push(...t.split('\n')), setEcho: () => undefined });
  firmware.install();
  board.evaluate('E.reboot()');
  firmware.runPending();
  const app = lines.map((l) => /^app (v\d) model/.exec(l)?.[1]).find(Boolean) as Booted | undefined;
  return { ran: app ?? (lines.some((l) => l.startsWith('TSUP noapp')) ? 'noapp' : 'nothing'), lines };
}

/** Boots the state after every cut point of `ops`; counts what ran. Asserts no boot throws and each boot is stable. */
function cutEverywhere(initial: FlashStorage, ops: FlashOp[], brokenBootFile = -1): { states: number; ran: Booted[]; broken: number } {
  let broken = 0;
  const ran: Booted[] = [];
  let states = 0;
  for (let k = 0; k <= ops.length; k++) {
    for (const torn of k < ops.length && ops[k].op === 'program' ? [false, true] : [false]) {
      const storage = replay(initial, ops, k, torn);
      const first = boot(storage);
      const context = `power cut before op ${k}/${ops.length}${torn ? ' (torn)' : ''}: ${JSON.stringify(ops[k] && { ...ops[k], bytes: undefined })}\n${first.lines.join('\n')}`;
      if (k === brokenBootFile) {
        // The boot file's header is written and its text is not (yet): on a board that had no boot
        // file, Espruino has no atomic way to create one. Nothing else is on the board at this point.
        broken++;
        continue;
      }
      expect(first.lines.filter((l) => /^(Uncaught|ERROR|OUT OF MEMORY)/.test(l)), context).toEqual([]);
      // Booting again (the recovery itself may have been cut short) runs the same app.
      expect(boot(storage).ran, context).toBe(first.ran);
      ran.push(first.ran);
      states++;
    }
  }
  return { states, ran, broken };
}

describe('install on a Jolt.js-sized Storage, power cut at every flash operation', () => {
  let served: ServedTestBoard;
  const v1 = person('v1');
  const v2 = person('v2');
  const v3 = person('v3', 'v2'); // v2's model, a new bundle
  const huge = fakeBuild('v9', 'JOLTJS', 410_000);

  beforeAll(async () => {
    // At a board's pace: E.CRC32 takes as long as on Espruino, so silences are real ones.
    served = await startBoard('JOLTJS', undefined, { boardTime: { crcMsPerByte: CRC_MS_PER_BYTE } });
  });
  afterAll(async () => {
    await served.served.close();
    for (const dir of [v1, v2, v3, huge]) rmSync(dir, { recursive: true, force: true });
  });

  it('a fresh install of 317 KB goes in place (two copies do not fit) and runs', async () => {
    const total = readBuildFolder(v1, 'JOLTJS').reduce((n, f) => n + f.bytes.length, 0);
    expect(total).toBeGreaterThan(316_000);
    const initial = served.board.storage.clone();
    const ops: FlashOp[] = (served.board.storage.record = []);
    const result = await uploadApp({ dir: v1, board: 'JOLTJS', port: served.served.address });
    served.board.storage.record = undefined;
    expect(result.mode).toBe('in-place');
    expect(result.plan.stagedPeak).toBeGreaterThan(409_600);
    expect(result.plan.inPlacePeak).toBeLessThanOrEqual(409_600);
    await served.waitForOutput(/^app v1 model 244748/);
    // The states between creating the boot file and programming its text.
    const bootCreate = ops.findIndex((op) => op.op === 'create' && op.name === '.bootcde');
    expect(bootCreate).toBe(0);
    const { states, ran, broken } = cutEverywhere(initial, ops, bootCreate + 1);
    expect(broken).toBe(2);
    // A blank board has nothing to boot until the boot file is written, then says why there is no app.
    expect(ran.indexOf('v1')).toBeGreaterThan(0);
    expect(ran.slice(ran.indexOf('v1'))).toEqual(ran.slice(ran.indexOf('v1')).map(() => 'v1'));
    expect(ran.filter((r) => r === 'nothing').length).toBeLessThanOrEqual(4);
    console.log(`fresh install: ${ops.length} flash operations, ${states} power-cut states booted`);
  });

  it('replacing the model and the bundle (no room for both apps): old app, then "no app" with the reason, then the new one', async () => {
    const initial = served.board.storage.clone();
    const ops: FlashOp[] = (served.board.storage.record = []);
    const result = await uploadApp({ dir: v2, board: 'JOLTJS', port: served.served.address });
    served.board.storage.record = undefined;
    expect(result.mode).toBe('in-place');
    expect(result.skipped).toEqual(['tinysense-m4.bin']);
    await served.waitForOutput(/^app v2 model 244748/);
    const { states, ran } = cutEverywhere(initial, ops);
    expect(ran[0]).toBe('v1');
    expect(ran[ran.length - 1]).toBe('v2');
    expect(ran.every((r) => r === 'v1' || r === 'v2' || r === 'noapp')).toBe(true);
    // Once the new app has run, nothing goes back; the old one runs until its first file is erased.
    const firstV2 = ran.indexOf('v2');
    expect(ran.slice(firstV2).every((r) => r === 'v2')).toBe(true);
    expect(ran.slice(0, ran.indexOf('noapp')).every((r) => r === 'v1')).toBe(true);
    console.log(`in-place upgrade: ${ops.length} flash operations, ${states} power-cut states booted (${ran.filter((r) => r === 'v1').length} old, ${ran.filter((r) => r === 'noapp').length} no app, ${ran.filter((r) => r === 'v2').length} new)`);
  });

  it('a new bundle with the same model is staged: the old or the new app boots at every cut', async () => {
    const initial = served.board.storage.clone();
    const ops: FlashOp[] = (served.board.storage.record = []);
    const result = await uploadApp({ dir: v3, board: 'JOLTJS', port: served.served.address });
    served.board.storage.record = undefined;
    expect(result.mode).toBe('staged');
    expect(result.sent).toEqual(['tinysense.app.js']);
    expect(result.plan.stagedPeak).toBeLessThanOrEqual(409_600);
    await served.waitForOutput(/^app v3 model 244748/);
    const { states, ran } = cutEverywhere(initial, ops);
    expect(ran.every((r) => r === 'v2' || r === 'v3')).toBe(true);
    const firstV3 = ran.indexOf('v3');
    expect(firstV3).toBeGreaterThan(0);
    expect(ran.slice(firstV3).every((r) => r === 'v3')).toBe(true);
    console.log(`staged upgrade: ${ops.length} flash operations, ${states} power-cut states booted`);
  });

  it('refuses up front, writing nothing, what cannot fit even in place', async () => {
    const before = served.board.storage.getStats();
    const error = await uploadApp({ dir: huge, board: 'JOLTJS', port: served.served.address }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as Error).message).toMatch(/does not fit on the board .*needs 41\d\.\d KB even replacing the old files in place.*Nothing was written/);
    expect(served.board.storage.getStats()).toEqual(before);
    expect(crc32(served.board.storage.get('tinysense.app.js')!)).toBe(crc32(readBuildFolder(v3, 'JOLTJS').find((f) => f.name === 'tinysense.app.js')!.bytes));
  });
});
