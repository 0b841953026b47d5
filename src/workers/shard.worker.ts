/// <reference lib="webworker" />
/**
 * Gradient-shard worker, started by the train worker: computes one slice of every training
 * batch on the single-threaded tfjs wasm build (core/model/gradient-shard.ts), so training uses
 * a second core.
 */
import { expose } from 'comlink';
import { initTf, type TfBackendChoice } from '../core/model/tf-backend.ts';
import { exposedShardApi } from './shard-api.ts';
import { useBundledWasm } from './tf-wasm-files.ts';

// single-threaded: the shards are the parallelism
useBundledWasm(false);
expose(exposedShardApi((name) => initTf({ backend: name as TfBackendChoice })));
