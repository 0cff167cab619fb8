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
import { CONCAT, CONCAT_INPUT, MAX_DIMS, OP, OP_NAMES } from './records.js';
import { RecordChecks, recordChecks } from './record-checks.js';

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
  var rules = recordChecks();
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
    if (!(type >= 1 && type < DTYPE_BYTES.length)) fail(name + ': unknown element type ' + type);
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
 * The rules are the op spec's (kernels-c/spec/ops.json), generated into the checks of record-checks.ts;
 * the JerryScript glue runs the same rules in C before every invoke (tinysense_record_check.c). `rules`:
 * the table from recordChecks(), when the caller checks several records (built here otherwise).
 */
export function checkRecord(b: Uint8Array, rec: number, end: number, index: number | string, L: PackLayout, work?: Work, rules?: RecordChecks): number {
  var T = rules || recordChecks();
  if (rec % 4 !== 0 || rec < HEADER_BYTES || rec + 8 > end) fail('op ' + index + ': record offset ' + rec + ' outside the pack');
  var op = i32(b, rec);
  var words = i32(b, rec + 4);
  var name = OP_NAMES[op];
  var where = 'op ' + index + ' (' + (name || 'code ' + op) + ')';
  if (!name) fail(where + ': unknown op code');
  // An app bundle keeps only its own packs' checks (host/bundler/plugin.ts), as its kernel blob keeps their kernels.
  if (!T.checks[op]) fail(where + ': this app\'s validator has no checks for ' + name + ' (it was built for other models: rebuild the app with this model)');
  var expected = T.words[op];
  // Hand-written: CONCATENATION's length depends on a field (variable-length record).
  if (op === OP.CONCATENATION) {
    var count = i32(b, rec + 4 * CONCAT.inputCount);
    if (rec + 4 * CONCAT.words > end || !isInt(count, 1, 1024)) fail(where + ': bad input count ' + count);
    expected = CONCAT.words + count * CONCAT_INPUT.words;
  }
  if (words !== expected) fail(where + ': record has ' + words + ' words, expected ' + expected);
  if (rec + 4 * words > end) fail(where + ': record runs past the end of the pack');
  var done = T.checks[op](b, rec, L, where);
  if (work) {
    work.macs += done.macs;
    work.ops += done.ops;
  }
  return op;
}

export interface PackLayout {
  /** The state region (flags bit 0): arena bytes kept across invokes, zeroed by a reset (device/state.ts). */
  state?: TensorInfo;
}
