/**
 * Lowering: each TFLite operator becomes one op record (or none, for a
 * reshape that aliases its input). This is where TFLM's Prepare() work
 * happens, on the host: requantization multipliers, padding, activation
 * bounds, broadcast and slice walks. One function per operator; the table at
 * the bottom maps TFLite names to them.
 *
 * Path of an op, e.g. CONV_2D: lowerConv (here) -> ts_conv_record
 * (kernels-c/include/tinysense_nn.h, mirrored in device/records.ts) ->
 * ts_invoke -> ts_convolve_s8 (kernels-c/src/conv.c).
 */
import { createHash } from 'node:crypto';
import { registerSignalLowerings } from './lower-signal.js';
import {
  ADD, AFFINE, CONCAT, CONCAT_INPUT, CONV, COPY, DW_CONV, FC, GATHER, LEAKY_RELU, Layout, MAX_DIMS, MEAN, MUL, OP,
  PAD, POOL, REQUANTIZE, SIGMOID, SOFTMAX,
} from '../../device/records.js';
import { ELEMENT_BYTES, ElementType, Graph, Operator, Tensor, constIntegers, elementCount } from './graph.js';
import {
  FusedActivation, Requant, activationRange, float32Bits, frexpMultiplier, inputRadius, quantizeMultiplier, roundHalfAway,
  windowPadding,
} from './quant.js';

/** Thrown for anything the compiler cannot or will not compile; names the op and tensor. */
export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

/** An operand word before planning: an arena tensor or a constant blob. */
export type Operand = { kind: 'arena'; tensor: number } | { kind: 'const'; id: number };
export type Word = number | Operand;

export interface LoweredOp {
  /** Index of the TFLite operator. */
  index: number;
  /** TFLite operator name. */
  name: string;
  code: number;
  words: Word[];
  /** Arena tensors read and written (for lifetimes). */
  reads: number[];
  writes: number[];
  /** Multiply-accumulates per invoke (0 for data movement). */
  macs: number;
}

/** Constant blobs (weights, biases, multipliers), de-duplicated by content. */
export class ConstPool {
  readonly blobs: Uint8Array[] = [];
  private readonly byHash = new Map<string, number>();

  private static key(data: Uint8Array): string {
    return createHash('sha1').update(data).digest('hex') + ':' + data.length;
  }

  /** The id of a blob with these bytes, if one was added. */
  find(data: Uint8Array): number | undefined {
    return this.byHash.get(ConstPool.key(data));
  }

  add(data: Uint8Array): number {
    const key = ConstPool.key(data);
    const known = this.byHash.get(key);
    if (known !== undefined) return known;
    this.blobs.push(data);
    this.byHash.set(key, this.blobs.length - 1);
    return this.blobs.length - 1;
  }

  addInt32(values: readonly number[]): number {
    return this.add(new Uint8Array(Int32Array.from(values).buffer));
  }
}

class RecordBuilder {
  readonly words: Word[];
  constructor(
    readonly code: number,
    private readonly layout: Layout,
    extraWords = 0,
  ) {
    this.words = new Array<Word>(layout.words + extraWords).fill(0);
    this.words[0] = code;
    this.words[1] = layout.words + extraWords;
  }
  set(field: string, value: Word): this {
    const at = this.layout[field];
    if (at === undefined) throw new Error(`record field ${field} does not exist`);
    this.words[at] = value;
    return this;
  }
  setList(field: string, values: readonly number[]): this {
    const at = this.layout[field];
    if (at === undefined) throw new Error(`record field ${field} does not exist`);
    values.forEach((v, i) => (this.words[at + i] = v));
    return this;
  }
  setView(field: string, view: View): this {
    return this.setList(field, [...view.dims, ...view.step, view.start]);
  }
}

interface View {
  dims: number[];
  step: number[];
  start: number;
}

/** Per-op context: typed access to operands with errors that name the op. */
export class OpContext {
  readonly reads: number[] = [];
  readonly writes: number[] = [];
  constructor(
    readonly graph: Graph,
    readonly op: Operator,
    readonly consts: ConstPool,
    /** Tensors whose storage is another tensor's (reshape), resolved to the owner. */
    readonly constTensorIds: Map<number, number>,
  ) {}

  fail(message: string): never {
    throw new CompileError(`operator ${this.op.index} (${this.op.name}): ${message}`);
  }

  private tensorAt(list: number[], k: number, what: string): Tensor | null {
    const index = list[k];
    if (index === undefined || index < 0) return null;
    const t = this.graph.tensors[index];
    if (!t) this.fail(`${what} ${k} names tensor ${index}, which does not exist`);
    return t;
  }

  input(k: number): Tensor {
    return this.tensorAt(this.op.inputs, k, 'input') ?? this.fail(`input ${k} is missing`);
  }

  optionalInput(k: number): Tensor | null {
    return this.tensorAt(this.op.inputs, k, 'input');
  }

  output(k = 0): Tensor {
    return this.tensorAt(this.op.outputs, k, 'output') ?? this.fail(`output ${k} is missing`);
  }

