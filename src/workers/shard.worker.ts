/// <reference lib="webworker" />
/**
 * Gradient-shard worker, started by the train worker: computes one slice of every training
 * batch on the single-threaded tfjs wasm build (core/model/gradient-shard.ts), so training uses
 * a second core.
 */
import { expose, transfer } from 'comlink';
import { initTf, type TfBackendChoice } from '../core/model/tf-backend.ts';
import { createShardApi, type ShardApi } from './shard-api.ts';
import { useBundledWasm } from './tf-wasm-files.ts';

// single-threaded: the shards are the parallelism
useBundledWasm(false);
const api = createShardApi((name) => initTf({ backend: name as TfBackendChoice }));

const exposed: ShardApi = {
  ...api,
  // the gradient buffer goes back without a copy
  gradients: async (req) => {
    const r = await api.gradients(req);
    return r.ok ? transfer(r, [r.value.grads.buffer]) : r;
  },
  predict: async (req) => {
    const r = await api.predict(req);
    return r.ok ? transfer(r, [r.value.buffer]) : r;
  },
};
expose(exposed);
