/** Paths inside the tinysense package, the same whether code runs from host/ (tests) or dist/host/ (CLI). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tinysense') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tinysense: cannot find the package root');
    dir = parent;
  }
}

export const PACKAGE_ROOT = findRoot();
export const KERNELS_WASM = join(PACKAGE_ROOT, 'kernels-c', 'out', 'tinysense.wasm');
/**
 * The reference models, test inputs and TFLM goldens committed in models/ (models/README.md): every
 * reader of the corpus goes through this, so a clone anywhere has what the examples and tests need.
 */
export const MODELS_DIR = join(PACKAGE_ROOT, 'models');
