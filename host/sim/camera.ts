/**
 * The simulated SPI camera module (the device side is device/sensors/camera.ts):
 * an ArduCAM-style FIFO that captures the trace's current frame when started.
 */
import type { SpiDevice } from './espruino.js';
import type { FrameTrace } from './traces.js';

export interface CameraStats {
  captures: number;
  /** Source file of each captured frame, in order. */
  captured: { t: number; source: string }[];
}

export function simulatedCamera(trace: FrameTrace, now: () => number, stats: CameraStats): SpiDevice {
  const registers = new Uint8Array(128);
  let fifo: Uint8Array = new Uint8Array(0);
  return (sent) => {
    const reply = new Uint8Array(sent.length);
    const command = sent[0];
    if (command === 0x3c) {
      reply.set(fifo.subarray(0, sent.length - 1), 1);
      return reply;
    }
    if (command & 0x80) {
      const register = command & 0x7f;
      registers[register] = sent[1];
      if (register === 0x04 && sent[1] & 0x01) registers[0x41] &= ~0x08;
      if (register === 0x04 && sent[1] & 0x02) {
        const t = now();
        let frame = trace.frames[0];
        for (const f of trace.frames) if (f.t <= t) frame = f;
        fifo = frame.pixels;
        stats.captures++;
        stats.captured.push({ t, source: frame.source });
        registers[0x42] = fifo.length & 0xff;
        registers[0x43] = (fifo.length >> 8) & 0xff;
        registers[0x44] = (fifo.length >> 16) & 0x7f;
        registers[0x41] |= 0x08;
      }
      return reply;
    }
    reply[1] = registers[command & 0x7f];
    return reply;
  };
}
