// ts_invoke_ops: a range of a pack's op records in one native call (what Model.invoke and each
// invokeAsync slice use), on the WebAssembly build of the kernels: the same outputs as one ts_invoke
// per record, the range checked against the op table, and a failure naming the op and its status.
import { describe, expect, it } from 'vitest';
import { Kernels } from '../../device/kernels.js';
import { Model } from '../../device/runtime.js';
import { compileTflite } from '../../host/model.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { sharedBytes } from '../shared.js';

const pack = () => compileTflite(sharedBytes('person_detection', 'person_detect_int8.tflite')).pack;
const image = () => new Int8Array(sharedBytes('testdata', 'person_96x96_int8.bin').buffer);
const golden = () => [...new Int8Array(sharedBytes('golden', 'person_detection', 'person_scores_int8.bin').buffer)];

/** tinysense_nn.h TS_INVOKE_OPS_FAILED(i, status). */
const failed = (i: number, status: number) => -((i << 8) | -status);

describe('ts_invoke_ops', () => {
  it('runs every record in one call with the outputs of one ts_invoke per record', () => {
    const wasm = new WasmKernels({ guardBytes: 64 });
    const bytes = pack();
    const model = new Model(bytes, wasm);
    (model.input(0) as Int8Array).set(image());
    model.invoke();
    expect([...(model.output(0) as Int8Array)]).toEqual(golden());

    // The same pack op by op (invokeOp, through ts_invoke): the same arena, byte for byte.
    const byOp = new Model(bytes, wasm);
    (byOp.input(0) as Int8Array).set(image());
    for (let i = 0; i < byOp.layout.records.length; i++) byOp.invokeOp(i);
    expect(byOp.arenaBytes()).toEqual(model.arenaBytes());
  });

  it('checks the range against the op table and reports which op failed, with its status', () => {
    const wasm = new WasmKernels({ guardBytes: 64 });
    const bytes = pack();
    const placed = wasm.place(bytes);
    const layout = new Model(bytes, wasm).layout;
    const n = layout.records.length;
    const arena = wasm.allocate(layout.arenaBytes);
    const run = (first: number, count: number) => wasm.invokeOps(placed.address(), arena.address(), first, count);
    expect(run(0, n)).toBe(0);
    expect(run(n, 0)).toBe(0);
    expect(run(3, 4)).toBe(0);
    // Outside the table: op `first` (0 for a negative one) with TS_ERROR_ARGUMENT (-2); nothing runs.
    expect(run(0, n + 1)).toBe(failed(0, -2));
    expect(run(n, 1)).toBe(failed(n, -2));
    expect(run(-1, 1)).toBe(failed(0, -2));
    expect(run(2, -1)).toBe(failed(2, -2));
    // Record 5 gets an unknown op code: ops 0-4 run, op 5 answers TS_ERROR_UNKNOWN_OP (-1), 6 on do not.
    const view = placed.view();
    const at = layout.records[5];
    view[at] = 99;
    expect(run(0, n)).toBe(failed(5, -1));
    expect(run(6, n - 6)).toBe(0);
    // A wrong record length: TS_ERROR_ARGUMENT.
    view[at] = layout.ops[5];
    view[at + 4] += 1;
    expect(run(2, 10)).toBe(failed(5, -2));
  });

  it('Model.invoke and invokeAsync throw naming the op and status ts_invoke_ops reports', async () => {
    const wasm = new WasmKernels({ guardBytes: 64 });
    const ranges: [number, number][] = [];
    // The real kernels, except that op `fail[0]` fails with status `fail[1]`.
    const fail = [7, -2];
    const kernels: Kernels = {
      name: 'wasm-failing',
      allocate: (b) => wasm.allocate(b),
      place: (d) => wasm.place(d),
      invoke: (r, a, p) => wasm.invoke(r, a, p),
      crc32: (a, l) => wasm.crc32(a, l),
      preprocess: (params, src, srcOffset, dst, arg) => wasm.preprocess(params, src, srcOffset, dst, arg),
      invokeOps: (p, a, first, count) => {
        ranges.push([first, count]);
        if (fail[0] >= first && fail[0] < first + count) return failed(fail[0], fail[1]);
        return wasm.invokeOps(p, a, first, count);
      },
    };
    const model = new Model(pack(), kernels);
    expect(() => model.invoke()).toThrow(/^tinysense: op 7 \(\w+\) failed with status -2$/);
    expect(ranges).toEqual([[0, model.layout.records.length]]);
    ranges.length = 0;
    const error = await new Promise<Error | undefined>((resolve) => model.invokeAsync(resolve, 4));
    expect(ranges).toEqual([[0, 4], [4, 4]]);
    expect(error?.message).toMatch(/^tinysense: op 7 \(\w+\) failed with status -2$/);
    ranges.length = 0;
    fail[0] = 9;
    fail[1] = -1;
    const second = await new Promise<Error | undefined>((resolve) => model.invokeAsync(resolve, 8));
    expect(ranges).toEqual([[0, 8], [8, 8]]);
    expect(second?.message).toMatch(/^tinysense: op 9 \(\w+\) failed with status -1: these kernels have no \w+ \(a kernel blob built for other models\?/);
  });
});
