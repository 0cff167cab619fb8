/**
 * .tflite -> the compiler's Graph: the main subgraph of a model read by the
 * checked reader in host/tflite, in the plain form lowering and planning use.
 */
import { TfliteFormatError, parseTflite } from '../tflite/index.js';
import { ElementType, Graph, Operator, Tensor } from './graph.js';

export { TfliteFormatError };

const ELEMENT_TYPES: Record<string, ElementType> = {
  int8: 'int8', uint8: 'uint8', int16: 'int16', int32: 'int32', int64: 'int64', float32: 'float32', bool: 'bool',
  uint32: 'uint32', uint64: 'uint64',
};

/** Largest tensor the compiler takes (elements): far beyond any microcontroller model, small enough to plan safely. */
const MAX_ELEMENTS = 1 << 28;

/** Parses a .tflite file's main subgraph into the compiler's Graph. */
export function graphFromTflite(bytes: Uint8Array): Graph {
  const model = parseTflite(bytes);
  const sg = model.subgraphs[0];
  const tensors: Tensor[] = sg.tensors.map((t) => {
    const elements = t.shape.reduce((p, d) => p * d, 1);
    if (elements > MAX_ELEMENTS) {
      throw new TfliteFormatError(`subgraph 0 > tensor ${t.index}`, `shape [${t.shape.join(',')}] is too large`);
    }
    const q = t.quantization;
    const scales = q ? Array.from(q.scale) : [];
    const data = model.buffers[t.buffer]?.data;
    return {
      index: t.index,
      name: t.name ?? `tensor${t.index}`,
      type: ELEMENT_TYPES[t.type] ?? 'other',
      typeName: t.type,
      shape: [...t.shape],
      scales,
      zeroPoints: q && q.zeroPoint.length ? [...q.zeroPoint] : scales.map(() => 0),
      quantizedDimension: q ? q.quantizedDimension : 0,
      data: data && data.length > 0 ? data : null,
      isVariable: t.isVariable,
    };
  });
  const operators: Operator[] = sg.operators.map((op) => {
    const code = model.operatorCodes[op.opcodeIndex];
    const options: Record<string, unknown> = { ...(op.builtinOptions ?? {}) };
    if (op.customOptionsValue !== undefined) options.custom = op.customOptionsValue;
    return { index: op.index, name: code.name, custom: code.builtinName === 'CUSTOM', version: code.version, inputs: [...op.inputs], outputs: [...op.outputs], options };
  });
  return { tensors, operators, inputs: [...sg.inputs], outputs: [...sg.outputs], description: model.description ?? '' };
}
