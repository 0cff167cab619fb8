// uploadApp end to end: the real espruino CLI writes a build folder into a served simulated board;
// the app runs there. A link that drops half way, or one that corrupts a byte, leaves the previously
// installed app the one that boots (and running again).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../host/compiler/crc32.js';
import { journalText } from '../../host/install.js';
import { APP_FILE, BOOT_FILE, JOURNAL_FILE, UploadError, UploadProgress, findBuildFolder, loaderCode, readBuildFolder, uploadApp } from '../../host/upload.js';
import { ServedTestBoard, fakeBuild, faultyProxy, startBoard, tempDir } from './helpers.js';

const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('latin1') : undefined);

// These install through .bootcde (layout 'boot-code', upload --boot-code): the journal and boot file under
// test. A Bangle.js's default, the App Loader's layout, is tested in app-loader.test.ts.
describe('tinysense upload, against the simulator\'s virtual device', () => {
  let served: ServedTestBoard;
  const v1 = fakeBuild('v1');
  const v2 = fakeBuild('v2');
  const v1Files = readBuildFolder(v1, 'BANGLEJS2');
  const v1Pack = v1Files.find((f) => f.name === 'gesture.tsm')!;
  const other = fakeBuild('v3', 'JOLTJS');

  beforeAll(async () => {
    served = await startBoard('BANGLEJS2');
  });
  afterAll(async () => {
    await served.served.close();
    for (const dir of [v1, v2, other]) rmSync(dir, { recursive: true, force: true });
  });

  /** The board holds exactly v1: its files under their final names, our boot file, no leftovers. */
  function expectV1Installed() {
    const storage = served.board.storage;
    for (const f of v1Files) expect(crc32(storage.get(f.name)!), f.name).toBe(crc32(f.bytes));
    expect(text(storage.get(BOOT_FILE))).toBe(loaderCode());
    expect([...storage.keys()].filter((n) => n.startsWith('tsup.'))).toEqual([]);
  }

  it('installs a build: files in Storage, the app as the boot code, and it runs', async () => {
    const progress: UploadProgress[] = [];
    const result = await uploadApp({ dir: v1, board: 'BANGLEJS2', layout: 'boot-code', port: served.served.address, onProgress: (p) => progress.push(p) });
    expect(result.sent.sort()).toEqual(['gesture.tsm', APP_FILE, 'tinysense-m4.bin'].sort());
    expect(result.sentBytes).toBe(v1Files.reduce((n, f) => n + f.bytes.length, 0));
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['checking', 'writing', 'verifying', 'done']));
    const writes = progress.filter((p): p is Extract<UploadProgress, { phase: 'writing' }> => p.phase === 'writing');
    expect(writes[writes.length - 1].bytes).toBe(result.sentBytes);
    await served.waitForOutput(new RegExp(`^app v1 model 20000 ${crc32(v1Pack.bytes)}$`));
    expectV1Installed();
    expect(served.board.storage.has(JOURNAL_FILE)).toBe(false);
  });

  it('sends only what changed: an identical build is not written again, and the app restarts', async () => {
    const before = served.output.length;
    const result = await uploadApp({ dir: v1, board: 'BANGLEJS2', layout: 'boot-code', port: served.served.address });
    expect(result.sent).toEqual([]);
    expect(result.skipped.length).toBe(3);
    await served.waitForOutput(/^app v1 model/);
    expect(served.output.slice(before).some((l) => l.startsWith('app v1 model'))).toBe(true);
  });

  it('refuses a build made for another board', async () => {
    await expect(uploadApp({ dir: other, board: 'BANGLEJS2', layout: 'boot-code', port: served.served.address })).rejects.toThrow(/built for JOLTJS, not BANGLEJS2/);
  });

  it('a link that drops mid-upload leaves v1 installed and running again', async () => {
    // Connection 0 asks what the board has, 1 uploads (cut after 12 KB), 2 restarts the old app.
    const proxy = await faultyProxy(served.served.port, (n) => (n === 1 ? { cutAfterBytes: 12_000 } : undefined));
    try {
      const before = served.output.length;
      const error = await uploadApp({ dir: v2, board: 'BANGLEJS2', layout: 'boot-code', port: proxy.address }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadError);
      expect((error as Error).message).toMatch(/did not finish.*nothing was switched; the previously installed app is the one running/);
      expectV1Installed();
      expect(served.output.slice(before).some((l) => /^app v1 model/.test(l))).toBe(true);
      expect(served.output.slice(before).some((l) => /^app v2/.test(l))).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('a corrupted byte fails verification on the board: nothing switches, v1 starts again', async () => {
    const proxy = await faultyProxy(served.served.port, (n) => (n === 1 ? { corruptBase64: true } : undefined));
    try {
      const before = served.output.length;
      const error = await uploadApp({ dir: v2, board: 'BANGLEJS2', layout: 'boot-code', port: proxy.address }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadError);
      expect((error as Error).message).toMatch(/board's copy of gesture\.tsm differs/);
      expectV1Installed();
      await served.waitForOutput(/^app v1 model/);
      expect(served.output.slice(before).some((l) => /^app v2/.test(l))).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('then a clean upload of v2 switches over', async () => {
    await uploadApp({ dir: v2, board: 'BANGLEJS2', layout: 'boot-code', port: served.served.address });
    await served.waitForOutput(/^app v2 model 20000/);
    const v2Pack = readBuildFolder(v2, 'BANGLEJS2').find((f) => f.name === 'gesture.tsm')!;
    expect(crc32(served.board.storage.get('gesture.tsm')!)).toBe(crc32(v2Pack.bytes));
  });

  it('a switch-over interrupted after the journal is completed at the next boot', async () => {
    // As if power failed right after the journal was written: temporaries and journal, old files in place.
    const storage = served.board.storage;
    storage.set('tsup.0', v1Pack.bytes);
    storage.set(JOURNAL_FILE, Buffer.from(journalText({ mode: 'staged', files: [{ name: 'gesture.tsm', size: v1Pack.bytes.length, crc: crc32(v1Pack.bytes), temp: 'tsup.0' }], old: [] })));
    served.board.evaluate('E.reboot()');
    // The reboot runs once the served console's loop turns (a timer tick).
    await served.waitForOutput(new RegExp(`^app v2 model 20000 ${crc32(v1Pack.bytes)}$`));
    expect(storage.has(JOURNAL_FILE)).toBe(false);
    expect(storage.has('tsup.0')).toBe(false);
  });

  it('refuses a board the espruino CLI cannot talk to', async () => {
    await expect(uploadApp({ dir: v1, board: 'ESP32_JERRYSCRIPT', port: served.served.address })).rejects.toThrow(/runs jerryscript, not Espruino/);
  });

  it('names the problem when no board answers', async () => {
    const proxy = await faultyProxy(served.served.port, () => undefined);
    const address = proxy.address;
    await proxy.close();
    await expect(uploadApp({ dir: v1, board: 'BANGLEJS2', layout: 'boot-code', port: address })).rejects.toThrow(/no answer from a board on tcp:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED/);
  });

  it('finds the build folder for the board under dist/ when --dir is not given', () => {
    const root = tempDir('dist');
    try {
      mkdirSync(join(root, 'host')); // the package's own compiled code lives in dist/ too
      expect(() => findBuildFolder('BANGLEJS2', root)).toThrow(/no build for BANGLEJS2/);
      cpSync(v1, join(root, 'gestures-BANGLEJS2'), { recursive: true });
      cpSync(other, join(root, 'gestures-JOLTJS'), { recursive: true });
      expect(findBuildFolder('banglejs2', root)).toBe(join(root, 'gestures-BANGLEJS2'));
      cpSync(v2, join(root, 'other-BANGLEJS2'), { recursive: true });
      expect(() => findBuildFolder('BANGLEJS2', root)).toThrow(/several builds for BANGLEJS2 \(gestures-BANGLEJS2, other-BANGLEJS2\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