  expectCounts(inputs: number | [number, number], outputs = 1): void {
    const [lo, hi] = typeof inputs === 'number' ? [inputs, inputs] : inputs;
    if (this.op.inputs.length < lo || this.op.inputs.length > hi) {
      this.fail(`has ${this.op.inputs.length} inputs, expected ${lo === hi ? lo : `${lo} to ${hi}`}`);
    }
    if (this.op.outputs.length !== outputs) this.fail(`has ${this.op.outputs.length} outputs, expected ${outputs}`);
  }

  expectType(t: Tensor, ...types: ElementType[]): void {
    if (!types.includes(t.type)) this.fail(`tensor ${t.index} (${t.name}) is ${t.typeName}, expected ${types.join(' or ')}`);
  }

  expectRank(t: Tensor, lo: number, hi = lo): void {
    if (t.shape.length < lo || t.shape.length > hi) {
      this.fail(`tensor ${t.index} (${t.name}) has rank ${t.shape.length}, expected ${lo === hi ? lo : `${lo} to ${hi}`}`);
    }
  }

  /** Per-tensor scale and zero point of a quantized tensor. */
  quant(t: Tensor): { scale: number; zeroPoint: number } {
    if (t.scales.length < 1) this.fail(`tensor ${t.index} (${t.name}) has no quantization parameters`);
    const scale = t.scales[0];
    if (!(scale > 0) || !Number.isFinite(scale)) this.fail(`tensor ${t.index} (${t.name}) has scale ${scale}`);
    const zeroPoint = t.zeroPoints[0] ?? 0;
    const [lo, hi] = t.type === 'int8' ? [-128, 127] : t.type === 'uint8' ? [0, 255] : t.type === 'int16' ? [-32768, 32767] : [-(2 ** 31), 2 ** 31 - 1];
    if (!Number.isInteger(zeroPoint) || zeroPoint < lo || zeroPoint > hi) this.fail(`tensor ${t.index} (${t.name}) has zero point ${zeroPoint}`);
    return { scale, zeroPoint };
  }

  /** An activation the op reads, in the arena. */
  read(t: Tensor): Operand {
    if (this.isConst(t)) this.fail(`input tensor ${t.index} (${t.name}) is a constant; this op needs it computed`);
    this.reads.push(t.index);
    return { kind: 'arena', tensor: t.index };
  }

  /** An input that may be an activation or a constant: [operand, inPack flag]. */
  readAny(t: Tensor): [Operand, number] {
    const data = this.constData(t);
    if (data) return [{ kind: 'const', id: this.consts.add(data) }, 1];
    return [this.read(t), 0];
  }

  write(t: Tensor): Operand {
    if (this.isConst(t)) this.fail(`output tensor ${t.index} (${t.name}) has constant data`);
    this.writes.push(t.index);
    return { kind: 'arena', tensor: t.index };
  }

  isConst(t: Tensor): boolean {
    return this.constData(t) !== null;
  }

  constData(t: Tensor): Uint8Array | null {
    const owner = this.constTensorIds.get(t.index);
    const data = owner === undefined ? t.data : this.graph.tensors[owner].data;
    if (!data) return null;
    const need = elementCount(t.shape) * ELEMENT_BYTES[t.type];
    if (data.byteLength !== need) this.fail(`constant tensor ${t.index} (${t.name}) holds ${data.byteLength} bytes, its shape needs ${need}`);
    return data;
  }

  /** A constant operand (weights, bias) placed among the pack's constants. */
  constant(t: Tensor): Operand {
    const data = this.constData(t) ?? this.fail(`tensor ${t.index} (${t.name}) must be a constant`);
    return { kind: 'const', id: this.consts.add(data) };
  }

  ints(t: Tensor): number[] {
    if (!this.constData(t)) this.fail(`tensor ${t.index} (${t.name}) must be a constant`);
    try {
      return constIntegers({ ...t, data: this.constData(t) });
    } catch (e) {
      return this.fail((e as Error).message);
    }
  }

  option<T>(name: string, fallback?: T): T {
    const v = this.op.options[name];
    if (v === undefined) {
      if (fallback === undefined) this.fail(`option ${name} is missing`);
      return fallback;
    }
    return v as T;
  }

  activation(output: Tensor): { min: number; max: number } {
    const act = this.option<FusedActivation>('fusedActivationFunction', 'NONE');
    const { scale, zeroPoint } = this.quant(output);
    try {
      return activationRange(act, scale, zeroPoint);
    } catch (e) {
      return this.fail((e as Error).message);
    }
  }

  requant(real: number, what: string): Requant {
    if (!Number.isFinite(real) || real < 0) this.fail(`${what} scale ratio ${real} is not usable`);
    const r = quantizeMultiplier(real);
    if (r.shift > 30) this.fail(`${what} scale ratio ${real} is too large`);
    return r;
  }

  finish(code: number, words: Word[], macs = 0): LoweredOp {
    return { index: this.op.index, name: this.op.name, code, words, reads: this.reads, writes: this.writes, macs };
  }
}

/** Pads a shape to MAX_DIMS with leading 1s (TFLite's RuntimeShape::ExtendedShape). */
function extend(shape: readonly number[]): number[] {
  return [...new Array<number>(MAX_DIMS - shape.length).fill(1), ...shape];
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) strides[k] = strides[k + 1] * shape[k + 1];
  return strides;
}

