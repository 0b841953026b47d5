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

// tfjs's threaded wasm build runs only in a cross-origin isolated page, and hangs when the worker
// bundle is minified (tfjs's `_scriptDir`, see TOOLCHAIN.md); the page asks for it by naming the
// worker 'train-threaded' (train-bridge.ts), the default is the single-threaded SIMD build.
const threads = self.name === 'train-threaded' && self.crossOriginIsolated;
// Each .wasm has its own hashed URL, so tfjs gets a file map (initTf takes only a prefix).
setWasmPaths(WASM_PATHS);
env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads);

const api = createTrainApi((backend) => initTf({ backend }), threads);

expose(api);
