// Damaged and hostile .tflite files: every one must either parse or throw TfliteFormatError (never
// a RangeError, TypeError, a hang or a crash), and each must finish quickly.
import { describe, expect, it } from 'vitest';
import { Builder } from 'flatbuffers';
import { encode } from 'flatbuffers/js/flexbuffers.js';
import { parseTflite, TfliteFormatError, type TfliteModel } from '../../host/tflite/index.js';
import { addModelSpec, buildModel } from './build-model.js';
import { modelBytes, prng } from './helpers.js';

type Outcome = 'parsed' | 'rejected';

/** Parses, failing the test on anything but success or a TfliteFormatError, or on a slow parse. */
function outcome(bytes: Uint8Array, label: string): Outcome {
  const start = performance.now();
  let result: Outcome = 'parsed';
  try {
    parseTflite(bytes);
  } catch (e) {
    if (!(e instanceof TfliteFormatError)) throw new Error(`${label}: ${String(e)} instead of a TfliteFormatError`, { cause: e });
    result = 'rejected';
  }
  const ms = performance.now() - start;
  if (ms > 250) throw new Error(`${label}: took ${ms.toFixed(0)} ms`);
  return result;
}

function errorOf(bytes: Uint8Array): string {
  try {
    parseTflite(bytes);
  } catch (e) {
    if (e instanceof TfliteFormatError) return e.message;
    throw e;
  }
  return 'parsed';
}

/** Byte ranges of buffer data: damage there changes weights, not structure. */
function dataRanges(model: TfliteModel): [number, number][] {
  return model.buffers.filter((b) => b.data.length > 0).map((b) => [b.fileOffset, b.fileOffset + b.data.length]);
}

/** Positions outside buffer data, where a change alters the flatbuffer's structure. */
function structurePositions(bytes: Uint8Array): number[] {
  const ranges = dataRanges(parseTflite(bytes));
  const positions: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (!ranges.some(([a, b]) => i >= a && i < b)) positions.push(i);
  return positions;
}

const HELLO = 'hello_world/hello_world_int8.tflite';
const AUDIO = 'micro_speech/audio_preprocessor_int8.tflite';
const SPEECH = 'micro_speech/micro_speech_quantized_int8.tflite';
const TINYCNN = 'ops/models/chain_tinycnn_00.tflite';

