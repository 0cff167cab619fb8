/**
 * A model pack made without the compiler (docs/model-pack.md, written by host/compiler/pack-writer.ts):
 * one COPY record (ts_copy_record) moving 4 input bytes to the output. Used to test the harnesses themselves.
 */
import { DTYPE } from '../../device/pack.js';
import { COPY, OP } from '../../device/records.js';
import { layoutPack, writePack } from '../../host/compiler/pack-writer.js';

export function copyPack(opts: { opCode?: number } = {}): { pack: Uint8Array; input: Uint8Array; expected: Uint8Array } {
  const words = new Array<number>(COPY.words).fill(0);
  words[0] = opts.opCode ?? OP.COPY;
  words[1] = COPY.words;
  words[COPY.input] = 0;
  words[COPY.output] = 16;
  words[COPY.bytes] = 4;
  words[COPY.inputInPack] = 0;
  const sections = layoutPack({ recordWords: [words.length], tensors: 2, inputs: 1, outputs: 1, constants: [], work: false });
  const tensor = (offset: number) => ({ dtype: DTYPE.int8, shape: [4], offset, bytes: 4 });
  const pack = writePack(sections, { arenaBytes: 32, records: [words], tensors: [tensor(0), tensor(16)], inputs: [0], outputs: [1], constants: [] });
  const input = new Uint8Array([1, 2, 3, 4, 0x80, 0x7f, 0, 0xff]); // two invokes
  return { pack, input, expected: input.slice() };
}
