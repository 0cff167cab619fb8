/**
 * TINYSENSE_TARGET's shape: what the build (host/bundler/target.ts) tells a bundle about its target.
 * Types only, so device/app.ts, device/engine.ts and the engine bindings share it without importing
 * one another.
 */
export interface TargetInfo {
  engine: 'espruino' | 'jerryscript';
  /** Board id the bundle was built for. */
  board?: string;
  /** Espruino only: the Storage file holding the kernel blob and its entry offsets. */
  blobFile?: string;
  invoke?: number;
  /** ts_invoke_ops: a range of a pack's op records in one call (what Model.invoke uses). */
  invokeOps?: number;
  checksum?: number;
  /** The blob's preprocessing entry (absent in blobs built before it existed, or without preprocessing). */
  preprocess?: number;
}
