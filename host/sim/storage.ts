/**
 * Espruino's Storage as the board keeps it in flash (src/jsflash.c, 2v29), for the
 * simulator and the virtual device: as strict as the real one about space.
 *
 * - Files are a log: each new file goes after the last one, with a 32-byte header
 *   (u32 size + 28-byte name) and its data padded to JSF_ALIGNMENT (4 bytes).
 * - Erasing a file only marks its header (the name's first word is zeroed): its space
 *   is trash until a compaction, which Storage runs when a new file does not fit at the
 *   end (jsfCreateFile -> jsfCompact), moving the live files down.
 * - write(name, data) over an existing file with other contents ERASES THE OLD FILE FIRST
 *   and then creates the new one (jsfWriteFile): if the new one does not fit, the old one
 *   is gone anyway ("Unable to find or create file").
 * - write(name, data, offset[, size]): offset 0 with a size (or a new name) creates the file
 *   at its full size; later writes must land inside it ("Too much data for file size") on
 *   still-erased bytes ("File already written with different data"); an offset on a file
 *   that does not exist fails ("Unable to find or create file").
 * - getFree() is the space after the last file (trash not counted); getStats() has
 *   totalBytes, freeBytes, fileBytes, fileCount, trashBytes, trashCount.
 *
 * - write(name, data) takes a raw pointer to `data` before it starts (jsfWriteFile,
 *   JSV_GET_AS_CHAR_ARRAY): when `data` is itself a memory-mapped Storage file (a native string,
 *   Jolt.js) and the write compacts Storage, the pointer then points at whatever compaction moved
 *   there, and that is what gets written (`source` below). Copies onto the stack are the caller's
 *   check (host/sim/espruino.ts: the board's stack budget).
 *
 * Every change to flash is one primitive operation (erase a header, create a header,
 * program bytes, compact), recorded in order when `record` is set, so tests can rebuild the
 * Storage as it would be after a power cut between any two of them (replay()).
 * Compaction is modelled as one step: Espruino's own compaction is not power-safe (it
 * moves data through a RAM buffer), which no installer can change.
 */

/** Espruino src/jsflash.h: sizeof(JsfFileHeader) = 4 + 28. */
export const FILE_HEADER_BYTES = 32;
/** Espruino src/jsutils.h: JSF_ALIGNMENT on boards without 64-bit flash writes (nRF52, ESP32). */
export const FILE_ALIGNMENT = 4;
/** Espruino src/jsflash.h: JsfFileName holds 28 characters. */
export const FILE_NAME_MAX = 28;

/** Flash bytes a file of `size` bytes takes in Storage. */
export function storageCost(size: number): number {
  return FILE_HEADER_BYTES + Math.ceil(size / FILE_ALIGNMENT) * FILE_ALIGNMENT;
}

interface Entry {
  name: string;
  data: Uint8Array;
  /** Erased (trash) until a compaction drops it. */
  trash: boolean;
}

export type FlashOp =
  | { op: 'erase'; index: number }
  | { op: 'create'; name: string; size: number }
  | { op: 'program'; index: number; offset: number; bytes: Uint8Array }
  | { op: 'compact' };

export interface StorageStats {
  totalBytes: number;
  freeBytes: number;
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
}

/** A Storage error as Espruino throws it (jsExceptionHere(JSET_ERROR, ...)). */
export class StorageError extends Error {}

export class FlashStorage {
  private entries: Entry[] = [];
  /** Compactions so far. */
  private compactions = 0;
  /** Primitive flash operations, in order, while set (see replay()). */
  record: FlashOp[] | undefined;
  /** Called before every primitive operation; throwing from it stops the operation (a power cut). */
  beforeOp: ((op: FlashOp) => void) | undefined;

  constructor(readonly totalBytes: number) {}

  // ------------------------------------------------------------ the Map-like view (host side)

  /** The live file's bytes (the board's own copy: do not modify). */
  get(name: string): Uint8Array | undefined {
    return this.live(name)?.data;
  }
  has(name: string): boolean {
    return this.live(name) !== undefined;
  }
  /** Puts a file as Storage.write(name, bytes) would (erasing an older one first); throws when it does not fit. */
  set(name: string, bytes: Uint8Array): this {
    this.write(name, bytes);
    return this;
  }
  delete(name: string): boolean {
    const had = this.has(name);
    this.erase(name);
    return had;
  }
  keys(): IterableIterator<string> {
    return this.entries.filter((e) => !e.trash).map((e) => e.name)[Symbol.iterator]();
  }
  values(): IterableIterator<Uint8Array> {
    return this.entries.filter((e) => !e.trash).map((e) => e.data)[Symbol.iterator]();
  }
  get size(): number {
    return this.entries.filter((e) => !e.trash).length;
  }
  /** Erases everything (reset(true), Storage.eraseAll()). */
  clear(): void {
    this.entries = [];
  }

  /** An independent copy (files, trash and order), for power-cut tests. */
  clone(): FlashStorage {
    const copy = new FlashStorage(this.totalBytes);
    copy.entries = this.entries.map((e) => ({ name: e.name, data: e.data.slice(), trash: e.trash }));
    return copy;
  }

  // ------------------------------------------------------------ Espruino's API

  getFree(): number {
    return this.totalBytes - this.end();
  }

  getStats(): StorageStats {
    const live = this.entries.filter((e) => !e.trash);
    const trash = this.entries.filter((e) => e.trash);
    const bytes = (list: Entry[]) => list.reduce((n, e) => n + storageCost(e.data.length), 0);
    return {
      totalBytes: this.totalBytes,
      freeBytes: this.getFree(),
      fileBytes: bytes(live),
      fileCount: live.length,
      trashBytes: bytes(trash),
      trashCount: trash.length,
    };
  }

