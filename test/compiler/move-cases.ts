/**
 * The data-movement test models (ops-move, issue 13): one operator each, built from these specs with
 * test/tflite/build-model.ts. The committed files in test/fixtures/move/ are the models, their inputs
 * (`NAME.in.bin`, all non-constant inputs' bytes in input order) and TFLM's outputs (`NAME.golden.K.bin`),
 * made by TFLM's own interpreter outside the repository (see the fixtures' README).
 */
import { Builder } from 'flatbuffers';
import { BuiltinOperator, BuiltinOptionsType } from '../../host/tflite/enums.js';
import { prng } from '../shared.js';
import { ModelSpec, TensorSpec } from '../tflite/build-model.js';

export type Field = ['i32', number] | ['bool', boolean] | ['i8', number] | ['ints', number[]];

/** An options table from its fields in id order (null skips an id). */
function table(fields: (Field | null)[]): (b: Builder) => number {
  return (b) => {
    const vectors = fields.map((f) => {
      if (!f || f[0] !== 'ints') return 0;
      b.startVector(4, f[1].length, 4);
      for (let i = f[1].length - 1; i >= 0; i--) b.addInt32(f[1][i]);
      return b.endVector();
    });
    b.startObject(fields.length);
    fields.forEach((f, id) => {
      if (!f) return;
      if (f[0] === 'i32') b.addFieldInt32(id, f[1], null);
      else if (f[0] === 'bool') b.addFieldInt8(id, f[1] ? 1 : 0, null);
      else if (f[0] === 'i8') b.addFieldInt8(id, f[1], null);
      else b.addFieldOffset(id, vectors[id], 0);
    });
    return b.endObject();
  };
}

const TYPE = { float32: 0, int32: 2, int64: 4, bool: 6, int16: 7, int8: 9 } as const;
export type TypeName = keyof typeof TYPE;
const BYTES: Record<TypeName, number> = { float32: 4, int32: 4, int64: 8, bool: 1, int16: 2, int8: 1 };

export interface T {
  shape: number[];
  type: TypeName;
  scale?: number;
  zeroPoint?: number;
  /** Constant data (int32 values for int32 tensors, the raw bytes otherwise). */
  data?: number[] | Uint8Array;
  /** A run-time input's values (positions), instead of random bytes. */
  feed?: number[];
}

export interface MoveCase {
  name: string;
  op: string;
  options?: [string, (Field | null)[]];
  ins: T[];
  outs: T[];
  /** The kernel records the op must lower to (names of OP), in order. */
  records: string[];
}

export const q8 = (shape: number[], scale = 0.05, zeroPoint = -3): T => ({ shape, type: 'int8', scale, zeroPoint });
export const q16 = (shape: number[], scale = 0.001, zeroPoint = 0): T => ({ shape, type: 'int16', scale, zeroPoint });
export const f32 = (shape: number[]): T => ({ shape, type: 'float32' });
export const i32 = (values: number[], shape = [values.length]): T => ({ shape, type: 'int32', data: values });
const like = (t: T, shape: number[]): T => ({ ...t, shape, data: undefined });

function constBytes(t: T): Uint8Array | undefined {
  if (t.data === undefined) return undefined;
  if (t.data instanceof Uint8Array) return t.data;
  if (t.type === 'int32') return new Uint8Array(Int32Array.from(t.data).buffer);
  if (t.type === 'int16') return new Uint8Array(Int16Array.from(t.data).buffer);
  return Uint8Array.from(t.data.map((v) => v & 0xff));
}

export function spec(c: MoveCase): ModelSpec {
  const buffers: { data?: Uint8Array }[] = [{}];
  const tensors: TensorSpec[] = [...c.ins, ...c.outs].map((t, i) => {
    const data = constBytes(t);
    const spec: TensorSpec = { shape: t.shape, type: TYPE[t.type], name: `t${i}` };
    if (t.scale !== undefined) Object.assign(spec, { scale: [t.scale], zeroPoint: [BigInt(t.zeroPoint ?? 0)] });
    if (data) {
      spec.buffer = buffers.length;
      buffers.push({ data });
    }
    return spec;
  });
  const code = BuiltinOperator[c.op as keyof typeof BuiltinOperator];
  if (code === undefined) throw new Error(`no builtin ${c.op}`);
  const ins = c.ins.map((_, i) => i);
  const outs = c.outs.map((_, i) => c.ins.length + i);
  return {
    version: 3,
    identifier: 'TFL3',
    codes: [{ builtin: code }],
    tensors,
    inputs: ins.filter((i) => c.ins[i].data === undefined),
    outputs: outs,
    operators: [{
      opcodeIndex: 0, inputs: ins, outputs: outs,
      ...(c.options ? { optionsType: BuiltinOptionsType[c.options[0] as keyof typeof BuiltinOptionsType], options: table(c.options[1]) } : {}),
    }],
    buffers,
  };
}

