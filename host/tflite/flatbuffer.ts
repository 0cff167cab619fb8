/**
 * A small, distrustful flatbuffer reader. Every offset it follows is checked against the file
 * before it is used, so a damaged or hostile file gives a TfliteFormatError that says where the
 * problem is, never a RangeError, a hang or values read from outside the file.
 *
 * Layout reminders (flatbuffers' binary format, little-endian):
 * - a table starts with an int32 soffset; its vtable is at `table - soffset`;
 * - a vtable is [u16 vtable bytes, u16 table bytes, u16 field offset per field id...], where a field
 *   offset of 0 (or a field id past the vtable's end) means "absent, use the default";
 * - strings, vectors and sub-tables are reached by a u32 uoffset relative to where it is stored;
 * - a vector is a u32 element count followed by the elements; a string is a byte vector with a
 *   trailing 0 that the count does not include.
 */

/**
 * What a TfliteFormatError is about: 'layout' breaks the flatbuffer itself (an offset, a vtable, a
 * vector that the FlatBuffers Verifier would refuse too); 'content' is a well-formed flatbuffer whose
 * values make no model (an index out of range, a buffer of the wrong size, an unknown enum value).
 */
export type TfliteFaultKind = 'layout' | 'content';

/** A .tflite file that breaks the format; `where` names the place in the model tree. */
export class TfliteFormatError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
    readonly kind: TfliteFaultKind = 'content',
  ) {
    super(`${where || 'model'}: ${problem}`);
    this.name = 'TfliteFormatError';
  }
}

/** Joins a location and a part of it: "subgraph 0" + "tensor 12" -> "subgraph 0 > tensor 12". */
export function within(where: string, part: string): string {
  return where ? `${where} > ${part}` : part;
}

// The Verifier does not look inside strings, and TFLM reads names as bytes: a name that is not UTF-8
// is no reason to refuse a model. It decodes with U+FFFD in place of the bad bytes.
const utf8 = new TextDecoder('utf-8');

/** The whole file and the checked primitive reads every table read goes through. */
export class FlatBuffer {
  private readonly view: DataView;
  /**
   * Values left to materialise. An honest file stores every table and element at its own place,
   * so it never needs more reads than it has bytes; a hostile one can point thousands of offsets
   * at one big vector and ask for billions. The allowance is generous and linear in file size.
   */
  private readsLeft: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readsLeft = 2 * bytes.length + 4096;
  }

  get length(): number {
    return this.bytes.length;
  }

  fail(where: string, problem: string): never {
    throw new TfliteFormatError(where, problem);
  }

  /** A fault in the flatbuffer's layout, one the FlatBuffers Verifier refuses too. */
  layoutFail(where: string, problem: string): never {
    throw new TfliteFormatError(where, problem, 'layout');
  }

  /** Fails unless [offset, offset + size) lies inside the file. */
  checkRange(offset: number, size: number, where: string, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || size < 0 || offset + size > this.length) {
      this.layoutFail(where, `${what} runs past end of file (offset ${offset}, ${size} bytes, file ${this.length} bytes)`);
    }
  }

  /** Flatbuffers writers align every scalar to its size; a misaligned one means a broken offset. */
  checkAlignment(offset: number, alignment: number, where: string, what: string): void {
    if (offset % alignment !== 0) this.layoutFail(where, `${what} at offset ${offset} is not ${alignment}-byte aligned`);
  }

  charge(reads: number, where: string): void {
    this.readsLeft -= reads;
    if (this.readsLeft < 0) {
      this.layoutFail(where, `file asks for more values than it could hold (over ${2 * this.length + 4096} from ${this.length} bytes): many offsets share the same data`);
    }
  }

  u8(offset: number, where: string, what: string): number {
    this.checkRange(offset, 1, where, what);
    return this.view.getUint8(offset);
  }
  i8(offset: number, where: string, what: string): number {
    this.checkRange(offset, 1, where, what);
    return this.view.getInt8(offset);
  }
  u16(offset: number, where: string, what: string): number {
    this.checkRange(offset, 2, where, what);
    return this.view.getUint16(offset, true);
  }
  i32(offset: number, where: string, what: string): number {
    this.checkRange(offset, 4, where, what);
    return this.view.getInt32(offset, true);
  }
  u32(offset: number, where: string, what: string): number {
    this.checkRange(offset, 4, where, what);
    return this.view.getUint32(offset, true);
  }
  f32(offset: number, where: string, what: string): number {
    this.checkRange(offset, 4, where, what);
    return this.view.getFloat32(offset, true);
  }
  i64(offset: number, where: string, what: string): bigint {
    this.checkRange(offset, 8, where, what);
    return this.view.getBigInt64(offset, true);
  }
  u64(offset: number, where: string, what: string): bigint {
    this.checkRange(offset, 8, where, what);
    return this.view.getBigUint64(offset, true);
  }

  /** Follows the u32 uoffset stored at `offset`; the target must lie inside the file. */
  follow(offset: number, where: string, what: string): number {
    this.checkAlignment(offset, 4, where, `offset to ${what}`);
    const target = offset + this.u32(offset, where, `offset to ${what}`);
    if (target >= this.length) {
      this.layoutFail(where, `${what} points past end of file (offset ${target}, file ${this.length} bytes)`);
    }
    return target;
  }

  /** The 4 bytes after the root offset, where a file identifier ("TFL3") lives when present. */
  identifier(): string {
    if (this.length < 8) return '';
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  root(): Table {
    if (this.length < 8) this.layoutFail('', `file of ${this.length} bytes is too short to be a flatbuffer`);
    return new Table(this, this.follow(0, 'file header', 'root table'), '');
  }
}

