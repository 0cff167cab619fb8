/**
 * A model pack made by hand (docs/model-pack.md), independent of the compiler: one COPY record
 * (ts_copy_record) moving 4 input bytes to the output. Used to test the harnesses themselves.
 */
import { crc32 } from '../../host/compiler/crc32.js';

export function copyPack(opts: { opCode?: number } = {}): { pack: Uint8Array; input: Uint8Array; expected: Uint8Array } {
  // header 64 | op table @64 (1 entry) | record @68 (6 words) | tensors @92 (2 x 44) | input list @180 | output list @184
  const bytes = 188;
  const pack = new Uint8Array(bytes);
  const v = new DataView(pack.buffer);
  const u32 = (at: number, x: number) => v.setUint32(at, x >>> 0, true);
  u32(0, 0x4b505354);
  v.setUint16(4, 1, true);
  v.setUint16(6, 64, true);
  u32(8, bytes);
  u32(16, 32); // arena bytes
  u32(24, 1); // op count
  u32(28, 64);
  u32(32, 2); // tensors
  u32(36, 92);
  u32(40, 1); // inputs
  u32(44, 180);
  u32(48, 1); // outputs
  u32(52, 184);
  u32(56, bytes); // constants: none
  u32(60, 0);
  u32(64, 68);
  [opts.opCode ?? 19, 6, 0, 16, 4, 0].forEach((w, i) => u32(68 + 4 * i, w)); // op, words, input, output, bytes, input_in_pack
  const tensor = (at: number, offset: number) => {
    pack[at] = 1; // int8
    pack[at + 1] = 1; // rank
    pack[at + 2] = 0; // arena
    u32(at + 4, offset);
    u32(at + 8, 4);
    u32(at + 16, 0);
    u32(at + 20, 4);
  };
  tensor(92, 0);
  tensor(136, 16);
  u32(180, 0);
  u32(184, 1);
  u32(12, crc32(pack.subarray(16)));
  const input = new Uint8Array([1, 2, 3, 4, 0x80, 0x7f, 0, 0xff]); // two invokes
  return { pack, input, expected: input.slice() };
}
