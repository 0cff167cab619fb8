/**
 * The board's microphone as a stream of 16-bit PCM samples, whichever engine
 * runs the bundle. The engine binding (device/engine.ts) provides the
 * backend:
 * - JerryScript: the firmware's I2S microphone (tinysense.sensors.mic: an
 *   INMP441/SPH0645-style part on the ESP32's I2S peripheral,
 *   kernels-c/jerryscript and firmware/esp-idf). The I2S driver fills a DMA
 *   ring in the background; read() takes what has arrived without waiting,
 *   so an app polls it from setInterval and the engine stays free for timers
 *   in between. The DMA buffers hold 75 ms of 16 kHz audio (docs/traces.md):
 *   poll faster than that or the oldest samples are lost.
 * - Espruino: none. The Espruino boards here have no microphone driver
 *   (Bangle.js 2 and Jolt.js have no microphone; Espruino has no I2S API), so
 *   opening one there is an error.
 *
 * ES5 only: this file runs on the microcontroller.
 */
import { microphoneBackend } from '../engine.js';

export type { MicrophoneSource } from './types.js';

export interface Microphone {
  readonly sampleRate: number;
  /**
   * The samples that arrived since the last read, at most `bufferSamples` of
   * them, without waiting: a view into the microphone's own buffer, valid
   * until the next read (copy what must outlive it). Empty when none arrived;
   * a full buffer means more may be waiting.
   */
  read(): Int16Array;
  /** Samples delivered since open. */
  samplesRead: number;
  stop(): void;
}

export interface MicrophoneOptions {
  /** Samples one read() can return (default 1600: 100 ms at 16 kHz). */
  bufferSamples?: number;
}

/** Starts the board's microphone at `sampleRate` Hz. */
export function openMicrophone(sampleRate: number, options?: MicrophoneOptions): Microphone {
  var size = (options && options.bufferSamples) || 1600;
  if (!(size >= 1 && Math.floor(size) === size)) throw new Error('microphone: bufferSamples must be a positive integer, not ' + size);
  var source = microphoneBackend(sampleRate);
  var buffer = new Int16Array(size);
  var microphone: Microphone = {
    sampleRate: sampleRate,
    samplesRead: 0,
    read: function (): Int16Array {
      var n = source.read(buffer);
      microphone.samplesRead += n;
      // A full buffer is returned as it is; a partial one needs a view (the only allocation per read).
      return n === size ? buffer : buffer.subarray(0, n);
    },
    stop: function (): void {
      source.stop();
    },
  };
  return microphone;
}
