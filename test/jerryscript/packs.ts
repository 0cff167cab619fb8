/**
 * Hand-built model packs for the JerryScript glue tests: one valid record of
 * every op code (the layouts of device/records.ts), written into a pack that
 * device/validate.ts accepts, so the tests do not depend on the host compiler.
 * Field values are small and arbitrary but valid; the same pack runs through
 * the real kernels when kernels-c/src is there.
 */
import { DTYPE } from '../../device/pack.js';
import { layoutPack, writePack } from '../../host/compiler/pack-writer.js';
import { CONCAT, CONCAT_INPUT, LAYOUTS, Layout, MAX_DIMS, OP } from '../../device/records.js';

export const ARENA_BYTES = 4096;
/** Arena offsets the records use: inputs at 0, outputs at OUT. */
export const OUT = 2048;
/** Bytes of the constants region. */
export const CONST_BYTES = 512;

type Fields = { [name: string]: number | number[] };

/** A record of `layout` with op `op`; unnamed words are 0. */
function record(layout: Layout, op: number, fields: Fields, extraWords = 0): number[] {
  const words = new Array<number>(layout.words + extraWords).fill(0);
  words[0] = op;
  words[1] = layout.words + extraWords;
  for (const name of Object.keys(fields)) {
    const at = layout[name];
    if (at === undefined) throw new Error(`no field ${name}`);
    const v = fields[name];
    if (typeof v === 'number') words[at] = v;
    else v.forEach((x, i) => (words[at + i] = x));
  }
  return words;
}

/** A ts_view: dims, steps (6 each), start. */
function view(dims: number[], steps: number[], start = 0): number[] {
  const pad = (a: number[], fill: number) => new Array<number>(MAX_DIMS - a.length).fill(fill).concat(a);
  return pad(dims, 1).concat(pad(steps, 0), [start]);
}

const M = 1 << 30; // a requantization multiplier of 0.5

/**
 * One valid record per op. `c` is the pack offset of the constants region:
 * c+0 weights (up to 256 bytes), c+256 bias, c+320 multipliers, c+384 shifts (all 0).
 */
