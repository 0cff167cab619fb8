/**
 * Per-frame preprocessing in native code: a camera frame -> a model's image
 * input (pixel format, crop, resize, quantization), and a ring of sensor
 * samples -> a model's window input (oldest first, quantized). Each is ONE
 * native call per frame (kernels-c/src/preprocess.c, tinysense_nn.h
 * "PREPROCESSING") instead of a JavaScript loop over every pixel or sample,
 * which on Espruino costs as much as the model itself.
 *
 * The parameters are built once here and checked twice: here (sizes against
 * the real buffers, with messages that name the problem) and again in C
 * before any byte is touched (a negative status, which throws here).
 *
 * Quantization matches JavaScript exactly: images go through a 256-entry
 * table per channel made with quantize() (so the native bytes equal the
 * JavaScript loop's), samples through an exact rounding test in C that equals
 * quantize() for every float32 or int16 sample.
 *
 * ES5 only: this file runs on the microcontroller.
 */
import { engineKernels } from './app.js';
import { Kernels, NativeBuffer } from './kernels.js';
import { TensorInfo } from './pack.js';
import { quantize } from './quant.js';
import type { TensorView } from './runtime.js';

/** Pixel layouts camera sensors deliver (tinysense_nn.h TS_PIXEL_*). */
export type PixelFormat = 'gray8' | 'rgb565be' | 'rgb565le' | 'rgb888' | 'yuyv';

export interface ImageOptions {
  /** The frame's pixel format. */
  format: PixelFormat;
  /** The frame's size in pixels. */
  width: number;
  height: number;
  /** Bytes from one row to the next (default width x bytes per pixel). */
  stride?: number;
  /** The part of the frame to use (default: all of it). */
  crop?: { x: number; y: number; width: number; height: number };
  /** How the crop is scaled to the input's size: 'nearest' (default) or 'area' (box mean, for downscaling). */
  resize?: 'nearest' | 'area';
  /** The real values pixel 0 and pixel 255 stand for (default [0, 1]); the input's scale and zero point do the rest. */
  range?: number[];
  /**
   * Write the pixel bytes without quantizing: uint8 as they are, int8 as value - 128 (what TFLM's
   * camera examples feed person_detect, whatever its input's scale says). Default false.
   */
  raw?: boolean;
}

export interface ImagePreprocessor {
  /** Bytes a frame must have from `frameOffset` (stride x (height - 1) + the last row). */
  readonly frameBytes: number;
  /**
   * Converts the frame (its first pixel at byte `frameOffset` of `frame`) into `into`, the model
   * input (model.input(i)): one native call.
   */
  run(frame: Uint8Array, into: TensorView, frameOffset?: number): void;
}

export interface SampleWindowOptions {
  /** Samples per frame (3 for an accelerometer's x, y, z); 1..64. */
  channels: number;
  /** Frames in the window; the input must hold frames x channels values. */
  frames: number;
  /** How samples are kept: 'float32' (default: the real value) or 'int16' (real = sample x sampleScale). */
  type?: 'float32' | 'int16';
  /** int16 only: the real value of one step (e.g. 1/8192 g). */
  sampleScale?: number;
}

export interface SampleWindow {
  /** The ring: frame f at [f * channels, (f + 1) * channels). push() writes here; so may the app. */
  readonly samples: Float32Array | Int16Array;
  /** The frame push() writes next (the oldest in a full ring). */
  next: number;
  /** Frames pushed since creation. */
  count: number;
  /** Stores one frame of up to three channels (x, y, z) and advances. */
  push(x: number, y?: number, z?: number): void;
  /** Writes the window, oldest frame first, quantized, into `into` (model.input(i)): one native call. */
  write(into: TensorView): void;
}

var FORMATS: { [name: string]: number[] } = {
  // [TS_PIXEL_* code, bytes per pixel]
  gray8: [1, 1],
  rgb565be: [2, 2],
  rgb565le: [3, 2],
  rgb888: [4, 3],
  yuyv: [5, 2],
};

/** Sizes of the C structs (tinysense_nn.h): header 4 words, then the fields. */
var IMAGE_PARAMS_BYTES = 16 + 12 * 4 + 3 * 256;
var SAMPLES_PARAMS_BYTES = 16 + 8 * 4;

function whole(value: number | undefined, lo: number, hi: number, what: string): number {
  if (typeof value !== 'number' || !(value >= lo && value <= hi) || Math.floor(value) !== value) {
    throw new Error('tinysense: preprocess: ' + what + ' must be a whole number from ' + lo + ' to ' + hi + ', not ' + value);
  }
  return value;
}

