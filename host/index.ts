/**
 * `tinysense/host`: the Node-side API (compiler, runner, simulator, training).
 */
export { compileTflite, loadModelBytes, loadModelFile, instantiate, runOnce, isPack } from './model.js';
export type { LoadedModel } from './model.js';
export { compileGraph } from './compiler/compile.js';
export type { CompiledModel, CompiledOp, Placement } from './compiler/compile.js';
export { CompileError } from './compiler/lower.js';
export { WasmKernels } from './wasm/kernels.js';
export { simulate, Simulation, readBuiltApp } from './sim/index.js';
export type { SimulateOptions, SimEvent, OutputLine, BuiltApp } from './sim/index.js';
export { simulationReport } from './sim/report.js';
export { loadTrace } from './sim/traces.js';
export type { Trace } from './sim/traces.js';
export type { TrainConfig, LayerSpec } from './train/index.js';
