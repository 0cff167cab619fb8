/**
 * The simulated board's memory as native code sees it. Buffers the app makes
 * get device addresses the way Espruino gives them (flat buffers only, a heap
 * of the board's size), Storage files on memory-mapped flash get flash
 * addresses, and native calls resolve every address back to the buffer that
 * holds it. An address that points into no buffer is a pointer bug: it throws
 * here instead of hard-faulting a board.
 *
 * It also counts the JS heap in JsVars, as Espruino's process.memory() does
 * (host/engines/espruino-heap.ts): the app's code and start-up objects (the
 * calibrated estimate, charged when the app starts), every buffer the app
 * holds (a typed array's flat string, ArrayBuffer and view; freed when V8
 * collects it, so garbage counts until then, as it would on a board until
 * Espruino's collector runs) and the flat strings E.toFlatString made.
 */
import { codeJsVars, flatStringJsVars, typedArrayJsVars } from '../engines/espruino-heap.js';

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
  /** JsVars of the buffers the app holds, each counted once. */
  private held = new WeakMap<ArrayBufferLike, number>();
  private heldJsVars = 0;
  /** Bumped by resetHeap(): buffers of an earlier interpreter no longer count when V8 collects them. */
  private generation = 0;
  private readonly unhold = new FinalizationRegistry<{ jsVars: number; generation: number }>((h) => {
    if (h.generation === this.generation) this.heldJsVars -= h.jsVars;
  });
  /** Flat strings from E.toFlatString not (yet) turned into a buffer, by contents. */
  private readonly flatStrings = new Map<string, number>();
  private flatStringVars = 0;
  /** JsVars of the app's code and start-up objects (chargeCode). */
  private codeVars = 0;
  /** Largest JsVar usage seen. */
  jsVarsPeak = 0;

  constructor(
    /** The board's JS heap: flat buffers beyond it are not flat (address 0), as on a full board. */
    readonly heapBytes: number,
    /** Bytes per JsVar (14 on the nRF52840 boards). */
    readonly bytesPerVar = 14,
  ) {}

  /** JsVars in the heap. */
  get jsVarsTotal(): number {
    return Math.floor(this.heapBytes / this.bytesPerVar);
  }

  /** JsVars in use, as process.memory().usage reports them after a collection. */
  get jsVarsInUse(): number {
    return this.codeVars + this.heldJsVars + this.flatStringVars;
  }

  /**
   * A fresh interpreter (reset(), load(), E.reboot()): Espruino's heap starts empty again, whatever
   * V8 has not collected yet of the old app.
   */
  resetHeap(): void {
    this.generation++;
    this.held = new WeakMap();
    this.heldJsVars = 0;
    this.flatStrings.clear();
    this.flatStringVars = 0;
    this.codeVars = 0;
  }

  /** Charges the JsVars an app of `codeBytes` (without comments and indentation) makes as it starts. */
  chargeCode(codeBytes: number): void {
    this.codeVars += codeJsVars(codeBytes);
    this.notePeak();
  }

  /** Counts a buffer the app holds (its data, ArrayBuffer and view) until V8 collects it. */
  hold(buffer: ArrayBufferLike): void {
    if (this.held.has(buffer)) return;
    const jsVars = typedArrayJsVars(buffer.byteLength, this.bytesPerVar);
    this.held.set(buffer, jsVars);
    this.heldJsVars += jsVars;
    this.unhold.register(buffer, { jsVars, generation: this.generation });
    this.notePeak();
  }

  /** Counts a flat string E.toFlatString made. */
  holdFlatString(s: string): void {
    const jsVars = flatStringJsVars(s.length, this.bytesPerVar);
    this.flatStrings.set(s, (this.flatStrings.get(s) ?? 0) + 1);
    this.flatStringVars += jsVars;
    this.notePeak();
  }

  /** `s` is a flat string E.toFlatString made (and not yet viewed as a buffer). */
  isFlatString(s: string): boolean {
    return this.flatStrings.has(s);
  }

  /**
   * E.toArrayBuffer(s) of a flat string views the string's own data on a board: its JsVars move to
   * the buffer (counted by hold), so the string stops counting here. False when `s` was not one.
   */
  takeFlatString(s: string): boolean {
    const n = this.flatStrings.get(s);
    if (!n) return false;
    if (n === 1) this.flatStrings.delete(s);
    else this.flatStrings.set(s, n - 1);
    this.flatStringVars -= flatStringJsVars(s.length, this.bytesPerVar);
    return true;
  }

  private notePeak(): void {
    this.jsVarsPeak = Math.max(this.jsVarsPeak, this.jsVarsInUse);
  }

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
    this.hold(buffer);
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
