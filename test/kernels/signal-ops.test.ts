// The audio front-end ops one by one (host/compiler/lower/signal.ts -> kernels-c/src/signal.c through
// the WebAssembly kernels), each against what can be derived independently of the kernels: exact
// integer formulas (BigInt where 64 bits are involved) or, for the FFT and the log, the float maths
// they approximate. The whole chain is checked byte for byte against TFLM in audio-frontend.test.ts.
import { describe, expect, it } from 'vitest';
import { Model } from '../../device/runtime.js';
import { resetState } from '../../device/state.js';
import { compileGraph } from '../../host/compiler/compile.js';
import { ElementType, Graph, Operator, Tensor } from '../../host/compiler/graph.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { lcg } from '../shared.js';

/** A tiny graph builder: tensors by index, operators in order. */
class Builder {
  readonly tensors: Tensor[] = [];
  readonly operators: Operator[] = [];
  tensor(type: ElementType, shape: number[], data: ArrayBufferView | null = null): number {
    const index = this.tensors.length;
    this.tensors.push({
      index, name: `t${index}`, type, typeName: type, shape, scales: [], zeroPoints: [], quantizedDimension: 0,
      data: data ? new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) : null, isVariable: false,
    });
    return index;
  }
  op(name: string, inputs: number[], outputs: number[], options: Record<string, unknown> = {}): void {
    this.operators.push({ index: this.operators.length, name, version: 1, inputs, outputs, options });
  }
  graph(inputs: number[], outputs: number[]): Graph {
    return { tensors: this.tensors, operators: this.operators, inputs, outputs, description: '' };
  }
}

function run(graph: Graph, inputs: ArrayBufferView[]): { model: Model; outputs: () => Uint8Array[]; invoke: () => void } {
  const compiled = compileGraph(graph);
  const kernels = new WasmKernels({ guardBytes: 64 });
  const model = new Model(compiled.pack, kernels);
  const invoke = () => {
    inputs.forEach((data, i) => {
      const view = model.input(i);
      new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    model.invoke();
    kernels.checkGuards();
  };
  const outputs = () => model.layout.outputs.map((_, i) => {
    const v = model.output(i);
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  });
  return { model, outputs, invoke };
}

function runOnce(graph: Graph, inputs: ArrayBufferView[]): Uint8Array[] {
  const r = run(graph, inputs);
  r.invoke();
  return r.outputs();
}

/** Deterministic pseudo-random integers in [lo, hi]. */
function rng(seed: number): (lo: number, hi: number) => number {
  const next = lcg(seed);
  return (lo, hi) => lo + (next() % (hi - lo + 1));
}

const i16 = (b: Uint8Array) => new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2);
const i32 = (b: Uint8Array) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
const u32 = (b: Uint8Array) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);

/** An int32 model input cast to uint32 (model inputs cannot be uint32). */
function uint32Input(g: Builder, n: number): [number, number] {
  const input = g.tensor('int32', [n]);
  const cast = g.tensor('uint32', [n]);
  g.op('CAST', [input], [cast]);
  return [input, cast];
}

function int32Output(g: Builder, t: number, n: number): number {
  const out = g.tensor('int32', [n]);
  g.op('CAST', [t], [out]);
  return out;
}

