export { Model } from './runtime.js';
export type { TensorView } from './runtime.js';
export type { Kernels, NativeBuffer } from './kernels.js';
export type { TensorInfo, DTypeName } from './pack.js';
export { validatePack } from './validate.js';
export type { PackLayout } from './validate.js';
export { createKeywordSpotter } from './audio.js';
export type { KeywordDetection, KeywordSpotter, KeywordSpotterOptions } from './audio.js';
export { resetState } from './state.js';