/** Element readers for vectors of scalars, by element type. */
const scalarKinds = {
  i32: { size: 4, read: (fb: FlatBuffer, at: number, where: string) => fb.i32(at, where, 'element') },
  f32: { size: 4, read: (fb: FlatBuffer, at: number, where: string) => fb.f32(at, where, 'element') },
} as const;

/** One table, with its vtable checked once on construction. */
export class Table {
  private readonly vtable: number;
  private readonly vtableBytes: number;

  constructor(
    readonly fb: FlatBuffer,
    readonly offset: number,
    readonly where: string,
  ) {
    fb.charge(1, where);
    fb.checkAlignment(offset, 4, where, 'table');
    // soffset is signed: vtables usually sit before their table but may sit after it.
    this.vtable = offset - fb.i32(offset, where, 'table');
    fb.checkAlignment(this.vtable, 2, where, 'vtable');
    fb.checkRange(this.vtable, 2, where, 'vtable');
    this.vtableBytes = fb.u16(this.vtable, where, 'vtable');
    // As VerifyTableStart: the size must be even and in the file. A vtable under 4 bytes (or one
    // shorter than a field's slot) means those fields are absent. The table's own size, the vtable's
    // second word, is not checked by the Verifier and is not used here either: each field is checked
    // against the file where it is read.
    if (this.vtableBytes % 2 !== 0) fb.layoutFail(where, `vtable at offset ${this.vtable} claims an odd size of ${this.vtableBytes} bytes`);
    fb.checkRange(this.vtable, this.vtableBytes, where, 'vtable');
  }

