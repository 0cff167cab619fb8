/**
 * The model pack writer (docs/model-pack.md): where each section goes, and the bytes. The compiler's last
 * stage, and what tests use to make packs by hand, so that no one else spells out header fields,
 * tensor-table entries or the CRC.
 *
 * Layout: header | op table | tensor table | input list | output list | records | constants | work trailer.
 */
import {
  CRC_START, H, HEADER_BYTES, PACK_FLAG_STATE, PACK_MAGIC, PACK_VERSION, TENSOR_ENTRY, TENSOR_ENTRY_BYTES, WHERE,
} from '../../device/pack.js';
import { PACK_FLAG_WORK, WORK_MAGIC, WORK_TRAILER_BYTES, Work } from '../../device/validate.js';
import { crc32 } from './crc32.js';

/** One tensor-table entry. */
export interface PackTensor {
  /** Element type code (device/pack.ts DTYPE). */
  dtype: number;
  shape: readonly number[];
  /** In the pack (a constant) rather than the arena. */
  inPack?: boolean;
  offset: number;
  bytes: number;
  zeroPoint?: number;
  /** 0 when not quantized. */
  scale?: number;
}

/** The byte offset of every section of a pack. */
export interface PackSections {
  opTable: number;
  tensorTable: number;
  inputList: number;
  outputList: number;
  /** One per record. */
  records: number[];
  constOffset: number;
  /** One per constant blob, each 4-aligned. */
  constants: number[];
  constBytes: number;
  /** The work trailer's offset, or null for a pack without one. */
  trailer: number | null;
  packBytes: number;
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Places the sections of a pack from their sizes (words per record, bytes per constant blob). */
export function layoutPack(sizes: {
  recordWords: readonly number[];
  tensors: number;
  inputs: number;
  outputs: number;
  constants: readonly number[];
  work: boolean;
}): PackSections {
  let at = HEADER_BYTES;
  const take = (bytes: number) => {
    const offset = at;
    at += bytes;
    return offset;
  };
  const opTable = take(4 * sizes.recordWords.length);
  const tensorTable = take(TENSOR_ENTRY_BYTES * sizes.tensors);
  const inputList = take(4 * sizes.inputs);
  const outputList = take(4 * sizes.outputs);
  const records = sizes.recordWords.map((words) => take(4 * words));
  const constOffset = at;
  const constants = sizes.constants.map((bytes) => {
    const offset = at;
    at = alignUp(at + bytes, 4);
    return offset;
  });
  const constBytes = at - constOffset;
  const trailer = sizes.work ? at : null;
  const packBytes = at + (sizes.work ? WORK_TRAILER_BYTES : 0);
  return { opTable, tensorTable, inputList, outputList, records, constOffset, constants, constBytes, trailer, packBytes };
}

export interface PackContents {
  arenaBytes: number;
  /** Record words, operands already resolved to arena or pack offsets. */
  records: readonly (readonly number[])[];
  tensors: readonly PackTensor[];
  /** Tensor-table indices of the inputs and outputs. */
  inputs: readonly number[];
  outputs: readonly number[];
  constants: readonly Uint8Array[];
  /** Header flags bit 0: the last tensor-table entry is the state region. */
  state?: boolean;
  /** The work trailer (header flags bit 1), when the sections have one. */
  work?: Work;
}

/** Writes a pack into the sections `layoutPack` gave for the same sizes; the CRC is set. */
export function writePack(s: PackSections, c: PackContents): Uint8Array {
  if (c.records.length !== s.records.length || c.constants.length !== s.constants.length || (c.work !== undefined) !== (s.trailer !== null)) {
    throw new Error('internal: pack contents do not match their layout');
  }
  const pack = new Uint8Array(s.packBytes);
  const view = new DataView(pack.buffer);
  view.setUint32(H.magic, PACK_MAGIC, true);
  view.setUint16(H.version, PACK_VERSION, true);
  view.setUint16(H.headerBytes, HEADER_BYTES, true);
  view.setUint32(H.packBytes, s.packBytes, true);
  view.setUint32(H.arenaBytes, c.arenaBytes, true);
  view.setUint32(H.flags, (c.work ? PACK_FLAG_WORK : 0) | (c.state ? PACK_FLAG_STATE : 0), true);
  view.setUint32(H.opCount, c.records.length, true);
  view.setUint32(H.opTable, s.opTable, true);
  view.setUint32(H.tensorCount, c.tensors.length, true);
  view.setUint32(H.tensorTable, s.tensorTable, true);
  view.setUint32(H.inputCount, c.inputs.length, true);
  view.setUint32(H.inputList, s.inputList, true);
  view.setUint32(H.outputCount, c.outputs.length, true);
  view.setUint32(H.outputList, s.outputList, true);
  view.setUint32(H.constOffset, s.constOffset, true);
  view.setUint32(H.constBytes, s.constBytes, true);

  s.records.forEach((offset, i) => view.setUint32(s.opTable + 4 * i, offset, true));
  c.tensors.forEach((t, i) => writeTensorEntry(view, s.tensorTable + i * TENSOR_ENTRY_BYTES, t));
  c.inputs.forEach((index, i) => view.setUint32(s.inputList + 4 * i, index, true));
  c.outputs.forEach((index, i) => view.setUint32(s.outputList + 4 * i, index, true));
  c.records.forEach((words, i) => words.forEach((w, k) => view.setInt32(s.records[i] + 4 * k, w, true)));
  c.constants.forEach((blob, i) => pack.set(blob, s.constants[i]));
  if (s.trailer !== null) {
    view.setUint32(s.trailer, WORK_MAGIC, true);
    view.setUint32(s.trailer + 4, WORK_TRAILER_BYTES, true);
    setWork(pack, s, c.work!);
  }
  return sealPack(pack);
}

function writeTensorEntry(view: DataView, e: number, t: PackTensor): void {
  view.setUint8(e + TENSOR_ENTRY.dtype, t.dtype);
  view.setUint8(e + TENSOR_ENTRY.rank, t.shape.length);
  view.setUint8(e + TENSOR_ENTRY.where, t.inPack ? WHERE.pack : WHERE.arena);
  view.setInt32(e + TENSOR_ENTRY.offset, t.offset, true);
  view.setInt32(e + TENSOR_ENTRY.bytes, t.bytes, true);
  view.setInt32(e + TENSOR_ENTRY.zeroPoint, t.zeroPoint ?? 0, true);
  view.setFloat32(e + TENSOR_ENTRY.scale, t.scale ?? 0, true);
  t.shape.forEach((d, k) => view.setInt32(e + TENSOR_ENTRY.dims + 4 * k, d, true));
}

/** Writes the work of one invoke into the trailer and re-seals the pack. */
export function setWork(pack: Uint8Array, s: PackSections, work: Work): Uint8Array {
  if (s.trailer === null) throw new Error('internal: this pack has no work trailer');
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  const put64 = (at: number, v: number) => {
    view.setUint32(at, v % 4294967296, true);
    view.setUint32(at + 4, Math.floor(v / 4294967296), true);
  };
  put64(s.trailer + 8, work.macs);
  put64(s.trailer + 16, work.ops);
  return sealPack(pack);
}

/** Sets the pack's CRC (over everything after the checksum field), e.g. after a test changed some bytes. */
export function sealPack(pack: Uint8Array): Uint8Array {
  new DataView(pack.buffer, pack.byteOffset, pack.byteLength).setUint32(H.crc, crc32(pack.subarray(CRC_START)), true);
  return pack;
}
