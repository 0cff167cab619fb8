/**
 * `tinysense/device`: the API an app imports. Everything here runs on the
 * microcontroller (ES5: Espruino and JerryScript); the tinysense build bundles
 * it into the app (host/bundler/plugin.ts resolves `tinysense/device` to this
 * file). Documented in docs/api.md.
 */

// Models: open a pack from Storage / flash, run it, read and write its tensors.
export { openModel } from './app.js';
export type { TargetInfo } from './app.js';
export { Model } from './runtime.js';
export type { TensorView } from './runtime.js';
export type { TensorInfo, DTypeName } from './pack.js';
export type { PackLayout, Crc32 } from './validate.js';
export { resetState } from './state.js';
export { quantize, dequantize } from './quant.js';
export type { QuantParams } from './quant.js';

// Events: what the app reports, as console lines the simulator turns into timestamped events.
export { report, EVENT_PREFIX } from './events.js';

// Sensors: one module each, engine-neutral; the engine binding (device/engine.ts) has the backends.
export { openAccelerometer } from './sensors/accelerometer.js';
export type { Accelerometer, AccelerometerOptions, AccelSample } from './sensors/accelerometer.js';
export { openCamera, createCamera } from './sensors/camera.js';
export type { Camera, SpiBus, SpiCameraPins } from './sensors/camera.js';
export { openMicrophone } from './sensors/mic.js';
export type { Microphone, MicrophoneOptions } from './sensors/mic.js';

// Preprocessing in native code: camera frames and sample windows -> a model input, one call per frame.
export { imagePreprocessor, sampleWindow } from './preprocess.js';
export type { ImageOptions, ImagePreprocessor, PixelFormat, SampleWindow, SampleWindowOptions } from './preprocess.js';

// Streaming keyword spotting (TFLM micro_speech's front end, classifier and RecognizeCommands).
export { createKeywordSpotter } from './audio.js';
export type { KeywordDetection, KeywordSpotter, KeywordSpotterOptions } from './audio.js';

// Lower level: a pack on kernels of your own (tests, other engines).
export { validatePack } from './validate.js';
export type { Kernels, NativeBuffer } from './kernels.js';
// The JerryScript firmware's natives (the global \`tinysense\` on ESP32_JERRYSCRIPT: types/jerryscript.d.ts).
export type { JerryNatives, JerryMemory, JerrySensors } from './engines/jerryscript.js';
