/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serviceWorkerPlugin } from './src/platform/service-worker-plugin.ts';

// Cross-origin isolation lets tfjs use the threaded wasm backend (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte(), serviceWorkerPlugin()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  // Scripts are never inlined as data: URLs (the CSP in index.html allows scripts from 'self' only;
  // the AudioWorklet module would otherwise become one).
  build: { target: 'es2022', chunkSizeWarningLimit: 4000, assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined) },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'c',
          include: ['tests/c/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // After the unit and C projects: the fake microphone and the timing of a real browser
          // want a machine that is not also training models in other test files.
          sequence: { groupOrder: 1 },
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
