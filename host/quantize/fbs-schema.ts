/**
 * A machine-readable description of a FlatBuffers schema, parsed from `.fbs`
 * text. It drives the verifier (fbs-verifier.ts), which checks an exported
 * .tflite against the real TFLite schema without trusting our own writer or
 * tinysense's reader. Only the parts of the .fbs grammar that describe the
 * binary layout are kept: tables, structs, enums, unions, field ids, types,
 * defaults and the `deprecated`/`required`/`id`/`force_align` attributes.
 * Comments, documentation and other attributes are dropped.
 */

export type ScalarName =
  | 'bool' | 'byte' | 'ubyte' | 'short' | 'ushort' | 'int' | 'uint' | 'long' | 'ulong' | 'float' | 'double';

/** A field's type. Enums carry their underlying scalar so the layout needs no look-up. */
export type FieldType =
  | { kind: 'scalar'; scalar: ScalarName }
  | { kind: 'enum'; name: string; scalar: ScalarName }
  | { kind: 'string' }
  | { kind: 'table'; name: string }
  | { kind: 'struct'; name: string }
  | { kind: 'union'; name: string }
  | { kind: 'vector'; element: FieldType };

export interface FieldDescription {
  name: string;
  /** The vtable slot. A union field uses two: `id - 1` holds its `_type` byte, `id` its value. */
  id: number;
  type: FieldType;
  /** The default written in the schema (numbers, booleans, or an enum value's name). */
  defaultValue?: number | boolean | string;
  deprecated?: true;
  required?: true;
  /** force_align on a vector: the alignment of its first element. */
  forceAlign?: number;
}

export interface TableDescription {
  fields: FieldDescription[];
}

export interface StructDescription {
  fields: { name: string; type: FieldType; offset: number }[];
  size: number;
  align: number;
}

export interface EnumDescription {
  scalar: ScalarName;
  values: Record<string, number>;
}

export interface UnionDescription {
  /** Member table names; member k has type tag k + 1 (0 is NONE). */
  members: string[];
}

export interface SchemaDescription {
  /** Where the description came from (path and revision), for pinned copies. */
  source?: string;
  namespace: string;
  fileIdentifier?: string;
  rootType: string;
  enums: Record<string, EnumDescription>;
  unions: Record<string, UnionDescription>;
  tables: Record<string, TableDescription>;
  structs: Record<string, StructDescription>;
}

export const SCALAR_BYTES: Record<ScalarName, number> = {
  bool: 1, byte: 1, ubyte: 1, short: 2, ushort: 2, int: 4, uint: 4, long: 8, ulong: 8, float: 4, double: 8,
};

/** Sized aliases the grammar accepts for the scalar names. */
const SCALAR_ALIASES: Record<string, ScalarName> = {
  bool: 'bool', byte: 'byte', ubyte: 'ubyte', short: 'short', ushort: 'ushort', int: 'int', uint: 'uint',
  long: 'long', ulong: 'ulong', float: 'float', double: 'double', int8: 'byte', uint8: 'ubyte', int16: 'short',
  uint16: 'ushort', int32: 'int', uint32: 'uint', int64: 'long', uint64: 'ulong', float32: 'float', float64: 'double',
};

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

interface Token {
  text: string;
  kind: 'ident' | 'number' | 'string' | 'punct';
  line: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\n') {
      line++;
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`schema line ${line}: unterminated comment`);
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (ch === '"') {
      const end = source.indexOf('"', i + 1);
      if (end < 0) throw new Error(`schema line ${line}: unterminated string`);
      tokens.push({ text: source.slice(i + 1, end), kind: 'string', line });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i))!;
      tokens.push({ text: m[0], kind: 'ident', line });
      i += m[0].length;
    } else if (/[-+0-9]/.test(ch)) {
      const m = /^[-+]?(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?|inf|nan)/.exec(source.slice(i));
      if (!m || m[0] === '-' || m[0] === '+') throw new Error(`schema line ${line}: bad number`);
      tokens.push({ text: m[0], kind: 'number', line });
      i += m[0].length;
    } else {
      tokens.push({ text: ch, kind: 'punct', line });
      i++;
    }
  }
  return tokens;
}

