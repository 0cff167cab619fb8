/**
 * Builds a tinysense app with rollup. The tinysense plugin is an ordinary
 * rollup plugin: extend this config (add plugins before or after it, change
 * the output) or copy it into your project.
 *
 *   npm run build:ts    # once: the plugin is compiled from host/bundler into dist/
 *   npx rollup -c --environment APP:examples/person/app.ts,BOARD:JOLTJS,MODEL:person.tflite
 *
 * Environment: APP (entry .ts), BOARD (an id from boards/ or a board .json),
 * MODEL (.tflite or .tsm), MODEL_FILE (its Storage name), MODEL_CARD (.json),
 * OUT (output folder, default dist/app), MINIFY=1.
 * Programmatic builds: buildApp() from host/bundler (what `tinysense build` runs).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const plugin = new URL('./dist/host/bundler/index.js', import.meta.url);
if (!existsSync(fileURLToPath(plugin))) {
  throw new Error('rollup.config.js: the tinysense plugin is not compiled yet; run `npm run build:ts` first');
}
const { tinysense } = await import(plugin.href);

const env = process.env;
if (!env.APP || !env.BOARD) {
  throw new Error('rollup.config.js: give the app and the board, e.g. --environment APP:examples/person/app.ts,BOARD:JOLTJS');
}

export default {
  input: env.APP,
  output: { dir: env.OUT ?? 'dist/app', entryFileNames: 'app.js' },
  plugins: [
    tinysense({
      board: env.BOARD,
      model: env.MODEL,
      modelFile: env.MODEL_FILE,
      modelCard: env.MODEL_CARD,
      minify: env.MINIFY === '1',
    }),
  ],
};