function nhwc(shape: readonly number[]): number[] {
  return [shape[0], shape[1], shape[2], shape[3]];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

// ---------------------------------------------------------------------------
// Convolutions and fully connected
// ---------------------------------------------------------------------------

/** PopulateConvolutionQuantizationParams: per-channel effective scales. */
function perChannelRequant(c: OpContext, input: Tensor, filter: Tensor, output: Tensor, channels: number): Operand[] {
  const inScale = c.quant(input).scale;
  const outScale = c.quant(output).scale;
  if (filter.scales.length !== 1 && filter.scales.length !== channels) {
    c.fail(`filter has ${filter.scales.length} scales for ${channels} output channels`);
  }
  const multipliers: number[] = [];
  const shifts: number[] = [];
  for (let i = 0; i < channels; i++) {
    const filterScale = filter.scales.length > 1 ? filter.scales[i] : filter.scales[0];
    if (!(filterScale > 0)) c.fail(`filter scale ${i} is ${filterScale}`);
    const r = c.requant((inScale * filterScale) / outScale, `channel ${i}`);
    multipliers.push(r.multiplier);
    shifts.push(r.shift);
  }
  return [
    { kind: 'const', id: c.consts.addInt32(multipliers) },
    { kind: 'const', id: c.consts.addInt32(shifts) },
  ];
}

function convCommon(c: OpContext, depthwise: boolean): LoweredOp {
  c.expectCounts([2, 3]);
  const input = c.input(0);
  const filter = c.input(1);
  const bias = c.optionalInput(2);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(filter, 'int8');
  c.expectType(output, 'int8');
  c.expectRank(input, 4);
  c.expectRank(filter, 4);
  c.expectRank(output, 4);
  if (bias) {
    c.expectType(bias, 'int32');
  }
  const quantDim = depthwise ? 3 : 0;
  if (filter.scales.length > 1 && filter.quantizedDimension !== quantDim) {
    c.fail(`filter is quantized along dimension ${filter.quantizedDimension}, expected ${quantDim}`);
  }
  if (filter.zeroPoints.some((z) => z !== 0)) c.fail('filter zero points must be 0 (symmetric int8 weights)');
  const channels = output.shape[3];
  if (bias && elementCount(bias.shape) !== channels) c.fail(`bias has ${elementCount(bias.shape)} values for ${channels} channels`);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];

  const strideW = c.option<number>('strideW');
  const strideH = c.option<number>('strideH');
  const dilationW = c.option<number>('dilationWFactor', 1);
  const dilationH = c.option<number>('dilationHFactor', 1);
  const padding = c.option<'SAME' | 'VALID'>('padding');
  for (const [v, what] of [[strideW, 'stride w'], [strideH, 'stride h'], [dilationW, 'dilation w'], [dilationH, 'dilation h']] as const) {
    if (!Number.isInteger(v) || v < 1) c.fail(`${what} is ${v}`);
  }
  if (padding !== 'SAME' && padding !== 'VALID') c.fail(`padding ${String(padding)} is not supported`);
  const padH = windowPadding(padding, input.shape[1], filter.shape[1], strideH, dilationH).pad;
  const padW = windowPadding(padding, input.shape[2], filter.shape[2], strideW, dilationW).pad;

  const [multipliers, shifts] = perChannelRequant(c, input, filter, output, channels);
  const act = c.activation(output);
  const layout = depthwise ? DW_CONV : CONV;
  const r = new RecordBuilder(depthwise ? OP.DEPTHWISE_CONV_2D : OP.CONV_2D, layout)
    .set('input', c.read(input))
    .set('filter', c.constant(filter))
    .set('bias', bias ? c.constant(bias) : -1)
    .set('multipliers', multipliers)
    .set('shifts', shifts)
    .set('output', c.write(output))
    .set('scratch', -1)
    .setList('inputDims', nhwc(input.shape))
    .setList('filterDims', nhwc(filter.shape))
    .setList('outputDims', nhwc(output.shape))
    .set('inputOffset', -inQ.zeroPoint)
    .set('outputOffset', outQ.zeroPoint)
    .setList('strideW', [strideW, strideH, padW, padH, dilationW, dilationH, act.min, act.max]);
  if (input.shape[0] !== output.shape[0]) c.fail('input and output batch sizes differ');
  let macsPerOutput: number;
  if (depthwise) {
    const mult = channels / input.shape[3];
    if (filter.shape[0] !== 1 || filter.shape[3] !== channels || !Number.isInteger(mult)) {
      c.fail(`filter ${filter.shape.join('x')} does not fit input depth ${input.shape[3]} and output depth ${channels}`);
    }
    const optionMult = c.option<number>('depthMultiplier', 0);
    if (optionMult !== 0 && optionMult !== mult) c.fail(`depth_multiplier option ${optionMult} disagrees with the shapes (${mult})`);
    r.set('chMult', mult);
    macsPerOutput = filter.shape[1] * filter.shape[2];
  } else {
    if (filter.shape[0] !== channels) c.fail(`filter has ${filter.shape[0]} output channels, output has ${channels}`);
    if (input.shape[3] % filter.shape[3] !== 0 || channels % (input.shape[3] / filter.shape[3]) !== 0) {
      c.fail(`input depth ${input.shape[3]} and filter depth ${filter.shape[3]} do not form whole groups`);
    }
    macsPerOutput = filter.shape[1] * filter.shape[2] * filter.shape[3];
  }
  return c.finish(r.code, r.words, elementCount(output.shape) * macsPerOutput);
}

