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

var FIFO_CONTROL = 0x04;
var FIFO_CLEAR_DONE = 0x01;
var FIFO_START = 0x02;
var STATUS = 0x41;
var CAPTURE_DONE = 0x08;
var FIFO_SIZE = 0x42;
var BURST_READ = 0x3c;
var MAX_POLLS = 1000;

export function createCamera(spi: SpiBus, cs: number, width: number, height: number): Camera {
  var frameBytes = width * height;
  var burst = new Uint8Array(frameBytes + 1);

  function write(register: number, value: number): void {
    spi.send([0x80 | register, value], cs);
  }
  function read(register: number): number {
    return spi.send([register, 0], cs)[1];
  }

  function grab(): Uint8Array {
    write(FIFO_CONTROL, FIFO_CLEAR_DONE);
    write(FIFO_CONTROL, FIFO_START);
    var polls = 0;
    while (!(read(STATUS) & CAPTURE_DONE)) {
      if (++polls > MAX_POLLS) throw new Error('camera: capture did not complete');
    }
    var length = read(FIFO_SIZE) | (read(FIFO_SIZE + 1) << 8) | ((read(FIFO_SIZE + 2) & 0x7f) << 16);
    if (length < frameBytes) throw new Error('camera: FIFO holds ' + length + ' bytes, expected ' + frameBytes);
    burst[0] = BURST_READ;
    var data = spi.send(burst, cs);
    write(FIFO_CONTROL, FIFO_CLEAR_DONE);
    // The reply's first byte answers the command byte.
    return data.subarray(1, 1 + frameBytes);
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
