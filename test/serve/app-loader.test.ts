// Issue 14, item 6: on a Bangle.js 2, `upload` installs the app as the Bangle App Loader does (<id>.app.js,
// <id>.info that launchers list) and never touches .bootcde, the watch's own boot code. Against the
// simulator's virtual device, through the real espruino CLI.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../host/compiler/crc32.js';
import { appLoaderId } from '../../host/install.js';
import { APP_FILE, BOOT_FILE, UploadError, defaultAppId, readBuildFolder, uploadApp } from '../../host/upload.js';
import { cli } from '../cli/helpers.js';
import { ServedTestBoard, fakeBuild, faultyProxy, startBoard, tempDir } from './helpers.js';

const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('latin1') : undefined);
/** The watch's boot code (the Bootloader app's job): here a stub that says it ran. */
const WATCH_BOOT = 'print("watch boot code ran");\n';

describe('Bangle.js 2: the App Loader layout', () => {
  let served: ServedTestBoard;
  const root = tempDir('apps');
  const v1 = join(root, 'wristy-banglejs2');
  const v2 = join(root, 'wristy-v2');
  beforeAll(async () => {
    served = await startBoard('BANGLEJS2');
    served.board.storage.set(BOOT_FILE, new Uint8Array(Buffer.from(WATCH_BOOT, 'latin1')));
    cpSync(fakeBuild('v1'), v1, { recursive: true });
    cpSync(fakeBuild('v2'), v2, { recursive: true });
  });
  afterAll(async () => {
    await served.served.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes <id>.app.js, <id>.info and the data files, leaves .bootcde alone, and starts the app', async () => {
    const result = await uploadApp({ dir: v1, board: 'BANGLEJS2', port: served.served.address });
    expect(result.mode).toBe('app-loader');
    expect(result.appLoader).toEqual({ id: 'wristy', app: 'wristy.app.js', info: 'wristy.info' });
    const storage = served.board.storage;
    expect(text(storage.get(BOOT_FILE))).toBe(WATCH_BOOT);
    expect(storage.has(APP_FILE)).toBe(false);
    const built = readBuildFolder(v1, 'BANGLEJS2');
    const bundle = text(built.find((f) => f.name === APP_FILE)!.bytes)!;
    const app = text(storage.get('wristy.app.js'))!;
    expect(app.startsWith(bundle)).toBe(true);
    expect(app.slice(bundle.length)).toBe(`;print("TSUP started ${crc32(Buffer.from(bundle, 'latin1'))}");\n`);
    for (const f of built.filter((x) => x.name !== APP_FILE)) expect(crc32(storage.get(f.name)!), f.name).toBe(crc32(f.bytes));
    expect(JSON.parse(text(storage.get('wristy.info'))!)).toEqual({
      id: 'wristy', name: 'wristy', type: 'app', src: 'wristy.app.js', version: '0.01',
      files: 'wristy.info,wristy.app.js,gesture.tsm,tinysense-m4.bin',
    });
    await served.waitForOutput(/^app v1 model/);
    expect(served.output).not.toContain('watch boot code ran');
  });

  it('is what a launcher lists and starts: every *.info of type "app" whose src exists', async () => {
    const before = served.output.length;
    served.board.run(`
      var s = require("Storage");
      var apps = s.list(/\\.info$/).map(function (f) { return JSON.parse(s.read(f)); })
        .filter(function (a) { return (a.type == "app" || !a.type) && s.read(a.src) !== undefined; });
      print("launcher lists " + apps.map(function (a) { return a.name + "=" + a.src; }).join(","));
    `);
    expect(served.output.slice(before)).toContain('launcher lists wristy=wristy.app.js');
  });

  it('an update replaces the app\'s files, sends only what changed, and still leaves .bootcde alone', async () => {
    const result = await uploadApp({ dir: v2, board: 'BANGLEJS2', port: served.served.address, appId: 'wristy' });
    expect(result.sent.sort()).toEqual(['gesture.tsm', 'wristy.app.js']);
    expect(result.skipped).toEqual(['tinysense-m4.bin']);
    await served.waitForOutput(/^app v2 model/);
    expect(text(served.board.storage.get(BOOT_FILE))).toBe(WATCH_BOOT);
  });

  it('a link cut mid-upload leaves the app unlisted (not half-installed and listed), and .bootcde as it was', async () => {
    // Connection 0 asks what the board has, 1 uploads (cut after 12 KB).
    const proxy = await faultyProxy(served.served.port, (n) => (n === 1 ? { cutAfterBytes: 12_000 } : undefined));
    try {
      const error = await uploadApp({ dir: v1, board: 'BANGLEJS2', port: proxy.address, appId: 'wristy', force: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadError);
      expect((error as Error).message).toMatch(/did not finish .*: wristy\.info is not written, so the launcher does not list the app; \.bootcde was not touched/);
      expect(served.board.storage.has('wristy.info')).toBe(false);
      expect(text(served.board.storage.get(BOOT_FILE))).toBe(WATCH_BOOT);
    } finally {
      await proxy.close();
    }
    // The next upload completes it.
    await uploadApp({ dir: v2, board: 'BANGLEJS2', port: served.served.address, appId: 'wristy' });
    expect(served.board.storage.has('wristy.info')).toBe(true);
  });

  it('`upload` on the command line says where the app went; --boot-code replaces .bootcde only when asked', async () => {
    const r = await cli(['upload', '--board', 'BANGLEJS2', '--port', served.served.address, '--dir', v1, '--app-id', 'Wristy App!']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("install app-loader (the Bangle App Loader's layout: wristy-app.app.js and wristy-app.info, listed by the launcher; .bootcde is not touched)");
    expect(r.stdout).toContain('(app-loader; wristy-app.app.js and wristy-app.info (listed by the launcher; .bootcde untouched))');
    expect(text(served.board.storage.get(BOOT_FILE))).toBe(WATCH_BOOT);
    const boot = await cli(['upload', '--board', 'BANGLEJS2', '--port', served.served.address, '--dir', v1, '--boot-code']);
    expect(boot.code).toBe(0);
    expect(text(served.board.storage.get(BOOT_FILE))).not.toBe(WATCH_BOOT);
  });

  it('ids: from the build folder\'s name, made valid, or refused', () => {
    expect(defaultAppId('dist/gesture-BANGLEJS2', 'BANGLEJS2')).toBe('gesture');
    expect(appLoaderId('My Watch_App')).toBe('my-watch-app');
    expect(appLoaderId('a'.repeat(40))).toHaveLength(21);
    expect(() => appLoaderId('!!!')).toThrow('"!!!" gives no App Loader id');
  });
});
