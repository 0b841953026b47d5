/// <reference lib="webworker" />
/**
 * Train worker: the only place tfjs runs in the page. A comlink shell over createTrainApi
 * with the tfjs wasm backend, whose .wasm files Vite serves as hashed URLs.
 */
import { expose } from 'comlink';
import { env } from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initTf } from '../core/model/tf-backend.ts';
import { createTrainApi } from './train-api.ts';

const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
};

const api = createTrainApi(() => {
  // Each .wasm has its own hashed URL, so tfjs gets a file map (initTf takes only a prefix).
  setWasmPaths(WASM_PATHS);
  // The threaded build hangs when the worker bundle is minified (tfjs's `_scriptDir`, see
  // TOOLCHAIN.md) and is no faster here than SIMD: use the single-threaded SIMD build.
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return initTf({ backend: 'wasm' });
});

expose(api);