  erase(name: string): void {
    const index = this.liveIndex(name);
    if (index >= 0) this.apply({ op: 'erase', index });
  }

  compact(): void {
    if (this.entries.some((e) => e.trash)) this.apply({ op: 'compact' });
  }

  /**
   * Storage.write(name, data, offset, size) with Espruino's checks and errors. `source`: `data` is a
   * raw pointer into this flash (a memory-mapped file's bytes at that flash offset, dataOffset()): if
   * the write compacts Storage, the bytes written are those found at that offset afterwards.
   */
  write(name: string, data: Uint8Array, offset?: number, size?: number, source?: { flashOffset: number }): boolean {
    if (name.length > FILE_NAME_MAX) name = name.slice(0, FILE_NAME_MAX);
    const at = offset ?? 0;
    if (at < 0 || (size ?? 0) < 0) return false;
    const fileSize = size || data.length;
    if (!fileSize) throw new StorageError("Can't create zero length file");
    let index = this.liveIndex(name);
    const existing = index >= 0 ? this.entries[index] : undefined;
    if ((!existing && at === 0) || (existing && at === 0 && (fileSize !== existing.data.length || !erased(existing.data, 0, fileSize)))) {
      if (existing && fileSize === existing.data.length && data.length === fileSize && equal(existing.data, data)) return true;
      if (existing) this.apply({ op: 'erase', index });
      const compactions = this.compactions;
      index = this.create(name, fileSize);
      // The pointer was taken before the compaction moved the files: it now reads what moved there.
      if (source && this.compactions !== compactions) data = this.image(source.flashOffset, data.length);
    }
    if (index < 0) throw new StorageError('Unable to find or create file');
    const file = this.entries[index].data;
    if (at + data.length > file.length) throw new StorageError('Too much data for file size');
    if (!erased(file, at, data.length)) throw new StorageError('File already written with different data');
    if (data.length) this.apply({ op: 'program', index, offset: at, bytes: data.slice() });
    return true;
  }

  /** Flash offset of a live file's data (after its header), as a memory-mapped pointer to it would hold. */
  dataOffset(name: string): number | undefined {
    let at = 0;
    for (const e of this.entries) {
      if (!e.trash && e.name === name) return at + FILE_HEADER_BYTES;
      at += storageCost(e.data.length);
    }
    return undefined;
  }

  /** `length` bytes of the flash as laid out now, from `offset` (headers as Espruino writes them; free space 0xFF). */
  image(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length).fill(0xff);
    let at = 0;
    for (const e of this.entries) {
      const header = new Uint8Array(FILE_HEADER_BYTES);
      new DataView(header.buffer).setUint32(0, e.data.length, true);
      header.set(Buffer.from(e.name, 'latin1').subarray(0, FILE_NAME_MAX), 4);
      if (e.trash) header.fill(0, 4, 8); // erasing zeroes the name's first word
      const padded = new Uint8Array(storageCost(e.data.length)).fill(0xff);
      padded.set(header, 0);
      padded.set(e.data, FILE_HEADER_BYTES);
      for (let i = 0; i < padded.length; i++) {
        const j = at + i - offset;
        if (j >= 0 && j < length) out[j] = padded[i];
      }
      at += padded.length;
    }
    return out;
  }

  // ------------------------------------------------------------ flash operations

  /** Applies one primitive operation (also how replay() rebuilds a state). */
  apply(op: FlashOp): void {
    this.beforeOp?.(op);
    this.record?.push(op);
    switch (op.op) {
      case 'erase':
        this.entries[op.index].trash = true;
        break;
      case 'create':
        this.entries.push({ name: op.name, data: new Uint8Array(op.size).fill(0xff), trash: false });
        break;
      case 'program':
        this.entries[op.index].data.set(op.bytes, op.offset);
        break;
      case 'compact':
        this.entries = this.entries.filter((e) => !e.trash);
        this.compactions++;
        break;
    }
  }

  /** Index of the new file, or -1 when it does not fit even after compacting. */
  private create(name: string, size: number): number {
    if (size > 0xffffff) return -1; // the header's size field is 24 bits
    if (this.getFree() < storageCost(size)) {
      this.compact();
      if (this.getFree() < storageCost(size)) return -1;
    }
    this.apply({ op: 'create', name, size });
    return this.entries.length - 1;
  }

  private end(): number {
    return this.entries.reduce((n, e) => n + storageCost(e.data.length), 0);
  }
  private liveIndex(name: string): number {
    return this.entries.findIndex((e) => !e.trash && e.name === name);
  }
  private live(name: string): Entry | undefined {
    const i = this.liveIndex(name);
    return i >= 0 ? this.entries[i] : undefined;
  }
}

/**
 * The Storage after the first `count` operations of `ops` were applied to `initial`, and, when
 * `torn`, half of the next one's bytes (a power cut in the middle of programming flash).
 */
export function replay(initial: FlashStorage, ops: FlashOp[], count: number, torn = false): FlashStorage {
  const s = initial.clone();
  for (let i = 0; i < count; i++) s.apply(ops[i]);
  const next = ops[count];
  if (torn && next?.op === 'program' && next.bytes.length >= 2 * FILE_ALIGNMENT) {
    const half = Math.floor(next.bytes.length / 2 / FILE_ALIGNMENT) * FILE_ALIGNMENT;
    s.apply({ ...next, bytes: next.bytes.subarray(0, half) });
  }
  return s;
}

function erased(bytes: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