  /** Absolute position of field `id` holding `size` bytes, or -1 when the field is absent. */
  private field(id: number, size: number, name: string): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableBytes) return -1;
    const at = this.fb.u16(this.vtable + slot, this.where, 'vtable');
    if (at === 0) return -1;
    const position = this.offset + at;
    this.fb.checkAlignment(position, size, this.where, `field ${name}`);
    this.fb.checkRange(position, size, this.where, `field ${name}`);
    return position;
  }

  has(id: number): boolean {
    return this.field(id, 1, `#${id}`) >= 0;
  }

  bool(id: number, name: string, fallback = false): boolean {
    const at = this.field(id, 1, name);
    return at < 0 ? fallback : this.fb.u8(at, this.where, name) !== 0;
  }
  u8(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 1, name);
    return at < 0 ? fallback : this.fb.u8(at, this.where, name);
  }
  i8(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 1, name);
    return at < 0 ? fallback : this.fb.i8(at, this.where, name);
  }
  i32(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 4, name);
    return at < 0 ? fallback : this.fb.i32(at, this.where, name);
  }
  u32(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 4, name);
    return at < 0 ? fallback : this.fb.u32(at, this.where, name);
  }
  f32(id: number, name: string, fallback = 0): number {
    const at = this.field(id, 4, name);
    return at < 0 ? fallback : this.fb.f32(at, this.where, name);
  }
  u64(id: number, name: string, fallback = 0n): bigint {
    const at = this.field(id, 8, name);
    return at < 0 ? fallback : this.fb.u64(at, this.where, name);
  }

  table(id: number, name: string): Table | null {
    const at = this.field(id, 4, name);
    return at < 0 ? null : new Table(this.fb, this.fb.follow(at, this.where, name), within(this.where, name));
  }

  string(id: number, name: string): string | null {
    const vector = this.vector(id, name, 1);
    if (vector === null) return null;
    const { start, count, where } = vector;
    this.fb.charge(count, where); // decoding costs its length, so one long string shared by many tables must not be free
    if (this.fb.u8(start + count, where, 'string terminator') !== 0) this.fb.layoutFail(where, 'string is not 0-terminated');
    return utf8.decode(this.fb.bytes.subarray(start, start + count));
  }

  /** A byte vector as a view into the file (no copy), or null when absent. */
  bytes(id: number, name: string): Uint8Array | null {
    const vector = this.vector(id, name, 1);
    return vector === null ? null : this.fb.bytes.subarray(vector.start, vector.start + vector.count);
  }

  i32Vector(id: number, name: string): number[] | null {
    return this.scalars(id, name, 'i32');
  }
  f32Vector(id: number, name: string): Float32Array | null {
    const values = this.scalars(id, name, 'f32');
    return values === null ? null : Float32Array.from(values);
  }
  i64Vector(id: number, name: string): bigint[] | null {
    const vector = this.vector(id, name, 8);
    if (vector === null) return null;
    const { start, count, where } = vector;
    this.fb.charge(count, where);
    const values: bigint[] = [];
    for (let i = 0; i < count; i++) values.push(this.fb.i64(start + 8 * i, where, 'element'));
    return values;
  }

  /** A vector of tables; each is named `${itemName} ${index}` in error locations. */
  tables(id: number, name: string, itemName: string): Table[] | null {
    const vector = this.vector(id, name, 4);
    if (vector === null) return null;
    const { start, count, where } = vector;
    const tables: Table[] = [];
    for (let i = 0; i < count; i++) {
      const item = `${itemName} ${i}`;
      tables.push(new Table(this.fb, this.fb.follow(start + 4 * i, where, item), within(this.where, item)));
    }
    return tables;
  }

  private scalars(id: number, name: string, kind: keyof typeof scalarKinds): number[] | null {
    const { size, read } = scalarKinds[kind];
    const vector = this.vector(id, name, size);
    if (vector === null) return null;
    const { start, count, where } = vector;
    this.fb.charge(count, where);
    const values: number[] = [];
    for (let i = 0; i < count; i++) values.push(read(this.fb, start + size * i, where));
    return values;
  }

  /** Locates a vector field's elements after checking that count x size fits in the file. */
  private vector(id: number, name: string, elementSize: number): { start: number; count: number; where: string } | null {
    const at = this.field(id, 4, name);
    if (at < 0) return null;
    const where = within(this.where, name);
    const lengthAt = this.fb.follow(at, this.where, name);
    this.fb.checkAlignment(lengthAt, 4, where, 'vector length');
    const count = this.fb.u32(lengthAt, where, 'vector length');
    const start = lengthAt + 4;
    this.fb.checkRange(start, count * elementSize, where, `vector of ${count} x ${elementSize} bytes`);
    // Elements are NOT checked for alignment: flatbuffers' Verifier (VerifyVectorOrString) checks only
    // the length's, and TFLM reads such files; int64 vectors 4 but not 8-aligned occur in real models.
    // Reads go through DataView, which takes any alignment.
    this.fb.charge(1, where);
    return { start, count, where };
  }
}