export function validRecords(c: number): { name: string; words: number[] }[] {
  const W = c, BIAS = c + 256, MULT = c + 320, SHIFT = c + 384;
  const window = { strideW: 1, strideH: 1, padW: 1, padH: 1, dilationW: 1, dilationH: 1, actMin: -128, actMax: 127 };
  const r: { name: string; words: number[] }[] = [];
  r.push({ name: 'CONV_2D', words: record(LAYOUTS[OP.CONV_2D], OP.CONV_2D, {
    input: 0, filter: W, bias: BIAS, multipliers: MULT, shifts: SHIFT, output: OUT, scratch: -1,
    inputDims: [1, 4, 4, 2], filterDims: [3, 3, 3, 2], outputDims: [1, 4, 4, 3], inputOffset: 1, outputOffset: -1, ...window,
  }) });
  r.push({ name: 'DEPTHWISE_CONV_2D', words: record(LAYOUTS[OP.DEPTHWISE_CONV_2D], OP.DEPTHWISE_CONV_2D, {
    input: 0, filter: W, bias: BIAS, multipliers: MULT, shifts: SHIFT, output: OUT, scratch: -1,
    inputDims: [1, 4, 4, 2], filterDims: [1, 3, 3, 4], outputDims: [1, 4, 4, 4], inputOffset: 3, outputOffset: 2, chMult: 2, ...window,
  }) });
  r.push({ name: 'FULLY_CONNECTED', words: record(LAYOUTS[OP.FULLY_CONNECTED], OP.FULLY_CONNECTED, {
    input: 0, filter: W, bias: BIAS, multipliers: MULT, shifts: SHIFT, output: OUT, scratch: -1, perChannel: 1,
    batches: 2, accumDepth: 8, outputDepth: 3, inputOffset: 5, filterOffset: 0, outputOffset: -3, actMin: -128, actMax: 127,
  }) });
  for (const op of [OP.AVERAGE_POOL_2D, OP.MAX_POOL_2D]) {
    r.push({ name: op === OP.MAX_POOL_2D ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', words: record(LAYOUTS[op], op, {
      input: 0, output: OUT, inputDims: [1, 4, 4, 2], outputDims: [1, 2, 2, 2],
      strideW: 2, strideH: 2, padW: 0, padH: 0, filterW: 2, filterH: 2, actMin: -128, actMax: 127,
    }) });
  }
  r.push({ name: 'SOFTMAX', words: record(LAYOUTS[OP.SOFTMAX], OP.SOFTMAX, {
    input: 0, output: OUT, rows: 2, rowSize: 10, inputMultiplier: M, inputLeftShift: 5, diffMin: -100,
  }) });
  for (const op of [OP.LOGISTIC, OP.TANH]) {
    r.push({ name: op === OP.TANH ? 'TANH' : 'LOGISTIC', words: record(LAYOUTS[op], op, {
      input: 0, output: OUT, size: 20, inputZeroPoint: 0, inputRangeRadius: 100, inputMultiplier: M, inputLeftShift: 2,
    }) });
  }
  const binary = {
    input1: 0, input2: W, output: OUT, input1InPack: 0, input2InPack: 1,
    outputShape: [1, 1, 1, 1, 4, 8],
    view1: view([4, 8], [8, 1]),
    view2: view([4, 8], [0, 1]), // broadcast a row of 8 constants
  };
  r.push({ name: 'ADD', words: record(LAYOUTS[OP.ADD], OP.ADD, {
    ...binary, leftShift: 20, input1Offset: 1, input1Multiplier: M, input1Shift: 0, input2Offset: -2, input2Multiplier: M,
    input2Shift: -1, outputOffset: 3, outputMultiplier: M, outputShift: -18, actMin: -128, actMax: 127,
  }) });
  r.push({ name: 'MUL', words: record(LAYOUTS[OP.MUL], OP.MUL, {
    ...binary, input1Offset: 1, input2Offset: 2, outputOffset: -3, outputMultiplier: M, outputShift: -5, actMin: -128, actMax: 127,
  }) });
  r.push({ name: 'REQUANTIZE', words: record(LAYOUTS[OP.REQUANTIZE], OP.REQUANTIZE, {
    input: 0, output: OUT, size: 33, inputZeroPoint: 4, outputOffset: -4, multiplier: M, shift: 1, actMin: -100, actMax: 100,
  }) });
  r.push({ name: 'LEAKY_RELU', words: record(LAYOUTS[OP.LEAKY_RELU], OP.LEAKY_RELU, {
    input: 0, output: OUT, size: 33, inputZeroPoint: 1, outputZeroPoint: 2,
    identityMultiplier: M, identityShift: 1, alphaMultiplier: M, alphaShift: -2,
  }) });
  const scale = new Float32Array([0.125]);
  const scaleBits = new Int32Array(scale.buffer)[0];
  r.push({ name: 'DEQUANTIZE', words: record(LAYOUTS[OP.DEQUANTIZE], OP.DEQUANTIZE, { input: 0, output: OUT, size: 16, zeroPoint: 3, scaleBits }) });
  // QUANTIZE_F32 reads float32 from the arena: the floats at OUT+512 start as zeros.
  r.push({ name: 'QUANTIZE_F32', words: record(LAYOUTS[OP.QUANTIZE_F32], OP.QUANTIZE_F32, { input: OUT + 512, output: OUT, size: 16, zeroPoint: -3, scaleBits }) });
  r.push({ name: 'MEAN', words: record(LAYOUTS[OP.MEAN], OP.MEAN, {
    input: 0, output: OUT, outer: view([2], [8]), inner: view([8], [1]),
    inputZeroPoint: 1, outputZeroPoint: -1, count: 8, multiplier: M, shift: -2,
  }) });
  r.push({ name: 'GATHER_VIEW', words: record(LAYOUTS[OP.GATHER_VIEW], OP.GATHER_VIEW, {
    input: 0, output: OUT, elemSize: 1, inputInPack: 0, view: view([8, 2], [1, 8]),
  }) });
  r.push({ name: 'PAD', words: record(LAYOUTS[OP.PAD], OP.PAD, {
    input: 0, output: OUT, elemSize: 1, inputDims: [1, 1, 1, 1, 2, 3], outputDims: [1, 1, 1, 1, 4, 5], before: [0, 0, 0, 0, 1, 1], padValue: -7,
  }) });
  const concat = record(CONCAT, OP.CONCATENATION, { output: OUT, outerSize: 2, inputCount: 2 }, 2 * CONCAT_INPUT.words);
  concat.splice(CONCAT.words, 2 * CONCAT_INPUT.words, 0, 0, 3, W, 1, 5);
  r.push({ name: 'CONCATENATION', words: concat });
  r.push({ name: 'COPY', words: record(LAYOUTS[OP.COPY], OP.COPY, { input: W, output: OUT, bytes: 40, inputInPack: 1 }) });
  // ops-move: GATHER (positions from the arena, zero at the start), RESIZE_*, SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND.
  r.push({ name: 'GATHER_INDEX', words: record(LAYOUTS[OP.GATHER_INDEX], OP.GATHER_INDEX, {
    input: 0, indices: OUT + 1024, output: OUT, inputInPack: 0, indicesInPack: 0, elemSize: 2, batches: 2, outer: 3, axisSize: 4, coords: 5, inner: 2,
  }) });
  r.push({ name: 'GATHER_ND', words: record(LAYOUTS[OP.GATHER_ND], OP.GATHER_ND, {
    input: 0, indices: OUT + 1024, output: OUT, inputInPack: 0, indicesInPack: 0, elemSize: 1, slices: 3, indexDepth: 2, sliceSize: 4, flatSize: 24, strides: [12, 4, 0, 0, 0, 0],
  }) });
  for (const op of [OP.SPACE_TO_BATCH_ND, OP.BATCH_TO_SPACE_ND]) {
    const [small, large] = [[1, 3, 3, 2], [4, 2, 2, 2]];
    r.push({ name: op === OP.SPACE_TO_BATCH_ND ? 'SPACE_TO_BATCH_ND' : 'BATCH_TO_SPACE_ND', words: record(LAYOUTS[op], op, {
      input: 0, output: OUT, elemSize: 1, inputDims: op === OP.SPACE_TO_BATCH_ND ? small : large, outputDims: op === OP.SPACE_TO_BATCH_ND ? large : small,
      blockH: 2, blockW: 2, beforeH: 1, beforeW: 0,
    }) });
  }
  for (const op of [OP.RESIZE_NEAREST_NEIGHBOR, OP.RESIZE_BILINEAR]) {
    r.push({ name: op === OP.RESIZE_BILINEAR ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR', words: record(LAYOUTS[op], op, {
      input: 0, output: OUT, elemSize: 1, batches: 2, inHeight: 3, inWidth: 4, outHeight: 5, outWidth: 7, depth: 2, alignCorners: 0, halfPixelCenters: 1,
    }) });
  }
  return r;
}

