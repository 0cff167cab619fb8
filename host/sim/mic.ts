/**
 * The I2S microphone of the JerryScript ESP32 port (firmware/esp-idf/tinysense/
 * tinysense_port_esp32.c, ESP-IDF i2s_std driver), fed by an audio trace, in
 * virtual time:
 *
 * - The recording plays from virtual time 0: sample i is captured at
 *   (i + 1) * 1000 / rate ms. After its end the microphone gives zeros.
 * - While started, captured samples wait in the driver's DMA buffers, which
 *   hold MIC_BUFFER_SAMPLES; when the reader falls behind, the oldest are
 *   dropped (and counted), as the driver drops its oldest filled buffer.
 * - A read that cannot fill its array blocks: the clock moves forward (no
 *   timers run: the engine is inside the native call) until the array is full
 *   or the timeout has passed.
 *
 * Simplified (docs/traces.md): samples are readable one by one, where the
 * driver hands over whole DMA buffers, and the timeout bounds the whole read,
 * where on the board it bounds each wait for the next DMA buffer.
 */
import type { AudioTrace } from './traces.js';

/**
 * ESP-IDF v5.x I2S_CHANNEL_DEFAULT_CONFIG (components/esp_driver_i2s/include/
 * driver/i2s_common.h): 6 DMA buffers (dma_desc_num) of 240 frames
 * (dma_frame_num). The RX path queues filled buffers for i2s_channel_read in a
 * queue of dma_desc_num - 1 entries (i2s_common.c, i2s_register_channel); when
 * it is full the DMA interrupt drops the oldest buffer (the on_recv_q_ovf
 * event). The port reads one 32-bit mono slot per sample, so one frame is one
 * sample.
 */
export const I2S_DMA_DESC_NUM = 6;
export const I2S_DMA_FRAME_NUM = 240;
/** Samples the driver holds for a reader that falls behind: 1200 (75 ms at 16 kHz). */
export const MIC_BUFFER_SAMPLES = (I2S_DMA_DESC_NUM - 1) * I2S_DMA_FRAME_NUM;

export interface MicStats {
  /** Samples read() handed to the app. */
  delivered: number;
  /** Samples captured while started that the app never got: dropped on buffer overrun. */
  dropped: number;
  /** Virtual ms spent blocked inside read(). */
  blockedMs: number;
}

export class TraceMic {
  private started = false;
  /** Trace index of the next sample the reader gets (past the end: silence). */
  private next = 0;
  private readonly stats: MicStats = { delivered: 0, dropped: 0, blockedMs: 0 };

  constructor(
    readonly trace: AudioTrace,
    private readonly clock: { now: number },
  ) {}

  get running(): boolean {
    return this.started;
  }

  /** Starts capturing at the current time (a no-op when running, as port_mic_start). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.next = this.capturedBy(this.clock.now);
  }

  /** Stops capturing; what was waiting is discarded (not counted as dropped). */
  stop(): void {
    this.settle();
    this.started = false;
  }

  /** Fills `into` (blocking up to timeoutMs of virtual time); returns the samples read. Not running: -1. */
  read(into: Int16Array, timeoutMs: number): number {
    if (!this.started) return -1;
    this.settle();
    const rate = this.trace.sampleRate;
    const want = into.length;
    let got = Math.min(want, this.capturedBy(this.clock.now) - this.next);
    if (got < want && timeoutMs > 0) {
      // The reader drains the buffers as samples arrive, so nothing overflows while it waits.
      const full = ((this.next + want) * 1000) / rate;
      const fills = full <= this.clock.now + timeoutMs;
      const until = fills ? Math.max(this.clock.now, full) : this.clock.now + timeoutMs;
      this.stats.blockedMs += until - this.clock.now;
      this.clock.now = until;
      got = fills ? want : Math.min(want, this.capturedBy(until) - this.next);
    }
    const samples = this.trace.samples;
    for (let k = 0; k < got; k++) {
      const i = this.next + k;
      into[k] = i < samples.length ? samples[i] : 0;
    }
    this.next += got;
    this.stats.delivered += got;
    return got;
  }

  micStats(): MicStats {
    this.settle();
    return { ...this.stats };
  }

  /** How many samples have been captured by time t. The epsilon keeps t = n * 1000 / rate at n despite rounding. */
  private capturedBy(t: number): number {
    return Math.floor((t * this.trace.sampleRate) / 1000 + 1e-6);
  }

  /** Drops what the DMA buffers could not hold, oldest first. */
  private settle(): void {
    if (!this.started) return;
    const waiting = this.capturedBy(this.clock.now) - this.next;
    if (waiting > MIC_BUFFER_SAMPLES) {
      this.stats.dropped += waiting - MIC_BUFFER_SAMPLES;
      this.next += waiting - MIC_BUFFER_SAMPLES;
    }
  }
}