function lowerFullyConnected(c: OpContext): LoweredOp {
  c.expectCounts([2, 3]);
  const input = c.input(0);
  const filter = c.input(1);
  const bias = c.optionalInput(2);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(filter, 'int8');
  c.expectType(output, 'int8');
  c.expectRank(filter, 2);
  if (bias) c.expectType(bias, 'int32');
  const format = c.option<string>('weightsFormat', 'DEFAULT');
  if (format !== 'DEFAULT') c.fail(`weights format ${format} is not supported`);
  const units = filter.shape[0];
  const depth = filter.shape[1];
  if (output.shape.length < 1 || output.shape[output.shape.length - 1] !== units) c.fail(`output's last dimension is not the ${units} filter rows`);
  const batches = elementCount(output.shape) / units;
  if (elementCount(input.shape) !== batches * depth) {
    c.fail(`input has ${elementCount(input.shape)} values, expected ${batches} batches x ${depth}`);
  }
  if (bias && elementCount(bias.shape) !== units) c.fail(`bias has ${elementCount(bias.shape)} values for ${units} units`);
  const [inQ, filterQ, outQ] = [c.quant(input), c.quant(filter), c.quant(output)];
  const perChannel = filter.scales.length > 1;
  let multipliers: Operand, shifts: Operand;
  if (perChannel) {
    if (filter.quantizedDimension !== 0) c.fail(`filter is quantized along dimension ${filter.quantizedDimension}, expected 0`);
    [multipliers, shifts] = perChannelRequant(c, input, filter, output, units);
  } else {
    // GetQuantizedConvolutionMultipler: the scale product is taken in float32 first.
    const r = c.requant(Math.fround(inQ.scale * filterQ.scale) / outQ.scale, 'output');
    multipliers = { kind: 'const', id: c.consts.addInt32([r.multiplier]) };
    shifts = { kind: 'const', id: c.consts.addInt32([r.shift]) };
  }
  const act = c.activation(output);
  const r = new RecordBuilder(OP.FULLY_CONNECTED, FC)
    .set('input', c.read(input))
    .set('filter', c.constant(filter))
    .set('bias', bias ? c.constant(bias) : -1)
    .set('multipliers', multipliers)
    .set('shifts', shifts)
    .set('output', c.write(output))
    .set('scratch', -1)
    .set('perChannel', perChannel ? 1 : 0)
    .setList('batches', [batches, depth, units])
    .setList('inputOffset', [-inQ.zeroPoint, -filterQ.zeroPoint, outQ.zeroPoint, act.min, act.max]);
  return c.finish(r.code, r.words, batches * units * depth);
}

function lowerPool(c: OpContext, code: number): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  c.expectRank(input, 4);
  c.expectRank(output, 4);
  const strideW = c.option<number>('strideW');
  const strideH = c.option<number>('strideH');
  const filterW = c.option<number>('filterWidth');
  const filterH = c.option<number>('filterHeight');
  const padding = c.option<'SAME' | 'VALID'>('padding');
  for (const [v, what] of [[strideW, 'stride w'], [strideH, 'stride h'], [filterW, 'filter w'], [filterH, 'filter h']] as const) {
    if (!Number.isInteger(v) || v < 1) c.fail(`${what} is ${v}`);
  }
  if (padding !== 'SAME' && padding !== 'VALID') c.fail(`padding ${String(padding)} is not supported`);
  const padH = windowPadding(padding, input.shape[1], filterH, strideH, 1).pad;
  const padW = windowPadding(padding, input.shape[2], filterW, strideW, 1).pad;
  if (input.shape[0] !== output.shape[0] || input.shape[3] !== output.shape[3]) c.fail('input and output batch or depth differ');
  const act = c.activation(output);
  const r = new RecordBuilder(code, POOL)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('inputDims', nhwc(input.shape))
    .setList('outputDims', nhwc(output.shape))
    .setList('strideW', [strideW, strideH, padW, padH, filterW, filterH, act.min, act.max]);
  return c.finish(r.code, r.words);
}

// ---------------------------------------------------------------------------
// Softmax and sigmoid-like activations
// ---------------------------------------------------------------------------

function lowerSoftmax(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  const outQ = c.quant(output);
  if (outQ.zeroPoint !== -128 || outQ.scale !== 1 / 256) c.fail('int8 softmax output must have scale 1/256 and zero point -128 (as TFLM requires)');
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  const beta = c.option<number>('beta', 1);
  // PreprocessSoftmaxScaling with 5 integer bits for the scaled difference.
  const scaledDiffIntegerBits = 5;
  const real = Math.min(beta * c.quant(input).scale * 2 ** (31 - scaledDiffIntegerBits), 2 ** 31 - 1);
  if (!(real > 1)) c.fail(`input scale x beta (${real}) is too small for TFLM's softmax`);
  const q = quantizeMultiplier(real);
  const diffMin = -inputRadius(scaledDiffIntegerBits, q.shift);
  const rowSize = input.shape[input.shape.length - 1] ?? 1;
  const r = new RecordBuilder(OP.SOFTMAX, SOFTMAX)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('rows', [elementCount(input.shape) / rowSize, rowSize, q.multiplier, q.shift, diffMin]);
  return c.finish(r.code, r.words);
}

