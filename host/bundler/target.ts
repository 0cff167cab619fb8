/**
 * TINYSENSE_TARGET: the global device/app.ts reads to pick the kernels of the
 * engine the bundle runs on. The build puts its definition at the top of the
 * bundle (rollup `intro`, inside the bundle's function scope).
 */
import type { Board } from './boards.js';
import type { KernelBlob } from './kernel-blob.js';

/** Mirrors device/app.ts TargetInfo, plus the board id for messages and the simulator. */
export interface TargetDefinition {
  engine: 'espruino' | 'jerryscript';
  board: string;
  /** Espruino with a kernel blob: its Storage file and entry offsets. */
  blobFile?: string;
  invoke?: number;
  /** ts_invoke_ops: a range of a pack's op records in one call (what Model.invoke uses). */
  invokeOps?: number;
  checksum?: number;
  preprocess?: number;
}

/** Storage name of a kernel blob. */
export function blobStorageName(blob: Pick<KernelBlob, 'name'>): string {
  return `${blob.name}.bin`;
}

export function targetDefinition(board: Board, blob: KernelBlob | undefined): TargetDefinition {
  const target: TargetDefinition = { engine: board.engine, board: board.id };
  if (board.nativeCall.kernels === 'blob') {
    if (!blob) throw new Error(`board ${board.id} runs its kernels from a blob, and none was given`);
    target.blobFile = blobStorageName(blob);
    target.invoke = blob.entries.invoke;
    target.invokeOps = blob.entries.invokeOps;
    target.checksum = blob.entries.checksum;
    if (blob.entries.preprocess !== undefined) target.preprocess = blob.entries.preprocess;
  }
  return target;
}

/** The statement that defines TINYSENSE_TARGET (plain ES5: a var and an object literal). */
export function targetIntro(target: TargetDefinition): string {
  return `var TINYSENSE_TARGET = ${JSON.stringify(target)};`;
}
