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
  /** An invokeAsync() is between slices. */
  private busy = false;

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
    if (this.busy) throw new Error('tinysense: invoke() while invokeAsync() is running on this model');
    var n = this.records.length;
    for (var i = 0; i < n; i++) this.invokeOp(i);
  }

  /**
   * Runs every op in order, `opsPerSlice` ops per event-loop tick (default 1), then calls
   * done() (or done(error) when an op fails: the remaining ops do not run). Between slices the
   * engine serves timers, buttons, BLE and the display, so a model that takes seconds does not
   * freeze the board; the arena must not be touched until done runs. One at a time per model.
   */
  invokeAsync(done: (error?: Error) => void, opsPerSlice?: number): void {
    if (this.busy) throw new Error('tinysense: invokeAsync() while another invoke of this model is running');
    var per = opsPerSlice === undefined ? 1 : opsPerSlice;
    if (!(per >= 1) || Math.floor(per) !== per) throw new Error('tinysense: invokeAsync: opsPerSlice must be a whole number >= 1, got ' + opsPerSlice);
    var self = this;
    var n = this.records.length;
    var next = 0;
    this.busy = true;
    function slice(): void {
      var end = Math.min(n, next + per);
      try {
        for (; next < end; next++) self.invokeOp(next);
      } catch (e) {
        self.busy = false;
        done(e as Error);
        return;
      }
      if (next < n) setTimeout(slice, 0);
      else {
        self.busy = false;
        done();
      }
    }
    setTimeout(slice, 0);
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
      case 'uint8':
      case 'bool': return new Uint8Array(mem.buffer, at, t.bytes);
      case 'int16': return new Int16Array(mem.buffer, at, t.bytes / 2);
      case 'int32': return new Int32Array(mem.buffer, at, t.bytes / 4);
      default: return new Float32Array(mem.buffer, at, t.bytes / 4);
    }
  }
}
