/**
 * A checked FlexBuffers decoder for custom operator options (TFLM's signal ops keep theirs here).
 *
 * Why not flatbuffers' own flexbuffers module: its reader trusts every offset (a bad one surfaces
 * as a thrown string, RangeError or BigInt TypeError), decodes a float 0.0 as null
 * (`floatValue() || intValue()`), cannot list a map's keys through its public Reference API, and
 * has no guard against offsets that share one subtree many times, which a few hundred hostile
 * bytes can turn into 2^30 nodes. This decoder follows the same format
 * (https://flatbuffers.dev/flexbuffers/) with every read checked, a depth limit and a node budget.
 */
import { TfliteFormatError } from './flatbuffer.js';

/** A decoded FlexBuffers value. 64-bit integers beyond 2^53 stay bigint rather than lose bits. */
export type FlexValue =
  | null | boolean | number | bigint | string | Uint8Array
  | readonly FlexValue[]
  | { readonly [key: string]: FlexValue };

// FlexBuffers value types (the high 6 bits of a packed type byte).
const NULL = 0, INT = 1, UINT = 2, FLOAT = 3, KEY = 4, STRING = 5;
const INDIRECT_INT = 6, INDIRECT_UINT = 7, INDIRECT_FLOAT = 8, MAP = 9, VECTOR = 10;
const VECTOR_INT = 11, VECTOR_KEY = 14, VECTOR_INT2 = 16, VECTOR_FLOAT4 = 24;
const BLOB = 25, BOOL = 26, VECTOR_BOOL = 36;

/** Nesting deeper than this is not an options object; it is a loop or an attack. */
const MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeFlexbuffer(bytes: Uint8Array, where: string): FlexValue {
  return new FlexReader(bytes, where).root();
}

