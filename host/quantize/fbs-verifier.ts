/**
 * A FlatBuffers verifier driven by a schema description (fbs-schema.ts): it
 * walks a buffer from its root table and checks every offset, vtable, field
 * and vector against the schema — bounds, alignment, field types (a field's
 * slot must exist in the schema and not be deprecated), enum values, union
 * tags, string termination and UTF-8, `required` fields, `force_align`.
 * While walking it decodes the buffer into plain objects, so callers can
 * check content (tflite-checks.ts) with a reader that shares no code with
 * tinysense's own .tflite reader or with our writer.
 */
import { EnumDescription, FieldDescription, FieldType, SCALAR_BYTES, ScalarName, SchemaDescription } from './fbs-schema.js';

export type DecodedValue = number | bigint | boolean | string | Uint8Array | DecodedTable | DecodedUnion | DecodedValue[] | null;

export interface DecodedTable {
  /** The table's type name in the schema. */
  $type: string;
  [field: string]: DecodedValue;
}

export interface DecodedUnion {
  $union: string;
  /** The member table's name, or 'NONE'. */
  type: string;
  value: DecodedTable | null;
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  /** The decoded root; present when the root table itself could be read. */
  root?: DecodedTable;
  /** How many tables of each type were verified. */
  tablesVerified: Record<string, number>;
  fieldsVerified: number;
}

/**
 * 'strict' (the default) checks what a well-written buffer must satisfy: our exporter's output is held
 * to it (bool bytes 0/1, enum values defined, UTF-8 strings, no deprecated or unknown slots set, fields
 * inside their table, aligned vector elements, force_align).
 *
 * 'flatbuffers' accepts exactly what the FlatBuffers library's Verifier accepts with its default
 * options (flatbuffers/verifier.h and flatc's generated Verify() methods, which TFLM and the TFLite
 * converter use): bounds and alignment of every offset, table start, vtable, field and vector length,
 * non-zero offsets below 2^31 for fields, string terminators, depth 64 and 1,000,000 tables. It does not
 * look at values (enums, bools, UTF-8), table sizes, deprecated fields, vector element alignment,
 * force_align, unknown union tags or a union value whose type is NONE. test/tflite/ compares it with
 * the real Verifier, built by flatc from the same schema, on mutated models.
 */
export type VerifierFlavour = 'strict' | 'flatbuffers';

export interface VerifyOptions {
  flavour?: VerifierFlavour;
  /** Check the 4-byte file identifier after the root offset (default: in 'strict', when the schema declares one). */
  checkIdentifier?: boolean;
  maxDepth?: number;
  maxTables?: number;
}

const UOFFSET = 4;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** The Verifier does not look inside strings; names that are not UTF-8 decode with U+FFFD. */
const UTF8_LENIENT = new TextDecoder('utf-8');
/** FLATBUFFERS_MAX_BUFFER_SIZE: offsets and vector sizes are bounded by it. */
const MAX_BUFFER_SIZE = 0x7fffffff;

class Verifier {
  readonly problems: string[] = [];
  readonly tablesVerified: Record<string, number> = {};
  fieldsVerified = 0;
  private tables = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly schema: SchemaDescription,
    private readonly maxDepth: number,
    private readonly maxTables: number,
    /** 'flatbuffers' flavour: exactly the library Verifier's rules (see VerifierFlavour). */
    private readonly exact: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  problem(path: string, message: string): null {
    // A broken buffer can repeat one fault many times over; keep the report readable.
    if (this.problems.length < 200) this.problems.push(`${path || '(root)'}: ${message}`);
    return null;
  }

  /** [pos, pos + size) lies in the buffer and pos is aligned (offsets are relative to the buffer start). */
  inBounds(pos: number, size: number, align: number, path: string, what: string): boolean {
    // The Verifier's Verify(elem, len) is `len < size && elem <= size - len`: a range never spans the
    // whole buffer.
    const outside = this.exact ? size >= this.bytes.length || pos > this.bytes.length - size : pos + size > this.bytes.length;
    if (pos < 0 || size < 0 || outside) {
      this.problem(path, `${what} at ${pos} (+${size}) lies outside the ${this.bytes.length}-byte buffer`);
      return false;
    }
    if (align > 1 && pos % align !== 0) {
      this.problem(path, `${what} at ${pos} is not aligned to ${align}`);
      return false;
    }
    return true;
  }

