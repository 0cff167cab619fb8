/**
 * Host-side model handling shared by the CLI, the simulator and tests: read a
 * .tflite or .tsm file, compile when needed, and run a pack on the
 * WebAssembly kernels through the very runtime the devices use.
 */
import { readFileSync } from 'node:fs';
import { Model } from '../device/runtime.js';
import { PACK_MAGIC } from '../device/pack.js';
import { CompiledModel, compileGraph } from './compiler/compile.js';
import { graphFromTflite } from './compiler/from-tflite.js';
import { TfliteFormatError } from './tflite/index.js';
import { WasmKernels } from './wasm/kernels.js';

export interface LoadedModel {
  pack: Uint8Array;
  /** Present when the model was compiled from a .tflite in this process. */
  compiled?: CompiledModel;
}

export function isPack(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 === PACK_MAGIC;
}

/** Compiles .tflite bytes into a model pack. */
export function compileTflite(bytes: Uint8Array): CompiledModel {
  return compileGraph(graphFromTflite(bytes));
}

/** Bytes 4..8 of a .tflite: the flatbuffer file identifier (optional in flatbuffers, written by every converter). */
function hasTfliteIdentifier(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]) === 'TFL3';
}

/** The first bytes of a file, for "this is not a model" messages. */
function firstBytes(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(bytes.subarray(0, 8), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return bytes.length === 0 ? 'is empty' : `starts with ${head}${/[A-Za-z]{3}/.test(text) ? ` "${text}"` : ''}`;
}

/** Reads a .tsm pack as is, or compiles a .tflite. */
export function loadModelBytes(bytes: Uint8Array): LoadedModel {
  if (isPack(bytes)) return { pack: bytes };
  let compiled: CompiledModel;
  try {
    compiled = compileTflite(bytes);
  } catch (e) {
    const message = (e as Error).message;
    // Without the "TFL3" identifier and not even a readable flatbuffer: some other file, not a damaged model.
    if (!hasTfliteIdentifier(bytes) && e instanceof TfliteFormatError) throw new Error(`not a .tflite or model pack (${firstBytes(bytes)})`);
    if (/\bis float(16|32|64)\b/.test(message)) {
      throw new Error(`${message}. This is a float model: tinysense runs full-int8 models. Quantize it first: ` +
        '`tinysense quantize <trained model folder> --calibration <data> -o model.tflite` (docs/training.md), ' +
        "or the TFLite converter's full-integer quantization (int8 inputs and outputs)");
    }
    throw e;
  }
  return { pack: compiled.pack, compiled };
}

export function loadModelFile(path: string): LoadedModel {
  return loadModelBytes(new Uint8Array(readFileSync(path)));
}

/** A model instantiated on its own WebAssembly kernels. */
export function instantiate(pack: Uint8Array): Model {
  return new Model(pack, new WasmKernels());
}

/**
 * Runs one invoke. `input` holds all inputs' raw bytes concatenated in input
 * order; returns each output's raw bytes.
 */
export function runOnce(model: Model, input: Uint8Array): Uint8Array[] {
  const inputs = model.layout.inputs;
  const expected = inputs.reduce((sum, t) => sum + t.bytes, 0);
  if (input.length !== expected) {
    throw new Error(`input has ${input.length} bytes; the model's inputs take ${expected} (${inputs.map((t) => `${t.type}[${t.shape.join(',')}]`).join(' + ')})`);
  }
  let at = 0;
  inputs.forEach((t, i) => {
    const view = model.input(i);
    new Uint8Array(view.buffer, view.byteOffset, t.bytes).set(input.subarray(at, at + t.bytes));
    at += t.bytes;
  });
  model.invoke();
  return model.layout.outputs.map((t, i) => {
    const view = model.output(i);
    return new Uint8Array(view.buffer, view.byteOffset, t.bytes).slice();
  });
}