/** The case's input: every non-constant input's bytes, seeded uniform (floats: uniform in [-4, 4)). */
export function inputOf(c: MoveCase): Uint8Array {
  const rand = prng(0x5eed + [...c.name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 0));
  const parts: Uint8Array[] = [];
  for (const t of c.ins) {
    if (t.data !== undefined) continue;
    const n = t.shape.reduce((p, d) => p * d, 1);
    if (t.feed) parts.push(new Uint8Array(Int32Array.from(t.feed).buffer));
    else if (t.type === 'float32') parts.push(new Uint8Array(Float32Array.from({ length: n }, () => Math.round((rand() * 8 - 4) * 64) / 64).buffer));
    else parts.push(Uint8Array.from({ length: n * BYTES[t.type] }, () => Math.floor(rand() * 256)));
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const opt = (name: string, ...fields: (Field | null)[]): [string, (Field | null)[]] => [name, fields];
const ax = (v: number): T => i32([v], []);

export const CASES: MoveCase[] = [
  // SPLIT(axis, input)
  { name: 'split_axis1_int8', op: 'SPLIT', options: opt('SplitOptions', ['i32', 3]), ins: [ax(1), q8([2, 6, 3])], outs: [q8([2, 2, 3]), q8([2, 2, 3]), q8([2, 2, 3])], records: ['GATHER_VIEW', 'GATHER_VIEW', 'GATHER_VIEW'] },
  { name: 'split_negaxis_int16', op: 'SPLIT', options: opt('SplitOptions', ['i32', 2]), ins: [ax(-1), q16([4, 2, 6])], outs: [q16([4, 2, 3]), q16([4, 2, 3])], records: ['GATHER_VIEW', 'GATHER_VIEW'] },
  { name: 'split_float32', op: 'SPLIT', options: opt('SplitOptions', ['i32', 2]), ins: [ax(0), f32([6, 2])], outs: [f32([3, 2]), f32([3, 2])], records: ['GATHER_VIEW', 'GATHER_VIEW'] },
  // SPLIT_V(input, size_splits, axis)
  { name: 'splitv_int8', op: 'SPLIT_V', options: opt('SplitVOptions', ['i32', 3]), ins: [q8([2, 7, 2]), i32([2, -1, 1]), ax(1)], outs: [q8([2, 2, 2]), q8([2, 4, 2]), q8([2, 1, 2])], records: ['GATHER_VIEW', 'GATHER_VIEW', 'GATHER_VIEW'] },
  { name: 'splitv_int16', op: 'SPLIT_V', options: opt('SplitVOptions', ['i32', 2]), ins: [q16([5, 3]), i32([3, 2]), ax(0)], outs: [q16([3, 3]), q16([2, 3])], records: ['GATHER_VIEW', 'GATHER_VIEW'] },
  // UNPACK
  { name: 'unpack_axis0_int8', op: 'UNPACK', options: opt('UnpackOptions', ['i32', 3], ['i32', 0]), ins: [q8([3, 2, 4])], outs: [q8([2, 4]), q8([2, 4]), q8([2, 4])], records: ['GATHER_VIEW', 'GATHER_VIEW', 'GATHER_VIEW'] },
  { name: 'unpack_negaxis_int16', op: 'UNPACK', options: opt('UnpackOptions', ['i32', 4], ['i32', -1]), ins: [q16([2, 3, 4])], outs: [q16([2, 3]), q16([2, 3]), q16([2, 3]), q16([2, 3])], records: ['GATHER_VIEW', 'GATHER_VIEW', 'GATHER_VIEW', 'GATHER_VIEW'] },
  // PACK
  { name: 'pack_axis1_int8', op: 'PACK', options: opt('PackOptions', ['i32', 3], ['i32', 1]), ins: [q8([2, 3]), q8([2, 3]), q8([2, 3])], outs: [q8([2, 3, 3])], records: ['CONCATENATION'] },
  { name: 'pack_axis0_int16', op: 'PACK', options: opt('PackOptions', ['i32', 2], ['i32', 0]), ins: [q16([4]), q16([4])], outs: [q16([2, 4])], records: ['CONCATENATION'] },
  { name: 'pack_negaxis_int8', op: 'PACK', options: opt('PackOptions', ['i32', 3], ['i32', -1]), ins: [q8([2, 2]), q8([2, 2]), q8([2, 2])], outs: [q8([2, 2, 3])], records: ['CONCATENATION'] },
  // SLICE(input, begin, size)
  { name: 'slice_int8', op: 'SLICE', ins: [q8([3, 5, 4]), i32([1, 0, 1]), i32([2, -1, 2])], outs: [q8([2, 5, 2])], records: ['GATHER_VIEW'] },
  { name: 'slice_int16', op: 'SLICE', ins: [q16([4, 6]), i32([1, 2]), i32([3, 3])], outs: [q16([3, 3])], records: ['GATHER_VIEW'] },
  // BROADCAST_TO(input, shape)
  { name: 'broadcast_to_int8', op: 'BROADCAST_TO', ins: [q8([3, 1]), i32([2, 3, 4])], outs: [q8([2, 3, 4])], records: ['GATHER_VIEW'] },
  { name: 'broadcast_to_int16', op: 'BROADCAST_TO', ins: [q16([1, 4]), i32([3, 4])], outs: [q16([3, 4])], records: ['GATHER_VIEW'] },
  // DEPTH_TO_SPACE / SPACE_TO_DEPTH
  { name: 'depth_to_space_int8', op: 'DEPTH_TO_SPACE', options: opt('DepthToSpaceOptions', ['i32', 2]), ins: [q8([1, 2, 3, 8])], outs: [q8([1, 4, 6, 2])], records: ['GATHER_VIEW'] },
  { name: 'space_to_depth_int8', op: 'SPACE_TO_DEPTH', options: opt('SpaceToDepthOptions', ['i32', 2]), ins: [q8([2, 4, 6, 3])], outs: [q8([2, 2, 3, 12])], records: ['GATHER_VIEW'] },
  // BATCH_TO_SPACE_ND(input, block_shape, crops) / SPACE_TO_BATCH_ND(input, block_shape, paddings)
  { name: 'batch_to_space_int8', op: 'BATCH_TO_SPACE_ND', ins: [q8([4, 2, 3, 2]), i32([2, 2]), i32([0, 0, 0, 0], [2, 2])], outs: [q8([1, 4, 6, 2])], records: ['GATHER_VIEW'] },
  { name: 'batch_to_space_crops_int8', op: 'BATCH_TO_SPACE_ND', ins: [q8([8, 2, 3, 1]), i32([2, 2]), i32([2, 0, 0, 2], [2, 2])], outs: [q8([2, 2, 4, 1])], records: ['GATHER_VIEW'] },
  { name: 'batch_to_space_3d_int8', op: 'BATCH_TO_SPACE_ND', ins: [q8([4, 3, 2]), i32([2]), i32([0, 0], [1, 2])], outs: [q8([2, 6, 2])], records: ['GATHER_VIEW'] },
  { name: 'space_to_batch_int8', op: 'SPACE_TO_BATCH_ND', ins: [q8([2, 4, 6, 1]), i32([2, 3]), i32([0, 0, 0, 0], [2, 2])], outs: [q8([12, 2, 2, 1])], records: ['GATHER_VIEW'] },
  // Paddings and crops inside blocks: the BATCH_SPACE record (TFLM's loops).
  { name: 'space_to_batch_pad_int8', op: 'SPACE_TO_BATCH_ND', ins: [q8([1, 5, 4, 2]), i32([2, 3]), i32([1, 0, 1, 1], [2, 2])], outs: [q8([6, 3, 2, 2])], records: ['SPACE_TO_BATCH_ND'] },
  { name: 'space_to_batch_pad_3d_int8', op: 'SPACE_TO_BATCH_ND', ins: [q8([2, 5, 3], 0.1, 9), i32([3]), i32([2, 2], [1, 2])], outs: [q8([6, 3, 3], 0.1, 9)], records: ['SPACE_TO_BATCH_ND'] },
  { name: 'space_to_batch_pad_float32', op: 'SPACE_TO_BATCH_ND', ins: [f32([1, 3, 3, 1]), i32([2, 2]), i32([1, 0, 0, 1], [2, 2])], outs: [f32([4, 2, 2, 1])], records: ['SPACE_TO_BATCH_ND'] },
  { name: 'batch_to_space_crop_int8', op: 'BATCH_TO_SPACE_ND', ins: [q8([4, 2, 2, 1]), i32([2, 2]), i32([1, 0, 0, 1], [2, 2])], outs: [q8([1, 3, 3, 1])], records: ['BATCH_TO_SPACE_ND'] },
  { name: 'batch_to_space_crop_3d_int8', op: 'BATCH_TO_SPACE_ND', ins: [q8([3, 3, 2]), i32([3]), i32([1, 2], [1, 2])], outs: [q8([1, 6, 2])], records: ['BATCH_TO_SPACE_ND'] },
  // The reshape family: aliases (no record).
  { name: 'squeeze_int8', op: 'SQUEEZE', options: opt('SqueezeOptions', ['ints', [0, 2]]), ins: [q8([1, 3, 1, 2])], outs: [q8([3, 2])], records: [] },
  { name: 'squeeze_int16', op: 'SQUEEZE', ins: [q16([1, 5, 1])], outs: [q16([5])], records: [] },
  { name: 'expand_dims_int16', op: 'EXPAND_DIMS', ins: [q16([3, 4]), ax(1)], outs: [q16([3, 1, 4])], records: [] },
  { name: 'expand_dims_int8', op: 'EXPAND_DIMS', ins: [q8([3, 4]), ax(-1)], outs: [q8([3, 4, 1])], records: [] },
  { name: 'reshape_int16', op: 'RESHAPE', ins: [q16([2, 6]), i32([3, 4])], outs: [q16([3, 4])], records: [] },
  // int16 through the data-movement ops that had int8 only in tests.
  { name: 'pad_int16', op: 'PAD', ins: [q16([2, 3]), i32([1, 0, 2, 1], [2, 2])], outs: [q16([3, 6])], records: ['PAD'] },
  // int16 PAD without constant_values pads with 0, not the zero point (TFLM's PadEval).
  { name: 'pad_int16_zero_point', op: 'PAD', ins: [q16([3, 2], 0.001, 7), i32([0, 1, 1, 0], [2, 2])], outs: [q16([4, 3], 0.001, 7)], records: ['PAD'] },
  { name: 'padv2_int16', op: 'PADV2', ins: [q16([2, 3]), i32([0, 2, 1, 1], [2, 2]), { ...q16([]), data: [-7] }], outs: [q16([4, 5])], records: ['PAD'] },
  { name: 'concat_int16', op: 'CONCATENATION', options: opt('ConcatenationOptions', ['i32', 1], ['i8', 0]), ins: [q16([2, 3], 0.001), q16([2, 2], 0.002)], outs: [q16([2, 5], 0.002)], records: ['CONCATENATION'] },
  { name: 'strided_slice_int16', op: 'STRIDED_SLICE', options: opt('StridedSliceOptions', ['i32', 0], ['i32', 0], ['i32', 0], ['i32', 0], ['i32', 0]), ins: [q16([4, 6]), i32([3, 1]), i32([0, 6]), i32([-1, 2])], outs: [q16([3, 3])], records: ['GATHER_VIEW'] },
  { name: 'transpose_int16', op: 'TRANSPOSE', ins: [q16([2, 3, 4]), i32([2, 0, 1])], outs: [q16([4, 2, 3])], records: ['GATHER_VIEW'] },
  // GATHER(params, positions): positions at run time or constant, axis, batch_dims.
  { name: 'gather_axis0_int8', op: 'GATHER', options: opt('GatherOptions', ['i32', 0], ['i32', 0]), ins: [q8([5, 3]), { shape: [4], type: 'int32', feed: [4, 0, 2, 4] }], outs: [q8([4, 3])], records: ['GATHER_INDEX'] },
  { name: 'gather_const_axis1_int8', op: 'GATHER', options: opt('GatherOptions', ['i32', 1], ['i32', 0]), ins: [q8([2, 4, 3]), i32([3, 0, 3, 1, 2])], outs: [q8([2, 5, 3])], records: ['GATHER_INDEX'] },
  { name: 'gather_batch_dims_int8', op: 'GATHER', options: opt('GatherOptions', ['i32', -1], ['i32', 1]), ins: [q8([2, 3, 4]), { shape: [2, 2], type: 'int32', feed: [1, 3, 0, 0] }], outs: [q8([2, 3, 2])], records: ['GATHER_INDEX'] },
  { name: 'gather_float32', op: 'GATHER', options: opt('GatherOptions', ['i32', 0], ['i32', 0]), ins: [f32([4, 2]), i32([1, 0, 3, 3], [2, 2])], outs: [f32([2, 2, 2])], records: ['GATHER_INDEX'] },
  { name: 'gather_const_params_int8', op: 'GATHER', options: opt('GatherOptions', ['i32', 0], ['i32', 0]), ins: [{ ...q8([6, 2]), data: [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12] }, { shape: [3, 1], type: 'int32', feed: [5, 0, 2] }], outs: [q8([3, 1, 2])], records: ['GATHER_INDEX'] },
  // GATHER_ND(params, indices)
  { name: 'gather_nd_int8', op: 'GATHER_ND', ins: [q8([3, 4, 2]), { shape: [2, 2], type: 'int32', feed: [2, 1, 0, 3] }], outs: [q8([2, 2])], records: ['GATHER_ND'] },
  { name: 'gather_nd_depth1_int8', op: 'GATHER_ND', ins: [q8([4, 3]), i32([3, 0, 3], [3, 1])], outs: [q8([3, 3])], records: ['GATHER_ND'] },
  // TFLM checks the flat range only: [0, 5] in [3, 4] is element 5.
  { name: 'gather_nd_flat_int8', op: 'GATHER_ND', ins: [q8([3, 4]), { shape: [2, 2], type: 'int32', feed: [0, 5, 2, 3] }], outs: [q8([2])], records: ['GATHER_ND'] },
  { name: 'gather_nd_float32', op: 'GATHER_ND', ins: [f32([2, 3, 2]), i32([1, 2, 0, 0, 1, 0], [3, 2])], outs: [f32([3, 2])], records: ['GATHER_ND'] },
  // RESIZE_NEAREST_NEIGHBOR(input, size)
  { name: 'resize_nn_int8', op: 'RESIZE_NEAREST_NEIGHBOR', ins: [q8([1, 3, 4, 2]), i32([5, 7])], outs: [q8([1, 5, 7, 2])], records: ['RESIZE_NEAREST_NEIGHBOR'] },
  { name: 'resize_nn_align_int8', op: 'RESIZE_NEAREST_NEIGHBOR', options: opt('ResizeNearestNeighborOptions', ['bool', true], ['bool', false]), ins: [q8([1, 3, 4, 2]), i32([5, 7])], outs: [q8([1, 5, 7, 2])], records: ['RESIZE_NEAREST_NEIGHBOR'] },
  { name: 'resize_nn_half_int16', op: 'RESIZE_NEAREST_NEIGHBOR', options: opt('ResizeNearestNeighborOptions', ['bool', false], ['bool', true]), ins: [q16([2, 4, 3, 1]), i32([7, 5])], outs: [q16([2, 7, 5, 1])], records: ['RESIZE_NEAREST_NEIGHBOR'] },
  { name: 'resize_nn_align_half_int8', op: 'RESIZE_NEAREST_NEIGHBOR', options: opt('ResizeNearestNeighborOptions', ['bool', true], ['bool', true]), ins: [q8([1, 5, 5, 1]), i32([3, 8])], outs: [q8([1, 3, 8, 1])], records: ['RESIZE_NEAREST_NEIGHBOR'] },
  { name: 'resize_nn_down_float32', op: 'RESIZE_NEAREST_NEIGHBOR', ins: [f32([1, 6, 6, 1]), i32([4, 4])], outs: [f32([1, 4, 4, 1])], records: ['RESIZE_NEAREST_NEIGHBOR'] },
  // RESIZE_BILINEAR(input, size), int8
  { name: 'resize_bilinear_int8', op: 'RESIZE_BILINEAR', ins: [q8([1, 3, 4, 2]), i32([5, 7])], outs: [q8([1, 5, 7, 2])], records: ['RESIZE_BILINEAR'] },
  { name: 'resize_bilinear_align_int8', op: 'RESIZE_BILINEAR', options: opt('ResizeBilinearOptions', null, null, ['bool', true], ['bool', false]), ins: [q8([1, 3, 4, 2]), i32([6, 9])], outs: [q8([1, 6, 9, 2])], records: ['RESIZE_BILINEAR'] },
  { name: 'resize_bilinear_half_int8', op: 'RESIZE_BILINEAR', options: opt('ResizeBilinearOptions', null, null, ['bool', false], ['bool', true]), ins: [q8([2, 4, 3, 3]), i32([7, 5])], outs: [q8([2, 7, 5, 3])], records: ['RESIZE_BILINEAR'] },
  { name: 'resize_bilinear_down_half_int8', op: 'RESIZE_BILINEAR', options: opt('ResizeBilinearOptions', null, null, ['bool', false], ['bool', true]), ins: [q8([1, 8, 8, 1]), i32([3, 5])], outs: [q8([1, 3, 5, 1])], records: ['RESIZE_BILINEAR'] },
  { name: 'resize_bilinear_x2_int8', op: 'RESIZE_BILINEAR', ins: [q8([1, 4, 4, 4]), i32([8, 8])], outs: [q8([1, 8, 8, 4])], records: ['RESIZE_BILINEAR'] },
];

export { like };
