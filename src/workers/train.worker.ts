/// <reference lib="webworker" />
/**
 * Train worker: where the page trains and runs tfjs models (with the gradient-shard workers it
 * starts, shard.worker.ts). A comlink shell over createTrainApi with the tfjs wasm backend,
 * whose .wasm files Vite serves as hashed URLs.
 */
import { expose } from 'comlink';
import { initTf } from '../core/model/tf-backend.ts';
import { createTrainApi } from './train-api.ts';
import { createShardPool } from './shard-bridge.ts';
import { useBundledWasm } from './tf-wasm-files.ts';

// tfjs's threaded wasm build runs only in a cross-origin isolated page, and hangs when the worker
// bundle is minified (tfjs's `_scriptDir`, see TOOLCHAIN.md); the page asks for it by naming the
// worker 'train-threaded' (train-bridge.ts), the default is the single-threaded SIMD build.
const threads = self.name === 'train-threaded' && self.crossOriginIsolated;
useBundledWasm(threads);

// Gradient shards run in their own workers (shard.worker.ts), started on the first training.
const shards = createShardPool();
const api = createTrainApi((backend) => initTf({ backend }), threads, shards);

expose(api);
