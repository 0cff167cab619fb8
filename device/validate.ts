/**
 * Validates a model pack before any kernel touches it. On a microcontroller a
 * bad pointer is a hard fault, so every offset and length a kernel will use is
 * checked here, in TypeScript, against the pack and the arena: a pack that
 * passes cannot make a kernel read or write outside them. The first problem
 * found is thrown as an Error whose message names it.
 *
 * ES5 only: this file runs on the microcontroller. Runs once per load.
 */
import {
  CRC_START, DTYPE_BYTES, H, HEADER_BYTES, PACK_MAGIC, PACK_VERSION, TENSOR_ENTRY, TENSOR_ENTRY_BYTES, WHERE,
  TensorInfo, i32, readTensor, u16, u32,
} from './pack.js';
import { DTYPE, PACK_FLAG_STATE } from './pack.js';
import { CONCAT, CONCAT_INPUT, MAX_DIMS, OP, OP_NAMES, SIGNAL_FILTER_BANK, VIEW } from './records.js';
import { E, LITERAL_MAX, RuleTables, S, ruleTables } from './record-rules.js';

/** What a validated pack holds, with every number checked. */
export interface PackLayout {
  packBytes: number;
  arenaBytes: number;
  /** Byte offset of each op record in the pack, in execution order. */
  records: number[];
  /** Op code of each record. */
  ops: number[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  constOffset: number;
  constBytes: number;
  /** The work of one invoke, summed over the records checked so far (checkRecord adds each record's). */
  work: Work;
  /** The work the pack declares in its trailer (flags bit 1), when it has one. */
  declaredWork?: Work;
}

/**
 * The work of one invoke: multiply-accumulates (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) and element
 * operations (every other op: elements written, pooling windows, reductions, FFT butterflies), computed
 * from the records' loop trip counts (docs/model-pack.md, "Work").
 */
export interface Work {
  macs: number;
  ops: number;
}

/** Header flags bit 1: the pack ends in a work trailer (docs/model-pack.md). */
export var PACK_FLAG_WORK = 2;
/** The work trailer: u32 magic 'TSWK', u32 its bytes (24), u32 x 2 MACs (low, high), u32 x 2 element operations. */
export var WORK_MAGIC = 0x4b575354;
export var WORK_TRAILER_BYTES = 24;

/** Computes the CRC-32 of `length` bytes of the pack starting at `from`. */
export type Crc32 = (from: number, length: number) => number;

var INT32_MAX = 2147483647;

function fail(what: string): never {
  throw new Error('tinysense: invalid model pack: ' + what);
}

function isInt(v: number, lo: number, hi: number): boolean {
  return v >= lo && v <= hi && Math.floor(v) === v;
}

/** Checks the header, checksum, tables and every op record of `pack`. */
export function validatePack(pack: Uint8Array, crc32: Crc32): PackLayout {
  var layout = validateTables(pack, crc32);
  var rules = ruleTables();
  for (var i = 0; i < layout.records.length; i++) {
    layout.ops.push(checkRecord(pack, layout.records[i], layout.packBytes, i, layout, layout.work, rules));
  }
  var d = layout.declaredWork;
  if (d && (d.macs !== layout.work.macs || d.ops !== layout.work.ops)) {
    fail('declares ' + d.macs + ' MACs, ' + d.ops + ' ops; its records do ' + layout.work.macs + ', ' + layout.work.ops);
  }
  return layout;
}


/**
 * What validatePack checks before the op records: header, checksum, tables, tensors and the state
 * region. The layout lists the records' offsets (from the op table) but none is checked yet and `ops`
 * is empty: checkRecord() checks one.
 */
export function validateTables(pack: Uint8Array, crc32: Crc32): PackLayout {
  if (pack.length < HEADER_BYTES) fail('only ' + pack.length + ' bytes, shorter than the ' + HEADER_BYTES + '-byte header');
  if (u32(pack, H.magic) !== PACK_MAGIC) fail('bad magic (not a tinysense .tsm file)');
  var version = u16(pack, H.version);
  if (version !== PACK_VERSION) fail('format version ' + version + ', this runtime reads version ' + PACK_VERSION);
  if (u16(pack, H.headerBytes) !== HEADER_BYTES) fail('header size ' + u16(pack, H.headerBytes) + ', expected ' + HEADER_BYTES);
  var packBytes = u32(pack, H.packBytes);
  if (packBytes > pack.length) fail('header says ' + packBytes + ' bytes but only ' + pack.length + ' are present (truncated?)');
  if (packBytes < HEADER_BYTES || packBytes % 4 !== 0) fail('pack size ' + packBytes + ' is not a multiple of 4 of at least the header');
  var stored = u32(pack, H.crc);
  var actual = crc32(CRC_START, packBytes - CRC_START) >>> 0;
  if (stored !== actual) fail('checksum mismatch (stored ' + hex(stored) + ', computed ' + hex(actual) + '): the file is corrupt');

  var arenaBytes = u32(pack, H.arenaBytes);
  if (arenaBytes > INT32_MAX) fail('arena size ' + arenaBytes + ' too large');
  var flags = u32(pack, H.flags);
  if ((flags & ~(PACK_FLAG_STATE | PACK_FLAG_WORK)) !== 0) fail('unknown flags ' + hex(flags));
  var declaredWork: Work | undefined;
  function u64(at: number): number {
    return u32(pack, at) + u32(pack, at + 4) * 4294967296;
  }
  var dataEnd = packBytes;
  if (flags & PACK_FLAG_WORK) {
    // The work trailer: the last 24 bytes of the pack, after the constants.
    dataEnd = packBytes - WORK_TRAILER_BYTES;
    if (dataEnd < HEADER_BYTES || u32(pack, dataEnd) !== WORK_MAGIC || u32(pack, dataEnd + 4) !== WORK_TRAILER_BYTES) {
      fail('no work trailer');
    }
    declaredWork = { macs: u64(dataEnd + 8), ops: u64(dataEnd + 16) };
  }

  // Tables: each must lie inside the pack, 4-aligned.
  function table(name: string, countAt: number, offsetAt: number, entryBytes: number): { count: number; offset: number } {
    var count = u32(pack, countAt);
    var offset = u32(pack, offsetAt);
    if (offset % 4 !== 0 || offset < HEADER_BYTES || offset + count * entryBytes > packBytes) {
      fail(name + ' (' + count + ' entries at ' + offset + ') lies outside the pack');
    }
    return { count: count, offset: offset };
  }
  var opTable = table('op table', H.opCount, H.opTable, 4);
  var tensors = table('tensor table', H.tensorCount, H.tensorTable, TENSOR_ENTRY_BYTES);
  var inputList = table('input list', H.inputCount, H.inputList, 4);
  var outputList = table('output list', H.outputCount, H.outputList, 4);
  var constOffset = u32(pack, H.constOffset);
  var constBytes = u32(pack, H.constBytes);
  if (constOffset % 4 !== 0 || constOffset < HEADER_BYTES || constOffset + constBytes > dataEnd) {
    fail('constants (' + constBytes + ' bytes at ' + constOffset + ') lie outside the pack');
  }

  function tensorList(name: string, list: { count: number; offset: number }): TensorInfo[] {
    var out: TensorInfo[] = [];
    for (var i = 0; i < list.count; i++) {
      var index = u32(pack, list.offset + 4 * i);
      if (index >= tensors.count) fail(name + ' ' + i + ' names tensor ' + index + ' of ' + tensors.count);
      out.push(checkTensor(name + ' ' + i, readTensor(pack, tensors.offset, index), pack, tensors.offset + index * TENSOR_ENTRY_BYTES));
    }
    return out;
  }

  var layout: PackLayout = {
    packBytes: packBytes,
    arenaBytes: arenaBytes,
    records: [],
    ops: [],
    inputs: [],
    outputs: [],
    constOffset: constOffset,
    constBytes: constBytes,
    work: { macs: 0, ops: 0 },
    declaredWork: declaredWork,
  };

  function checkTensor(name: string, t: TensorInfo, b: Uint8Array, at: number): TensorInfo {
    var type = b[at + TENSOR_ENTRY.dtype];
    var rank = b[at + TENSOR_ENTRY.rank];
    var where = b[at + TENSOR_ENTRY.where];
    if (!(type >= 1 && type < DTYPE_BYTES.length && DTYPE_BYTES[type] > 0)) fail(name + ': unknown element type ' + type);
    if (rank > MAX_DIMS) fail(name + ': rank ' + rank + ' above ' + MAX_DIMS);
    if (where !== WHERE.arena && where !== WHERE.pack) fail(name + ': unknown location ' + where);
    var count = 1;
    for (var d = 0; d < t.shape.length; d++) {
      if (!isInt(t.shape[d], 0, INT32_MAX)) fail(name + ': dimension ' + d + ' is ' + t.shape[d]);
      count *= t.shape[d];
    }
    if (count * DTYPE_BYTES[type] !== t.bytes) fail(name + ': ' + t.bytes + ' bytes do not match its shape [' + t.shape.join(',') + ']');
    var limit = t.inPack ? packBytes : arenaBytes;
    if (t.offset < 0 || t.offset + t.bytes > limit || t.offset % DTYPE_BYTES[type] !== 0) {
      fail(name + ': ' + t.bytes + ' bytes at ' + t.offset + ' lie outside the ' + (t.inPack ? 'pack' : 'arena'));
    }
    return t;
  }

  layout.inputs = tensorList('input', inputList);
  layout.outputs = tensorList('output', outputList);
  if (flags & PACK_FLAG_STATE) {
    // The state region: the last tensor-table entry, uint8 [bytes] in the arena, after the inputs and outputs.
    var stateIndex = tensors.count - 1;
    if (stateIndex < inputList.count + outputList.count) fail('state region: the tensor table has no entry for it');
    var stateAt = tensors.offset + stateIndex * TENSOR_ENTRY_BYTES;
    var state = checkTensor('state region', readTensor(pack, tensors.offset, stateIndex), pack, stateAt);
    if (state.inPack || pack[stateAt + TENSOR_ENTRY.dtype] !== DTYPE.uint8 || state.shape.length !== 1) fail('state region: must be uint8 [bytes] in the arena');
    layout.state = state;
  }

  for (var i = 0; i < opTable.count; i++) layout.records.push(u32(pack, opTable.offset + 4 * i));
  return layout;
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

/**
 * Validates the op record at byte `rec` of `b` (records end by byte `end`) against the constants, arena
 * size and state region of `L`; returns its op code. `index` only names the record in messages.
 * The rules are the op spec's (kernels-c/spec/ops.json), run from the programs of record-rules.ts; the
 * JerryScript glue runs the same programs in C before every invoke (tinysense_record_check.c). `rules`:
 * the tables from ruleTables(), when the caller checks several records (built here otherwise).
 */
export function checkRecord(b: Uint8Array, rec: number, end: number, index: number | string, L: PackLayout, work?: Work, rules?: RuleTables): number {
  var T = rules || ruleTables();
  if (rec % 4 !== 0 || rec < HEADER_BYTES || rec + 8 > end) fail('op ' + index + ': record offset ' + rec + ' outside the pack');
  var op = i32(b, rec);
  var words = i32(b, rec + 4);
  var name = OP_NAMES[op];
  var where = 'op ' + index + ' (' + (name || 'code ' + op) + ')';
  if (!name || !T.programs[op]) fail(where + ': unknown op code');
  var expected = T.words[op];
  // Hand-written: CONCATENATION's length depends on a field (variable-length record).
  if (op === OP.CONCATENATION) {
    var count = i32(b, rec + 4 * CONCAT.inputCount);
    if (rec + 4 * CONCAT.words > end || !isInt(count, 1, 1024)) fail(where + ': bad input count ' + count);
    expected = CONCAT.words + count * CONCAT_INPUT.words;
  }
  if (words !== expected) fail(where + ': record has ' + words + ' words, expected ' + expected);
  if (rec + 4 * words > end) fail(where + ': record runs past the end of the pack');
  var done = runRules(b, rec, T.programs[op], T, L, function (what: string): never {
    return fail(where + ': ' + what);
  });
  if (work) {
    work.macs += done.macs;
    work.ops += done.ops;
  }
  return op;
}

/**
 * Runs one op's rule program (record-rules.ts; encoding in scripts/gen-ops.mjs) over the record at byte
 * `rec` of `b`: the first rule that fails calls `bad` with its message. Returns the record's work. The
 * twin of run_rules() in tinysense_record_check.c, which computes in saturating int64 where this uses
 * doubles: both compare the same quantities against the same int32 bounds.
 */
function runRules(b: Uint8Array, rec: number, code: string, T: RuleTables, L: PackLayout, bad: (what: string) => never): Work {
  var pc = 0;
  var vars: number[] = [];
  var result: Work = { macs: 0, ops: 0 };
  var budget = L.arenaBytes + L.constBytes;
  function f(field: number): number {
    return i32(b, rec + 4 * field);
  }
  function next(): number {
    return code.charCodeAt(pc++) - 32;
  }
  function num(): number {
    var v = next();
    return v < LITERAL_MAX ? v : T.pool[(v - LITERAL_MAX) * 95 + next()];
  }
  function str(): string {
    var k = next() * 95;
    return T.strings[k + next()];
  }
  function expr(): number {
    var e = next();
    var a: number, c: number;
    switch (e) {
      case E.NUM: return num();
      case E.FIELD: return f(num());
      case E.VAR: return vars[num()];
      case E.BUILTIN: {
        var k = num();
        var st = L.state;
        return k === 0 ? budget : !st ? 0 : k === 1 ? 1 : k === 2 ? st.offset : st.offset + st.bytes;
      }
      case E.NEG: return -expr();
      case E.NOT: return expr() ? 0 : 1;
      case E.PROD: {
        // The product; its non-zero factors must multiply to at most 2^31-1 even beside a 0 (kernels
        // compute strides from them before any loop runs).
        var n = num(), p = 1, q = 1;
        for (var i = 0; i < n; i++) {
          var d = expr();
          p *= d;
          if (d) q *= d;
        }
        if (q > INT32_MAX) bad('tensor of ' + q + ' elements is too large');
        return p;
      }
      case E.LOG2: {
        a = expr();
        return a > 0 ? Math.round(Math.log(a) / Math.LN2) : 0;
      }
      case E.TABLE: {
        var t = T.tables[num()];
        a = expr();
        return a >= 0 && a < t.length ? t[a] : 0;
      }
      case E.SEL:
        c = expr();
        a = expr();
        var other = expr();
        return c ? a : other;
    }
    a = expr();
    c = expr();
    switch (e) {
      case E.ADD: return a + c;
      case E.SUB: return a - c;
      case E.MUL: return a * c;
      // Division and remainder truncate, as in C; by 0 they give 0 (rules check divisors first).
      case E.DIV: return c ? (a - a % c) / c : 0;
      case E.MOD: return c ? a % c : 0;
      case E.BAND: return a & c;
      case E.EQ: return a === c ? 1 : 0;
      case E.NE: return a !== c ? 1 : 0;
      case E.LT: return a < c ? 1 : 0;
      case E.LE: return a <= c ? 1 : 0;
      case E.GT: return a > c ? 1 : 0;
      case E.GE: return a >= c ? 1 : 0;
      case E.AND: return a && c ? 1 : 0;
      case E.OR: return a || c ? 1 : 0;
      case E.MIN: return Math.min(a, c);
      case E.MAX: return Math.max(a, c);
    }
    return bad('rule program: unknown expression ' + e);
  }
  function message(): string {
    var n = num(), out = '';
    for (var i = 0; i < n; i++) out += next() ? expr() : str();
    return out;
  }
  /** An operand of `bytes` bytes at the offset in `field`, in the arena or among the constants. */
  function operand(field: number, inPack: boolean, bytes: number, align: number, what: string): void {
    var at = f(field);
    var lo = inPack ? L.constOffset : 0;
    var hi = inPack ? L.constOffset + L.constBytes : L.arenaBytes;
    if (bytes > INT32_MAX || at < lo || at + bytes > hi) {
      bad(what + ' needs ' + bytes + ' bytes at ' + (inPack ? 'pack' : 'arena') + ' offset ' + at + ', outside [' + lo + ', ' + hi + ')');
    }
    if (at % align !== 0) bad(what + ' at offset ' + at + ' is not ' + align + '-byte aligned');
  }
  function flag(field: number, what: string): boolean {
    var v = f(field);
    if (v !== 0 && v !== 1) bad(what + ' flag is ' + v);
    return v === 1;
  }
  /**
   * The work bound of a loop nest (trips outermost first): a loop of 0 trips must not sit inside loops
   * that run more than `budget` times in all (the kernel would spin on nothing).
   */
  function loops(trips: number[], names: string[]): void {
    for (var k = 0, p = 1; k < trips.length; p *= trips[k++]) {
      if (trips[k] === 0) {
        if (p > budget) bad(names[k] + ' is 0 inside loops of ' + p + ' trips');
        return;
      }
    }
  }
  /**
   * The (summed) views at `fields`: how many elements they walk (`count`) and how many elements the
   * buffer they read must hold (`span`: the highest element reached, plus one).
   */
  function viewSpan(fields: number[], what: string): { count: number; span: number } {
    var lo = 0, hi = 0, count = 1, nonzero = 1, empty = false;
    for (var v = 0; v < fields.length; v++) {
      var base = fields[v];
      lo += f(base + VIEW.start);
      hi += f(base + VIEW.start);
      for (var k = 0; k < MAX_DIMS; k++) {
        var d = f(base + VIEW.dims + k);
        if (d < 0) bad(what + ' dim ' + k + ' is ' + d);
        var s = f(base + VIEW.step + k);
        count *= d;
        if (d === 0) empty = true;
        else nonzero *= d;
        // Every index the kernel forms, empty walk or not, lies in [lo, hi] (int32 arithmetic).
        var reach = s * Math.max(d - 1, 0);
        if (s >= 0) hi += reach;
        else lo += reach;
      }
    }
    if (nonzero > INT32_MAX) bad(what + ' has ' + nonzero + ' elements');
    if (lo < 0 || hi > INT32_MAX) bad(what + ' reaches elements ' + lo + '..' + hi);
    return { count: count, span: empty ? 0 : hi + 1 };
  }

  // Hand-written rules: what the rule language does not express. (Declared before the loop that calls
  // them: Espruino does not hoist a function declared after a return.)

  /** CONCATENATION's inputs, a variable number of entries after the fixed record; returns the output row bytes. */
  function concatInputs(): number {
    var outer = f(CONCAT.outerSize);
    var rowTotal = 0;
    for (var j = 0; j < f(CONCAT.inputCount); j++) {
      var entry = CONCAT.words + j * CONCAT_INPUT.words;
      var rowBytes = f(entry + CONCAT_INPUT.rowBytes);
      if (rowBytes < 0) bad('input ' + j + ' row bytes is ' + rowBytes);
      rowTotal += rowBytes;
      var inPack = flag(entry + CONCAT_INPUT.inPack, 'input ' + j + ' in pack');
      var q = outer && rowBytes ? outer * rowBytes : Math.max(outer, rowBytes);
      if (q > INT32_MAX) bad('tensor of ' + q + ' elements is too large');
      operand(entry + CONCAT_INPUT.input, inPack, outer * rowBytes, 1, 'input ' + j);
      loops([outer, rowBytes], ['outer size', 'input ' + j + ' row bytes']);
    }
    return rowTotal;
  }

  /**
   * SIGNAL_FILTER_BANK's channel tables, int16 values among the constants (checked to lie there by the
   * rules before): each channel's reach must stay inside the input and the weights. Returns the reads.
   */
  function filterBankChannels(): number {
    var R = SIGNAL_FILTER_BANK;
    var reads = 0;
    for (var ch = 0; ch <= f(R.numChannels); ch++) {
      var width = i16(b, f(R.widths) + 2 * ch);
      var freqStart = i16(b, f(R.freqStarts) + 2 * ch);
      var weightStart = i16(b, f(R.weightStarts) + 2 * ch);
      if (width < 0 || freqStart < 0 || weightStart < 0 || freqStart + width > f(R.numBins) || weightStart + width > f(R.numWeights)) {
        bad('channel ' + ch + ' reaches outside the input or the weights');
      }
      reads += width + 1;
    }
    return reads;
  }

  while (pc < code.length) {
    var s = next();
    if (s === S.LET) {
      var slot = num();
      vars[slot] = expr();
    } else if (s === S.CHECK) {
      var ok = expr();
      var what = message();
      if (!ok) bad(what);
    } else if (s === S.OPERAND) {
      // Modes: 0 arena, 1 constant, 2 where the flag expression says, 3 optional constant (-1: none).
      var mode = next();
      var field = num();
      var inPack = mode === 2 ? expr() === 1 : mode !== 0;
      var bytes = expr();
      var align = expr();
      var name = str();
      if (mode !== 3 || f(field) !== -1) operand(field, inPack, bytes, align, name);
    } else if (s === S.VIEW) {
      var views: number[] = [];
      for (var nv = num(); nv > 0; nv--) views.push(num());
      var span = viewSpan(views, str());
      vars[num()] = span.count;
      vars[num()] = span.span;
    } else if (s === S.LOOPS) {
      var trips: number[] = [], names: string[] = [];
      for (var nl = num(); nl > 0; nl--) {
        trips.push(expr());
        names.push(str());
      }
      loops(trips, names);
    } else if (s === S.SHIFTS) {
      // Per-channel shifts, read from the constants (the rule after the shifts operand's).
      var at = f(num());
      var channels = expr();
      for (var k = 0; k < channels; k++) {
        var sh = i32(b, at + 4 * k);
        if (!isInt(sh, -31, 30)) bad('shift of channel ' + k + ' is ' + sh + ', outside [-31, 30]');
      }
    } else if (s === S.WORK) {
      result.macs = expr();
      result.ops = expr();
    } else if (s === S.CUSTOM) {
      var hook = num();
      vars[num()] = hook === 0 ? concatInputs() : filterBankChannels();
    } else {
      bad('rule program: unknown statement ' + s);
    }
  }
  return result;
}

/** A little-endian int16 of the pack (signal op constants). */
function i16(b: Uint8Array, at: number): number {
  return ((b[at] | (b[at + 1] << 8)) << 16) >> 16;
}

export interface PackLayout {
  /** The state region (flags bit 0): arena bytes kept across invokes, zeroed by a reset (device/state.ts). */
  state?: TensorInfo;
}
