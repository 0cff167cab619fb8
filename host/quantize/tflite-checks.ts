/**
 * Structural requirements of a TFLite model that the schema alone cannot
 * express (schema.fbs states them in comments; TFLite's and TFLM's readers
 * rely on them). Runs on the verifier's decoded tree, so it shares no code
 * with the writer or with tinysense's .tflite reader.
 */
import { DecodedTable, DecodedUnion, DecodedValue } from './fbs-verifier.js';

const TYPE_BYTES: Record<number, number> = { 0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 6: 1, 7: 2, 9: 1, 10: 8, 12: 8, 15: 4, 16: 2 };

/** Which options table each builtin operator takes (for the ones tinysense compiles). */
const OPTIONS_OF_BUILTIN: Record<number, string> = {
  0: 'AddOptions', 1: 'Pool2DOptions', 2: 'ConcatenationOptions', 3: 'Conv2DOptions', 4: 'DepthwiseConv2DOptions',
  9: 'FullyConnectedOptions', 17: 'Pool2DOptions', 18: 'MulOptions', 22: 'ReshapeOptions', 25: 'SoftmaxOptions',
};

function tables(v: DecodedValue): DecodedTable[] {
  return Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object' && '$type' in x) as DecodedTable[]) : [];
}

function numbers(v: DecodedValue): number[] {
  return Array.isArray(v) ? v.map((x) => Number(x)) : [];
}

export interface TfliteCheckOptions {
  /**
   * Also hold the model to what a current converter writes (default true):
   * builtin_code set (files older than schema 3a leave it 0 and use only the
   * byte field), and per-channel quantized_dimension inside the tensor's rank
   * (old converters wrote 3 on 1-D biases, which runtimes ignore).
   */
  strict?: boolean;
}

/** Returns a list of problems; empty when the model is well formed. */
export function checkTfliteModel(model: DecodedTable, options: TfliteCheckOptions = {}): string[] {
  const strict = options.strict ?? true;
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);

  if (model.version !== 3) fail(`Model.version is ${String(model.version)}, expected 3`);
  const buffers = tables(model.buffers);
  if (buffers.length === 0) fail('Model.buffers is empty; buffer 0 must exist as the empty sentinel');
  else if (buffers[0].data instanceof Uint8Array && buffers[0].data.length > 0) fail('buffer 0 must be empty');

  const codes = tables(model.operator_codes);
  codes.forEach((c, i) => {
    const builtin = Number(c.builtin_code);
    const deprecated = Number(c.deprecated_builtin_code);
    // Readers take the larger of the two fields (TFLite's GetBuiltinCode).
    const effective = Math.max(builtin, deprecated);
    if (strict && builtin !== effective) fail(`operator_codes[${i}]: builtin_code is ${builtin}, deprecated_builtin_code ${deprecated}`);
    if (deprecated !== Math.min(effective, 127)) fail(`operator_codes[${i}]: deprecated_builtin_code ${deprecated} != min(builtin_code ${effective}, 127)`);
    if (!(Number(c.version) >= 1)) fail(`operator_codes[${i}]: version ${String(c.version)}`);
  });

  const subgraphs = tables(model.subgraphs);
  if (subgraphs.length === 0) fail('Model.subgraphs is empty');
  subgraphs.forEach((sg, s) => {
    const where = `subgraphs[${s}]`;
    const tensors = tables(sg.tensors);
    const inRange = (i: number, optional: boolean) => (optional && i === -1) || (i >= 0 && i < tensors.length);
    tensors.forEach((t, i) => {
      const at = `${where}.tensors[${i}] (${String(t.name)})`;
      const shape = numbers(t.shape);
      const buffer = Number(t.buffer);
      if (buffer >= buffers.length) fail(`${at}: buffer ${buffer} does not exist`);
      const data = buffers[buffer]?.data;
      if (data instanceof Uint8Array && data.length > 0) {
        const bytes = TYPE_BYTES[Number(t.type)];
        const need = shape.reduce((a, d) => a * d, 1) * (bytes ?? 0);
        if (bytes !== undefined && data.length !== need) fail(`${at}: buffer holds ${data.length} bytes, shape and type need ${need}`);
      }
      const q = t.quantization as DecodedTable | null;
      if (q) {
        const scales = numbers(q.scale);
        const zeroPoints = numbers(q.zero_point);
        if (scales.length !== zeroPoints.length) fail(`${at}: ${scales.length} scales but ${zeroPoints.length} zero points`);
        if (scales.some((x) => !(x > 0) || !Number.isFinite(x))) fail(`${at}: scales must be positive and finite`);
        const dim = Number(q.quantized_dimension);
        if (scales.length > 1 && strict) {
          if (dim < 0 || dim >= shape.length) fail(`${at}: quantized_dimension ${dim} is not a dimension of [${shape.join(',')}]`);
          else if (shape[dim] !== scales.length) fail(`${at}: ${scales.length} scales for dimension ${dim} of size ${shape[dim]}`);
        }
      }
    });
    for (const [name, list] of [['inputs', sg.inputs], ['outputs', sg.outputs]] as const) {
      if (numbers(list).length === 0) fail(`${where}.${name} is empty`);
      for (const i of numbers(list)) if (!inRange(i, false)) fail(`${where}.${name} names tensor ${i}`);
    }
    tables(sg.operators).forEach((op, k) => {
      const at = `${where}.operators[${k}]`;
      const codeIndex = Number(op.opcode_index);
      const code = codes[codeIndex];
      if (!code) {
        fail(`${at}: opcode_index ${codeIndex} does not exist`);
        return;
      }
      for (const i of numbers(op.inputs)) if (!inRange(i, true)) fail(`${at}: input names tensor ${i}`);
      for (const i of numbers(op.outputs)) if (!inRange(i, false)) fail(`${at}: output names tensor ${i}`);
      const expected = OPTIONS_OF_BUILTIN[Math.max(Number(code.builtin_code), Number(code.deprecated_builtin_code))];
      const options = op.builtin_options as DecodedUnion | null;
      if (expected && options && options.type !== expected && options.type !== 'NONE') {
        fail(`${at}: builtin_options is ${options.type}, the operator takes ${expected}`);
      }
    });
  });
  return problems;
}