class TokenStream {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }
  peek(): Token | undefined {
    return this.tokens[this.at];
  }
  next(): Token {
    const t = this.tokens[this.at++];
    if (!t) throw new Error('schema: unexpected end of file');
    return t;
  }
  fail(message: string): never {
    const t = this.tokens[Math.min(this.at, this.tokens.length - 1)];
    throw new Error(`schema line ${t?.line ?? '?'}: ${message}`);
  }
  accept(text: string): boolean {
    if (this.peek()?.text === text && this.peek()?.kind !== 'string') {
      this.at++;
      return true;
    }
    return false;
  }
  expect(text: string): void {
    if (!this.accept(text)) this.fail(`expected '${text}', found '${this.peek()?.text ?? 'end of file'}'`);
  }
  ident(): string {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(`expected a name, found '${t.text}'`);
    return t.text;
  }
}

// ---------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------

type Attributes = Record<string, string | true>;

/** `(name, name: value, ...)` after a declaration. */
function parseAttributes(s: TokenStream): Attributes {
  const attrs: Attributes = {};
  if (!s.accept('(')) return attrs;
  while (!s.accept(')')) {
    const name = s.ident();
    attrs[name] = s.accept(':') ? s.next().text : true;
    s.accept(',');
  }
  return attrs;
}

/** A type as written, resolved once every declaration is known. */
type RawType = { name: string } | { vectorOf: RawType };

function parseRawType(s: TokenStream): RawType {
  if (s.accept('[')) {
    const element = parseRawType(s);
    if (s.accept(':')) s.fail('fixed-length arrays are not supported');
    s.expect(']');
    return { vectorOf: element };
  }
  return { name: s.ident() };
}

interface RawField {
  name: string;
  type: RawType;
  defaultToken?: Token;
  attrs: Attributes;
}

interface RawComposite {
  kind: 'table' | 'struct';
  name: string;
  fields: RawField[];
  /** force_align on a struct declaration. */
  forceAlign?: number;
}

function parseNumber(text: string): number {
  if (/^[-+]?0x/i.test(text)) return text.startsWith('-') ? -parseInt(text.slice(1), 16) : parseInt(text.replace('+', ''), 16);
  if (/inf$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/nan$/.test(text)) return NaN;
  return Number(text);
}

