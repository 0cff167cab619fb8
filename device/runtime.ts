/**
 * The model runtime that runs on the microcontroller: loads a model pack,
 * validates it once, then runs its ops through a Kernels binding.
 *
 * ES5 only (Espruino and JerryScript): no Map, Symbol, Math.imul, spread or
 * class inheritance.
 */
import { Kernels, NativeBuffer } from './kernels.js';
import { TensorInfo } from './pack.js';
import { OP_NAMES } from './records.js';
import { PackLayout, validatePack } from './validate.js';

export type TensorView = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array;

export class Model {
  /** What the validated pack holds. */
  readonly layout: PackLayout;
  private readonly kernels: Kernels;
  private readonly pack: NativeBuffer;
  private readonly arena: NativeBuffer;
  private readonly records: number[];
  /** Plain fields, not getters: accessors cost more than they give on Espruino. */
  readonly inputCount: number;
  readonly outputCount: number;

  /**
   * Validates `packBytes` and prepares its arena. Throws an Error naming the
   * first problem; no kernel runs on a pack that fails.
   */
  constructor(packBytes: Uint8Array, kernels: Kernels) {
    this.kernels = kernels;
    var pack = kernels.place(packBytes);
    this.layout = validatePack(pack.view(), function (from: number, length: number) {
      return kernels.crc32(pack.address() + from, length);
    });
    this.pack = pack;
    this.arena = kernels.allocate(this.layout.arenaBytes);
    this.records = this.layout.records;
    this.inputCount = this.layout.inputs.length;
    this.outputCount = this.layout.outputs.length;
  }

  /** A typed view of input `i` in the arena: write the input here before invoke(). */
  input(i: number): TensorView {
    return this.view(this.layout.inputs, i, 'input');
  }

  /** A typed view of output `i`, valid until the next invoke(). */
  output(i: number): TensorView {
    return this.view(this.layout.outputs, i, 'output');
  }

  /** Runs every op in order. */
  invoke(): void {
    var n = this.records.length;
    for (var i = 0; i < n; i++) this.invokeOp(i);
  }

  /** Runs op `i` alone (for per-op timing and layer-by-layer debugging). */
  invokeOp(i: number): void {
    // Addresses are fetched per call: flat buffers can move between calls on Espruino.
    var pack = this.pack.address();
    var status = this.kernels.invoke(pack + this.records[i], this.arena.address(), pack);
    if (status !== 0) {
      // -1 (TS_ERROR_UNKNOWN_OP): the kernels lack this op, e.g. a per-app blob built for other models.
      var why = status === -1 ? ': these kernels have no ' + OP_NAMES[this.layout.ops[i]] + ' (a kernel blob built for other models? rebuild the app with this model)' : '';
      throw new Error('tinysense: op ' + i + ' (' + OP_NAMES[this.layout.ops[i]] + ') failed with status ' + status + why);
    }
  }

  /** Bytes of the arena (for debugging and the simulator's memory view). */
  arenaBytes(): Uint8Array {
    return this.arena.view();
  }

  private view(list: TensorInfo[], i: number, what: string): TensorView {
    var t = list[i];
    if (!t) throw new Error('tinysense: no ' + what + ' ' + i + ' (the model has ' + list.length + ')');
    var mem = t.inPack ? this.pack.view() : this.arena.view();
    var at = mem.byteOffset + t.offset;
    switch (t.type) {
      case 'int8': return new Int8Array(mem.buffer, at, t.bytes);
      case 'uint8': return new Uint8Array(mem.buffer, at, t.bytes);
      case 'int16': return new Int16Array(mem.buffer, at, t.bytes / 2);
      case 'int32': return new Int32Array(mem.buffer, at, t.bytes / 4);
      default: return new Float32Array(mem.buffer, at, t.bytes / 4);
    }
  }
}