export interface BuiltPack {
  pack: Uint8Array;
  /** Byte offset of each record, in the order of validRecords(). */
  records: number[];
  names: string[];
  constOffset: number;
}

/** A valid pack holding every record of validRecords(), CRC included. */
export function buildPack(): BuiltPack {
  const sections = layoutPack({
    recordWords: validRecords(0).map((r) => r.words.length),
    tensors: 2,
    inputs: 1,
    outputs: 1,
    constants: [CONST_BYTES],
    work: false,
  });
  const recs = validRecords(sections.constOffset);
  // Constants: pseudo-random weights, small biases, multipliers 0.5, shifts 0.
  const constants = new Uint8Array(CONST_BYTES);
  const dv = new DataView(constants.buffer);
  let seed = 12345;
  for (let i = 0; i < 256; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    constants[i] = (seed >>> 16) & 0xff;
  }
  for (let i = 0; i < 16; i++) {
    dv.setInt32(256 + 4 * i, (i * 37) % 200 - 100, true);
    dv.setInt32(320 + 4 * i, M, true);
    dv.setInt32(384 + 4 * i, 0, true);
  }
  // Tensor 0: int8 [64] input at arena 0; tensor 1: int8 [64] output at OUT.
  const tensor = (offset: number) => ({ dtype: DTYPE.int8, shape: [64], offset, bytes: 64, scale: 0.5 });
  const pack = writePack(sections, {
    arenaBytes: ARENA_BYTES,
    records: recs.map((r) => r.words),
    tensors: [tensor(0), tensor(OUT)],
    inputs: [0],
    outputs: [1],
    constants: [constants],
  });
  return { pack, records: sections.records, names: recs.map((x) => x.name), constOffset: sections.constOffset };
}