/** Parses `.fbs` source (one file; `include` is not followed) into a description. */
export function parseFbsSchema(source: string): SchemaDescription {
  const s = new TokenStream(tokenize(source));
  const schema: SchemaDescription = { namespace: '', rootType: '', enums: {}, unions: {}, tables: {}, structs: {} };
  const composites: RawComposite[] = [];
  const rawEnums: { name: string; scalar: string; values: Record<string, number> }[] = [];

  while (!s.done()) {
    const keyword = s.ident();
    switch (keyword) {
      case 'namespace':
        schema.namespace = s.ident();
        s.expect(';');
        break;
      case 'include':
      case 'attribute':
      case 'file_extension':
        s.next();
        s.expect(';');
        break;
      case 'file_identifier':
        schema.fileIdentifier = s.next().text;
        s.expect(';');
        break;
      case 'root_type':
        schema.rootType = s.ident();
        s.expect(';');
        break;
      case 'enum': {
        const name = s.ident();
        s.expect(':');
        const scalar = s.ident();
        parseAttributes(s);
        s.expect('{');
        const values: Record<string, number> = {};
        let nextValue = 0;
        while (!s.accept('}')) {
          const valueName = s.ident();
          if (s.accept('=')) nextValue = parseNumber(s.next().text);
          parseAttributes(s); // e.g. (deprecated): the value still exists
          values[valueName] = nextValue++;
          s.accept(',');
        }
        rawEnums.push({ name, scalar, values });
        break;
      }
      case 'union': {
        const name = s.ident();
        parseAttributes(s);
        s.expect('{');
        const members: string[] = [];
        while (!s.accept('}')) {
          let member = s.ident();
          if (s.accept(':')) member = s.ident(); // `Alias: Type`: the layout only needs the type
          if (s.accept('=')) s.fail('explicit union tags are not supported');
          parseAttributes(s);
          members.push(member);
          s.accept(',');
        }
        schema.unions[name] = { members };
        break;
      }
      case 'table':
      case 'struct': {
        const name = s.ident();
        const declAttrs = parseAttributes(s);
        s.expect('{');
        const fields: RawField[] = [];
        while (!s.accept('}')) {
          const fieldName = s.ident();
          s.expect(':');
          const type = parseRawType(s);
          const defaultToken = s.accept('=') ? s.next() : undefined;
          const attrs = parseAttributes(s);
          s.expect(';');
          fields.push({ name: fieldName, type, defaultToken, attrs });
        }
        const forceAlign = declAttrs.force_align !== undefined ? Number(declAttrs.force_align) : undefined;
        composites.push({ kind: keyword, name, fields, forceAlign });
        break;
      }
      case 'rpc_service':
        s.fail('rpc_service is not supported');
        break;
      default:
        s.fail(`unexpected '${keyword}'`);
    }
  }

  for (const e of rawEnums) {
    const scalar = SCALAR_ALIASES[e.scalar];
    if (!scalar || scalar === 'float' || scalar === 'double' || scalar === 'bool') {
      throw new Error(`schema: enum ${e.name} has underlying type ${e.scalar}`);
    }
    schema.enums[e.name] = { scalar, values: e.values };
  }
  const structNames = new Set(composites.filter((c) => c.kind === 'struct').map((c) => c.name));
  const tableNames = new Set(composites.filter((c) => c.kind === 'table').map((c) => c.name));

  const resolve = (raw: RawType, where: string): FieldType => {
    if ('vectorOf' in raw) {
      const element = resolve(raw.vectorOf, where);
      if (element.kind === 'vector') throw new Error(`schema: ${where}: vectors of vectors are not allowed`);
      return { kind: 'vector', element };
    }
    const name = raw.name.includes('.') ? raw.name.slice(raw.name.lastIndexOf('.') + 1) : raw.name;
    if (name === 'string') return { kind: 'string' };
    const scalar = SCALAR_ALIASES[name];
    if (scalar) return { kind: 'scalar', scalar };
    if (schema.enums[name]) return { kind: 'enum', name, scalar: schema.enums[name].scalar };
    if (schema.unions[name]) return { kind: 'union', name };
    if (structNames.has(name)) return { kind: 'struct', name };
    if (tableNames.has(name)) return { kind: 'table', name };
    throw new Error(`schema: ${where}: unknown type ${raw.name}`);
  };

  // Structs first (tables may embed them); a struct may only use scalars, enums and earlier structs.
  for (const c of composites.filter((x) => x.kind === 'struct')) {
    let offset = 0;
    let align = 1;
    const fields: StructDescription['fields'] = [];
    for (const f of c.fields) {
      const type = resolve(f.type, `${c.name}.${f.name}`);
      let size: number, fieldAlign: number;
      if (type.kind === 'scalar' || type.kind === 'enum') {
        size = fieldAlign = SCALAR_BYTES[type.scalar];
      } else if (type.kind === 'struct' && schema.structs[type.name]) {
        ({ size, align: fieldAlign } = schema.structs[type.name]);
      } else {
        throw new Error(`schema: struct ${c.name} field ${f.name} must be a scalar, enum or struct`);
      }
      offset = Math.ceil(offset / fieldAlign) * fieldAlign;
      fields.push({ name: f.name, type, offset });
      offset += size;
      align = Math.max(align, fieldAlign);
    }
    if (c.forceAlign) align = Math.max(align, c.forceAlign);
    schema.structs[c.name] = { fields, size: Math.ceil(offset / align) * align, align };
  }

  for (const c of composites.filter((x) => x.kind === 'table')) {
    const fields: FieldDescription[] = [];
    let nextId = 0;
    const explicitIds = c.fields.some((f) => f.attrs.id !== undefined);
    for (const f of c.fields) {
      const type = resolve(f.type, `${c.name}.${f.name}`);
      // A union takes two slots: the type tag, then the value.
      const slots = type.kind === 'union' ? 2 : 1;
      let id: number;
      if (explicitIds) {
        if (f.attrs.id === undefined) throw new Error(`schema: ${c.name}.${f.name} needs an id like its siblings`);
        id = Number(f.attrs.id);
      } else {
        id = nextId + slots - 1;
        nextId += slots;
      }
      const field: FieldDescription = { name: f.name, id, type };
      if (f.defaultToken) {
        const t = f.defaultToken;
        field.defaultValue =
          t.kind === 'number' ? parseNumber(t.text) : t.text === 'true' ? true : t.text === 'false' ? false : t.text;
      }
      if (f.attrs.deprecated) field.deprecated = true;
      if (f.attrs.required) field.required = true;
      if (f.attrs.force_align !== undefined) field.forceAlign = Number(f.attrs.force_align);
      fields.push(field);
    }
    schema.tables[c.name] = { fields };
  }
  if (!schema.rootType) throw new Error('schema: no root_type');
  if (!schema.tables[schema.rootType]) throw new Error(`schema: root type ${schema.rootType} is not a table`);
  return schema;
}

