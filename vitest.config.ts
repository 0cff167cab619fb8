import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The examples' tests import the public API by name, as a user's tests do; inside the repository it
  // is the sources (tsconfig.json "paths" says the same to the type checker), so no build is needed first.
  resolve: {
    alias: [
      { find: /^tinysense\/host$/, replacement: source('./host/index.ts') },
      { find: /^tinysense\/device$/, replacement: source('./device/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
