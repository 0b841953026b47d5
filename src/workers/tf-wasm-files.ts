/// <reference lib="webworker" />
/**
 * tfjs-backend-wasm's .wasm files as Vite serves them (each has its own hashed URL, so tfjs gets
 * a file map; core's initTf takes only a prefix). Imported by every worker that runs tfjs.
 */
import { env } from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/**
 * Point tfjs at the bundled .wasm files, and choose the threaded build or not: left to itself,
 * tfjs takes the threaded one whenever the page is cross-origin isolated.
 */
export function useBundledWasm(threads: boolean): void {
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': simdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
  });
}