// ---------------------------------------------------------------------------
// Writing a description back as .fbs
// ---------------------------------------------------------------------------

/**
 * The description as `.fbs` text that flatc compiles: every table field carries its explicit id, so
 * the binary layout is exactly the described one (parseFbsSchema of the result gives the description
 * back). Tests use it to build the real FlatBuffers verifier for the TFLite schema with flatc, without
 * keeping a copy of schema.fbs in the repository.
 */
export function describedSchemaToFbs(schema: SchemaDescription): string {
  const typeText = (t: FieldType): string => {
    switch (t.kind) {
      case 'scalar':
        return t.scalar;
      case 'vector':
        return `[${typeText(t.element)}]`;
      case 'string':
        return 'string';
      default:
        return t.name;
    }
  };
  const out: string[] = [];
  if (schema.namespace) out.push(`namespace ${schema.namespace};`, '');
  for (const [name, e] of Object.entries(schema.enums)) {
    const values = Object.entries(e.values).map(([v, n]) => `  ${v} = ${n},`);
    out.push(`enum ${name} : ${e.scalar} {`, ...values, '}', '');
  }
  for (const [name, s] of Object.entries(schema.structs)) {
    const fields = [...s.fields].sort((a, b) => a.offset - b.offset).map((f) => `  ${f.name}:${typeText(f.type)};`);
    out.push(`struct ${name} {`, ...fields, '}', '');
  }
  // Unions name tables, which may be declared after them; flatc resolves names file-wide.
  for (const [name, u] of Object.entries(schema.unions)) {
    out.push(`union ${name} {`, ...u.members.map((m) => `  ${m},`), '}', '');
  }
  for (const [name, t] of Object.entries(schema.tables)) {
    out.push(`table ${name} {`);
    for (const f of t.fields) {
      const attrs = [`id: ${f.id}`];
      if (f.deprecated) attrs.push('deprecated');
      if (f.required) attrs.push('required');
      if (f.forceAlign !== undefined) attrs.push(`force_align: ${f.forceAlign}`);
      const dflt = f.defaultValue === undefined ? '' : ` = ${String(f.defaultValue)}`;
      out.push(`  ${f.name}:${typeText(f.type)}${dflt} (${attrs.join(', ')});`);
    }
    out.push('}', '');
  }
  if (schema.fileIdentifier) out.push(`file_identifier "${schema.fileIdentifier}";`);
  if (schema.rootType) out.push(`root_type ${schema.rootType};`);
  return out.join('\n') + '\n';
}
