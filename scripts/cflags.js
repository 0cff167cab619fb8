// kernels-c/cflags.txt as an argument list: the C flags every build of the kernels shares (the file says
// which builds read it). For the Node-driven builds: scripts/fuzz.js and test/jerryscript/glue-harness.ts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'kernels-c', 'cflags.txt');

/** @returns {string[]} */
export function kernelCflags() {
  return readFileSync(FILE, 'utf8').split('\n').map((line) => line.replace(/#.*/, '').trim()).filter((line) => line !== '');
}