function lowerSigmoid(c: OpContext, code: number): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  if (code === OP.LOGISTIC && c.quant(output).zeroPoint !== -128) c.fail('int8 LOGISTIC output zero point must be -128 (as TFLM requires)');
  const inQ = c.quant(input);
  const inputIntegerBits = 4;
  const m = frexpMultiplier(inQ.scale * 2 ** (31 - inputIntegerBits));
  const r = new RecordBuilder(code, SIGMOID)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inQ.zeroPoint, inputRadius(inputIntegerBits, m.shift, 31), m.multiplier, m.shift]);
  return c.finish(r.code, r.words);
}

// ---------------------------------------------------------------------------
// Element-wise
// ---------------------------------------------------------------------------

/** A walk over `outShape` reading `inShape` with TFLite broadcasting (size-1 dims repeat). */
function broadcastView(c: OpContext, inShape: readonly number[], outShape: readonly number[]): View {
  if (inShape.length > MAX_DIMS || outShape.length > MAX_DIMS) c.fail(`broadcasting supports at most ${MAX_DIMS} dimensions`);
  const inExt = extend(inShape);
  const outExt = extend(outShape);
  const strides = rowMajorStrides(inExt);
  const step = outExt.map((d, k) => {
    if (inExt[k] === d) return d === 1 ? 0 : strides[k];
    if (inExt[k] === 1) return 0;
    return c.fail(`shape [${inShape.join(',')}] does not broadcast to [${outShape.join(',')}]`);
  });
  return { dims: outExt, step, start: 0 };
}

function lowerBinary(c: OpContext, code: number): LoweredOp {
  c.expectCounts(2);
  const a = c.input(0);
  const b = c.input(1);
  const output = c.output();
  for (const t of [a, b, output]) c.expectType(t, 'int8');
  const [aQ, bQ, outQ] = [c.quant(a), c.quant(b), c.quant(output)];
  const act = c.activation(output);
  const layout = code === OP.ADD ? ADD : MUL;
  const [aRef, aInPack] = c.readAny(a);
  const [bRef, bInPack] = c.readAny(b);
  const r = new RecordBuilder(code, layout)
    .set('input1', aRef)
    .set('input2', bRef)
    .set('output', c.write(output))
    .set('input1InPack', aInPack)
    .set('input2InPack', bInPack)
    .setList('outputShape', extend(output.shape))
    .setView('view1', broadcastView(c, a.shape, output.shape))
    .setView('view2', broadcastView(c, b.shape, output.shape));
  if (code === OP.ADD) {
    // add_common.cc: inputs rescaled to twice the larger input scale, 20 bits of headroom.
    const leftShift = 20;
    const twiceMax = 2 * Math.max(aQ.scale, bQ.scale);
    const m1 = smallerThanOne(c, aQ.scale / twiceMax, 'input 1');
    const m2 = smallerThanOne(c, bQ.scale / twiceMax, 'input 2');
    const mo = smallerThanOne(c, twiceMax / (2 ** leftShift * outQ.scale), 'output');
    r.setList('leftShift', [
      leftShift, -aQ.zeroPoint, m1.multiplier, m1.shift, -bQ.zeroPoint, m2.multiplier, m2.shift,
      outQ.zeroPoint, mo.multiplier, mo.shift, act.min, act.max,
    ]);
  } else {
    const m = c.requant((aQ.scale * bQ.scale) / outQ.scale, 'output');
    r.setList('input1Offset', [-aQ.zeroPoint, -bQ.zeroPoint, outQ.zeroPoint, m.multiplier, m.shift, act.min, act.max]);
  }
  return c.finish(r.code, r.words, elementCount(output.shape));
}

/** QuantizeMultiplierSmallerThanOneExp. */
function smallerThanOne(c: OpContext, real: number, what: string): Requant {
  if (!(real > 0 && real < 1)) c.fail(`${what} rescale ${real} is not in (0, 1)`);
  return quantizeMultiplier(real);
}

function requantizeRecord(c: OpContext, input: Tensor, output: Tensor, inputZeroPoint: number, outputOffset: number, m: Requant, act: { min: number; max: number }): LoweredOp {
  const r = new RecordBuilder(OP.REQUANTIZE, REQUANTIZE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inputZeroPoint, outputOffset, m.multiplier, m.shift, act.min, act.max]);
  return c.finish(r.code, r.words);
}

function unaryInt8(c: OpContext): [Tensor, Tensor] {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  return [input, output];
}

/** RELU int8: ReluQuantized requantizes from the input scale to the output scale, then clamps. */
function lowerRelu(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const m = c.requant(Math.fround(inQ.scale / outQ.scale), 'output');
  return requantizeRecord(c, input, output, inQ.zeroPoint, outQ.zeroPoint, m, { min: Math.max(-128, outQ.zeroPoint), max: 127 });
}

/** RELU6 int8: TFLM clamps in the input's quantization without rescaling. */
function lowerRelu6(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const inQ = c.quant(input);
  const six = Math.min(127, Math.max(-128, roundHalfAway(Math.fround(6 / inQ.scale)) + inQ.zeroPoint));
  return requantizeRecord(c, input, output, 0, 0, IDENTITY, { min: inQ.zeroPoint, max: six });
}

