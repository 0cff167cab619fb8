/**
 * The one place tfjs is set up: the pure-JavaScript CPU backend (tfjs-node is
 * not a dependency), made current before any tensor is created.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

export { tf, tfl };

let ready: Promise<void> | null = null;

/** Selects the CPU backend once; safe to await from every entry point. */
export function useCpuBackend(): Promise<void> {
  ready ??= (async () => {
    // PROD silences the console banner suggesting tfjs-node on first use; it changes no arithmetic.
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs: the CPU backend could not be initialised');
    await tf.ready();
  })();
  return ready;
}
