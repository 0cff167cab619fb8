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
  /** Typed views made by input() and output(), by index (see view()). */
  private inputViews: TensorView[] = [];
  private outputViews: TensorView[] = [];

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
    return this.view(this.layout.inputs, this.inputViews, i, 'input');
  }

  /** A typed view of output `i`, valid until the next invoke(). */
  output(i: number): TensorView {
    return this.view(this.layout.outputs, this.outputViews, i, 'output');
  }

  /**
   * Runs every op in order: one native call (the kernels walk the pack's op table). Kept short:
   * Espruino interprets the source text of every statement it runs, each time it runs it, so the
   * code on the per-frame path is counted in interpreter instructions (bench/espruino).
   */
  invoke(): void {
    if (this.busy) this.busyError();
    // Addresses are fetched per call: flat buffers can move between calls on Espruino.
    var result = this.kernels.invokeOps(this.pack.address(), this.arena.address(), 0, this.records.length);
    if (result) this.failed(result);
  }

  /**
   * Runs every op in order, `opsPerSlice` ops per event-loop tick (default 1), then calls
   * done() (or done(error) when an op fails: the remaining ops do not run). Between slices the
   * engine serves timers, buttons, BLE and the display, so a model that takes seconds does not
   * freeze the board; the arena must not be touched until done runs. One at a time per model.
   */
  invokeAsync(done: (error?: Error) => void, opsPerSlice?: number): void {
    if (this.busy) this.fail('invokeAsync() while another invoke of this model is running');
    var per = opsPerSlice === undefined ? 1 : opsPerSlice;
    if (!(per >= 1) || Math.floor(per) !== per) throw new Error('tinysense: invokeAsync: opsPerSlice must be a whole number >= 1, got ' + opsPerSlice);
    var self = this;
    var n = this.records.length;
    var next = 0;
    this.busy = true;
    function slice(): void {
      var count = Math.min(n - next, per);
      try {
        var result = self.kernels.invokeOps(self.pack.address(), self.arena.address(), next, count);
        if (result) self.failed(result);
        next += count;
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
    if (!(i >= 0 && i < this.records.length)) throw new Error('tinysense: no op ' + i + ' (the model has ' + this.records.length + ')');
    // Addresses are fetched per call: flat buffers can move between calls on Espruino.
    var pack = this.pack.address();
    this.check(i, this.kernels.invoke(pack + this.records[i], this.arena.address(), pack));
  }

  private busyError(): never {
    throw new Error('tinysense: invoke() while invokeAsync() is running on this model');
  }

  private fail(why: string): never {
    throw new Error('tinysense: ' + why);
  }

  /** Throws for invokeOps' result -(i * 256 + -status): op i failed (tinysense_nn.h TS_INVOKE_OPS_FAILED). */
  private failed(result: number): void {
    this.check(-result >> 8, -(-result & 255));
  }

  private check(i: number, status: number): void {
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

  /**
   * The view of tensor `i` of `list`, made once: apps ask for it every frame, and on Espruino a
   * new typed array per call costs more interpreter work than the rest of the call. Made again
   * when its memory went away (WebAssembly memory that grew detaches the old views: length 0).
   * Not `v.buffer === mem.buffer`: Espruino compares ArrayBuffers by converting both to strings,
   * which for an 80 KB arena ends in OUT OF MEMORY (found on the real interpreter).
   */
  private view(list: TensorInfo[], made: TensorView[], i: number, what: string): TensorView {
    var v = made[i];
    return v && v.length ? v : (made[i] = this.make(list, i, what));
  }

  private make(list: TensorInfo[], i: number, what: string): TensorView {
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
