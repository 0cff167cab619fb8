/**
 * Model pack constants and the header/tensor-table reader. The format is
 * defined in docs/model-pack.md. ES5 only: this file runs on the microcontroller.
 */

export var PACK_MAGIC = 0x4b505354; // "TSPK" little-endian
export var PACK_VERSION = 1;
export var HEADER_BYTES = 64;
export var TENSOR_ENTRY_BYTES = 44;
/** Byte offsets of the fields of a tensor-table entry (docs/model-pack.md); byte 3 is reserved (0). */
export var TENSOR_ENTRY = {
  dtype: 0, // u8, DTYPE
  rank: 1, // u8, 0..MAX_DIMS
  where: 2, // u8, WHERE
  offset: 4, // i32, in the arena or the pack
  bytes: 8, // i32
  zeroPoint: 12, // i32
  scale: 16, // f32, 0 when not quantized
  dims: 20, // i32 x MAX_DIMS, unused trailing entries 0
};
/** The CRC covers everything after the checksum field. */
export var CRC_START = 16;

/** Byte offsets of the header fields. */
export var H = {
  magic: 0,
  version: 4,
  headerBytes: 6,
  packBytes: 8,
  crc: 12,
  arenaBytes: 16,
  flags: 20,
  opCount: 24,
  opTable: 28,
  tensorCount: 32,
  tensorTable: 36,
  inputCount: 40,
  inputList: 44,
  outputCount: 48,
  outputList: 52,
  constOffset: 56,
  constBytes: 60,
};

/** Header flags bit 0: the last tensor-table entry is the state region (uint8 [bytes], in the arena; state.ts). */
export var PACK_FLAG_STATE = 1;

/** Element types of the tensor table. */
// 6 is not a tensor-table type: CAST's element codes use it for uint32 (ops.json castBytes). bool: 0 or 1 per byte.
export var DTYPE = { int8: 1, int16: 2, int32: 3, float32: 4, uint8: 5, bool: 7 };
export var DTYPE_NAMES = ['', 'int8', 'int16', 'int32', 'float32', 'uint8', '', 'bool'];
export var DTYPE_BYTES = [0, 1, 2, 4, 4, 1, 0, 1];

/** Where a tensor lives. */
export var WHERE = { arena: 0, pack: 1 };

export type DTypeName = 'int8' | 'int16' | 'int32' | 'float32' | 'uint8' | 'bool';

/** An input or output of a packed model, as the app sees it. */
export interface TensorInfo {
  type: DTypeName;
  shape: number[];
  /** Byte offset in the arena (or the pack, for a constant output). */
  offset: number;
  bytes: number;
  inPack: boolean;
  scale: number;
  zeroPoint: number;
}

/** Little-endian reads that work on every engine (no DataView on some). */
export function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

export function i32(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
}

export function u32(b: Uint8Array, at: number): number {
  return i32(b, at) >>> 0;
}

var f32Scratch = new Float32Array(1);
var f32Bytes = new Uint8Array(f32Scratch.buffer);

export function f32(b: Uint8Array, at: number): number {
  f32Bytes[0] = b[at];
  f32Bytes[1] = b[at + 1];
  f32Bytes[2] = b[at + 2];
  f32Bytes[3] = b[at + 3];
  return f32Scratch[0];
}

/** Reads tensor-table entry `index` (the table was bounds-checked already). */
export function readTensor(b: Uint8Array, tableOffset: number, index: number): TensorInfo {
  var at = tableOffset + index * TENSOR_ENTRY_BYTES;
  var E = TENSOR_ENTRY;
  var rank = b[at + E.rank];
  var shape: number[] = [];
  for (var d = 0; d < rank; d++) shape.push(i32(b, at + E.dims + 4 * d));
  return {
    type: DTYPE_NAMES[b[at + E.dtype]] as DTypeName,
    shape: shape,
    offset: i32(b, at + E.offset),
    bytes: i32(b, at + E.bytes),
    inPack: b[at + E.where] === WHERE.pack,
    zeroPoint: i32(b, at + E.zeroPoint),
    scale: f32(b, at + E.scale),
  };
}
