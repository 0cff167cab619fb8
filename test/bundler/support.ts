/** Shared pieces of the build tests: fixtures, an in-memory build, and an Espruino-like sandbox. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { rollup, type OutputAsset, type OutputChunk, type RollupOutput } from 'rollup';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { BuildReport, TinysenseOptions, tinysense } from '../../host/bundler/plugin.js';
import type { SourceMapV3 } from '../../host/bundler/sourcemap.js';
import { ESPRUINO_PROFILE, EngineProfile, applyProfile } from '../../host/sim/engine-profile.js';

export const FIXTURES = join(PACKAGE_ROOT, 'test', 'bundler', 'fixtures');
export const APP = join(FIXTURES, 'app.ts');
export const FEATURES = join(FIXTURES, 'features.ts');

/** Size of the stand-in kernel blob, and its entry offsets. */
export const FAKE_BLOB_BYTES = 3000;
export const FAKE_ENTRIES = { ts_invoke: 0x40, ts_checksum: 0x6a0, ts_invoke_ops: 0x80 };

/** A directory with a stand-in tinysense-m4.bin/.json (the real blob is another step's output). */
export function fakeKernels(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinysense-kernels-'));
  writeFileSync(join(dir, 'tinysense-m4.bin'), new Uint8Array(FAKE_BLOB_BYTES).map((_, i) => i & 0xff));
  writeFileSync(join(dir, 'tinysense-m4.json'), JSON.stringify({ ...FAKE_ENTRIES, ts_version: 0x20 }));
  return dir;
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface Bundled {
  code: string;
  map?: SourceMapV3;
  assets: Record<string, string | Uint8Array>;
  report: BuildReport;
  warnings: string[];
}

/** Bundles `entry` in memory with the tinysense plugin. */
export async function bundle(entry: string, options: TinysenseOptions): Promise<Bundled> {
  const plugin = tinysense({ reports: true, ...options });
  const warnings: string[] = [];
  const build = await rollup({
    input: resolve(entry),
    plugins: [plugin],
    onLog(level, log) {
      if (level === 'warn') warnings.push(log.message);
    },
  });
  let output: RollupOutput['output'];
  try {
    output = (await build.generate({ entryFileNames: 'app.js' })).output;
  } finally {
    await build.close();
  }
  const chunk = output.find((o): o is OutputChunk => o.type === 'chunk')!;
  const assets: Record<string, string | Uint8Array> = {};
  for (const o of output) if (o.type === 'asset') assets[o.fileName] = (o as OutputAsset).source;
  return { code: chunk.code, map: chunk.map ? (chunk.map as SourceMapV3) : undefined, assets, report: plugin.api!.report()!, warnings };
}

/**
 * What Espruino 2v29 lacks, as the simulator takes it away (host/sim/engine-profile.ts), and one thing more:
 * Object.setPrototypeOf, which 2v29 has but older firmware did not; tslib's __extends relied on it when it
 * failed on a board, so the Espruino helpers (espruino-tslib.js) must do without it.
 */
const STRICTER_THAN_ESPRUINO: EngineProfile = {
  ...ESPRUINO_PROFILE,
  missingStatics: [...ESPRUINO_PROFILE.missingStatics, 'Object.setPrototypeOf'],
};

export interface Sandbox {
  context: vm.Context;
  output: string[];
  run(code: string): unknown;
}

export function espruinoSandbox(): Sandbox {
  const output: string[] = [];
  const context = vm.createContext({
    print: (...args: unknown[]) => output.push(args.map(String).join(' ')),
    setTimeout,
    clearTimeout,
  });
  applyProfile(context, STRICTER_THAN_ESPRUINO);
  return { context, output, run: (code) => vm.runInContext(code, context) };
}

/** A plain context (ES2020 engines: JerryScript). */
export function plainSandbox(): Sandbox {
  const output: string[] = [];
  const context = vm.createContext({ print: (...args: unknown[]) => output.push(args.map(String).join(' ')), setTimeout, clearTimeout });
  return { context, output, run: (code) => vm.runInContext(code, context) };
}

/** Waits until the sandbox printed `count` lines (timers and promises run in between). */
export async function waitForOutput(sandbox: Sandbox, count = 1, ms = 2000): Promise<string[]> {
  const until = Date.now() + ms;
  while (sandbox.output.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  return sandbox.output;
}
