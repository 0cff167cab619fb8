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
import {
  ADD, AFFINE, CONCAT, CONCAT_INPUT, CONV, COPY, DW_CONV, FC, GATHER, LAYOUTS, LEAKY_RELU, MAX_DIMS,
  MEAN, MUL, OP, OP_NAMES, PAD, POOL, REQUANTIZE, SIGMOID, SOFTMAX, VIEW,
} from './records.js';
import {
  CAST, ELEMENTWISE_S32, SIGNAL_ENERGY, SIGNAL_FFT_AUTO_SCALE, SIGNAL_FILTER_BANK, SIGNAL_FILTER_BANK_LOG,
  SIGNAL_FILTER_BANK_SQRT, SIGNAL_OP, SIGNAL_PCAN, SIGNAL_RFFT, SIGNAL_SPECTRAL_SUBTRACTION, SIGNAL_WINDOW,
} from './records.js';

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
  for (var i = 0; i < layout.records.length; i++) {
    layout.ops.push(checkRecord(pack, layout.records[i], layout.packBytes, i, layout, layout.work));
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
 * The JerryScript glue runs the same rules in C before every invoke (tinysense_record_check.c).
 */
export function checkRecord(b: Uint8Array, rec: number, end: number, index: number | string, L: PackLayout, work?: Work): number {
  if (rec % 4 !== 0 || rec < HEADER_BYTES || rec + 8 > end) fail('op ' + index + ': record offset ' + rec + ' outside the pack');
  var op = i32(b, rec);
  var words = i32(b, rec + 4);
  var name = OP_NAMES[op];
  var where = 'op ' + index + ' (' + (name || 'code ' + op) + ')';
  if (!name) fail(where + ': unknown op code');
  var expected = LAYOUTS[op].words;
  if (op === OP.CONCATENATION) {
    var count = i32(b, rec + 4 * CONCAT.inputCount);
    if (rec + 4 * CONCAT.words > end || !isInt(count, 1, 1024)) fail(where + ': bad input count');
    expected = CONCAT.words + count * CONCAT_INPUT.words;
  }
  if (words !== expected) fail(where + ': record has ' + words + ' words, expected ' + expected);
  if (rec + 4 * words > end) fail(where + ': record runs past the end of the pack');

  function f(field: number): number {
    return i32(b, rec + 4 * field);
  }
  function bad(what: string): never {
    return fail(where + ': ' + what);
  }
  /** A dimension a kernel loops over: 0 is allowed (nothing to do). */
  function dim(field: number, what: string): number {
    var v = f(field);
    if (!isInt(v, 0, INT32_MAX)) bad(what + ' is ' + v);
    return v;
  }
  function positive(field: number, what: string): number {
    var v = f(field);
    if (!isInt(v, 1, INT32_MAX)) bad(what + ' is ' + v + ', must be at least 1');
    return v;
  }
  function dims4(field: number, what: string): number[] {
    return [dim(field, what + ' n'), dim(field + 1, what + ' h'), dim(field + 2, what + ' w'), dim(field + 3, what + ' c')];
  }
  /**
   * The elements of a tensor of dims `d`. Its non-zero dims must multiply to at most 2^31-1 even when
   * another is 0: kernels compute strides from them before any loop runs.
   */
  function product(d: number[]): number {
    // p: the product; q: the product of the non-zero dims.
    var p = 1, q = 1;
    for (var k = 0; k < d.length; k++) {
      p *= d[k];
      if (d[k]) q *= d[k];
    }
    if (q > INT32_MAX) bad('tensor of ' + q + ' elements is too large');
    return p;
  }
  /** What the operands' sizes justify for loops that run around nothing: the arena and constant bytes. */
  var budget = L.arenaBytes + L.constBytes;
  /**
   * The work bound of a loop nest (`trips`, outermost first, named by `names`): a loop of 0 trips must not
   * sit inside loops that run more than `budget` times in all (the kernel would spin on nothing).
   */
  function loops(t: number[], names: string[] | string): void {
    // t: trip counts, outermost first; names: one per loop, or a prefix its index completes ('output dim ' + k).
    for (var k = 0, p = 1; k < t.length; p *= t[k++]) {
      if (t[k] === 0) {
        if (p > budget) bad((typeof names === 'string' ? names + k : names[k]) + ' is 0 inside loops of ' + p + ' trips');
        return;
      }
    }
  }
  /**
   * A conv or pool window along one axis: the last window's reach, (out - 1) x stride + (filter - 1) x
   * dilation, must lie within the input plus padding on both sides (TFLite's VALID and SAME padding both
   * satisfy it), so that out_y x stride - pad + dilation x fy stays far inside int32.
   */
  function window(i: number, o: number, k: number, s: number, d: number, p: number, axis: string): void {
    // (out - 1) x stride + (filter - 1) x dilation <= input + 2 x padding
    var r = (Math.max(o, 1) - 1) * s + (Math.max(k, 1) - 1) * d;
    if (r > i + 2 * p) bad('window ' + axis + ' reaches ' + r + ' > input + 2 x pad');
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
  function arena(field: number, bytes: number, align: number, what: string): void {
    operand(field, false, bytes, align, what);
  }
  function constant(field: number, bytes: number, align: number, what: string): void {
    operand(field, true, bytes, align, what);
  }
  function optionalConstant(field: number, bytes: number, what: string): void {
    if (f(field) !== -1) constant(field, bytes, 4, what);
  }
  function flag(field: number, what: string): boolean {
    var v = f(field);
    if (v !== 0 && v !== 1) bad(what + ' flag is ' + v);
    return v === 1;
  }
  function shift(v: number, lo: number, hi: number, what: string): void {
    if (!isInt(v, lo, hi)) bad(what + ' is ' + v + ', outside [' + lo + ', ' + hi + ']');
  }
  function shiftsInPack(field: number, count: number): void {
    var at = f(field);
    for (var k = 0; k < count; k++) shift(i32(b, at + 4 * k), -31, 30, 'shift of channel ' + k);
  }
  function activation(field: number, lo: number, hi: number): void {
    var mn = f(field), mx = f(field + 1);
    if (!isInt(mn, lo, hi) || !isInt(mx, lo, hi) || mn > mx) bad('activation range [' + mn + ', ' + mx + '] is not within [' + lo + ', ' + hi + ']');
  }
  function offset8(field: number, what: string): void {
    if (!isInt(f(field), -255, 255)) bad(what + ' is ' + f(field));
  }
  /**
   * Checks the (summed) views of a record and returns how many elements they walk (`count`) and how many
   * elements the buffer they read must hold (`span`: the highest element reached, plus one).
   */
  function viewSpan(fields: number[], what: string): { count: number; span: number; trips: number[] } {
    var lo = 0, hi = 0, count = 1, nonzero = 1, empty = false, trips: number[] = [];
    for (var v = 0; v < fields.length; v++) {
      var base = fields[v];
      lo += f(base + VIEW.start);
      hi += f(base + VIEW.start);
      for (var k = 0; k < MAX_DIMS; k++) {
        var d = dim(base + VIEW.dims + k, what + ' dim ' + k);
        var s = f(base + VIEW.step + k);
        trips.push(d);
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
    // trips: the dims, outermost first (the kernel's loop nest).
    return { count: count, span: empty ? 0 : hi + 1, trips: trips };
  }
  var macs = 0, ops = 0;

  var n = 0;
  switch (op) {
    case OP.CONV_2D:
    case OP.DEPTHWISE_CONV_2D: {
      var R = op === OP.CONV_2D ? CONV : DW_CONV;
      var inDims = dims4(R.inputDims, 'input');
      var filterDims = dims4(R.filterDims, 'filter');
      var outDims = dims4(R.outputDims, 'output');
      var channels = outDims[3];
      if (inDims[0] !== outDims[0]) bad('input and output batches differ');
      if (op === OP.CONV_2D) {
        if (filterDims[3] < 1 || inDims[3] % filterDims[3] !== 0) bad('input depth ' + inDims[3] + ' is not a multiple of filter depth ' + filterDims[3]);
        var groups = inDims[3] / filterDims[3];
        if (filterDims[0] !== channels || channels % groups !== 0) bad('filter count ' + filterDims[0] + ' does not fit ' + channels + ' output channels in ' + groups + ' groups');
      } else {
        var mult = positive(DW_CONV.chMult, 'depth multiplier');
        if (filterDims[0] !== 1 || filterDims[3] !== channels || inDims[3] * mult !== channels) bad('filter ' + filterDims.join('x') + ' does not match input depth ' + inDims[3] + ' x multiplier ' + mult + ' = output depth ' + channels);
      }
      var sw = positive(R.strideW, 'stride w'), sh = positive(R.strideH, 'stride h');
      var dw = positive(R.dilationW, 'dilation w'), dh = positive(R.dilationH, 'dilation h');
      if (!isInt(f(R.padW), 0, 65535) || !isInt(f(R.padH), 0, 65535)) bad('padding out of range');
      offset8(R.inputOffset, 'input offset'); offset8(R.outputOffset, 'output offset');
      window(inDims[1], outDims[1], filterDims[1], sh, dh, f(R.padH), 'h');
      window(inDims[2], outDims[2], filterDims[2], sw, dw, f(R.padW), 'w');
      // The loop nest (docs/model-pack.md): output n, h, w, then c (CONV_2D) or input c and the multiplier,
      // then the filter's h, w (and c for CONV_2D); named 'loop k' in that order.
      loops(outDims.slice(0, 3).concat(op === OP.CONV_2D ? [channels, filterDims[1], filterDims[2], filterDims[3]] : [inDims[3], f(DW_CONV.chMult), filterDims[1], filterDims[2]]), 'loop ');
      activation(R.actMin, -128, 127);
      arena(R.input, product(inDims), 1, 'input');
      constant(R.filter, product(filterDims), 1, 'filter');
      optionalConstant(R.bias, 4 * channels, 'bias');
      constant(R.multipliers, 4 * channels, 4, 'multipliers');
      constant(R.shifts, 4 * channels, 4, 'shifts');
      shiftsInPack(R.shifts, channels);
      ops = product(outDims);
      arena(R.output, ops, 1, 'output');
      if (f(R.scratch) !== -1) bad('scratch is not used by this kernel');
      macs = ops * filterDims[1] * filterDims[2] * (op === OP.CONV_2D ? filterDims[3] : 1);
      break;
    }
    case OP.FULLY_CONNECTED: {
      var batches = dim(FC.batches, 'batches');
      var depth = dim(FC.accumDepth, 'accumulation depth');
      var units = dim(FC.outputDepth, 'output depth');
      var perChannel = flag(FC.perChannel, 'per-channel');
      offset8(FC.inputOffset, 'input offset'); offset8(FC.filterOffset, 'filter offset'); offset8(FC.outputOffset, 'output offset');
      activation(FC.actMin, -128, 127);
      arena(FC.input, product([batches, depth]), 1, 'input');
      constant(FC.filter, product([units, depth]), 1, 'filter');
      optionalConstant(FC.bias, 4 * units, 'bias');
      var quantCount = perChannel ? units : 1;
      constant(FC.multipliers, 4 * quantCount, 4, 'multipliers');
      constant(FC.shifts, 4 * quantCount, 4, 'shifts');
      shiftsInPack(FC.shifts, quantCount);
      ops = product([batches, units]);
      arena(FC.output, ops, 1, 'output');
      if (f(FC.scratch) !== -1) bad('scratch is not used by this kernel');
      loops([batches, units, depth], ['batches', 'units', 'depth']);
      macs = ops * depth;
      break;
    }
    case OP.AVERAGE_POOL_2D:
    case OP.MAX_POOL_2D: {
      var pin = dims4(POOL.inputDims, 'input');
      var pout = dims4(POOL.outputDims, 'output');
      if (pin[0] !== pout[0] || pin[3] !== pout[3]) bad('input and output batches or depth differ');
      var psw = positive(POOL.strideW, 'stride w'), psh = positive(POOL.strideH, 'stride h');
      var pfw = positive(POOL.filterW, 'filter w'), pfh = positive(POOL.filterH, 'filter h');
      if (!isInt(f(POOL.padW), 0, 65535) || !isInt(f(POOL.padH), 0, 65535)) bad('padding out of range');
      activation(POOL.actMin, -128, 127);
      window(pin[1], pout[1], pfh, psh, 1, f(POOL.padH), 'h');
      window(pin[2], pout[2], pfw, psw, 1, f(POOL.padW), 'w');
      loops(pout, 'output dim ');
      arena(POOL.input, product(pin), 1, 'input');
      arena(POOL.output, product(pout), 1, 'output');
      // The window is clipped to the input: at most min(filter, input) rows and columns.
      ops = product(pout) * Math.min(pfh, pin[1]) * Math.min(pfw, pin[2]);
      break;
    }
    case OP.SOFTMAX: {
      n = product([dim(SOFTMAX.rows, 'rows'), dim(SOFTMAX.rowSize, 'row size')]);
      loops([f(SOFTMAX.rows), f(SOFTMAX.rowSize)], ['rows', 'row size']);
      shift(f(SOFTMAX.inputLeftShift), 0, 31, 'input left shift');
      if (f(SOFTMAX.diffMin) > 0) bad('diff_min is positive');
      arena(SOFTMAX.input, n, 1, 'input');
      arena(SOFTMAX.output, n, 1, 'output');
      break;
    }
    case OP.LOGISTIC:
    case OP.TANH: {
      n = dim(SIGMOID.size, 'size');
      offset8(SIGMOID.inputZeroPoint, 'input zero point');
      shift(f(SIGMOID.inputLeftShift), -31, 30, 'input left shift');
      if (f(SIGMOID.inputRangeRadius) < 0) bad('negative input range radius');
      arena(SIGMOID.input, n, 1, 'input');
      arena(SIGMOID.output, n, 1, 'output');
      break;
    }
    case OP.ADD:
    case OP.MUL: {
      var B = op === OP.ADD ? ADD : MUL;
      var shape: number[] = [];
      for (var k = 0; k < MAX_DIMS; k++) shape.push(dim(B.outputShape + k, 'output dim ' + k));
      n = product(shape);
      loops(shape, 'output dim ');
      for (var k2 = 0; k2 < MAX_DIMS; k2++) {
        if (f(B.view1 + VIEW.dims + k2) !== shape[k2] || f(B.view2 + VIEW.dims + k2) !== shape[k2]) bad('input views do not walk the output shape');
      }
      var in1Pack = flag(B.input1InPack, 'input 1 in pack');
      var in2Pack = flag(B.input2InPack, 'input 2 in pack');
      // The view reaches give the smallest buffer each input can be.
      operand(B.input1, in1Pack, viewSpan([B.view1], 'input 1 view').span, 1, 'input 1');
      operand(B.input2, in2Pack, viewSpan([B.view2], 'input 2 view').span, 1, 'input 2');
      arena(B.output, n, 1, 'output');
      activation(B.actMin, -128, 127);
      if (op === OP.ADD) {
        shift(f(ADD.leftShift), 0, 20, 'left shift');
        offset8(ADD.input1Offset, 'input 1 offset'); offset8(ADD.input2Offset, 'input 2 offset'); offset8(ADD.outputOffset, 'output offset');
        shift(f(ADD.input1Shift), -31, 30, 'input 1 shift');
        shift(f(ADD.input2Shift), -31, 30, 'input 2 shift');
        shift(f(ADD.outputShift), -31, 30, 'output shift');
      } else {
        offset8(MUL.input1Offset, 'input 1 offset'); offset8(MUL.input2Offset, 'input 2 offset'); offset8(MUL.outputOffset, 'output offset');
        shift(f(MUL.outputShift), -31, 30, 'output shift');
      }
      break;
    }
    case OP.REQUANTIZE: {
      n = dim(REQUANTIZE.size, 'size');
      offset8(REQUANTIZE.inputZeroPoint, 'input zero point'); offset8(REQUANTIZE.outputOffset, 'output offset');
      shift(f(REQUANTIZE.shift), -31, 30, 'shift');
      activation(REQUANTIZE.actMin, -128, 127);
      arena(REQUANTIZE.input, n, 1, 'input');
      arena(REQUANTIZE.output, n, 1, 'output');
      break;
    }
    case OP.LEAKY_RELU: {
      n = dim(LEAKY_RELU.size, 'size');
      offset8(LEAKY_RELU.inputZeroPoint, 'input zero point'); offset8(LEAKY_RELU.outputZeroPoint, 'output zero point');
      shift(f(LEAKY_RELU.identityShift), -31, 30, 'identity shift');
      shift(f(LEAKY_RELU.alphaShift), -31, 30, 'alpha shift');
      arena(LEAKY_RELU.input, n, 1, 'input');
      arena(LEAKY_RELU.output, n, 1, 'output');
      break;
    }
    case OP.DEQUANTIZE:
    case OP.QUANTIZE_F32: {
      n = dim(AFFINE.size, 'size');
      offset8(AFFINE.zeroPoint, 'zero point');
      var toFloat = op === OP.DEQUANTIZE;
      arena(AFFINE.input, toFloat ? n : 4 * n, toFloat ? 1 : 4, 'input');
      arena(AFFINE.output, toFloat ? 4 * n : n, toFloat ? 4 : 1, 'output');
      break;
    }
    case OP.MEAN: {
      var outCount = viewSpan([MEAN.outer], 'outer view').count;
      var count = viewSpan([MEAN.inner], 'inner view').count;
      if (f(MEAN.count) !== count || count < 1) bad('count ' + f(MEAN.count) + ' is not the ' + count + ' reduced elements');
      var reduction = viewSpan([MEAN.outer, MEAN.inner], 'reduction');
      loops(reduction.trips, 'view dim ');
      ops = outCount * count;
      // Each input element is reduced once: more reads than the arena holds means a view walks one twice over.
      if (ops > budget) bad('reads ' + ops + ' elements');
      arena(MEAN.input, reduction.span, 1, 'input');
      arena(MEAN.output, outCount, 1, 'output');
      offset8(MEAN.inputZeroPoint, 'input zero point'); offset8(MEAN.outputZeroPoint, 'output zero point');
      shift(f(MEAN.shift), -31, 30, 'shift');
      break;
    }
    case OP.GATHER_VIEW: {
      var elem = elemSize(f(GATHER.elemSize), bad);
      var gathered = viewSpan([GATHER.view], 'view');
      loops(gathered.trips, 'view dim ');
      ops = gathered.count;
      operand(GATHER.input, flag(GATHER.inputInPack, 'input in pack'), elem * gathered.span, elem, 'input');
      arena(GATHER.output, elem * ops, elem, 'output');
      break;
    }
    case OP.PAD: {
      var pe = elemSize(f(PAD.elemSize), bad);
      var inShape: number[] = [], outShape: number[] = [];
      for (var d = 0; d < MAX_DIMS; d++) {
        inShape.push(dim(PAD.inputDims + d, 'input dim ' + d));
        outShape.push(dim(PAD.outputDims + d, 'output dim ' + d));
        var before = f(PAD.before + d);
        if (!isInt(before, 0, INT32_MAX) || before + inShape[d] > outShape[d]) bad('padding of dim ' + d + ' does not fit the output');
      }
      // The kernel's row bytes are element size x the last dim: the element size counts as a dim.
      arena(PAD.input, product([pe].concat(inShape)), pe, 'input');
      ops = product(outShape);
      arena(PAD.output, product([pe].concat(outShape)), pe, 'output');
      loops(outShape, 'output dim ');
      break;
    }
    case OP.CONCATENATION: {
      var outer = dim(CONCAT.outerSize, 'outer size');
      var inputs = f(CONCAT.inputCount);
      var rowTotal = 0;
      for (var j = 0; j < inputs; j++) {
        var entry = CONCAT.words + j * CONCAT_INPUT.words;
        var rowBytes = dim(entry + CONCAT_INPUT.rowBytes, 'input ' + j + ' row bytes');
        rowTotal += rowBytes;
        operand(entry + CONCAT_INPUT.input, flag(entry + CONCAT_INPUT.inPack, 'input ' + j + ' in pack'), product([outer, rowBytes]), 1, 'input ' + j);
        loops([outer, rowBytes], ['outer size', 'input ' + j + ' row bytes']);
      }
      if (rowTotal > INT32_MAX) bad('row bytes ' + rowTotal);
      ops = product([outer, rowTotal]);
      arena(CONCAT.output, ops, 1, 'output');
      break;
    }
    case OP.COPY: {
      var bytes = dim(COPY.bytes, 'bytes');
      ops = bytes;
      operand(COPY.input, flag(COPY.inputInPack, 'input in pack'), bytes, 1, 'input');
      arena(COPY.output, bytes, 1, 'output');
      break;
    }
    // Audio front end (TFLM signal ops), CAST and int32 element-wise ops.
    case SIGNAL_OP.SIGNAL_WINDOW: {
      n = dim(SIGNAL_WINDOW.size, 'size');
      var windowSize = positive(SIGNAL_WINDOW.windowSize, 'window size');
      if (n % windowSize !== 0) bad('size ' + n + ' is not a multiple of the window size ' + windowSize);
      shift(f(SIGNAL_WINDOW.shift), 0, 31, 'shift');
      arena(SIGNAL_WINDOW.input, 2 * n, 2, 'input');
      constant(SIGNAL_WINDOW.window, 2 * windowSize, 2, 'window');
      arena(SIGNAL_WINDOW.output, 2 * n, 2, 'output');
      break;
    }
    case SIGNAL_OP.SIGNAL_FFT_AUTO_SCALE: {
      n = dim(SIGNAL_FFT_AUTO_SCALE.size, 'size');
      arena(SIGNAL_FFT_AUTO_SCALE.input, 2 * n, 2, 'input');
      arena(SIGNAL_FFT_AUTO_SCALE.output, 2 * n, 2, 'output');
      arena(SIGNAL_FFT_AUTO_SCALE.scaleBits, 4, 4, 'scale bits');
      break;
    }
    case SIGNAL_OP.SIGNAL_RFFT: {
      var fftLength = f(SIGNAL_RFFT.fftLength);
      if (!isInt(fftLength, 4, 65536) || (fftLength & (fftLength - 1)) !== 0) bad('fft length ' + fftLength + ' is not a power of two from 4 to 65536');
      var inputLength = dim(SIGNAL_RFFT.inputLength, 'input length');
      if (inputLength > fftLength) bad('input length ' + inputLength + ' exceeds the fft length');
      var frames = dim(SIGNAL_RFFT.frames, 'frames');
      // A real FFT of fftLength points: fftLength / 2 complex points, log2 passes, per frame.
      ops = frames * fftLength * Math.round(Math.log(fftLength) / Math.LN2);
      arena(SIGNAL_RFFT.input, 2 * product([frames, inputLength]), 2, 'input');
      arena(SIGNAL_RFFT.output, 2 * product([frames, fftLength + 2]), 4, 'output');
      constant(SIGNAL_RFFT.twiddles, 2 * fftLength, 2, 'twiddles');
      constant(SIGNAL_RFFT.superTwiddles, Math.max(4, fftLength), 2, 'super twiddles');
      break;
    }
    case SIGNAL_OP.SIGNAL_ENERGY: {
      var start = dim(SIGNAL_ENERGY.start, 'start');
      var end = dim(SIGNAL_ENERGY.end, 'end');
      if (end < start) bad('end ' + end + ' is before start ' + start);
      ops = end - start;
      arena(SIGNAL_ENERGY.input, 4 * end, 2, 'input');
      arena(SIGNAL_ENERGY.output, 4 * end, 4, 'output');
      break;
    }
    case SIGNAL_OP.SIGNAL_FILTER_BANK: {
      var fbChannels = dim(SIGNAL_FILTER_BANK.numChannels, 'channels');
      var bins = dim(SIGNAL_FILTER_BANK.numBins, 'bins');
      var weightCount = dim(SIGNAL_FILTER_BANK.numWeights, 'weights');
      arena(SIGNAL_FILTER_BANK.input, 4 * bins, 4, 'input');
      arena(SIGNAL_FILTER_BANK.output, 8 * fbChannels, 8, 'output');
      constant(SIGNAL_FILTER_BANK.weights, 2 * weightCount, 2, 'weights');
      constant(SIGNAL_FILTER_BANK.unweights, 2 * weightCount, 2, 'unweights');
      constant(SIGNAL_FILTER_BANK.freqStarts, 2 * (fbChannels + 1), 2, 'channel frequency starts');
      constant(SIGNAL_FILTER_BANK.weightStarts, 2 * (fbChannels + 1), 2, 'channel weight starts');
      constant(SIGNAL_FILTER_BANK.widths, 2 * (fbChannels + 1), 2, 'channel widths');
      for (var ch = 0; ch <= fbChannels; ch++) {
        var width = i16(b, f(SIGNAL_FILTER_BANK.widths) + 2 * ch);
        var freqStart = i16(b, f(SIGNAL_FILTER_BANK.freqStarts) + 2 * ch);
        var weightStart = i16(b, f(SIGNAL_FILTER_BANK.weightStarts) + 2 * ch);
        if (width < 0 || freqStart < 0 || weightStart < 0 || freqStart + width > bins || weightStart + width > weightCount) {
          bad('channel ' + ch + ' reaches outside the input or the weights');
        }
        ops += width + 1;
      }
      break;
    }
    case SIGNAL_OP.SIGNAL_FILTER_BANK_SQRT: {
      n = dim(SIGNAL_FILTER_BANK_SQRT.numChannels, 'channels');
      var sbInPack = flag(SIGNAL_FILTER_BANK_SQRT.scaleBitsInPack, 'scale bits in pack');
      operand(SIGNAL_FILTER_BANK_SQRT.scaleBits, sbInPack, 4, 4, 'scale bits');
      // The kernel refuses scale bits outside [0, 31] at run time (a computed operand).
      arena(SIGNAL_FILTER_BANK_SQRT.input, 8 * n, 8, 'input');
      arena(SIGNAL_FILTER_BANK_SQRT.output, 4 * n, 4, 'output');
      break;
    }
    case SIGNAL_OP.SIGNAL_SPECTRAL_SUBTRACTION: {
      var S = SIGNAL_SPECTRAL_SUBTRACTION;
      n = dim(S.numChannels, 'channels');
      arena(S.input, 4 * n, 4, 'input');
      arena(S.output, 4 * n, 4, 'output');
      arena(S.noiseEstimate, 4 * n, 4, 'noise estimate');
      var st = L.state;
      if (!st || f(S.noiseEstimate) < st.offset || f(S.noiseEstimate) + 4 * n > st.offset + st.bytes) bad('noise estimate lies outside the state region');
      var sfields = [S.smoothing, S.oneMinusSmoothing, S.alternateSmoothing, S.alternateOneMinusSmoothing, S.minSignalRemaining];
      for (var q = 0; q < sfields.length; q++) if (!isInt(f(sfields[q]), 0, 65535)) bad('smoothing coefficient ' + f(sfields[q]) + ' out of range');
      shift(f(S.smoothingBits), 0, 31, 'smoothing bits');
      shift(f(S.spectralSubtractionBits), 0, 63, 'spectral subtraction bits');
      flag(S.clamping, 'clamping');
      break;
    }
    case SIGNAL_OP.SIGNAL_PCAN: {
      n = dim(SIGNAL_PCAN.numChannels, 'channels');
      var lutSize = dim(SIGNAL_PCAN.lutSize, 'gain LUT size');
      if (lutSize < 125) bad('gain LUT of ' + lutSize + ' values, needs 125');
      shift(f(SIGNAL_PCAN.snrShift), 0, 63, 'snr shift');
      arena(SIGNAL_PCAN.input, 4 * n, 4, 'input');
      arena(SIGNAL_PCAN.noiseEstimate, 4 * n, 4, 'noise estimate');
      constant(SIGNAL_PCAN.gainLut, 2 * lutSize, 2, 'gain LUT');
      arena(SIGNAL_PCAN.output, 4 * n, 4, 'output');
      break;
    }
    case SIGNAL_OP.SIGNAL_FILTER_BANK_LOG: {
      n = dim(SIGNAL_FILTER_BANK_LOG.numChannels, 'channels');
      if (!isInt(f(SIGNAL_FILTER_BANK_LOG.outputScale), 0, 65535)) bad('output scale ' + f(SIGNAL_FILTER_BANK_LOG.outputScale));
      shift(f(SIGNAL_FILTER_BANK_LOG.correctionBits), 0, 31, 'correction bits');
      arena(SIGNAL_FILTER_BANK_LOG.input, 4 * n, 4, 'input');
      arena(SIGNAL_FILTER_BANK_LOG.output, 2 * n, 2, 'output');
      break;
    }
    case SIGNAL_OP.CAST: {
      n = dim(CAST.size, 'size');
      var castBytes = [0, 1, 2, 4, 0, 1, 4];
      var from = f(CAST.fromType), to = f(CAST.toType);
      if (!isInt(from, 1, 6) || !castBytes[from] || !isInt(to, 1, 6) || !castBytes[to]) bad('cast between element codes ' + from + ' and ' + to);
      arena(CAST.input, castBytes[from] * n, castBytes[from], 'input');
      arena(CAST.output, castBytes[to] * n, castBytes[to], 'output');
      break;
    }
    case SIGNAL_OP.ELEMENTWISE_S32: {
      var E = ELEMENTWISE_S32;
      var eshape: number[] = [];
      for (var ek = 0; ek < MAX_DIMS; ek++) eshape.push(dim(E.outputShape + ek, 'output dim ' + ek));
      n = product(eshape);
      loops(eshape, 'output dim ');
      for (var ek2 = 0; ek2 < MAX_DIMS; ek2++) {
        if (f(E.view1 + VIEW.dims + ek2) !== eshape[ek2] || f(E.view2 + VIEW.dims + ek2) !== eshape[ek2]) bad('input views do not walk the output shape');
      }
      if (!isInt(f(E.kind), 0, 5)) bad('element-wise kind ' + f(E.kind));
      if (f(E.actMin) > f(E.actMax)) bad('activation range is empty');
      var e1Pack = flag(E.input1InPack, 'input 1 in pack');
      var e2Pack = flag(E.input2InPack, 'input 2 in pack');
      operand(E.input1, e1Pack, 4 * viewSpan([E.view1], 'input 1 view').span, 4, 'input 1');
      operand(E.input2, e2Pack, 4 * viewSpan([E.view2], 'input 2 view').span, 4, 'input 2');
      arena(E.output, 4 * n, 4, 'output');
      break;
    }
    default:
      bad('unknown op code');
  }
  // Unary, element-wise and audio ops: one operation per element of their size.
  if (!ops && !macs && n) ops = n;
  if (work) {
    work.macs += macs;
    work.ops += ops;
  }
  return op;
}

function elemSize(v: number, bad: (what: string) => never): number {
  if (v !== 1 && v !== 2 && v !== 4) bad('element size ' + v);
  return v;
}

/** A little-endian int16 of the pack (signal op constants). */
function i16(b: Uint8Array, at: number): number {
  return ((b[at] | (b[at + 1] << 8)) << 16) >> 16;
}

export interface PackLayout {
  /** The state region (flags bit 0): arena bytes kept across invokes, zeroed by a reset (device/state.ts). */
  state?: TensorInfo;
}
