// Storage.write's copies as Espruino 2v29 makes them (src/jsflash.c jsfWriteFile, src/jsvar.h
// JSV_GET_AS_CHAR_ARRAY): data that is neither flat nor memory-mapped is copied onto the stack, which
// fails past the board's free stack (boards/*.json stack.freeBytes); a memory-mapped Storage file is
// passed as a raw flash pointer, which a compaction during the write moves. The simulator does both;
// the installer and the boot file copy in small chunks through RAM, so neither can hit them.
import { describe, expect, it } from 'vitest';
import { loadBoard, simBoardInfo } from '../../host/bundler/boards.js';
import { crc32 } from '../../host/compiler/crc32.js';
import { APP_FILE, BOOT_FILE, COPY_CHUNK, JOURNAL_FILE, journalText, loaderCode } from '../../host/install.js';
import { EspruinoBoard } from '../../host/sim/espruino.js';
import { FlashStorage } from '../../host/sim/storage.js';
import { uploadScript } from '../../host/upload.js';
import { listBoards } from '../../host/bundler/boards.js';

function boardFor(id: string, storage?: FlashStorage) {
  const lines: string[] = [];
  const info = { ...simBoardInfo(loadBoard(id)), engine: 'espruino' as const };
  const b = new EspruinoBoard(info, { output: (line) => lines.push(line) }, storage);
  return { b, lines, info };
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);

describe('Storage.write(name, <flash string>) on Bangle.js 2: a copy onto the stack', () => {
  it('the board file states the free stack, and the simulator fails past it with Espruino\'s error', () => {
    const budget = loadBoard('BANGLEJS2').stack!.freeBytes;
    expect(budget).toBe(38000);
    const { b, lines, info } = boardFor('BANGLEJS2');
    expect(info.stackBytes).toBe(budget);
    // JSV_GET_AS_CHAR_ARRAY_NO_ERROR: length + 256 must fit in the free stack.
    b.storage.set('fits', bytes(budget - 256, 1));
    b.storage.set('big', bytes(budget - 255, 2));
    b.storage.set('bundle', bytes(60_000, 3));
    b.run('var s = require("Storage"); s.write("copy1", s.read("fits")); print("copied " + s.read("copy1").length);');
    expect(lines).toEqual([`copied ${budget - 256}`]);
    expect(b.storage.get('copy1')).toEqual(b.storage.get('fits'));
    for (const name of ['big', 'bundle']) {
      lines.length = 0;
      b.run(`var s = require("Storage"); s.write("copy-${name}", s.read("${name}")); print("copied");`);
      expect(lines).toEqual(["Uncaught Error: Can't get pointer to data to write"]);
      expect(b.storage.has(`copy-${name}`)).toBe(false);
    }
  });

  it('a flat string or a buffer is written from where it is, whatever its size', () => {
    const { b, lines } = boardFor('BANGLEJS2');
    b.storage.set('bundle', bytes(60_000, 3));
    b.run('var s = require("Storage"); s.write("a", E.toUint8Array(s.read("bundle"))); s.write("b", E.toFlatString(s.read("bundle"))); print("ok");');
    expect(lines).toEqual(['ok']);
    expect(b.storage.get('a')).toEqual(b.storage.get('bundle'));
    expect(b.storage.get('b')).toEqual(b.storage.get('bundle'));
  });
});

describe('Storage.write(name, <mapped file>) on Jolt.js: a raw flash pointer', () => {
  /** 64 KB of Storage with the file "a" after 30 KB of trash: a new 20 KB file only fits after a compaction. */
  function fragmented() {
    const storage = new FlashStorage(64 * 1024);
    storage.set('x', bytes(30_000, 4));
    storage.set('a', bytes(20_000, 5));
    storage.erase('x');
    return storage;
  }

  it('is copied exactly when the write does not move anything', () => {
    const { b, lines } = boardFor('JOLTJS');
    b.storage.set('a', bytes(60_000, 5)); // larger than any stack: no stack copy is involved
    b.run('var s = require("Storage"); s.write("b", s.read("a")); print("ok");');
    expect(lines).toEqual(['ok']);
    expect(b.storage.get('b')).toEqual(b.storage.get('a'));
  });

  it('writes whatever the compaction moved under the pointer when the write compacts Storage', () => {
    const { b, lines } = boardFor('JOLTJS', fragmented());
    const a = b.storage.get('a')!.slice();
    b.run('var s = require("Storage"); s.write("b", s.read("a")); print("wrote " + s.read("b").length + " " + (E.CRC32(s.read("b")) == E.CRC32(s.read("a"))));');
    expect(lines).toEqual(['wrote 20000 false']);
    expect(b.storage.get('a')).toEqual(a); // the source itself moved intact
    // The pointer's old place now holds the tail of the moved "a" and then erased flash.
    const got = b.storage.get('b')!;
    expect(got).not.toEqual(a);
    expect(got[got.length - 1]).toBe(0xff);
  });

  it('is safe copied in chunks through RAM (the boot file\'s way)', () => {
    const { b, lines } = boardFor('JOLTJS', fragmented());
    b.run(
      'var s = require("Storage"), n = s.read("a").length;' +
        `for (var o = 0; o < n; o += ${COPY_CHUNK}) { var c = E.toUint8Array(s.read("a", o, Math.min(${COPY_CHUNK}, n - o))); if (o) s.write("b", c, o); else s.write("b", c, 0, n); }` +
        'print(E.CRC32(s.read("b")) == E.CRC32(s.read("a")));',
    );
    expect(lines).toEqual(['true']);
  });
});

