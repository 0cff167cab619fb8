/**
 * The compiler's view of a model: tensors and operators of the main subgraph,
 * in plain form, built from the parsed .tflite. Lowering and planning work on
 * this, not on flatbuffer objects.
 */

export type ElementType = 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'float32' | 'bool' | 'uint32' | 'uint64' | 'other';

export interface Tensor {
  index: number;
  name: string;
  type: ElementType;
  /** The tflite type name, for messages when `type` is 'other'. */
  typeName: string;
  shape: number[];
  /** Float32 scales (per channel when more than one), empty when not quantized. */
  scales: number[];
  zeroPoints: number[];
  quantizedDimension: number;
  /** Constant data (weights, biases, shape operands), null for activations. */
  data: Uint8Array | null;
  isVariable: boolean;
}

export interface Operator {
  index: number;
  /** Builtin name (e.g. CONV_2D) or the custom code. */
  name: string;
  /** A custom operator (name is its custom code, e.g. ethos-u or SIGNAL_WINDOW). */
  custom?: boolean;
  version: number;
  /** Tensor indices; -1 for an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** Decoded builtin options (field names as in the TFLite schema, camelCase), or custom options. */
  options: Record<string, unknown>;
}

export interface Graph {
  tensors: Tensor[];
  operators: Operator[];
  inputs: number[];
  outputs: number[];
  description: string;
}

export const ELEMENT_BYTES: Record<ElementType, number> = {
  int8: 1, uint8: 1, bool: 1, int16: 2, int32: 4, float32: 4, int64: 8, uint32: 4, uint64: 8, other: 0,
};

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorBytes(t: Tensor): number {
  return elementCount(t.shape) * ELEMENT_BYTES[t.type];
}

/** Reads an int32 or int64 constant tensor as numbers (shape operands, axes, paddings). */
export function constIntegers(t: Tensor): number[] {
  if (!t.data) throw new Error(`tensor ${t.index} (${t.name}) must be a constant`);
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const n = elementCount(t.shape);
  const out: number[] = [];
  if (t.type === 'int32') {
    if (t.data.byteLength < 4 * n) throw new Error(`tensor ${t.index} (${t.name}) holds ${t.data.byteLength} bytes, needs ${4 * n}`);
    for (let i = 0; i < n; i++) out.push(view.getInt32(4 * i, true));
  } else if (t.type === 'int64') {
    if (t.data.byteLength < 8 * n) throw new Error(`tensor ${t.index} (${t.name}) holds ${t.data.byteLength} bytes, needs ${8 * n}`);
    for (let i = 0; i < n; i++) {
      const v = view.getBigInt64(8 * i, true);
      if (v > 2n ** 31n || v < -(2n ** 31n)) throw new Error(`tensor ${t.index} (${t.name}) value ${v} is out of range`);
      out.push(Number(v));
    }
  } else {
    throw new Error(`tensor ${t.index} (${t.name}) must be int32 or int64, not ${t.typeName}`);
  }
  return out;
}
