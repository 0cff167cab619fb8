/**
 * An observer hook for tools that watch a simulation as it runs (`tinysense
 * dev`): every model op the kernels run, with the pack, the op record, the
 * arena as it is after the op, and the host time the op took. Set it on the
 * board's native layer: `sim.board.native.onOp` (Espruino) or `sim.board.onOp`
 * (JerryScript). Observers must not write to the views they get.
 */
export interface OpCall {
  /** The model pack the record belongs to (from its first byte). */
  pack: Uint8Array;
  /** Byte offset of the op record in the pack. */
  record: number;
  /** The arena the op ran on (from its first byte), after the op. */
  arena: Uint8Array;
  /** Host wall time of the kernel call, ms. */
  hostMs: number;
}

export type OpObserver = (call: OpCall) => void;