describe("the installer's copies stay within every Espruino board's stack budget", () => {
  /** A staged switch-over pending: the new 60 KB bundle in tsup.0, the journal, and the boot file. */
  function staged(storage: FlashStorage) {
    const bundle = new Uint8Array(Buffer.from(`print("app ran");//${'x'.repeat(60_000)}`, 'latin1'));
    storage.set('tsup.0', bundle);
    storage.set(JOURNAL_FILE, Buffer.from(journalText({ mode: 'staged', files: [{ name: APP_FILE, size: bundle.length, crc: crc32(bundle), temp: 'tsup.0' }], old: [] }), 'latin1'));
    storage.set(BOOT_FILE, Buffer.from(loaderCode(), 'latin1'));
    return bundle;
  }

  for (const id of ['BANGLEJS2', 'JOLTJS']) {
    it(`${id}: the boot file finishes a 60 KB switch-over that needs a compaction, and the app runs`, () => {
      const storage = new FlashStorage(160 * 1024);
      storage.set('junk', bytes(45_000, 6));
      storage.erase('junk'); // trash: creating the 60 KB bundle compacts Storage, moving tsup.0
      const bundle = staged(storage);
      const { b, lines } = boardFor(id, storage);
      b.run(loaderCode(), BOOT_FILE);
      expect(lines).toContain('app ran');
      expect(lines).toContain(`TSUP started ${crc32(bundle)}`);
      expect(b.storage.get(APP_FILE)).toEqual(bundle);
      expect(b.storage.has('tsup.0')).toBe(false);
      // The junk is gone: the copy compacted Storage (the trash now is tsup.0 and the journal only).
      expect(b.storage.getStats().trashCount).toBe(2);
    });

    it(`${id}: a one-call copy of the same switch-over (Storage.write(name, Storage.read(temp))) fails as the board would`, () => {
      const storage = new FlashStorage(160 * 1024);
      storage.set('junk', bytes(45_000, 6));
      storage.erase('junk');
      const bundle = staged(storage);
      const { b, lines } = boardFor(id, storage);
      b.run(`var s = require("Storage"); s.write(${JSON.stringify(APP_FILE)}, s.read("tsup.0")); print("crc " + (E.CRC32(s.read(${JSON.stringify(APP_FILE)})) >>> 0));`);
      if (id === 'BANGLEJS2') expect(lines).toEqual(["Uncaught Error: Can't get pointer to data to write"]);
      else {
        // The pointer into tsup.0 was taken before the compaction moved it: the bundle written is not the one staged.
        expect(lines).toEqual([expect.stringMatching(/^crc \d+$/)]);
        expect(lines[0]).not.toBe(`crc ${crc32(bundle)}`);
      }
    });
  }

  it('every Storage.write of an upload carries at most 2 KB, far below every board\'s free stack', () => {
    const espruinoBoards = listBoards().map(loadBoard).filter((b) => b.engine === 'espruino');
    const smallest = Math.min(...espruinoBoards.map((b) => b.stack!.freeBytes));
    expect(smallest).toBeGreaterThan(20_000);
    const files = [
      { name: 'person.tsm', bytes: bytes(250_000, 7) },
      { name: APP_FILE, bytes: bytes(70_000, 8) },
    ];
    for (const mode of ['staged', 'in-place'] as const) {
      const script = uploadScript(files, mode, { files: { [APP_FILE]: [70_000, 1] }, journal: false, bootIsOurs: true });
      const writes = [...script.matchAll(/require\("Storage"\)\.write\(("(?:[^"\\]|\\.)*"),(atob\("([^"]*)"\)|"(?:[^"\\]|\\.)*")/g)];
      expect(writes.length).toBeGreaterThan(400);
      for (const w of writes) {
        const payload = w[3] !== undefined ? Buffer.from(w[3], 'base64').length : (JSON.parse(w[2]) as string).length;
        expect(payload).toBeLessThanOrEqual(2048);
        expect(payload + 256).toBeLessThan(smallest);
      }
    }
    // The boot file reads its copies in COPY_CHUNK pieces into RAM (E.toUint8Array) before writing them.
    expect(COPY_CHUNK).toBeLessThanOrEqual(2048);
    expect(loaderCode()).toMatch(/E\.toUint8Array\(s\.read\(t,o,Math\.min\(1024,/);
  });
});
