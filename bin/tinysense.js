#!/usr/bin/env node
// The CLI lives in host/cli.ts, compiled to dist/ by `npm run build` (scripts/setup.sh runs it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/host/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('tinysense: not built yet; run `bash scripts/setup.sh` (or `npm run build`) first');
  process.exit(2);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