  readScalar(pos: number, scalar: ScalarName): number | bigint {
    const v = this.view;
    switch (scalar) {
      case 'bool':
      case 'ubyte':
        return v.getUint8(pos);
      case 'byte':
        return v.getInt8(pos);
      case 'short':
        return v.getInt16(pos, true);
      case 'ushort':
        return v.getUint16(pos, true);
      case 'int':
        return v.getInt32(pos, true);
      case 'uint':
        return v.getUint32(pos, true);
      case 'long':
        return v.getBigInt64(pos, true);
      case 'ulong':
        return v.getBigUint64(pos, true);
      case 'float':
        return v.getFloat32(pos, true);
      case 'double':
        return v.getFloat64(pos, true);
    }
  }

  /** A scalar or enum value at pos, type-checked. */
  scalarValue(pos: number, type: FieldType & { scalar: ScalarName }, path: string, align = SCALAR_BYTES[type.scalar]): DecodedValue {
    const size = SCALAR_BYTES[type.scalar];
    if (!this.inBounds(pos, size, align, path, type.scalar)) return null;
    const raw = this.readScalar(pos, type.scalar);
    if (this.exact) return type.scalar === 'bool' ? raw !== 0 : raw;
    if (type.scalar === 'bool') {
      if (raw !== 0 && raw !== 1) return this.problem(path, `bool holds ${raw}`);
      return raw === 1;
    }
    if (type.kind === 'enum') {
      const e = this.schema.enums[type.name];
      const name = enumName(e, Number(raw));
      if (name === undefined) return this.problem(path, `${raw} is not a value of enum ${type.name}`);
    }
    return raw;
  }

  /** Follows a uoffset stored at pos; returns the target position. */
  follow(pos: number, path: string, what: string): number | null {
    if (!this.inBounds(pos, UOFFSET, UOFFSET, path, `offset to ${what}`)) return null;
    const offset = this.view.getUint32(pos, true);
    if (offset === 0) return this.problem(path, `offset to ${what} is 0`);
    if (this.exact && offset > MAX_BUFFER_SIZE) return this.problem(path, `offset to ${what} is ${offset}, over 2^31 - 1`);
    const target = pos + offset;
    if (this.exact ? !this.inBounds(target, 1, 1, path, what) : target >= this.bytes.length) {
      return this.problem(path, `offset to ${what} points past the end of the buffer`);
    }
    return target;
  }

  /**
   * Where an element of a vector of tables or strings points. The Verifier does not check these
   * offsets (Vector::Get follows them as they are); the table or string it reaches is checked.
   */
  element(pos: number, path: string, what: string): number | null {
    return this.exact ? pos + this.view.getUint32(pos, true) : this.follow(pos, path, what);
  }

  string(pos: number, path: string): string | null {
    if (!this.inBounds(pos, 4, 4, path, 'string length')) return null;
    const length = this.view.getUint32(pos, true);
    if (this.exact) {
      if (length >= MAX_BUFFER_SIZE) return this.problem(path, `string of ${length} bytes is too long`);
      if (!this.inBounds(pos, 4 + length, 1, path, 'string bytes')) return null;
      if (!this.inBounds(pos + 4 + length, 1, 1, path, 'string terminator')) return null;
      if (this.bytes[pos + 4 + length] !== 0) return this.problem(path, 'string is not NUL-terminated');
      return UTF8_LENIENT.decode(this.bytes.subarray(pos + 4, pos + 4 + length));
    }
    if (!this.inBounds(pos + 4, length + 1, 1, path, 'string bytes and terminator')) return null;
    if (this.bytes[pos + 4 + length] !== 0) return this.problem(path, 'string is not NUL-terminated');
    try {
      return UTF8.decode(this.bytes.subarray(pos + 4, pos + 4 + length));
    } catch {
      return this.problem(path, 'string is not valid UTF-8');
    }
  }