/** The byte range quantized values take, from the tensor's type. */
function byteRange(tensor: TensorInfo, what: string): number[] {
  if (tensor.type === 'int8') return [-128, 127];
  if (tensor.type === 'uint8') return [0, 255];
  throw new Error('tinysense: preprocess: the ' + what + ' is ' + tensor.type + '; it must be int8 or uint8');
}

/** Status of ts_preprocess -> a thrown Error (the C refused what the checks here let through). */
function check(status: number, what: string): void {
  if (status === 0) return;
  if (status === -3) throw new Error('tinysense: preprocess: a sample of the window is NaN');
  throw new Error('tinysense: preprocess: the native ' + what + ' step refused its parameters (status ' + status + ')');
}

/** Whether v is a typed array of bytes. (Espruino 2v29 has no BYTES_PER_ELEMENT on instances.) */
function isBytes(v: ArrayBufferView & { length?: number }): boolean {
  return !!v && v.byteLength === v.length;
}

function checkInto(into: TensorView, bytes: number): void {
  if (!into || into.byteLength !== bytes || !isBytes(into)) {
    throw new Error('tinysense: preprocess: the input must be a ' + bytes + '-byte Int8Array or Uint8Array (model.input(i)), not ' +
      (into ? into.byteLength + ' bytes of ' + into.byteLength / into.length + '-byte elements' : into));
  }
}

/**
 * A preprocessor that turns camera frames into `tensor` (a model input: int8 or uint8,
 * shape [1, height, width, channels] with 1 or 3 channels), natively. `kernels` defaults to
 * the engine's (tests pass the host's WasmKernels).
 */
export function imagePreprocessor(tensor: TensorInfo, options: ImageOptions, kernels?: Kernels): ImagePreprocessor {
  var k = kernels || engineKernels();
  var format = FORMATS[options.format];
  if (!format || !FORMATS.hasOwnProperty(options.format)) throw new Error('tinysense: preprocess: unknown pixel format ' + options.format + ' (gray8, rgb565be, rgb565le, rgb888, yuyv)');
  byteRange(tensor, 'model input');
  var shape = tensor.shape;
  if (shape.length !== 4 || shape[0] !== 1 || (shape[3] !== 1 && shape[3] !== 3)) {
    throw new Error('tinysense: preprocess: the input has shape [' + shape.join(',') + ']; an image input is [1, height, width, 1 or 3]');
  }
  var width = whole(options.width, 1, 4096, 'width');
  var height = whole(options.height, 1, 4096, 'height');
  if (format[0] === 5 && width % 2 !== 0) throw new Error('tinysense: preprocess: a yuyv frame has an even width, not ' + width);
  var bpp = format[1];
  var stride = options.stride === undefined ? width * bpp : whole(options.stride, width * bpp, 16384, 'stride');
  var crop = options.crop || { x: 0, y: 0, width: width, height: height };
  var cropX = whole(crop.x, 0, width - 1, 'crop.x');
  var cropY = whole(crop.y, 0, height - 1, 'crop.y');
  var cropW = whole(crop.width, 1, width - cropX, 'crop.width');
  var cropH = whole(crop.height, 1, height - cropY, 'crop.height');
  var resize = options.resize === undefined || options.resize === 'nearest' ? 0 : options.resize === 'area' ? 1 : -1;
  if (resize < 0) throw new Error('tinysense: preprocess: resize must be nearest or area, not ' + options.resize);
  var lo = options.range ? options.range[0] : 0;
  var hi = options.range ? options.range[1] : 1;
  if (typeof lo !== 'number' || typeof hi !== 'number' || !(lo === lo && hi === hi && lo !== hi)) {
    throw new Error('tinysense: preprocess: range must be two different numbers [pixel 0, pixel 255]');
  }
  var outH = shape[1];
  var outW = shape[2];
  var channels = shape[3];
  var dstBytes = outW * outH * channels;
  if (dstBytes !== tensor.bytes) throw new Error('tinysense: preprocess: the input holds ' + tensor.bytes + ' bytes, its shape ' + dstBytes);
  var frameBytes = stride * (height - 1) + width * bpp;

  var params: NativeBuffer = k.allocate(IMAGE_PARAMS_BYTES);
  var bytes = params.view();
  var words = new Int32Array(bytes.buffer, bytes.byteOffset, 16);
  var fields = [1, IMAGE_PARAMS_BYTES, frameBytes, dstBytes, format[0], width, height, stride, cropX, cropY, cropW, cropH, outW, outH, channels, resize];
  for (var i = 0; i < 16; i++) words[i] = fields[i];
  // Table c, value v: quantize(the real value of v) as the input's byte. The same table for
  // every channel (a per-channel mean/std would differ here only).
  var q = { scale: tensor.scale, zeroPoint: tensor.zeroPoint, type: tensor.type };
  var shift = tensor.type === 'int8' ? 128 : 0;
  for (var v = 0; v < 256; v++) {
    var b = (options.raw ? v - shift : quantize(lo + (v * (hi - lo)) / 255, q)) & 0xff;
    for (var c = 0; c < 3; c++) bytes[64 + c * 256 + v] = b;
  }

  function badFrame(frame: Uint8Array, at: number): never {
    throw new Error('tinysense: preprocess: the frame must be a Uint8Array with ' + frameBytes + ' bytes from byte ' + at +
      (frame ? ', not ' + (frame.length - at) : ''));
  }
  return {
    frameBytes: frameBytes,
    // Runs per camera frame: the checks are inline expressions and failures go to functions, as
    // Espruino interprets every statement's source on every run (bench/espruino).
    run: function (frame: Uint8Array, into: TensorView, frameOffset?: number): void {
      var at = frameOffset || 0;
      // A byte array: byteLength === length (Espruino 2v29 has no BYTES_PER_ELEMENT); at a whole offset.
      if (!frame || frame.byteLength !== frame.length || frame.length - at < frameBytes || (at && !(at > 0 && at % 1 === 0))) badFrame(frame, at);
      if (!into || into.byteLength !== dstBytes || into.length !== dstBytes) checkInto(into, dstBytes);
      var status = k.preprocess(params, frame, at, into, 0);
      if (status) check(status, 'image');
    },
  };
}

