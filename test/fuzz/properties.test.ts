// Property-based tests (fast-check, fixed seeds) over the TypeScript side: any input to the .tflite
// reader + compiler, the pack validator, the trace readers or tinysense.json gives a named error, or a
// result that holds: a compiled pack passes the device validator with the work it declares, and a pack
// the validator accepts runs inside its buffers (guarded WebAssembly kernels) within its declared work.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { validatePack } from '../../device/validate.js';
import { compileTflite } from '../../host/model.js';
import { parseCsvTrace, parseWav, TraceError } from '../../host/sim/traces.js';
import { resolveApp } from '../../host/bundler/project.js';
import { loadAndRunHostile, sharedBytes } from '../shared.js';
import { crc } from '../jerryscript/glue-harness.js';

const work = mkdtempSync(join(tmpdir(), 'tinysense-props-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const check = (p: Uint8Array) => (f: number, l: number) => crc(p.subarray(f, f + l));
const named = (e: unknown) => e instanceof Error && e.message.length > 10 && !/undefined|null|NaN|is not a function|Cannot read/.test(e.message);

/** Mutations: up to 8 bytes overwritten, or the file cut short. */
const mutation = (length: number) => fc.oneof(
  fc.array(fc.tuple(fc.integer({ min: 0, max: length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((sets) => ({ sets, cut: length })),
  fc.integer({ min: 0, max: length - 1 }).map((cut) => ({ sets: [] as [number, number][], cut })),
);
function apply(bytes: Uint8Array, m: { sets: [number, number][]; cut: number }): Uint8Array {
  const out = bytes.slice(0, m.cut);
  for (const [at, v] of m.sets) if (at < out.length) out[at] = v;
  return out;
}

describe('properties of the TypeScript side (fixed seeds)', () => {
  it('.tflite reader + compiler: a mutated model gives a named error, or a pack the validator accepts with the work it declares', () => {
    const model = sharedBytes('hello_world', 'hello_world_int8.tflite');
    fc.assert(fc.property(mutation(model.length), (m) => {
      let pack: Uint8Array;
      try {
        pack = compileTflite(apply(model, m)).pack;
      } catch (e) {
        return named(e);
      }
      const layout = validatePack(pack, check(pack));
      return layout.declaredWork !== undefined && layout.declaredWork.macs === layout.work.macs && layout.declaredWork.ops === layout.work.ops;
    }), { numRuns: 300, seed: 15 });
  });

  it('pack validator: a mutated, re-signed pack is refused with a message, or runs inside its buffers', () => {
    const pack = compileTflite(sharedBytes('hello_world', 'hello_world_int8.tflite')).pack;
    fc.assert(fc.property(mutation(pack.length), (m) => {
      const p = apply(pack, m);
      if (p.length >= 16) new DataView(p.buffer).setUint32(12, crc(p.subarray(16, Math.min(p.length, new DataView(p.buffer).getUint32(8, true)))), true);
      try {
        validatePack(p, check(p));
      } catch (e) {
        return /^tinysense: invalid model pack: /.test((e as Error).message);
      }
      loadAndRunHostile(p, new Uint8Array(1));
      return true;
    }), { numRuns: 200, seed: 15 });
  });

  it('trace readers: any CSV text or WAV bytes give a trace or a TraceError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        return typeof parseCsvTrace(text) === 'object';
      } catch (e) {
        return e instanceof TraceError && named(e);
      }
    }), { numRuns: 300, seed: 15 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
      try {
        parseWav(bytes);
        return true;
      } catch (e) {
        return e instanceof TraceError && named(e);
      }
    }), { numRuns: 300, seed: 15 });
  });

  it('tinysense.json: any JSON value gives a resolved app or a named error', () => {
    let k = 0;
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
      const dir = join(work, `app${k++}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'tinysense.json'), JSON.stringify(value));
      try {
        resolveApp(dir);
        return true;
      } catch (e) {
        return named(e);
      }
    }), { numRuns: 150, seed: 15 });
  });
});