describe('hostile .tflite input', () => {
  it('truncated at every length (hello_world) and every 3rd (audio preprocessor)', () => {
    const counts = { parsed: 0, rejected: 0 };
    for (const [path, step] of [[HELLO, 1], [AUDIO, 3]] as const) {
      const bytes = modelBytes(path);
      for (let n = 0; n < bytes.length; n += step) counts[outcome(bytes.slice(0, n), `${path} cut at ${n}`)]++;
    }
    expect(counts.rejected).toBeGreaterThan(3000);
  });

  it('truncated at 300 random lengths (person_detect)', () => {
    const bytes = modelBytes('person_detection/person_detect_int8.tflite');
    const random = prng(7);
    for (let i = 0; i < 300; i++) {
      const n = Math.floor(random() * bytes.length);
      expect(outcome(bytes.subarray(0, n), `person_detect cut at ${n}`)).toBe('rejected');
    }
  });

  it('3000 random structural byte mutations across four models', () => {
    const random = prng(20240611);
    const counts = { parsed: 0, rejected: 0 };
    for (const path of [HELLO, AUDIO, SPEECH, TINYCNN]) {
      const original = modelBytes(path);
      const positions = structurePositions(original);
      for (let i = 0; i < 750; i++) {
        const bytes = original.slice();
        const changes = 1 + Math.floor(random() * 4);
        for (let c = 0; c < changes; c++) {
          const at = positions[Math.floor(random() * positions.length)]!;
          const r = random();
          // Extremes hit the limits (0, -1, sign bits) more often than uniform bytes would.
          bytes[at] = r < 0.2 ? 0 : r < 0.4 ? 0xff : r < 0.5 ? 0x80 : Math.floor(random() * 256);
        }
        counts[outcome(bytes, `${path} mutation ${i}`)]++;
      }
    }
    expect(counts.rejected).toBeGreaterThan(500);
    expect(counts.parsed).toBeGreaterThan(100);
  });

  it('1000 mutations inside the signal ops\' flexbuffer custom options', () => {
    const original = modelBytes(AUDIO);
    const model = parseTflite(original);
    const regions = model.subgraphs[0]!.operators
      .filter((op) => op.customOptions !== null)
      .map((op) => [op.customOptions!.byteOffset - original.byteOffset, op.customOptions!.length] as const);
    const random = prng(99);
    const counts = { parsed: 0, rejected: 0 };
    for (let i = 0; i < 1000; i++) {
      const bytes = original.slice();
      const [start, length] = regions[Math.floor(random() * regions.length)]!;
      for (let c = 0; c < 1 + Math.floor(random() * 3); c++) bytes[start + Math.floor(random() * length)] = Math.floor(random() * 256);
      counts[outcome(bytes, `flexbuffer mutation ${i}`)]++;
    }
    expect(counts.rejected).toBeGreaterThan(100);
  });

  it('every aligned word outside the weights set to offsets past the end, or to 0', () => {
    const original = modelBytes(HELLO);
    const positions = new Set(structurePositions(original));
    let rejected = 0;
    for (let at = 0; at + 4 <= original.length; at += 4) {
      if (!positions.has(at)) continue;
      for (const value of [0xfffffff0, original.length, 0x7fffffff, 0]) {
        const bytes = original.slice();
        new DataView(bytes.buffer).setUint32(at, value, true);
        if (outcome(bytes, `word ${at} = ${value}`) === 'rejected') rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(300);
  });

  it('names where a vector runs past the end of the file', () => {
    const spec = addModelSpec();
    spec.tensors[0]!.shape = [1, 2, 3, 123456789];
    const bytes = buildModel(spec);
    const view = new DataView(bytes.buffer);
    let at = 0;
    while (view.getInt32(at, true) !== 123456789) at += 4;
    const lengthAt = at - 16;
    view.setUint32(lengthAt, 0x1000000, true);
    expect(errorOf(bytes)).toBe(
      `subgraph 0 > tensor 0 > shape: vector of ${0x1000000} x 4 bytes runs past end of file ` +
        `(offset ${lengthAt + 4}, ${4 * 0x1000000} bytes, file ${bytes.length} bytes)`,
    );
  });

  it('rejects a root offset past the end and files too short to hold one', () => {
    const bytes = buildModel(addModelSpec());
    new DataView(bytes.buffer).setUint32(0, 0xfffffff0, true);
    expect(errorOf(bytes)).toMatch(/^file header: root table points past end of file \(offset 4294967280/);
    expect(errorOf(new Uint8Array(0))).toBe('model: file of 0 bytes is too short to be a flatbuffer');
    expect(errorOf(Uint8Array.of(8, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33))).toMatch(/root table points past end of file/);
  });

  it('reads a table that is its own vtable (soffset 0) as an empty table, as the Verifier does, and rejects a vtable running off the end', () => {
    // [root -> 8]["TFL3"][table at 8: soffset 0], so the vtable is the table's first bytes, sized 0:
    // VerifyTableStart accepts it and every field reads as absent, so the model fails on its content.
    const selfVtable = Uint8Array.of(8, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0, 0);
    expect(errorOf(selfVtable)).toBe('model: schema version 0, this reader reads version 3');
    // soffset -4: the vtable sits just after the table and claims 0xfffe bytes.
    const hugeVtable = Uint8Array.of(8, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0xfc, 0xff, 0xff, 0xff, 0xfe, 0xff, 8, 0);
    expect(errorOf(hugeVtable)).toMatch(/^model: vtable runs past end of file \(offset 12, 65534 bytes, file 16 bytes\)/);
    // An odd vtable size is refused (VerifyTableStart checks the size's alignment).
    const oddVtable = Uint8Array.of(8, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0xfc, 0xff, 0xff, 0xff, 5, 0, 8, 0);
    expect(errorOf(oddVtable)).toBe('model: vtable at offset 12 claims an odd size of 5 bytes');
  });

  it('reads a vector element offset of 0 as the Verifier does: a table over its own offset field', () => {
    // Root table: vtable [8 bytes, table 12, version @4, operator_codes absent, subgraphs @8].
    const bytes = new Uint8Array(40);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, 20, true);
    bytes.set([0x54, 0x46, 0x4c, 0x33], 4);
    [10, 12, 4, 0, 8].forEach((x, i) => v.setUint16(8 + 2 * i, x, true));
    v.setInt32(20, 20 - 8, true); // soffset to the vtable
    v.setUint32(24, 3, true); // version
    v.setUint32(28, 4, true); // subgraphs vector at 32
    v.setUint32(32, 1, true); // one subgraph...
    v.setUint32(36, 0, true); // ...whose offset points at itself: soffset 0, a 0-byte vtable, no fields
    // Vector::Get follows element offsets unchecked and the table there verifies, so this is an
    // empty subgraph (the compiler then says the model has no inputs), not a damaged file.
    const model = parseTflite(bytes);
    expect(model.subgraphs).toHaveLength(1);
    expect(model.subgraphs[0]!.tensors).toHaveLength(0);
    // A FIELD offset of 0 is refused: VerifyOffset checks it.
    v.setUint32(28, 0, true);
    expect(errorOf(bytes)).toMatch(/^model: the flatbuffer is damaged: Model\.subgraphs: offset to vector is 0/);
  });

  it('stops a file whose offsets all share one big subtree (2000 x 2000 x 20000 values) quickly', () => {
    const b = new Builder(1 << 17);
    b.startVector(4, 20000, 4);
    for (let i = 0; i < 20000; i++) b.addInt32(1);
    const shape = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, shape, 0);
    const tensor = b.endObject();
    b.startVector(4, 2000, 4);
    for (let i = 0; i < 2000; i++) b.addOffset(tensor);
    const tensors = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, tensors, 0);
    const subgraph = b.endObject();
    b.startVector(4, 2000, 4);
    for (let i = 0; i < 2000; i++) b.addOffset(subgraph);
    const subgraphs = b.endVector();
    b.startObject(3);
    b.addFieldInt32(0, 3, null);
    b.addFieldOffset(2, subgraphs, 0);
    b.finish(b.endObject(), 'TFL3');
    const bytes = b.asUint8Array().slice();
    expect(outcome(bytes, 'shared subtree')).toBe('rejected');
    expect(errorOf(bytes)).toMatch(/file asks for more values than it could hold/);
  });

  describe('custom options flexbuffers', () => {
    function withCustomOptions(options: Uint8Array): Uint8Array {
      const spec = addModelSpec();
      spec.codes.push({ builtin: 32, custom: 'Hostile' });
      spec.operators.push({ opcodeIndex: 1, inputs: [2], outputs: [2], customOptions: options });
      return buildModel(spec);
    }

    it('stops a 200-byte buffer that expands to 2^40 values (every vector shared twice)', () => {
      // Level k: [length 2][offset to level k-1][offset to level k-1][type VECTOR][type VECTOR].
      const bytes = [0]; // level 0: an empty vector whose elements would start at 1
      let previous = 1;
      for (let level = 1; level <= 40; level++) {
        const lengthAt = bytes.length;
        const start = lengthAt + 1;
        bytes.push(2, start - previous, start + 1 - previous, 40, 40);
        previous = start;
      }
      const rootAt = bytes.length;
      bytes.push(rootAt - previous, 40, 1);
      const model = withCustomOptions(Uint8Array.from(bytes));
      expect(outcome(model, 'flexbuffer bomb')).toBe('rejected');
      expect(errorOf(model)).toMatch(/^subgraph 0 > operator 1 > custom_options: flexbuffer .*more values than the buffer could hold/);
    });

    it('rejects nesting deeper than 64 and offsets before the buffer', () => {
      const bytes = [0];
      let previous = 1;
      for (let level = 1; level <= 80; level++) {
        const start = bytes.length + 1;
        bytes.push(1, start - previous, 40);
        previous = start;
      }
      bytes.push(bytes.length - previous, 40, 1);
      expect(errorOf(withCustomOptions(Uint8Array.from(bytes)))).toMatch(/nested deeper than 64/);
      expect(errorOf(withCustomOptions(Uint8Array.of(0, 0, 200, 40, 1)))).toMatch(/custom_options: flexbuffer \/: offset 200 at 2 points before the buffer/);
    });

    it('a map key "__proto__" stays an own property', () => {
      const map: Record<string, number> = {};
      Object.defineProperty(map, '__proto__', { value: 7, enumerable: true });
      const value = parseTflite(withCustomOptions(encode(map))).subgraphs[0]!.operators[1]!.customOptionsValue;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe(7);
    });
  });
});