  vector(pos: number, element: FieldType, field: FieldDescription, path: string, depth: number): DecodedValue {
    if (!this.inBounds(pos, 4, 4, path, 'vector length')) return null;
    const length = this.view.getUint32(pos, true);
    const start = pos + 4;
    let elementSize: number;
    let elementAlign: number;
    if (element.kind === 'scalar' || element.kind === 'enum') {
      elementSize = elementAlign = SCALAR_BYTES[element.scalar];
    } else if (element.kind === 'struct') {
      const s = this.schema.structs[element.name];
      elementSize = s.size;
      elementAlign = s.align;
    } else if (element.kind === 'union') {
      return this.problem(path, 'vectors of unions are not supported by this verifier');
    } else {
      elementSize = elementAlign = UOFFSET;
    }
    if (this.exact) {
      // VerifyVectorOrString: the length is aligned; the elements are only bounds-checked.
      if (length >= Math.floor(MAX_BUFFER_SIZE / elementSize)) return this.problem(path, `vector of ${length} elements is too long`);
      if (!this.inBounds(pos, 4 + length * elementSize, 1, path, `vector of ${length}`)) return null;
      elementAlign = 1;
    } else if (!this.inBounds(start, length * elementSize, elementAlign, path, `vector of ${length}`)) {
      return null;
    }
    if (!this.exact && field.forceAlign && start % field.forceAlign !== 0) {
      return this.problem(path, `vector data at ${start} is not aligned to ${field.forceAlign} (force_align)`);
    }
    // [ubyte] (buffer data, custom options) decodes to a view, not a list of numbers.
    if (element.kind === 'scalar' && element.scalar === 'ubyte') return this.bytes.subarray(start, start + length);
    const out: DecodedValue[] = [];
    for (let i = 0; i < length; i++) {
      const at = start + i * elementSize;
      const itemPath = `${path}[${i}]`;
      if (element.kind === 'scalar' || element.kind === 'enum') {
        out.push(this.scalarValue(at, element, itemPath, elementAlign));
      } else if (element.kind === 'struct') {
        out.push(this.struct(at, element.name, itemPath));
      } else {
        const target = this.element(at, itemPath, element.kind);
        if (target === null) {
          out.push(null);
        } else if (element.kind === 'string') {
          out.push(this.string(target, itemPath));
        } else if (element.kind === 'table') {
          out.push(this.table(target, element.name, itemPath, depth + 1));
        }
      }
    }
    return out;
  }

  struct(pos: number, name: string, path: string): DecodedTable | null {
    const s = this.schema.structs[name];
    if (!this.inBounds(pos, s.size, s.align, path, `struct ${name}`)) return null;
    const out: DecodedTable = { $type: name };
    for (const f of s.fields) {
      this.fieldsVerified++;
      out[f.name] =
        f.type.kind === 'struct' ? this.struct(pos + f.offset, f.type.name, `${path}.${f.name}`)
        : f.type.kind === 'scalar' || f.type.kind === 'enum' ? this.scalarValue(pos + f.offset, f.type, `${path}.${f.name}`)
        : this.problem(path, `struct field ${f.name} has a non-inline type`);
    }
    return out;
  }

  table(pos: number, name: string, path: string, depth: number): DecodedTable | null {
    // The Verifier counts the root as depth 1.
    if (depth + (this.exact ? 1 : 0) > this.maxDepth) return this.problem(path, `tables nest deeper than ${this.maxDepth}`);
    if (++this.tables > this.maxTables) return this.problem(path, `more than ${this.maxTables} tables`);
    if (this.exact) return this.exactTable(pos, name, path, depth);
    const description = this.schema.tables[name];
    if (!this.inBounds(pos, 4, 4, path, `table ${name}`)) return null;
    const vtable = pos - this.view.getInt32(pos, true);
    if (!this.inBounds(vtable, 4, 2, path, `vtable of ${name}`)) return null;
    const vtableSize = this.view.getUint16(vtable, true);
    const tableSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) return this.problem(path, `vtable of ${name} has size ${vtableSize}`);
    if (!this.inBounds(vtable, vtableSize, 2, path, `vtable of ${name}`)) return null;
    if (tableSize < 4) return this.problem(path, `table ${name} has inline size ${tableSize}`);
    if (!this.inBounds(pos, tableSize, 4, path, `table ${name}`)) return null;
    this.tablesVerified[name] = (this.tablesVerified[name] ?? 0) + 1;

    const slotCount = (vtableSize - 4) / 2;
    const slotOffset = (slot: number): number => (slot < slotCount ? this.view.getUint16(vtable + 4 + 2 * slot, true) : 0);

