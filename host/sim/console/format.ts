/**
 * How Espruino's console shows the result of a line (`=value`): jsfPrintJSON
 * with JSON_DROP_QUOTES | JSON_PRETTY | JSON_LIMIT. Keys that are plain
 * names lose their quotes, arrays and objects get spaces inside the
 * brackets, typed arrays show as `new Uint8Array([...])`, functions as
 * their source, and long arrays are cut short with `...`.
 */

/** Espruino's JSON_LIMIT_AMOUNT: arrays longer than this are shown cut short. */
const LIMIT_ITEMS = 15;
/** Nesting depth shown before an object becomes `{ ... }`. */
const MAX_DEPTH = 4;

export function formatResult(value: unknown): string {
  return format(value, 0, []);
}

function format(value: unknown, depth: number, seen: object[]): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'function':
      return Function.prototype.toString.call(value);
    case 'symbol':
      return String(value);
  }
  const object = value as object;
  if (seen.includes(object)) return '{ ... }';
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? '[ ... ]' : '{ ... }';
  const inner = [...seen, object];
  if (ArrayBuffer.isView(object)) {
    const items = Array.prototype.slice.call(object, 0, LIMIT_ITEMS + 1) as unknown[];
    return `new ${object.constructor.name}([${limited(items.map(String)).join(', ')}])`;
  }
  if (Object.prototype.toString.call(object) === '[object ArrayBuffer]') {
    const bytes = Array.from(new Uint8Array(object as ArrayBuffer).subarray(0, LIMIT_ITEMS + 1), String);
    return `new Uint8Array([${limited(bytes).join(', ')}]).buffer`;
  }
  if (Array.isArray(object)) {
    const items = object.slice(0, LIMIT_ITEMS + 1).map((v: unknown) => format(v, depth + 1, inner));
    return `[ ${limited(items).join(', ')} ]`;
  }
  const entries = Object.keys(object).map((key) => `${formatKey(key)}: ${format((object as Record<string, unknown>)[key], depth + 1, inner)}`);
  return `{ ${limited(entries).join(', ')} }`;
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

function limited(items: string[]): string[] {
  return items.length > LIMIT_ITEMS ? [...items.slice(0, LIMIT_ITEMS), '...'] : items;
}
