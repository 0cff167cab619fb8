/**
 * What every lowering shares: the per-op context (typed operand access, errors that name the op), the
 * record builder over device/records.ts layouts, the constant pool, and the lowered-op form the
 * compiler's later stages (lifetimes, planning, layout) consume.
 */
import { createHash } from 'node:crypto';
import { Layout } from '../../../device/records.js';
import { ELEMENT_BYTES, ElementType, Graph, Operator, Tensor, constIntegers, elementCount } from '../graph.js';
import { FusedActivation, Requant, activationRange, quantizeMultiplier } from '../quant.js';

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
  /** Arena tensors that hold state across invokes (never reused; zeroed by a reset). */
  persistent?: number[];
  /** Bytes each persistent tensor needs when the kernel keeps it wider than its tensor (the LSTM's hidden state). */
  persistentBytes?: number[];
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

export class RecordBuilder {
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

export interface View {
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
      // int16 activations clamp to the int16 range (CalculateActivationRangeQuantized by type).
      return output.type === 'int16' ? activationRange(act, scale, zeroPoint, -32768, 32767) : activationRange(act, scale, zeroPoint);
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