    // Every slot that is set must belong to a live field of the schema.
    const known = new Map<number, FieldDescription>();
    for (const f of description.fields) {
      known.set(f.id, f);
      if (f.type.kind === 'union') known.set(f.id - 1, f);
    }
    for (let slot = 0; slot < slotCount; slot++) {
      const offset = slotOffset(slot);
      if (offset === 0) continue;
      const f = known.get(slot);
      if (!f) this.problem(path, `table ${name} sets slot ${slot}, which the schema does not define`);
      else if (f.deprecated) this.problem(`${path}.${f.name}`, 'deprecated field is set');
      if (offset < 4 || offset >= tableSize) this.problem(path, `table ${name} slot ${slot} offset ${offset} lies outside the table's ${tableSize} bytes`);
    }

    const out: DecodedTable = { $type: name };
    for (const f of description.fields) {
      const fieldPath = `${path}.${f.name}`;
      const offset = slotOffset(f.id);
      if (f.type.kind === 'union') {
        out[f.name] = this.union(f, pos, offset, slotOffset(f.id - 1), tableSize, fieldPath, depth);
        continue;
      }
      if (offset === 0) {
        if (f.required) this.problem(fieldPath, 'required field is missing');
        out[f.name] = defaultOf(f, this.schema);
        continue;
      }
      if (offset >= tableSize) continue; // reported above
      this.fieldsVerified++;
      const at = pos + offset;
      const type = f.type;
      if (type.kind === 'scalar' || type.kind === 'enum') {
        if (at + SCALAR_BYTES[type.scalar] > pos + tableSize) {
          this.problem(fieldPath, 'scalar runs past the end of its table');
          continue;
        }
        out[f.name] = this.scalarValue(at, type, fieldPath);
      } else if (type.kind === 'struct') {
        out[f.name] = this.struct(at, type.name, fieldPath);
      } else {
        const target = this.follow(at, fieldPath, type.kind);
        if (target === null) {
          out[f.name] = null;
        } else if (type.kind === 'string') {
          out[f.name] = this.string(target, fieldPath);
        } else if (type.kind === 'vector') {
          out[f.name] = this.vector(target, type.element, f, fieldPath, depth);
        } else {
          out[f.name] = this.table(target, type.name, fieldPath, depth + 1);
        }
      }
    }
    return out;
  }

  /** A table as VerifyTableStart and flatc's generated Verify() check it (the 'flatbuffers' flavour). */
  exactTable(pos: number, name: string, path: string, depth: number): DecodedTable | null {
    if (!this.inBounds(pos, 4, 4, path, `table ${name}`)) return null;
    const vtable = pos - this.view.getInt32(pos, true);
    if (!this.inBounds(vtable, 2, 2, path, `vtable of ${name}`)) return null;
    const vtableSize = this.view.getUint16(vtable, true);
    if (vtableSize % 2 !== 0) return this.problem(path, `vtable of ${name} has odd size ${vtableSize}`);
    if (!this.inBounds(vtable, vtableSize, 1, path, `vtable of ${name}`)) return null;
    this.tablesVerified[name] = (this.tablesVerified[name] ?? 0) + 1;
    // GetOptionalFieldOffset: a slot past the vtable's end reads as absent.
    const slotOffset = (id: number): number => (4 + 2 * id < vtableSize ? this.view.getUint16(vtable + 4 + 2 * id, true) : 0);

    const out: DecodedTable = { $type: name };
    for (const f of this.schema.tables[name].fields) {
      if (f.deprecated) continue; // flatc generates no check for a deprecated field
      const fieldPath = `${path}.${f.name}`;
      const type = f.type;
      const offset = slotOffset(f.id);
      if (type.kind === 'union') {
        this.fieldsVerified++;
        const tagOffset = slotOffset(f.id - 1);
        const tag = tagOffset === 0 ? 0 : this.scalarValue(pos + tagOffset, { kind: 'scalar', scalar: 'ubyte' }, fieldPath);
        const target = offset === 0 ? null : this.follow(pos + offset, fieldPath, 'union value');
        const members = this.schema.unions[type.name].members;
        // NONE, and tags the schema does not know, verify as true whatever the value is.
        const member = typeof tag === 'number' && tag > 0 && tag <= members.length ? members[tag - 1] : 'NONE';
        const value = member !== 'NONE' && target !== null ? this.table(target, member, fieldPath, depth + 1) : null;
        out[f.name] = { $union: type.name, type: member, value };
        continue;
      }
      if (offset === 0) {
        if (f.required) this.problem(fieldPath, 'required field is missing');
        out[f.name] = defaultOf(f, this.schema);
        continue;
      }
      this.fieldsVerified++;
      const at = pos + offset;
      if (type.kind === 'scalar' || type.kind === 'enum') {
        out[f.name] = this.scalarValue(at, type, fieldPath);
      } else if (type.kind === 'struct') {
        out[f.name] = this.struct(at, type.name, fieldPath);
      } else {
        const target = this.follow(at, fieldPath, type.kind);
        out[f.name] =
          target === null ? null
          : type.kind === 'string' ? this.string(target, fieldPath)
          : type.kind === 'vector' ? this.vector(target, type.element, f, fieldPath, depth)
          : this.table(target, type.name, fieldPath, depth + 1);
      }
    }
    return out;
  }

  union(f: FieldDescription, pos: number, valueOffset: number, tagOffset: number, tableSize: number, path: string, depth: number): DecodedUnion | null {
    const unionName = (f.type as { name: string }).name;
    const members = this.schema.unions[unionName].members;
    this.fieldsVerified++;
    const tag = tagOffset !== 0 && tagOffset < tableSize ? this.bytes[pos + tagOffset] : 0;
    if (tag === 0) {
      if (valueOffset !== 0) this.problem(path, 'union value is set but its type is NONE');
      if (f.required) this.problem(path, 'required union is missing');
      return { $union: unionName, type: 'NONE', value: null };
    }
    if (tag > members.length) return this.problem(path, `union tag ${tag} is not a member of ${unionName}`);
    const member = members[tag - 1];
    if (valueOffset === 0 || valueOffset >= tableSize) return this.problem(path, `union type is ${member} but the value is missing`);
    const target = this.follow(pos + valueOffset, path, member);
    return { $union: unionName, type: member, value: target === null ? null : this.table(target, member, path, depth + 1) };
  }
}

