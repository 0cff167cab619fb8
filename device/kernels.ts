/**
 * The narrow interface between the device runtime and native kernels. Each
 * engine provides one binding: WebAssembly on the host (host/wasm/), the
 * position-independent Thumb-2 blob through E.nativeCall on Espruino, native
 * functions on JerryScript. Every native call takes at most 4 integers
 * (Espruino's E.nativeCall limit); addresses are plain integers.
 */

/** Memory the native code can address. */
export interface NativeBuffer {
  /** Size in bytes. */
  readonly length: number;
  /** A byte view of the memory. Fetch it again after allocations: some engines move or regrow memory. */
  view(): Uint8Array;
  /** The current address of byte 0. Fetch it again for every invoke: Espruino may move flat buffers. */
  address(): number;
}

export interface Kernels {
  /** Engine name for messages ("wasm", "espruino", ...). */
  readonly name: string;
  /** Zeroed, 4-aligned native memory; throws an Error naming the size when it cannot. */
  allocate(bytes: number): NativeBuffer;
  /** Makes `data` addressable: in place where the engine can (mapped flash), by copying otherwise. */
  place(data: Uint8Array): NativeBuffer;
  /** Runs the op record at address `record`; returns 0 or a negative ts_status. */
  invoke(record: number, arena: number, pack: number): number;
  /**
   * Runs op records first .. first + count - 1 of the validated pack at `pack` in one native call
   * (tinysense_nn.h ts_invoke_ops): 0, or -(i * 256 + -status) for the first op i that failed
   * (device/runtime.ts decodes it); the ops after it do not run.
   */
  invokeOps(pack: number, arena: number, first: number, count: number): number;
  /** CRC-32 of `length` bytes at `address`. */
  crc32(address: number, length: number): number;
  /**
   * Runs a preprocessing step (tinysense_nn.h ts_preprocess): `params` holds a ts_pre_* struct
   * (device/preprocess.ts builds it and has checked the byte counts it states against these
   * buffers), `src` the sensor data from byte `srcOffset`, `dst` the model input; `arg` the
   * step's per-call argument. Returns 0 or a negative status. Typed arrays, not addresses: the
   * sensor's buffers are the app's own, and some engines must copy them into native memory.
   */
  preprocess(params: NativeBuffer, src: ArrayBufferView, srcOffset: number, dst: ArrayBufferView, arg: number): number;
}