/** An exact identity requantization: MultiplyByQuantizedMultiplier(x, 2^30, 1) == x. */
const IDENTITY: Requant = { multiplier: 2 ** 30, shift: 1 };

function lowerLeakyRelu(c: OpContext): LoweredOp {
  const [input, output] = unaryInt8(c);
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  const alpha = c.option<number>('alpha');
  // leaky_relu_common.cc computes both ratios in float32.
  // QuantizeMultiplier also takes a negative alpha here.
  const alphaM = quantizeMultiplier(Math.fround(Math.fround(inQ.scale * alpha) / outQ.scale));
  const identityM = c.requant(Math.fround(inQ.scale / outQ.scale), 'identity');
  const r = new RecordBuilder(OP.LEAKY_RELU, LEAKY_RELU)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inQ.zeroPoint, outQ.zeroPoint, identityM.multiplier, identityM.shift, alphaM.multiplier, alphaM.shift]);
  return c.finish(r.code, r.words);
}

function lowerQuantize(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(output, 'int8');
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  const outQ = c.quant(output);
  if (input.type === 'int8') {
    const inQ = c.quant(input);
    const m = c.requant(inQ.scale / outQ.scale, 'output');
    return requantizeRecord(c, input, output, inQ.zeroPoint, outQ.zeroPoint, m, { min: -128, max: 127 });
  }
  c.expectType(input, 'float32');
  const r = new RecordBuilder(OP.QUANTIZE_F32, AFFINE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), outQ.zeroPoint, float32Bits(outQ.scale)]);
  return c.finish(r.code, r.words);
}

function lowerDequantize(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'float32');
  if (elementCount(input.shape) !== elementCount(output.shape)) c.fail('input and output sizes differ');
  const inQ = c.quant(input);
  const r = new RecordBuilder(OP.DEQUANTIZE, AFFINE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [elementCount(input.shape), inQ.zeroPoint, float32Bits(inQ.scale)]);
  return c.finish(r.code, r.words);
}

// ---------------------------------------------------------------------------
// Reductions and data movement
// ---------------------------------------------------------------------------

function lowerMean(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(output, 'int8');
  c.expectRank(input, 1, MAX_DIMS);
  const rank = input.shape.length;
  const axes = new Set<number>();
  for (const a of c.ints(c.input(1))) {
    if (a < -rank || a >= rank) c.fail(`axis ${a} is outside rank ${rank}`);
    axes.add(a < 0 ? a + rank : a);
  }
  const strides = rowMajorStrides(input.shape);
  const kept = input.shape.map((_, k) => k).filter((k) => !axes.has(k));
  const reduced = input.shape.map((_, k) => k).filter((k) => axes.has(k));
  const view = (dimsOf: number[]): View => {
    const pad = MAX_DIMS - dimsOf.length;
    return {
      dims: [...new Array<number>(pad).fill(1), ...dimsOf.map((k) => input.shape[k])],
      step: [...new Array<number>(pad).fill(0), ...dimsOf.map((k) => strides[k])],
      start: 0,
    };
  };
  const count = reduced.reduce((p, k) => p * input.shape[k], 1);
  const outCount = kept.reduce((p, k) => p * input.shape[k], 1);
  if (outCount !== elementCount(output.shape)) c.fail(`output has ${elementCount(output.shape)} values, expected ${outCount}`);
  if (count < 1) c.fail('reduces over an empty axis');
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  // QuantizedMeanOrSum folds 1/count into the multiplier with 64-bit integer arithmetic.
  const base = c.requant(inQ.scale / outQ.scale, 'output');
  let shift = Math.floor(Math.log2(count));
  while (2 ** (shift + 1) <= count) shift++;
  while (2 ** shift > count) shift--;
  shift = Math.min(shift, 32, 31 + base.shift);
  const multiplier = Number((BigInt(base.multiplier) << BigInt(shift)) / BigInt(count));
  const r = new RecordBuilder(OP.MEAN, MEAN)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setView('outer', view(kept))
    .setView('inner', view(reduced))
    .setList('inputZeroPoint', [inQ.zeroPoint, outQ.zeroPoint, count, multiplier, base.shift - shift]);
  return c.finish(r.code, r.words, elementCount(input.shape));
}

function elemSizeOf(c: OpContext, t: Tensor): number {
  const size = ELEMENT_BYTES[t.type];
  if (size !== 1 && size !== 2 && size !== 4) c.fail(`tensor ${t.index} (${t.name}) of type ${t.typeName} cannot be moved`);
  return size;
}

function expectSameQuant(c: OpContext, a: Tensor, b: Tensor): void {
  if (a.type !== b.type) c.fail(`tensors ${a.index} and ${b.index} differ in type (${a.typeName}, ${b.typeName})`);
  if (a.type === 'float32' || a.type === 'int32') return;
  // Unquantized integer tensors (the audio front end's int16 and uint32): nothing to compare.
  if (a.scales.length === 0 && b.scales.length === 0) return;
  const [qa, qb] = [c.quant(a), c.quant(b)];
  if (qa.scale !== qb.scale || qa.zeroPoint !== qb.zeroPoint) {
    c.fail(`tensors ${a.index} and ${b.index} must share scale and zero point (TFLM does not requantize here)`);
  }
}

