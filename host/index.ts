/**
 * `tinysense/host`: the Node-side API (compiler, runner, build, simulator, traces, training) for
 * scripts and an app's tests. Apps themselves import `tinysense/device` (docs/api.md).
 *
 * The build (rollup, TypeScript) and training (tfjs) are loaded when first called, not when this
 * module is imported, as the CLI does: a test that only simulates a built app stays quick to start.
 */
import type { BuildAppOptions, BuildAppResult } from './bundler/index.js';
import type { QuantizeResult, QuantizeToTfliteOptions } from './quantize/index.js';
import type { TrainResult, TrainRunOptions } from './train/index.js';

export { compileTflite, loadModelBytes, loadModelFile, instantiate, runOnce, isPack } from './model.js';
export type { LoadedModel } from './model.js';
export { compileGraph } from './compiler/compile.js';
export type { CompiledModel, CompiledOp, Placement } from './compiler/compile.js';
export { CompileError } from './compiler/lower/index.js';
export { WasmKernels } from './wasm/kernels.js';

// Quantization arithmetic on the host, the twins of tinysense/device's quantize/dequantize (int8).
export { quantizeValue, dequantizeValue } from './quantize/quant-math.js';
export type { QuantParams } from './quantize/quant-math.js';

// Build: `tinysense build` as a function.
export type { BuildAppOptions, BuildAppResult } from './bundler/index.js';
export type { BuildReport } from './bundler/plugin.js';
/** Bundles an app for a board and writes what the board needs into options.outDir (host/bundler/index.ts). */
export async function buildApp(options: BuildAppOptions): Promise<BuildAppResult> {
  return (await import('./bundler/index.js')).buildApp(options);
}

// Simulator.
export { simulate, Simulation, readBuiltApp } from './sim/index.js';
export type { SimulateOptions, SimEvent, OutputLine, BuiltApp } from './sim/index.js';
export { simulationReport } from './sim/report.js';
/** The emulated boards behind Simulation.board, for inspecting device memory and native calls (host/sim/board.ts: what they share). */
export { EspruinoBoard } from './sim/espruino.js';
export { JerryScriptBoard } from './sim/jerryscript.js';
export { SimulatedNative } from './sim/native.js';
export { DeviceMemory, regionBytes } from './sim/memory.js';
export type { SimulatedBoard, EmulatedBoard, EngineSimulator } from './sim/board.js';
// Engines: everything engine-specific, described once.
export { ENGINES, engineNamed, engineOf } from './engines/index.js';
export type { Engine, EngineInstall, EngineLanguage } from './engines/index.js';

// Traces (docs/traces.md): read them, sample them, make WAV files for the simulated microphone.
export { loadTrace, parseCsvTrace, sampleAt, parseWav, writeWav, loadAudioPlaylist, loadFrameTrace, TraceError } from './sim/traces.js';
export type { Trace, ScalarTrace, FrameTrace, AudioTrace, Frame, AudioPart, AudioPlaylist } from './sim/traces.js';

// Training and quantization (`tinysense synth`, `train`, `quantize`).
export type { TrainConfig, LayerSpec } from './train/index.js';
export type { TrainResult, TrainRunOptions } from './train/index.js';
export type { QuantizeResult, QuantizeToTfliteOptions } from './quantize/index.js';
export { writeSyntheticGestures, generateSyntheticGestures, SYNTHETIC_GESTURES } from './train/synthetic.js';
/** Trains the model a training config describes (docs/training.md); loads tfjs on first call. */
export async function trainFromConfig(configPath: string, options: TrainRunOptions = {}): Promise<TrainResult> {
  return (await import('./train/index.js')).trainFromConfig(configPath, options);
}
/** Full-int8 post-training quantization of a trained model folder into a standard .tflite; loads tfjs on first call. */
export async function quantizeToTflite(modelDir: string, calibrationDir: string, outPath: string, options: QuantizeToTfliteOptions = {}): Promise<QuantizeResult> {
  return (await import('./quantize/index.js')).quantizeToTflite(modelDir, calibrationDir, outPath, options);
}
