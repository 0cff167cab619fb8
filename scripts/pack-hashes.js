#!/usr/bin/env node
// Compiles every .tflite under the given folders (default: models/) with the built compiler (dist/, or
// --dist DIR) and prints one line per model: sha256 of the pack, arena bytes, pack bytes, path — or the
// compile error. Refactors of the compiler diff this output before and after: packs must stay byte-identical.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
let dist = 'dist';
const roots = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dist') dist = args[++i];
  else roots.push(args[i]);
}
if (roots.length === 0) roots.push('models');
const { compileGraph } = await import(pathToFileURL(resolve(dist, 'host/compiler/compile.js')).href);
const { graphFromTflite } = await import(pathToFileURL(resolve(dist, 'host/compiler/from-tflite.js')).href);
const compileTflite = (bytes) => compileGraph(graphFromTflite(bytes));

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith('.tflite')) yield path;
  }
}

for (const root of roots) {
  for (const path of walk(root)) {
    const name = relative(process.cwd(), path);
    try {
      const c = compileTflite(new Uint8Array(readFileSync(path)));
      console.log(`${createHash('sha256').update(c.pack).digest('hex')} arena=${c.arenaBytes} pack=${c.packBytes} ${name}`);
    } catch (e) {
      console.log(`error ${name}: ${e.message}`);
    }
  }
}
