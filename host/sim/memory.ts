/**
 * The simulated board's memory as native code sees it. Buffers the app makes
 * get device addresses the way Espruino gives them (flat buffers only, a heap
 * of the board's size), Storage files on memory-mapped flash get flash
 * addresses, and native calls resolve every address back to the buffer that
 * holds it. An address that points into no buffer is a pointer bug: it throws
 * here instead of hard-faulting a board.
 */

/** Where on a board a simulated region lives. */
export type RegionKind = 'ram' | 'flash';

export interface Region {
  kind: RegionKind;
  address: number;
  length: number;
  /** Weak for RAM (the app's buffer may be collected, which frees the region). */
  buffer: WeakRef<ArrayBufferLike> | ArrayBufferLike;
  /** Storage file name, for flash regions. */
  file?: string;
}

/** The bytes of a live region. */
export function regionBytes(region: Region): Uint8Array {
  const buffer = region.buffer instanceof WeakRef ? region.buffer.deref() : region.buffer;
  if (!buffer) throw new Error(`internal: region at 0x${region.address.toString(16)} was freed`);
  return new Uint8Array(buffer, 0, region.length);
}

/** Espruino allocates typed arrays of at least this many bytes as flat buffers (measured on 2v29). */
export const FLAT_MIN_BYTES = 28;
const RAM_BASE = 0x20000000;
const FLASH_BASE = 0x00030000;

export class DeviceMemory {
  private readonly regions: Region[] = [];
  private readonly byBuffer = new WeakMap<ArrayBufferLike, Region>();
  private readonly flashStrings = new Map<string, Region>();
  private nextRam = RAM_BASE + 0x3000; // past what the firmware itself uses
  private nextFlash = FLASH_BASE;
  /** Bytes of flat RAM in use, against heapBytes. */
  ramInUse = 0;
  /** Largest ramInUse seen. */
  ramPeak = 0;
  private readonly release = new FinalizationRegistry<Region>((region) => this.free(region));

  constructor(
    /** The board's JS heap: flat buffers beyond it are not flat (address 0), as on a full board. */
    readonly heapBytes: number,
  ) {}

  /**
   * E.getAddressOf(v, true): the data address of a flat buffer or mapped
   * string, 0 otherwise.
   */
  addressOf(v: unknown): number {
    if (typeof v === 'string') return this.flashStrings.get(v)?.address ?? 0;
    if (ArrayBuffer.isView(v)) {
      const region = this.regionOfBuffer(v.buffer);
      return region ? region.address + v.byteOffset : 0;
    }
    if (v instanceof ArrayBuffer || (v && Object.prototype.toString.call(v) === '[object ArrayBuffer]')) {
      const region = this.regionOfBuffer(v as ArrayBuffer);
      return region ? region.address : 0;
    }
    return 0;
  }

  /** Maps a Storage file's contents at a flash address; returns the region. */
  mapFlash(file: string, contents: string, data: Uint8Array): Region {
    const known = this.flashStrings.get(contents);
    if (known) return known;
    const bytes = data.slice(); // a buffer of its own, so views of it resolve to this region
    const region: Region = { kind: 'flash', address: this.nextFlash, length: bytes.length, buffer: bytes.buffer, file };
    this.nextFlash += Math.ceil((bytes.length + 1) / 4096) * 4096;
    this.regions.push(region);
    this.flashStrings.set(contents, region);
    this.byBuffer.set(bytes.buffer, region);
    return region;
  }

  /** The region holding `address` (and `length` bytes from it), or a pointer-bug error. */
  resolve(address: number, length: number, what: string): { region: Region; offset: number } {
    for (const region of this.regions) {
      const offset = address - region.address;
      if (offset >= 0 && offset + length <= region.length) return { region, offset };
    }
    throw new Error(`native call: ${what} 0x${(address >>> 0).toString(16)} (${length} bytes) is not inside any flat buffer or mapped file`);
  }

  private regionOfBuffer(buffer: ArrayBufferLike): Region | undefined {
    const known = this.byBuffer.get(buffer);
    if (known) return known;
    if (buffer.byteLength < FLAT_MIN_BYTES) return undefined;
    if (this.ramInUse + buffer.byteLength > this.heapBytes) return undefined; // no contiguous room: not flat
    const region: Region = { kind: 'ram', address: this.nextRam, length: buffer.byteLength, buffer: new WeakRef(buffer) };
    this.nextRam += Math.ceil(buffer.byteLength / 4) * 4 + 16;
    this.ramInUse += buffer.byteLength;
    this.ramPeak = Math.max(this.ramPeak, this.ramInUse);
    this.regions.push(region);
    this.byBuffer.set(buffer, region);
    this.release.register(buffer, region);
    return region;
  }

  private free(region: Region): void {
    const i = this.regions.indexOf(region);
    if (i >= 0) this.regions.splice(i, 1);
    if (region.kind === 'ram') this.ramInUse -= region.length;
  }
}
