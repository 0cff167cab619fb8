/**
 * Runs an exported .tflite on windows through tinysense itself: the host
 * compiler turns it into a model pack, and the pack runs on the int8 C
 * kernels (WebAssembly build), bit-exact with TFLite Micro. What this
 * measures is what the device will compute.
 */
import { quantizeValue } from './quant-math.js';
import { runInt8Reference } from './int8-reference.js';
import { TfliteModel } from './tflite-writer.js';

/** Thrown when tinysense's compiler or kernels are not built in this checkout. */
export class RuntimeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeUnavailableError';
  }
}

type Runtime = typeof import('../model.js');

/**
 * host/model.js, imported lazily: training and export do not need the
 * runtime, and a checkout without the kernels built can still export.
 */
async function loadRuntime(): Promise<Runtime> {
  try {
    return await import('../model.js');
  } catch (e) {
    throw new RuntimeUnavailableError(`tinysense's model runtime cannot be loaded: ${(e as Error).message}`);
  }
}

export interface Int8Run {
  /** Predicted class per window. */
  predicted: Int32Array;
  /** Raw int8 outputs, [count * classes]. */
  outputs: Int8Array;
  input: { scale: number; zeroPoint: number };
  output: { scale: number; zeroPoint: number };
}

/**
 * Quantizes each window with the model's input parameters (as read back by
 * tinysense's compiler from the file), invokes, and takes the argmax of the
 * int8 output (order-preserving, so no dequantization is needed).
 * `windows` holds `count` windows back to back, float32.
 */
export async function runTfliteOnWindows(tflite: Uint8Array, windows: Float32Array, count: number): Promise<Int8Run> {
  const { compileTflite, instantiate, runOnce } = await loadRuntime();
  const compiled = compileTflite(tflite);
  const graph = compiled.graph;
  const inputTensor = graph.tensors[graph.inputs[0]];
  const outputTensor = graph.tensors[graph.outputs[0]];
  if (inputTensor.type !== 'int8' || outputTensor.type !== 'int8') throw new Error('the model input and output must be int8');
  const input = { scale: inputTensor.scales[0], zeroPoint: inputTensor.zeroPoints[0] ?? 0 };
  const output = { scale: outputTensor.scales[0], zeroPoint: outputTensor.zeroPoints[0] ?? 0 };
  const size = windows.length / count;
  const classes = outputTensor.shape[outputTensor.shape.length - 1];
  let model: ReturnType<Runtime['instantiate']>;
  try {
    model = instantiate(compiled.pack);
  } catch (e) {
    if (/build:kernels|\.wasm/.test((e as Error).message)) throw new RuntimeUnavailableError((e as Error).message);
    throw e;
  }
  const predicted = new Int32Array(count);
  const outputs = new Int8Array(count * classes);
  const bytes = new Int8Array(size);
  for (let w = 0; w < count; w++) {
    for (let i = 0; i < size; i++) bytes[i] = quantizeValue(windows[w * size + i], input);
    const [out] = runOnce(model, new Uint8Array(bytes.buffer));
    const scores = new Int8Array(out.buffer, out.byteOffset, classes);
    outputs.set(scores, w * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[c] > scores[best]) best = c;
    predicted[w] = best;
  }
  return { predicted, outputs, input, output };
}

/** The same on the integer reference interpreter (int8-reference.ts), from the plain model. */
export function runReferenceOnWindows(model: TfliteModel, windows: Float32Array, count: number): Int32Array {
  const inputTensor = model.tensors[model.inputs[0]];
  const input = { scale: inputTensor.quantization!.scale[0], zeroPoint: inputTensor.quantization!.zeroPoint[0] };
  const size = windows.length / count;
  const predicted = new Int32Array(count);
  const bytes = new Int8Array(size);
  for (let w = 0; w < count; w++) {
    for (let i = 0; i < size; i++) bytes[i] = quantizeValue(windows[w * size + i], input);
    const scores = runInt8Reference(model, bytes);
    let best = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c] > scores[best]) best = c;
    predicted[w] = best;
  }
  return predicted;
}