describe('audio front-end ops', () => {
  it('SignalWindow: saturate16((x * w) >> shift)', () => {
    const r = rng(1);
    const x = Int16Array.from({ length: 480 }, () => r(-32768, 32767));
    const w = Int16Array.from({ length: 480 }, () => r(-32768, 32767));
    const g = new Builder();
    const input = g.tensor('int16', [1, 480]);
    const window = g.tensor('int16', [480], w);
    const output = g.tensor('int16', [1, 480]);
    g.op('SignalWindow', [input, window], [output], { custom: { shift: 12 } });
    const [got] = runOnce(g.graph([input], [output]), [x]);
    const want = Int16Array.from(x, (v, i) => Math.max(-32768, Math.min(32767, (v * w[i]) >> 12)));
    expect(Array.from(i16(got))).toEqual(Array.from(want));
  });

  it('SignalWindow over several frames: the window repeats along the input', () => {
    const r = rng(11);
    const x = Int16Array.from({ length: 3 * 40 }, () => r(-32768, 32767));
    const w = Int16Array.from({ length: 40 }, () => r(0, 4096));
    const g = new Builder();
    const input = g.tensor('int16', [3, 40]);
    const output = g.tensor('int16', [3, 40]);
    g.op('SignalWindow', [input, g.tensor('int16', [40], w)], [output], { custom: { shift: 12 } });
    const [got] = runOnce(g.graph([input], [output]), [x]);
    expect(Array.from(i16(got))).toEqual(Array.from(x, (v, i) => Math.max(-32768, Math.min(32767, (v * w[i % 40]) >> 12))));
  });

  it('SignalFftAutoScale: shift left to use 15 bits, the shift as an output (0 for silence)', () => {
    for (const peak of [0, 1, 300, 16383, 16384, 32767, -32768]) {
      const x = Int16Array.from({ length: 64 }, (_, i) => (i === 17 ? peak : (i % 7) - 3));
      const g = new Builder();
      const input = g.tensor('int16', [64]);
      const output = g.tensor('int16', [64]);
      const bits = g.tensor('int32', []);
      g.op('SignalFftAutoScale', [input], [output, bits], { custom: {} });
      const [got, gotBits] = runOnce(g.graph([input], [output, bits]), [x]);
      // MaxAbs16 as TFLM writes it, int16 wrap included: -(-32768) stays -32768, and a later
      // value above that replaces it (so a lone -32768 does not count as the peak).
      let max = 0;
      for (const v of x) {
        if (v > max) max = v;
        else if (-v > max) max = (-v << 16) >> 16;
      }
      // MostSignificantBit32 of the value as uint32 (32 for 0, as TFLM's GCC build gives).
      const msb = max === 0 ? 32 : 32 - Math.clz32(max >>> 0);
      const want = Math.max(0, 16 - msb - 1);
      expect(i32(gotBits)[0], `peak ${peak}`).toBe(want);
      expect(Array.from(i16(got))).toEqual(Array.from(x, (v) => (v << want << 16) >> 16));
    }
  });

  it('SignalRfft int16: the 512-point real DFT scaled by 1/512, within fixed-point rounding', () => {
    const r = rng(2);
    const x = Int16Array.from({ length: 480 }, (_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 37.3 * i) / 512) + 6000 * Math.cos((2 * Math.PI * 101 * i) / 512)) + r(-2000, 2000));
    const g = new Builder();
    const input = g.tensor('int16', [480]);
    const output = g.tensor('int16', [514]);
    g.op('SignalRfft', [input], [output], { custom: { T: 7, fft_length: 512 } });
    const got = i16(runOnce(g.graph([input], [output]), [x])[0]);
    let worst = 0;
    for (let k = 0; k <= 256; k++) {
      let re = 0, im = 0;
      for (let n = 0; n < 480; n++) {
        re += x[n] * Math.cos((2 * Math.PI * k * n) / 512);
        im -= x[n] * Math.sin((2 * Math.PI * k * n) / 512);
      }
      worst = Math.max(worst, Math.abs(got[2 * k] - re / 512), Math.abs(got[2 * k + 1] - im / 512));
    }
    expect(got[1]).toBe(0);
    expect(got[513]).toBe(0);
    expect(worst).toBeLessThan(4);
  });

  it('SignalEnergy: re^2 + im^2 over [start, end)', () => {
    const r = rng(3);
    const x = Int16Array.from({ length: 2 * 257 }, () => r(-32768, 32767));
    const g = new Builder();
    const input = g.tensor('int16', [514]);
    const energy = g.tensor('uint32', [257]);
    g.op('SignalEnergy', [input], [energy], { custom: { start_index: 5, end_index: 241 } });
    const out = int32Output(g, energy, 257);
    const got = u32(runOnce(g.graph([input], [out]), [x])[0]);
    for (let k = 5; k < 241; k++) expect(got[k], `bin ${k}`).toBe((x[2 * k] ** 2 + x[2 * k + 1] ** 2) >>> 0);
  });

  it('SignalFilterBank + SignalFilterBankSquareRoot: weighted sums in 64 bits, rounded square root', () => {
    const r = rng(4);
    const channels = 6, bins = 40;
    const starts = [1, 5, 9, 14, 20, 27, 33];
    const widths = [4, 4, 5, 6, 7, 6, 5];
    const weightStarts: number[] = [];
    let nw = 0;
    for (const w of widths) { weightStarts.push(nw); nw += w; }
    const weights = Int16Array.from({ length: nw }, () => r(0, 4095));
    const unweights = Int16Array.from(weights, (w) => 4096 - w);
    const x = Int32Array.from({ length: bins }, () => r(0, 2 ** 31 - 1) * 2 + r(0, 1));
    const g = new Builder();
    const [input, cast] = uint32Input(g, bins);
    const bank = g.tensor('uint64', [channels]);
    g.op('SignalFilterBank', [cast, g.tensor('int16', [nw], weights), g.tensor('int16', [nw], unweights),
      g.tensor('int16', [channels + 1], Int16Array.from(starts)), g.tensor('int16', [channels + 1], Int16Array.from(weightStarts)),
      g.tensor('int16', [channels + 1], Int16Array.from(widths))], [bank], { custom: { num_channels: channels } });
    const root = g.tensor('uint32', [channels]);
    g.op('SignalFilterBankSquareRoot', [bank, g.tensor('int32', [], Int32Array.of(3))], [root], { custom: {} });
    const out = int32Output(g, root, channels);
    const got = u32(runOnce(g.graph([input], [out]), [x])[0]);
    const ux = Array.from(x, (v) => BigInt(v >>> 0));
    let carry = 0n;
    for (let ch = 0; ch <= channels; ch++) {
      let weighted = carry, unweighted = 0n;
      for (let j = 0; j < widths[ch]; j++) {
        weighted += BigInt(weights[weightStarts[ch] + j]) * ux[starts[ch] + j];
        unweighted += BigInt(unweights[weightStarts[ch] + j]) * ux[starts[ch] + j];
      }
      carry = unweighted;
      if (ch === 0) continue;
      // Sqrt64 rounds to nearest: floor root, plus one when the remainder exceeds it.
      let s = BigInt(Math.floor(Math.sqrt(Number(weighted))));
      while (s * s > weighted) s--;
      while ((s + 1n) * (s + 1n) <= weighted) s++;
      if (weighted - s * s > s) s++;
      expect(got[ch - 1], `channel ${ch - 1}`).toBe(Number(s >> 3n));
    }
  });

  it('SignalFilterBankSpectralSubtraction: noise estimate carried across invokes, zeroed by reset', () => {
    const n = 8;
    const p = { smoothing: 409, one_minus_smoothing: 15975, alternate_smoothing: 983, alternate_one_minus_smoothing: 15401, smoothing_bits: 10, spectral_subtraction_bits: 14, min_signal_remaining: 819, clamping: false, num_channels: n };
    const g = new Builder();
    const [input, cast] = uint32Input(g, n);
    const out = g.tensor('uint32', [n]);
    const noise = g.tensor('uint32', [n]);
    g.op('SignalFilterBankSpectralSubtraction', [cast], [out, noise], { custom: p });
    const outI = int32Output(g, out, n);
    const noiseI = int32Output(g, noise, n);
    const frames = [0, 1, 2, 3, 4, 5].map((f) => Int32Array.from({ length: n }, (_, i) => (f * 977 + i * 3001) % 60000));
    const m = run(g.graph([input], [outI, noiseI]), [frames[0]]);
    const expectFrames = () => {
      const est = new Array<bigint>(n).fill(0n);
      for (const frame of frames) {
        const [inputView] = [m.model.input(0)];
        (inputView as Int32Array).set(frame);
        m.model.invoke();
        const [gotOut, gotNoise] = m.outputs().map(u32);
        for (let i = 0; i < n; i++) {
          const [s, oms] = i & 1 ? [p.alternate_smoothing, p.alternate_one_minus_smoothing] : [p.smoothing, p.one_minus_smoothing];
          const up = BigInt((frame[i] << p.smoothing_bits) >>> 0);
          est[i] = ((up * BigInt(s) + est[i] * BigInt(oms)) >> 14n) & 0xffffffffn;
          const e = est[i] > up ? up : est[i];
          const floor = (BigInt(frame[i]) * 819n) >> 14n;
          const sub = (up - e) >> 10n;
          expect(gotNoise[i]).toBe(Number(est[i]));
          expect(gotOut[i]).toBe(Number(sub > floor ? sub : floor));
        }
      }
    };
    expectFrames();
    resetState(m.model);
    expectFrames();
  });

  it('SignalPCAN and SignalFilterBankLog: gain from the noise LUT, then 64 * ln(x << 3) within 1', () => {
    // PCAN with a LUT of unit gains: WideDynamicFunction reads lut[x] for x <= 2, else the triple at
    // 4 * msb(x) - 6 (index 2 mod 4) as c0 + c1 * frac + c2 * frac^2; c1 = c2 = 0 leaves c0 = 4096.
    const n = 16;
    const lut = Int16Array.from({ length: 125 }, (_, i) => (i < 3 || i % 4 === 2 ? 1 << 12 : 0));
    const g = new Builder();
    const [input, cast] = uint32Input(g, n);
    const [noiseIn, noiseCast] = uint32Input(g, n);
    const pcan = g.tensor('uint32', [n]);
    g.op('SignalPCAN', [cast, noiseCast, g.tensor('int16', [125], lut)], [pcan], { custom: { snr_shift: 6 } });
    const log = g.tensor('int16', [n]);
    g.op('SignalFilterBankLog', [pcan], [log], { custom: { output_scale: 64, input_correction_bits: 3 } });
    const pcanOut = int32Output(g, pcan, n);
    const x = Int32Array.from({ length: n }, (_, i) => (i * i * 37 + 1) * (i + 1) * 5);
    const noise = Int32Array.from({ length: n }, (_, i) => 3 + i * 1000);
    const [gotPcan, gotLog] = runOnce(g.graph([input, noiseIn], [pcanOut, log]), [x, noise]);
    for (let i = 0; i < n; i++) {
      const snr = Number((BigInt(x[i]) * 4096n) >> 6n) >>> 0;
      const shrunk = snr < 2 << 12 ? Math.floor((snr * snr) / 2 ** 20) : (snr >>> 6) - 64;
      expect(u32(gotPcan)[i], `pcan ${i}`).toBe(shrunk >>> 0);
      const scaled = (shrunk << 3) >>> 0;
      const want = scaled > 1 ? 64 * Math.log(scaled) : 0;
      expect(Math.abs(i16(gotLog)[i] - want), `log ${i} of ${scaled}`).toBeLessThanOrEqual(1);
    }
  });

  it('int32 ADD, SUB, MUL, DIV, MINIMUM, MAXIMUM with broadcasting, CAST int32 -> int8 truncates', () => {
    const r = rng(5);
    const a = Int32Array.from({ length: 12 }, () => r(-100000, 100000));
    const b = Int32Array.from({ length: 4 }, () => r(-300, 300) || 7);
    const cases: [string, (x: number, y: number) => number][] = [
      ['ADD', (x, y) => x + y], ['SUB', (x, y) => x - y], ['MUL', (x, y) => Math.imul(x, y)],
      ['DIV', (x, y) => Math.trunc(x / y)], ['MINIMUM', Math.min], ['MAXIMUM', Math.max],
    ];
    for (const [name, fn] of cases) {
      const g = new Builder();
      const input = g.tensor('int32', [3, 4]);
      const out = g.tensor('int32', [3, 4]);
      g.op(name, [input, g.tensor('int32', [4], b)], [out], { fusedActivationFunction: 'NONE' });
      const narrow = g.tensor('int8', [3, 4]);
      g.op('CAST', [out], [narrow]);
      const [got, gotNarrow] = runOnce(g.graph([input], [out, narrow]), [a]);
      const want = Array.from(a, (x, i) => fn(x, b[i % 4]) | 0);
      expect(Array.from(i32(got)), name).toEqual(want);
      expect(Array.from(new Int8Array(gotNarrow.buffer, gotNarrow.byteOffset, 12)), name).toEqual(want.map((v) => (v << 24) >> 24));
    }
  });

  it('STRIDED_SLICE and CONCATENATION on unquantized int16 and uint32 tensors move bytes', () => {
    const x = Int16Array.from({ length: 24 }, (_, i) => i * 1000 - 12000);
    const g = new Builder();
    const input = g.tensor('int16', [4, 6]);
    const slice = g.tensor('int16', [2, 3]);
    g.op('STRIDED_SLICE', [input, g.tensor('int32', [2], Int32Array.of(1, 0)), g.tensor('int32', [2], Int32Array.of(4, 6)), g.tensor('int32', [2], Int32Array.of(2, 2))], [slice],
      { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 });
    const joined = g.tensor('int16', [2, 5]);
    g.op('CONCATENATION', [slice, g.tensor('int16', [2, 2], Int16Array.of(7, 8, 9, 10))], [joined], { axis: 1, fusedActivationFunction: 'NONE' });
    const [wide, wideCast] = uint32Input(g, 4);
    const both = g.tensor('uint32', [8]);
    g.op('CONCATENATION', [wideCast, wideCast], [both], { axis: 0, fusedActivationFunction: 'NONE' });
    const bothOut = int32Output(g, both, 8);
    const [got, gotWide] = runOnce(g.graph([input, wide], [joined, bothOut]), [x, Int32Array.of(-1, 2, -3, 4)]);
    expect(Array.from(i16(got))).toEqual([-6000, -4000, -2000, 7, 8, 6000, 8000, 10000, 9, 10]);
    expect(Array.from(i32(gotWide))).toEqual([-1, 2, -3, 4, -1, 2, -3, 4]);
  });

  it('int32 DIV by a computed zero fails the invoke (TFLM errors too)', () => {
    const g = new Builder();
    const x = g.tensor('int32', [2]);
    const y = g.tensor('int32', [2]);
    const out = g.tensor('int32', [2]);
    g.op('DIV', [x, y], [out], { fusedActivationFunction: 'NONE' });
    const m = run(g.graph([x, y], [out]), [Int32Array.of(5, 6), Int32Array.of(1, 0)]);
    expect(() => m.invoke()).toThrow(/ELEMENTWISE_S32\) failed/);
  });
});