function gatherRecord(c: OpContext, input: Tensor, output: Tensor, view: View): LoweredOp {
  const elem = elemSizeOf(c, input);
  if (view.dims.reduce((p, d) => p * d, 1) !== elementCount(output.shape)) c.fail('the walk does not produce the output shape');
  const [ref, inPack] = c.readAny(input);
  const r = new RecordBuilder(OP.GATHER_VIEW, GATHER)
    .set('input', ref)
    .set('output', c.write(output))
    .set('elemSize', elem)
    .set('inputInPack', inPack)
    .setView('view', view);
  return c.finish(r.code, r.words);
}

function lowerTranspose(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const output = c.output();
  expectSameQuant(c, input, output);
  const rank = input.shape.length;
  if (rank > MAX_DIMS) c.fail(`rank ${rank} above ${MAX_DIMS}`);
  const perm = c.ints(c.input(1));
  if (perm.length !== rank || [...perm].sort((x, y) => x - y).some((p, i) => p !== i)) c.fail(`permutation [${perm.join(',')}] is not a permutation of ${rank} axes`);
  const strides = rowMajorStrides(input.shape);
  const dims = perm.map((p) => input.shape[p]);
  if (!sameShape(dims, output.shape)) c.fail(`output shape [${output.shape.join(',')}] is not the permuted input shape [${dims.join(',')}]`);
  const pad = MAX_DIMS - rank;
  return gatherRecord(c, input, output, {
    dims: [...new Array<number>(pad).fill(1), ...dims],
    step: [...new Array<number>(pad).fill(0), ...perm.map((p) => strides[p])],
    start: 0,
  });
}

/** STRIDED_SLICE as TFLM's reference computes it (StridedSliceStartForAxis/EndForAxis, offset ignored). */
function lowerStridedSlice(c: OpContext): LoweredOp {
  c.expectCounts(4);
  const input = c.input(0);
  const output = c.output();
  expectSameQuant(c, input, output);
  const rank = input.shape.length;
  if (rank > 5) c.fail(`rank ${rank} above 5`);
  const [begin, end, strides] = [c.ints(c.input(1)), c.ints(c.input(2)), c.ints(c.input(3))];
  if (begin.length !== rank || end.length !== rank || strides.length !== rank) c.fail('begin, end and strides must each have one value per input dimension');
  if (c.option<number>('ellipsisMask', 0) !== 0 || c.option<number>('newAxisMask', 0) !== 0) c.fail('ellipsis_mask and new_axis_mask are not supported (TFLM ignores them)');
  const beginMask = c.option<number>('beginMask', 0);
  const endMask = c.option<number>('endMask', 0);
  const shrinkMask = c.option<number>('shrinkAxisMask', 0);
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const inStrides = rowMajorStrides(input.shape);
  const dims: number[] = [];
  const step: number[] = [];
  let start = 0;
  for (let k = 0; k < rank; k++) {
    const size = input.shape[k];
    const stride = strides[k];
    if (stride === 0) c.fail(`stride of dimension ${k} is 0`);
    let s = begin[k];
    if (s < 0) s += size;
    s = stride > 0 ? clamp(s, 0, size) : clamp(s, -1, size - 1);
    if (beginMask & (1 << k)) s = stride > 0 ? 0 : size - 1;
    let e: number;
    if (shrinkMask & (1 << k)) {
      e = s >= size ? s : s + 1;
    } else {
      e = end[k];
      if (e < 0) e += size;
      e = stride > 0 ? clamp(e, 0, size) : clamp(e, -1, size - 1);
      if (endMask & (1 << k)) e = stride > 0 ? size : -1;
    }
    const count = stride > 0 ? Math.max(0, Math.ceil((e - s) / stride)) : Math.max(0, Math.ceil((s - e) / -stride));
    dims.push(count);
    step.push(stride * inStrides[k]);
    if (count > 0) start += s * inStrides[k];
  }
  const pad = MAX_DIMS - rank;
  return gatherRecord(c, input, output, {
    dims: [...new Array<number>(pad).fill(1), ...dims],
    step: [...new Array<number>(pad).fill(0), ...step],
    start,
  });
}

