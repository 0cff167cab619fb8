// Never trust a model: damaged or hostile .tflite files and model packs must give a clear error,
// never a crash, a hang or a write outside the kernels' buffers.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRC_START, H } from '../../device/pack.js';
import { Model } from '../../device/runtime.js';
import { compileTflite, runOnce } from '../../host/model.js';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { WasmKernels } from '../../host/wasm/kernels.js';
import { loadAndRunHostile, opsIndex, shared, sharedBytes, prng, resign } from '../shared.js';

const models = ['chain_tinycnn_00', 'chain_mbv2block_03', 'chain_inception_04', 'chain_meanhead_02', 'chain_padvalid_06', 'chain_twoinput_08', 'concatenation_000', 'strided_slice_000'];

describe('model packs from the wrong hands', () => {
  const packs = models.map((name) => {
    const entry = opsIndex().find((e) => e.name === name)!;
    return { name, pack: compileTflite(sharedBytes('ops', entry.files.model)).pack, input: sharedBytes('ops', entry.files.inputs[0]) };
  });

  it('a truncated pack is refused with a message', () => {
    for (const { pack } of packs) {
      for (const length of [0, 3, 16, 63, 64, pack.length >> 1, pack.length - 4]) {
        expect(() => new Model(pack.slice(0, length), new WasmKernels())).toThrow(/invalid model pack/);
      }
    }
  });

  it('a flipped bit is caught by the checksum', () => {
    const rand = prng(1);
    for (const { pack } of packs) {
      for (let i = 0; i < 20; i++) {
        const bad = pack.slice();
        bad[CRC_START + Math.floor(rand() * (bad.length - CRC_START))] ^= 1 << Math.floor(rand() * 8);
        expect(() => new Model(bad, new WasmKernels())).toThrow(/checksum mismatch/);
      }
    }
  });

  it('re-signed packs with hostile words are refused, or run without touching memory outside their buffers', () => {
    const rand = prng(2);
    let refused = 0;
    let ran = 0;
    const interesting = [0, 1, -1, 2, 4, 127, -128, 255, 65535, 0x7fffffff, -0x80000000, 1 << 20, 31, 32, -32];
    for (const { pack, input } of packs) {
      const view = new DataView(pack.buffer, pack.byteOffset);
      const opTable = view.getUint32(H.opTable, true);
      const opCount = view.getUint32(H.opCount, true);
      for (let i = 0; i < 150; i++) {
        const bad = pack.slice();
        const badView = new DataView(bad.buffer);
        // Aim at the header and the op records, where offsets and dims live.
        const record = view.getUint32(opTable + 4 * Math.floor(rand() * opCount), true);
        const words = view.getInt32(record + 4, true);
        const at = rand() < 0.2 ? 4 * Math.floor(rand() * 16) : record + 4 * Math.floor(rand() * words);
        const value = rand() < 0.7 ? interesting[Math.floor(rand() * interesting.length)] : view.getInt32(at, true) + Math.floor(rand() * 64) - 32;
        badView.setInt32(at, value, true);
        resign(bad);
        if (loadAndRunHostile(bad, input) === 'refused') refused++;
        else ran++;
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(ran).toBeGreaterThan(0);
  });
});

describe('.tflite files from the wrong hands', () => {
  it('truncated and mutated models give a named error, not a crash', () => {
    const rand = prng(3);
    const original = sharedBytes('hello_world', 'hello_world_int8.tflite');
    let failed = 0;
    for (let i = 0; i < 300; i++) {
      const bad = i < 60 ? original.slice(0, Math.floor(rand() * original.length)) : original.slice();
      if (i >= 60) for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      try {
        const compiled = compileTflite(bad);
        runOnce(new Model(compiled.pack, new WasmKernels()), new Uint8Array(1));
      } catch (e) {
        expect((e as Error).name, (e as Error).stack).toMatch(/CompileError|TfliteFormatError/);
        failed++;
      }
    }
    expect(failed).toBeGreaterThan(60);
  });

  it('the CLI exits 1 with a message naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinysense-hostile-'));
    const truncated = join(dir, 'truncated.tflite');
    writeFileSync(truncated, sharedBytes('person_detection', 'person_detect_int8.tflite').subarray(0, 5000));
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'tinysense.js'), 'inspect', truncated], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tinysense: .+/);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/); // a message, not a stack trace
    // A model with an operator tinysense does not support names it.
    const ok = execFileSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'tinysense.js'), 'inspect', shared('hello_world', 'hello_world_int8.tflite')], { encoding: 'utf8' });
    expect(ok).toMatch(/FULLY_CONNECTED/);
  });
});