/**
 * A ring of sensor frames whose window goes into `tensor` (a model input: int8 or uint8 of
 * frames x channels values), quantized with the tensor's scale and zero point, natively.
 */
export function sampleWindow(tensor: TensorInfo, options: SampleWindowOptions, kernels?: Kernels): SampleWindow {
  var k = kernels || engineKernels();
  var range = byteRange(tensor, 'model input');
  var channels = whole(options.channels, 1, 64, 'channels');
  var frames = whole(options.frames, 1, 65536, 'frames');
  var int16 = options.type === 'int16';
  if (!int16 && options.type !== undefined && options.type !== 'float32') throw new Error('tinysense: preprocess: type must be float32 or int16, not ' + options.type);
  var sampleScale = int16 ? options.sampleScale : 1;
  if (typeof sampleScale !== 'number' || !(sampleScale > 0) || sampleScale === Infinity) {
    throw new Error('tinysense: preprocess: an int16 window needs sampleScale, the real value of one step (a positive number), not ' + sampleScale);
  }
  if (!(tensor.scale > 0) || tensor.scale === Infinity) throw new Error('tinysense: preprocess: the input scale must be a positive number, not ' + tensor.scale);
  var n = channels * frames;
  if (tensor.bytes !== n) throw new Error('tinysense: preprocess: the input holds ' + tensor.bytes + ' values, the window ' + frames + ' x ' + channels);
  var samples: Float32Array | Int16Array = int16 ? new Int16Array(n) : new Float32Array(n);

  var params: NativeBuffer = k.allocate(SAMPLES_PARAMS_BYTES);
  var bytes = params.view();
  var words = new Int32Array(bytes.buffer, bytes.byteOffset, 12);
  var floats = new Float32Array(bytes.buffer, bytes.byteOffset, 12);
  var fields = [2, SAMPLES_PARAMS_BYTES, samples.byteLength, n, int16 ? 2 : 1, channels, frames, 0, 0, tensor.zeroPoint, range[0], range[1]];
  for (var i = 0; i < 12; i++) words[i] = fields[i];
  floats[7] = sampleScale;
  floats[8] = tensor.scale;

  var window: SampleWindow = {
    samples: samples,
    next: 0,
    count: 0,
    push: function (x: number, y?: number, z?: number): void {
      var at = window.next * channels;
      samples[at] = x;
      if (channels > 1) samples[at + 1] = y as number;
      if (channels > 2) samples[at + 2] = z as number;
      window.next = window.next + 1 === frames ? 0 : window.next + 1;
      window.count++;
    },
    write: function (into: TensorView): void {
      checkInto(into, n);
      check(k.preprocess(params, samples, 0, into, window.next), 'samples');
    },
  };
  return window;
}