function enumName(e: EnumDescription, value: number): string | undefined {
  for (const [name, v] of Object.entries(e.values)) if (v === value) return name;
  return undefined;
}

function defaultOf(f: FieldDescription, schema: SchemaDescription): DecodedValue {
  const type = f.type;
  if (type.kind === 'scalar' || type.kind === 'enum') {
    let value: number | boolean = 0;
    if (typeof f.defaultValue === 'number' || typeof f.defaultValue === 'boolean') value = f.defaultValue;
    else if (typeof f.defaultValue === 'string' && type.kind === 'enum') value = schema.enums[type.name].values[f.defaultValue] ?? 0;
    if (type.scalar === 'bool') return Boolean(value);
    if (type.scalar === 'long' || type.scalar === 'ulong') return BigInt(Number(value));
    return Number(value);
  }
  return null;
}

/** Verifies `bytes` as a buffer whose root is the schema's root_type. */
export function verifyFlatbuffer(bytes: Uint8Array, schema: SchemaDescription, options: VerifyOptions = {}): VerifyResult {
  const exact = options.flavour === 'flatbuffers';
  const v = new Verifier(bytes, schema, options.maxDepth ?? 64, options.maxTables ?? 1_000_000, exact);
  let root: DecodedTable | undefined;
  if (exact) {
    // VerifyBuffer<Model>(identifier): the identifier is checked only when one is asked for.
    if (options.checkIdentifier && (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== schema.fileIdentifier)) {
      v.problem('', `file identifier is not '${schema.fileIdentifier}'`);
    }
    const rootPos = v.follow(0, '', 'the root table');
    if (rootPos !== null) root = v.table(rootPos, schema.rootType, schema.rootType, 0) ?? undefined;
  } else if (v.inBounds(0, 8, 1, '', 'root offset and identifier')) {
    const checkIdentifier = options.checkIdentifier ?? schema.fileIdentifier !== undefined;
    const identifier = String.fromCharCode(...bytes.subarray(4, 8));
    if (checkIdentifier && identifier !== schema.fileIdentifier) {
      v.problem('', `file identifier is '${identifier}', expected '${schema.fileIdentifier}'`);
    }
    const rootPos = v.follow(0, '', 'the root table');
    if (rootPos !== null) root = v.table(rootPos, schema.rootType, schema.rootType, 0) ?? undefined;
  }
  return { ok: v.problems.length === 0, problems: v.problems, root, tablesVerified: v.tablesVerified, fieldsVerified: v.fieldsVerified };
}