function lowerPad(c: OpContext): LoweredOp {
  c.expectCounts([2, 3]);
  const input = c.input(0);
  const output = c.output();
  expectSameQuant(c, input, output);
  const rank = input.shape.length;
  if (rank > MAX_DIMS) c.fail(`rank ${rank} above ${MAX_DIMS}`);
  const paddings = c.ints(c.input(1));
  if (paddings.length !== 2 * rank) c.fail(`paddings hold ${paddings.length} values, expected ${2 * rank}`);
  const before: number[] = [];
  for (let k = 0; k < rank; k++) {
    const [lo, hi] = [paddings[2 * k], paddings[2 * k + 1]];
    if (lo < 0 || hi < 0) c.fail(`negative padding on dimension ${k}`);
    if (input.shape[k] + lo + hi !== output.shape[k]) c.fail(`output dimension ${k} is ${output.shape[k]}, expected ${input.shape[k] + lo + hi}`);
    before.push(lo);
  }
  let padValue = 0;
  const constantValues = c.optionalInput(2);
  if (constantValues) {
    const data = c.constData(constantValues) ?? c.fail('constant_values must be a constant');
    if (constantValues.type !== input.type || data.length !== ELEMENT_BYTES[input.type]) c.fail('constant_values must be one value of the input type');
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    // The kernel stores the low elem_size bytes of pad_value, so a float keeps its bit pattern.
    padValue = data.length === 1 ? view.getInt8(0) : data.length === 2 ? view.getInt16(0, true) : view.getInt32(0, true);
  } else if (input.type === 'int8' || input.type === 'int16') {
    padValue = c.quant(output).zeroPoint;
  }
  const pad = MAX_DIMS - rank;
  const r = new RecordBuilder(OP.PAD, PAD)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('elemSize', elemSizeOf(c, input))
    .setList('inputDims', extend(input.shape))
    .setList('outputDims', extend(output.shape))
    .setList('before', [...new Array<number>(pad).fill(0), ...before])
    .set('padValue', padValue);
  return c.finish(r.code, r.words);
}

function lowerConcatenation(c: OpContext): LoweredOp {
  if (c.op.inputs.length < 1 || c.op.outputs.length !== 1) c.fail('needs at least one input and one output');
  const output = c.output();
  const rank = output.shape.length;
  let axis = c.option<number>('axis');
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) c.fail(`axis ${c.option<number>('axis')} is outside rank ${rank}`);
  if (c.option<string>('fusedActivationFunction', 'NONE') !== 'NONE') c.fail('a fused activation on CONCATENATION is not supported');
  const elem = elemSizeOf(c, output);
  const outer = output.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inputs = c.op.inputs.map((_, k) => c.input(k));
  const r = new RecordBuilder(OP.CONCATENATION, CONCAT, inputs.length * CONCAT_INPUT.words);
  let axisTotal = 0;
  inputs.forEach((t, k) => {
    expectSameQuant(c, t, output);
    if (t.shape.length !== rank || t.shape.some((d, j) => j !== axis && d !== output.shape[j])) c.fail(`input ${k} shape [${t.shape.join(',')}] does not fit the output`);
    axisTotal += t.shape[axis];
    const [ref, inPack] = c.readAny(t);
    const at = CONCAT.words + k * CONCAT_INPUT.words;
    r.words[at + CONCAT_INPUT.input] = ref;
    r.words[at + CONCAT_INPUT.inPack] = inPack;
    r.words[at + CONCAT_INPUT.rowBytes] = (elementCount(t.shape) / Math.max(outer, 1)) * elem;
  });
  if (axisTotal !== output.shape[axis]) c.fail(`inputs add up to ${axisTotal} along the axis, output has ${output.shape[axis]}`);
  r.set('output', c.write(output)).set('outerSize', outer).set('inputCount', inputs.length);
  return c.finish(r.code, r.words);
}

/** A reshape whose input is computed in the op before it and must stay: copy (rare; normally reshapes alias). */
export function copyOp(c: OpContext, input: Tensor, output: Tensor): LoweredOp {
  const [ref, inPack] = c.readAny(input);
  const r = new RecordBuilder(OP.COPY, COPY)
    .set('input', ref)
    .set('output', c.write(output))
    .set('bytes', elementCount(input.shape) * ELEMENT_BYTES[input.type])
    .set('inputInPack', inPack);
  return c.finish(r.code, r.words);
}

/** Ops that only reinterpret the shape: the output shares its input's memory. */
export const ALIASING_OPS = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);

export const LOWERINGS: Record<string, (c: OpContext) => LoweredOp> = {
  CONV_2D: (c) => convCommon(c, false),
  DEPTHWISE_CONV_2D: (c) => convCommon(c, true),
  FULLY_CONNECTED: lowerFullyConnected,
  AVERAGE_POOL_2D: (c) => lowerPool(c, OP.AVERAGE_POOL_2D),
  MAX_POOL_2D: (c) => lowerPool(c, OP.MAX_POOL_2D),
  SOFTMAX: lowerSoftmax,
  LOGISTIC: (c) => lowerSigmoid(c, OP.LOGISTIC),
  TANH: (c) => lowerSigmoid(c, OP.TANH),
  ADD: (c) => lowerBinary(c, OP.ADD),
  MUL: (c) => lowerBinary(c, OP.MUL),
  RELU: lowerRelu,
  RELU6: lowerRelu6,
  LEAKY_RELU: lowerLeakyRelu,
  QUANTIZE: lowerQuantize,
  DEQUANTIZE: lowerDequantize,
  MEAN: lowerMean,
  PAD: lowerPad,
  PADV2: lowerPad,
  CONCATENATION: lowerConcatenation,
  STRIDED_SLICE: lowerStridedSlice,
  TRANSPOSE: lowerTranspose,
};

// Audio front end (TFLM signal custom ops), int32 element-wise ops and CAST: host/compiler/lower-signal.ts.
export { RecordBuilder, broadcastView, extend };
export interface LoweredOp {
  /** Arena tensors that hold state across invokes (never reused; zeroed by a reset). */
  persistent?: number[];
}
registerSignalLowerings(LOWERINGS);