class FlexReader {
  private readonly view: DataView;
  /** Each value occupies at least one byte of its own, so an honest buffer has fewer nodes than bytes. */
  private nodesLeft: number;
  private textBytesLeft: number;
  private readonly texts = new Map<string, string>();
  private readonly keys = new Map<number, string>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.nodesLeft = bytes.length + 16;
    this.textBytesLeft = bytes.length + 16;
  }

  root(): FlexValue {
    const n = this.bytes.length;
    if (n < 3) this.fail('/', `${n} bytes is too short for a flexbuffer`);
    const width = this.width(this.bytes[n - 1] ?? 0, '/', 'root width');
    return this.value(n - 2 - width, width, this.bytes[n - 2] ?? 0, 0, '/');
  }

  private fail(path: string, problem: string): never {
    throw new TfliteFormatError(this.where, `flexbuffer ${path}: ${problem}`);
  }

  private width(byteWidth: number, path: string, what: string): number {
    if (byteWidth !== 1 && byteWidth !== 2 && byteWidth !== 4 && byteWidth !== 8) this.fail(path, `${what} ${byteWidth} is not 1, 2, 4 or 8`);
    return byteWidth;
  }

  private check(at: number, size: number, path: string, what: string): void {
    if (at < 0 || size < 0 || at + size > this.bytes.length) {
      this.fail(path, `${what} runs outside the ${this.bytes.length}-byte buffer (offset ${at}, ${size} bytes)`);
    }
  }

  private uint(at: number, width: number, path: string, what: string): number | bigint {
    this.check(at, width, path, what);
    if (width === 1) return this.view.getUint8(at);
    if (width === 2) return this.view.getUint16(at, true);
    if (width === 4) return this.view.getUint32(at, true);
    return safe(this.view.getBigUint64(at, true));
  }

  private int(at: number, width: number, path: string): number | bigint {
    this.check(at, width, path, 'integer');
    if (width === 1) return this.view.getInt8(at);
    if (width === 2) return this.view.getInt16(at, true);
    if (width === 4) return this.view.getInt32(at, true);
    return safe(this.view.getBigInt64(at, true));
  }

  private float(at: number, width: number, path: string): number {
    this.check(at, width, path, 'float');
    if (width === 4) return this.view.getFloat32(at, true);
    if (width === 8) return this.view.getFloat64(at, true);
    return this.fail(path, `float of ${width} bytes`);
  }

  /** A size or offset, which must fit a JS number. */
  private size(at: number, width: number, path: string, what: string): number {
    const value = this.uint(at, width, path, what);
    if (typeof value === 'bigint') return this.fail(path, `${what} ${value} is too large`);
    return value;
  }

  /**
   * Offsets point back to data written earlier. 0 is legal (an empty map's keys vector may start
   * at the offset itself); the depth limit and node budget stop a non-empty one from looping.
   */
  private indirect(at: number, width: number, path: string): number {
    const step = this.size(at, width, path, 'offset');
    if (step > at) this.fail(path, `offset ${step} at ${at} points before the buffer`);
    return at - step;
  }

  private value(at: number, parentWidth: number, packedType: number, depth: number, path: string): FlexValue {
    if (--this.nodesLeft < 0) this.fail(path, 'more values than the buffer could hold (shared or looping offsets)');
    if (depth > MAX_DEPTH) this.fail(path, `nested deeper than ${MAX_DEPTH}`);
    const type = packedType >> 2;
    const width = 1 << (packedType & 3);
    switch (type) {
      case NULL: return null;
      case BOOL: return this.uint(at, parentWidth, path, 'bool') !== 0;
      case INT: return this.int(at, parentWidth, path);
      case UINT: return this.uint(at, parentWidth, path, 'integer');
      case FLOAT: return this.float(at, parentWidth, path);
      case INDIRECT_INT: return this.int(this.indirect(at, parentWidth, path), width, path);
      case INDIRECT_UINT: return this.uint(this.indirect(at, parentWidth, path), width, path, 'integer');
      case INDIRECT_FLOAT: return this.float(this.indirect(at, parentWidth, path), width, path);
      case KEY: return this.key(this.indirect(at, parentWidth, path), path);
      case STRING: case BLOB: {
        const start = this.indirect(at, parentWidth, path);
        const length = this.size(start - width, width, path, 'length');
        this.check(start, length + (type === STRING ? 1 : 0), path, type === STRING ? 'string' : 'blob');
        if (type === BLOB) return this.bytes.subarray(start, start + length);
        if (this.bytes[start + length] !== 0) this.fail(path, 'string is not 0-terminated');
        return this.text(start, length, path);
      }
      case MAP: return this.map(this.indirect(at, parentWidth, path), width, depth, path);
      default:
        if (type === VECTOR || (type >= VECTOR_INT && type <= VECTOR_KEY) || type === VECTOR_BOOL || (type >= VECTOR_INT2 && type <= VECTOR_FLOAT4)) {
          return this.vector(this.indirect(at, parentWidth, path), width, type, depth, path);
        }
        return this.fail(path, `value type ${type} is not supported`);
    }
  }

  private vector(start: number, width: number, type: number, depth: number, path: string): FlexValue[] {
    const fixed = type >= VECTOR_INT2 && type <= VECTOR_FLOAT4;
    const count = fixed ? 2 + Math.floor((type - VECTOR_INT2) / 3) : this.size(start - width, width, path, 'length');
    // Untyped vectors follow their elements with one packed type byte per element.
    const typeBytes = type === VECTOR ? count : 0;
    this.check(start, count * width + typeBytes, path, `vector of ${count}`);
    const elementType = fixed ? INT + ((type - VECTOR_INT2) % 3) : type === VECTOR_BOOL ? BOOL : INT + (type - VECTOR_INT);
    const values: FlexValue[] = [];
    for (let i = 0; i < count; i++) {
      const packed = type === VECTOR ? (this.bytes[start + count * width + i] ?? 0) : elementType << 2;
      values.push(this.value(start + i * width, width, packed, depth + 1, `${path}[${i}]`));
    }
    return values;
  }

  private map(start: number, width: number, depth: number, path: string): { [key: string]: FlexValue } {
    // A map is an untyped vector of values preceded by [offset to keys vector, keys' byte width].
    const keysAt = this.indirect(start - 3 * width, width, path);
    const keyWidth = this.width(this.size(start - 2 * width, width, path, 'key width'), path, 'key width');
    const values = this.vector(start, width, VECTOR, depth, path);
    const keyCount = this.size(keysAt - keyWidth, keyWidth, path, 'key count');
    if (keyCount !== values.length) this.fail(path, `map has ${keyCount} keys for ${values.length} values`);
    this.check(keysAt, keyCount * keyWidth, path, 'keys');
    const entries = values.map((value, i): [string, FlexValue] => [this.key(this.indirect(keysAt + i * keyWidth, keyWidth, path), path), value]);
    // fromEntries defines own properties, so a hostile "__proto__" key cannot reach the prototype.
    return Object.fromEntries(entries);
  }

  /** A 0-terminated key; looked up by position first so a shared key is scanned only once. */
  private key(start: number, path: string): string {
    const known = this.keys.get(start);
    if (known !== undefined) return known;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) this.fail(path, 'key is not 0-terminated');
    const key = this.text(start, end - start, path);
    this.keys.set(start, key);
    return key;
  }

  /**
   * UTF-8 text at [start, start + length). Keys and strings may be shared by many references, so
   * each distinct one is decoded once; the bytes decoded are capped by the buffer's size, so a
   * hostile buffer cannot make many references to long overlapping text cost quadratic time.
   */
  private text(start: number, length: number, path: string): string {
    const id = `${start}:${length}`;
    const known = this.texts.get(id);
    if (known !== undefined) return known;
    this.textBytesLeft -= length;
    if (this.textBytesLeft < 0) this.fail(path, 'more text than the buffer could hold (overlapping strings)');
    try {
      const text = utf8.decode(this.bytes.subarray(start, start + length));
      this.texts.set(id, text);
      return text;
    } catch {
      return this.fail(path, 'string is not valid UTF-8');
    }
  }
}

/** 64-bit integers as numbers when exact, else as bigint. */
function safe(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
