/**
 * A camera module on SPI with an ArduCAM-style frame FIFO: a capture is
 * started by a register write, its completion polled, and the frame read in
 * one burst. Frames are width x height 8-bit grayscale; grab() returns them
 * as they are, capture() converts them to the int8 a model input takes (gray - 128). Engine-neutral: it needs
 * only an SPI bus (Espruino's SPI class, or a test double). ES5 only.
 *
 * Registers (ArduCAM's): 0x04 FIFO control (1 clear done flag, 2 start),
 * 0x41 status (bit 3 capture done), 0x42..0x44 FIFO length, 0x3C burst read.
 */
import type { Camera } from './types.js';

/** The part of Espruino's SPI class this driver uses. */
export interface SpiBus {
  send(data: Uint8Array | number[], cs: number): Uint8Array;
}

var MAX_POLLS = 1000;

export function createCamera(spi: SpiBus, cs: number, width: number, height: number): Camera {
  var frameBytes = width * height;
  var burst = new Uint8Array(frameBytes + 1);

  function read(register: number): number {
    return spi.send([register, 0], cs)[1];
  }

  // grab() runs once per frame, and Espruino interprets its source every time: the register
  // numbers are literals here (each module-level name costs a search of the bundle's scope), the
  // transfers inline (a function call costs about as much as the transfer), the statements few,
  // and the done flag is cleared before each capture only (bench/espruino). A register write is
  // [0x80 | register, value]; a read [register, 0], answered in the reply's second byte.
  function failed(why: string): never {
    throw new Error('camera: ' + why);
  }
  function shortFifo(): never {
    failed('FIFO holds ' + (read(0x42) | (read(0x43) << 8) | ((read(0x44) & 0x7f) << 16)) + ' bytes, expected ' + frameBytes);
  }
  function grab(): Uint8Array {
    spi.send([0x84, 0x01], cs); // FIFO_CONTROL: clear the done flag (a capture leaves it set)
    spi.send([0x84, 0x02], cs); // FIFO_CONTROL: start
    var polls = 0;
    while (!(spi.send([0x41, 0], cs)[1] & 0x08)) if (++polls > MAX_POLLS) failed('capture did not complete'); // STATUS: CAPTURE_DONE
    // FIFO_SIZE, 3 bytes
    if ((spi.send([0x42, 0], cs)[1] | (spi.send([0x43, 0], cs)[1] << 8) | ((spi.send([0x44, 0], cs)[1] & 0x7f) << 16)) < frameBytes) shortFifo();
    burst[0] = 0x3c; // BURST_READ
    // The reply's first byte answers the command byte.
    return spi.send(burst, cs).subarray(1, 1 + frameBytes);
  }

  return {
    capture: function (into: Int8Array): void {
      if (into.length !== frameBytes) throw new Error('camera: the frame has ' + frameBytes + ' pixels, the buffer ' + into.length);
      var data = grab();
      for (var i = 0; i < frameBytes; i++) into[i] = data[i] - 128;
    },
    grab: grab,
  };
}
