/**
 * The I2S microphone of the JerryScript ESP32 port (firmware/esp-idf/tinysense/
 * tinysense_port_esp32.c, ESP-IDF i2s_std driver), fed by an audio trace, in
 * virtual time, as the driver hands audio over:
 *
 * - The recording plays from virtual time 0: sample i is captured at
 *   (i + 1) * 1000 / rate ms. After its end the microphone gives zeros.
 * - From start() the DMA fills buffers of I2S_DMA_FRAME_NUM samples one after
 *   the other; a buffer becomes readable when its last sample is captured
 *   (every 15 ms at 16 kHz), not sample by sample.
 * - Completed buffers wait in a queue of I2S_DMA_DESC_NUM - 1; when a buffer
 *   completes on a full queue the oldest queued one is dropped (counted).
 * - read() copies from the buffer it holds, then takes the next queued one;
 *   when none is queued it waits for the next to complete, up to timeoutMs
 *   per wait (i2s_channel_read's xQueueReceive), so a read with a timeout
 *   longer than one buffer's duration fills its array however long that takes.
 *   Waiting moves the clock forward without running timers: the engine is
 *   inside the native call.
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
  /** Trace index of the first sample of DMA buffer 0 (the first captured after start()). */
  private origin = 0;
  /** The buffer read() is copying from and the samples of it already copied; -1: none held. */
  private held = -1;
  private offset = 0;
  /** The oldest buffer still queued (buffers queued .. completed - 1 wait in the queue). */
  private queued = 0;
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
    this.origin = this.capturedBy(this.clock.now);
    this.held = -1;
    this.offset = 0;
    this.queued = 0;
  }

  /** Stops capturing; what was waiting is discarded (not counted as dropped). */
  stop(): void {
    this.settle();
    this.started = false;
  }

  /** Fills `into` as port_mic_read does; returns the samples read. Not running: -1. */
  read(into: Int16Array, timeoutMs: number): number {
    if (!this.started) return -1;
    const samples = this.trace.samples;
    let got = 0;
    while (got < into.length) {
      if (this.held >= 0 && this.offset < I2S_DMA_FRAME_NUM) {
        const n = Math.min(I2S_DMA_FRAME_NUM - this.offset, into.length - got);
        const first = this.origin + this.held * I2S_DMA_FRAME_NUM + this.offset;
        for (let k = 0; k < n; k++) into[got + k] = first + k < samples.length ? samples[first + k] : 0;
        this.offset += n;
        got += n;
        continue;
      }
      this.settle();
      if (this.queued < this.completed(this.clock.now)) {
        this.held = this.queued++;
        this.offset = 0;
        continue;
      }
      // Nothing queued: wait for the next buffer to complete, at most timeoutMs.
      const next = this.completesAt(this.completed(this.clock.now));
      if (next - this.clock.now > timeoutMs) {
        this.stats.blockedMs += timeoutMs;
        this.clock.now += timeoutMs;
        break;
      }
      this.stats.blockedMs += next - this.clock.now;
      this.clock.now = next;
    }
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

  /** DMA buffers completed since start() by time t. */
  private completed(t: number): number {
    return Math.floor((this.capturedBy(t) - this.origin) / I2S_DMA_FRAME_NUM);
  }

  /** When buffer k completes (its last sample is captured). */
  private completesAt(k: number): number {
    return ((this.origin + (k + 1) * I2S_DMA_FRAME_NUM) * 1000) / this.trace.sampleRate;
  }

  /** Applies the overruns since the last look: the queue keeps the newest I2S_DMA_DESC_NUM - 1 buffers. */
  private settle(): void {
    if (!this.started) return;
    const keep = this.completed(this.clock.now) - (I2S_DMA_DESC_NUM - 1);
    if (this.queued < keep) {
      this.stats.dropped += (keep - this.queued) * I2S_DMA_FRAME_NUM;
      this.queued = keep;
    }
  }
}
