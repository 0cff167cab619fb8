/**
 * What the generated record checks (device/record-checks.ts, from scripts/gen-ops.mjs) call: the rule
 * kinds that are loops or need more than one comparison, and the hand-written rules the rule language does
 * not express. The twins of the same pieces of run_rules() in kernels-c/jerryscript/tinysense_record_check.c.
 * `where` names the record in messages ("op 3 (CONV_2D)").
 *
 * ES5 only: this file runs on the microcontroller.
 */
import { i32 } from './pack.js';
import { CONCAT, CONCAT_INPUT, MAX_DIMS, SIGNAL_FILTER_BANK, VIEW } from './records.js';

/**
 * What the checks read of a validated pack's layout (validate.ts's PackLayout has it; declared here so that
 * the generated checks and these helpers import nothing from validate.ts, which imports them).
 */
export interface PackLayout {
  arenaBytes: number;
  constOffset: number;
  constBytes: number;
  /** The state region (flags bit 0). */
  state?: { offset: number; bytes: number };
}

/** A record's work: multiply-accumulates and element operations (validate.ts's Work). */
export interface RecordWork {
  macs: number;
  ops: number;
}

var INT32_MAX = 2147483647;

/** Throws the record's first failed rule. */
export function bad(where: string, what: string): never {
  throw new Error('tinysense: invalid model pack: ' + where + ': ' + what);
}

/** The arena and constant bytes: the most any loop nest may run around an empty loop. */
export function budgetOf(L: PackLayout): number {
  return L.arenaBytes + L.constBytes;
}

/** Division truncating as in C; by 0 it gives 0 (rules check divisors first). */
export function div(a: number, c: number): number {
  return c ? (a - a % c) / c : 0;
}

/** Remainder as in C; by 0 it gives 0. */
export function mod(a: number, c: number): number {
  return c ? a % c : 0;
}

export function log2(a: number): number {
  return a > 0 ? Math.round(Math.log(a) / Math.LN2) : 0;
}

/**
 * The product; its non-zero factors must multiply to at most 2^31-1 even beside a 0 (kernels compute
 * strides from them before any loop runs).
 */
export function prod(where: string, factors: number[]): number {
  var p = 1, q = 1;
  for (var i = 0; i < factors.length; i++) {
    var d = factors[i];
    p *= d;
    if (d) q *= d;
  }
  if (q > INT32_MAX) bad(where, 'tensor of ' + q + ' elements is too large');
  return p;
}

/** An operand of `bytes` bytes at the offset in word `field`, in the arena or among the constants. */
export function operand(b: Uint8Array, rec: number, L: PackLayout, where: string, field: number, inPack: boolean, bytes: number, align: number, what: string): void {
  var at = i32(b, rec + 4 * field);
  var lo = inPack ? L.constOffset : 0;
  var hi = inPack ? L.constOffset + L.constBytes : L.arenaBytes;
  if (bytes > INT32_MAX || at < lo || at + bytes > hi) {
    bad(where, what + ' needs ' + bytes + ' bytes at ' + (inPack ? 'pack' : 'arena') + ' offset ' + at + ', outside [' + lo + ', ' + hi + ')');
  }
  if (at % align !== 0) bad(where, what + ' at offset ' + at + ' is not ' + align + '-byte aligned');
}

/**
 * The work bound of a loop nest (trips outermost first): a loop of 0 trips must not sit inside loops
 * that run more than the budget times in all (the kernel would spin on nothing).
 */
export function loops(L: PackLayout, where: string, trips: number[], names: string[] | string): void {
  var budget = budgetOf(L);
  for (var k = 0, p = 1; k < trips.length; p *= trips[k++]) {
    if (trips[k] === 0) {
      // `names` a string: the loops are named it plus their index ("loop 0", "loop 1" ...).
      if (p > budget) bad(where, (typeof names === 'string' ? names + k : names[k]) + ' is 0 inside loops of ' + p + ' trips');
      return;
    }
  }
}

/**
 * The (summed) views at words `fields`: how many elements they walk (`count`) and how many elements the
 * buffer they read must hold (`span`: the highest element reached, plus one).
 */
