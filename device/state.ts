/**
 * Persistent state of a model pack (docs/model-pack.md, flags bit 0): arena
 * bytes that stateful ops (the audio front end's noise estimates) keep across
 * invokes. The planner never reuses them; reset zeroes them, as TFLM's
 * MicroInterpreter::Reset() does for its stateful kernels.
 *
 * ES5 only: this file runs on the microcontroller.
 */
import type { Model } from './runtime.js';

// Header flags bit 0 (PACK_FLAG_STATE) is defined with the header, in pack.ts.
export { PACK_FLAG_STATE } from './pack.js';

/** Zeroes the model's state region (if it has one): the next invoke starts as after loading. */
export function resetState(model: Model): void {
  var state = model.layout.state;
  if (!state) return;
  var arena = model.arenaBytes();
  for (var i = 0; i < state.bytes; i++) arena[state.offset + i] = 0;
}
