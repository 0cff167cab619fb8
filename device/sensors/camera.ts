/**
 * A camera module on SPI with an ArduCAM-style frame FIFO: a capture is
 * started by a register write, its completion polled, and the frame read in
 * one burst. Frames are width x height 8-bit grayscale; capture() converts
 * them to the int8 a model input takes (gray - 128). ES5 only.
 *
 * Registers (ArduCAM's): 0x04 FIFO control (1 clear done flag, 2 start),
 * 0x41 status (bit 3 capture done), 0x42..0x44 FIFO length, 0x3C burst read.
 */

import { TargetInfo } from '../app.js';
import { jerrySensors } from '../engines/jerryscript.js';

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

export interface Camera {
  /** Captures one frame into `into` (width x height int8 values), converting in JavaScript. */
  capture(into: Int8Array): void;
  /**
   * Captures one frame and returns its width x height 8-bit gray bytes as the sensor gave them
   * (valid until the next grab), for imagePreprocessor() to convert natively.
   */
  grab(): Uint8Array;
}

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

/** Where the camera is wired on an Espruino board (pin numbers: D2 is 2). */
export interface SpiCameraPins {
  sck: number;
  mosi: number;
  miso: number;
  cs: number;
  baud?: number;
}

declare var SPI1: SpiBus & { setup(options: { sck: number; mosi: number; miso: number; baud: number }): void };
declare var TINYSENSE_TARGET: TargetInfo;

/**
 * The board's camera, whichever engine runs the bundle: on Espruino the SPI
 * module above on SPI1 with these pins, on JerryScript the firmware's camera
 * native (tinysense.sensors.camera).
 */
export function openCamera(width: number, height: number, pins: SpiCameraPins): Camera {
  if (TINYSENSE_TARGET.engine === 'jerryscript') {
    var native = jerrySensors().camera;
    if (!native) throw new Error('camera: this board has no camera');
    var gray: Uint8Array | undefined;
    return {
      capture: function (into: Int8Array): void {
        native!.capture(into, width, height);
      },
      grab: function (): Uint8Array {
        if (!gray) gray = new Uint8Array(width * height);
        native!.capture(gray, width, height);
        return gray;
      },
    };
  }
  SPI1.setup({ sck: pins.sck, mosi: pins.mosi, miso: pins.miso, baud: pins.baud || 8000000 });
  return createCamera(SPI1, pins.cs, width, height);
}