export function viewSpan(b: Uint8Array, rec: number, where: string, fields: number[], what: string): { count: number; span: number } {
  var lo = 0, hi = 0, count = 1, nonzero = 1, empty = false;
  for (var v = 0; v < fields.length; v++) {
    var base = rec + 4 * fields[v];
    var start = i32(b, base + 4 * VIEW.start);
    lo += start;
    hi += start;
    for (var k = 0; k < MAX_DIMS; k++) {
      var d = i32(b, base + 4 * (VIEW.dims + k));
      if (d < 0) bad(where, what + ' dim ' + k + ' is ' + d);
      var s = i32(b, base + 4 * (VIEW.step + k));
      count *= d;
      if (d === 0) empty = true;
      else nonzero *= d;
      // Every index the kernel forms, empty walk or not, lies in [lo, hi] (int32 arithmetic).
      var reach = s * Math.max(d - 1, 0);
      if (s >= 0) hi += reach;
      else lo += reach;
    }
  }
  if (nonzero > INT32_MAX) bad(where, what + ' has ' + nonzero + ' elements');
  if (lo < 0 || hi > INT32_MAX) bad(where, what + ' reaches elements ' + lo + '..' + hi);
  return { count: count, span: empty ? 0 : hi + 1 };
}

/** Per-channel shifts, int32 values among the constants at byte `at` (checked to lie there before). */
export function shifts(b: Uint8Array, where: string, at: number, channels: number): void {
  for (var k = 0; k < channels; k++) {
    var sh = i32(b, at + 4 * k);
    if (!(sh >= -31 && sh <= 30 && Math.floor(sh) === sh)) bad(where, 'shift of channel ' + k + ' is ' + sh + ', outside [-31, 30]');
  }
}

/** CONCATENATION's inputs, a variable number of entries after the fixed record; returns the output row bytes. */
export function concatInputs(b: Uint8Array, rec: number, L: PackLayout, where: string): number {
  var outer = i32(b, rec + 4 * CONCAT.outerSize);
  var rowTotal = 0;
  for (var j = 0; j < i32(b, rec + 4 * CONCAT.inputCount); j++) {
    var entry = CONCAT.words + j * CONCAT_INPUT.words;
    var rowBytes = i32(b, rec + 4 * (entry + CONCAT_INPUT.rowBytes));
    if (rowBytes < 0) bad(where, 'input ' + j + ' row bytes is ' + rowBytes);
    rowTotal += rowBytes;
    var flag = i32(b, rec + 4 * (entry + CONCAT_INPUT.inPack));
    if (flag !== 0 && flag !== 1) bad(where, 'input ' + j + ' in pack flag is ' + flag);
    var q = outer && rowBytes ? outer * rowBytes : Math.max(outer, rowBytes);
    if (q > INT32_MAX) bad(where, 'tensor of ' + q + ' elements is too large');
    operand(b, rec, L, where, entry + CONCAT_INPUT.input, flag === 1, outer * rowBytes, 1, 'input ' + j);
    loops(L, where, [outer, rowBytes], ['outer size', 'input ' + j + ' row bytes']);
  }
  return rowTotal;
}

/** A little-endian int16 of the pack (signal op constants). */
function i16(b: Uint8Array, at: number): number {
  return ((b[at] | (b[at + 1] << 8)) << 16) >> 16;
}

/**
 * SIGNAL_FILTER_BANK's channel tables, int16 values among the constants (checked to lie there by the
 * rules before): each channel's reach must stay inside the input and the weights. Returns the reads.
 */
export function filterBankChannels(b: Uint8Array, rec: number, where: string): number {
  var R = SIGNAL_FILTER_BANK;
  var reads = 0;
  var channels = i32(b, rec + 4 * R.numChannels);
  var widths = i32(b, rec + 4 * R.widths), freqStarts = i32(b, rec + 4 * R.freqStarts), weightStarts = i32(b, rec + 4 * R.weightStarts);
  var bins = i32(b, rec + 4 * R.numBins), weights = i32(b, rec + 4 * R.numWeights);
  for (var ch = 0; ch <= channels; ch++) {
    var width = i16(b, widths + 2 * ch);
    var freqStart = i16(b, freqStarts + 2 * ch);
    var weightStart = i16(b, weightStarts + 2 * ch);
    if (width < 0 || freqStart < 0 || weightStart < 0 || freqStart + width > bins || weightStart + width > weights) {
      bad(where, 'channel ' + ch + ' reaches outside the input or the weights');
    }
    reads += width + 1;
  }
  return reads;
}

/** The first `words` int32 words of the record at byte `rec`: each field read once. */
export function fieldsOf(b: Uint8Array, rec: number, words: number): number[] {
  var f: number[] = [];
  for (var k = 0; k < words; k++) f.push(i32(b, rec + 4 * k));
  return f;
}

/** Rule kind dim: a size that must not be negative. */
export function dim(where: string, v: number, what: string): void {
  if (!(v >= 0)) bad(where, what + ' is ' + v);
}

/** Rule kind positive: at least 1. */
export function positive(where: string, v: number, what: string): void {
  if (!(v >= 1)) bad(where, what + ' is ' + v + ', must be at least 1');
}
