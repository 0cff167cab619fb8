/**
 * Constant folding, before lowering: what a model computes from its shapes or its constants alone is
 * computed once, here, and becomes pack constants; the device never runs it.
 * - SHAPE, FILL and ZEROS_LIKE, whose results never depend on activation values (shapes are static),
 *   with TFLM's Prepare/Eval checks (shape.cc, fill.cc, zeros_like.cc) as compile errors;
 * - constant subgraphs: any other operator whose inputs are all constants, evaluated by `evaluate` —
 *   the compiler runs it through the same kernels the device would, so the result is what TFLM computes.
 * SQUEEZE, EXPAND_DIMS and RESHAPE of a constant need no folding: lowering makes their output the same
 * constant (compile.ts).
 */
import { ELEMENT_BYTES, Graph, Operator, Tensor, constIntegers, elementCount } from './graph.js';
import { CompileError } from './lower/index.js';

/** Runs one operator whose inputs are constants; null when it cannot (the op then lowers as usual). */
export type ConstantEvaluator = (graph: Graph, op: Operator) => Uint8Array[] | null;

function fail(op: Operator, message: string): never {
  throw new CompileError(`operator ${op.index} (${op.name}): ${message}`);
}

function tensorAt(graph: Graph, op: Operator, list: number[], k: number, what: string): Tensor {
  const index = list[k];
  const t = index === undefined || index < 0 ? undefined : graph.tensors[index];
  return t ?? fail(op, `${what} ${k} is missing`);
}

function expectCounts(op: Operator, inputs: number, outputs = 1): void {
  if (op.inputs.length !== inputs || op.outputs.length !== outputs) {
    fail(op, `has ${op.inputs.length} inputs and ${op.outputs.length} outputs, expected ${inputs} and ${outputs}`);
  }
}

/** shape.cc: the output is int32 (ShapeEval refuses any other type), one value per input dimension. */
function foldShape(graph: Graph, op: Operator): Uint8Array {
  expectCounts(op, 1);
  const input = tensorAt(graph, op, op.inputs, 0, 'input');
  const output = tensorAt(graph, op, op.outputs, 0, 'output');
  if (output.type !== 'int32') fail(op, `output type ${output.typeName} is not supported (TFLM's SHAPE writes int32)`);
  if (elementCount(output.shape) !== input.shape.length) fail(op, `output holds ${elementCount(output.shape)} values for an input of rank ${input.shape.length}`);
  return new Uint8Array(Int32Array.from(input.shape).buffer);
}

/** zeros_like.cc: output type = input type, int64, int32, int8 or float32; all bits zero. */
function foldZerosLike(graph: Graph, op: Operator): Uint8Array {
  expectCounts(op, 1);
  const input = tensorAt(graph, op, op.inputs, 0, 'input');
  const output = tensorAt(graph, op, op.outputs, 0, 'output');
  if (!['int64', 'int32', 'int8', 'float32'].includes(input.type)) fail(op, `type ${input.typeName} is not supported (TFLM's ZEROS_LIKE takes int64, int32, int8 and float32)`);
  if (output.type !== input.type) fail(op, `output type ${output.typeName} differs from the input's ${input.typeName}`);
  if (elementCount(output.shape) !== elementCount(input.shape)) fail(op, 'input and output sizes differ');
  return new Uint8Array(elementCount(output.shape) * ELEMENT_BYTES[output.type]);
}

/** A constant integer vector of any integer type TFLM's FILL compares dims with (int8, int16, int32, int64). */
function dimsValues(op: Operator, t: Tensor): number[] {
  const data = t.data!;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = elementCount(t.shape);
  if (t.type === 'int8' && data.length === n) return Array.from({ length: n }, (_, i) => view.getInt8(i));
  if (t.type === 'int16' && data.length === 2 * n) return Array.from({ length: n }, (_, i) => view.getInt16(2 * i, true));
  try {
    return constIntegers(t);
  } catch (e) {
    return fail(op, `dims: ${(e as Error).message}`);
  }
}

/**
 * fill.cc: the value is a scalar of the output's type (float32, int32 or int8); constant dims must equal
 * the output shape. The output shape is static, so only the value must be a constant to fold.
 */
function foldFill(graph: Graph, op: Operator): Uint8Array {
  expectCounts(op, 2);
  const dims = tensorAt(graph, op, op.inputs, 0, 'input');
  const value = tensorAt(graph, op, op.inputs, 1, 'input');
  const output = tensorAt(graph, op, op.outputs, 0, 'output');
  if (value.shape.length !== 0) fail(op, `the value must be a scalar, not of shape [${value.shape.join(',')}]`);
  if (value.type !== output.type) fail(op, `value type ${value.typeName} differs from the output's ${output.typeName}`);
  if (!['float32', 'int32', 'int8'].includes(value.type)) fail(op, `type ${value.typeName} is not supported (TFLM's FILL takes float32, int32 and int8)`);
  if (dims.data) {
    if (dims.shape.length !== 1) fail(op, 'dims must be one-dimensional');
    const d = dimsValues(op, dims);
    if (d.length !== output.shape.length || d.some((v, i) => v !== output.shape[i])) fail(op, `dims [${d.join(',')}] differ from the output shape [${output.shape.join(',')}]`);
  }
  const one = value.data;
  if (!one) fail(op, 'the value is computed by the model; tinysense folds FILL only with a constant value');
  const size = ELEMENT_BYTES[value.type];
  if (one.length !== size) fail(op, `the value holds ${one.length} bytes, expected ${size}`);
  const out = new Uint8Array(elementCount(output.shape) * size);
  for (let at = 0; at < out.length; at += size) out.set(one, at);
  return out;
}

const SHAPE_OPS: Record<string, (graph: Graph, op: Operator) => Uint8Array> = {
  SHAPE: foldShape,
  ZEROS_LIKE: foldZerosLike,
  FILL: foldFill,
};

/** The graph with foldable operators removed and their outputs made constants (tensor indices unchanged). */
export function foldConstants(graph: Graph, evaluate: ConstantEvaluator): Graph {
  const tensors = graph.tensors.slice();
  const operators: Operator[] = [];
  const current = (): Graph => ({ ...graph, tensors, operators: graph.operators });
  const setConstant = (op: Operator, k: number, data: Uint8Array) => {
    const t = tensors[op.outputs[k]];
    if (t.isVariable) fail(op, `output tensor ${t.index} (${t.name}) is a variable`);
    const need = elementCount(t.shape) * ELEMENT_BYTES[t.type];
    if (data.length !== need) throw new Error(`internal: folded ${data.length} bytes for ${need}`);
    tensors[t.index] = { ...t, data };
  };
  for (const op of graph.operators) {
    const fold = op.custom ? undefined : SHAPE_OPS[op.name];
    if (fold) {
      setConstant(op, 0, fold(current(), op));
      continue;
    }
    // A constant subgraph: every input a constant, every output a plain tensor. Custom ops (the audio
    // front end) may keep state across invokes, so they always run on the device.
    const inputs = op.inputs.filter((t) => t >= 0);
    const constant =
      !op.custom && inputs.length > 0 && op.outputs.length > 0 &&
      inputs.every((t) => tensors[t] !== undefined && tensors[t].data !== null) &&
      op.outputs.every((t) => tensors[t] !== undefined && tensors[t].data === null && !tensors[t].isVariable && !graph.inputs.includes(t));
    const results = constant ? evaluate(current(), op) : null;
    if (results) results.forEach((data, k) => setConstant(op, k, data));
    else operators.push(op);
  }
  return { ...graph, tensors, operators };
}
