/**
 * A gradient shard in a Node worker thread (the CLI's `train --shards N`): the page's shard
 * worker API (src/workers/shard-api.ts) over comlink's Node adapter, on the tfjs backend the
 * trainer names.
 */
import { parentPort } from 'node:worker_threads';
import { expose, transfer } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createShardApi, type ShardApi } from '../workers/shard-api.ts';
import { initNodeTf, type NodeBackend } from './node-tf.ts';

if (!parentPort) throw new Error('shard-thread.ts runs as a worker thread');
const api = createShardApi((name) => initNodeTf(name as NodeBackend));
const exposed: ShardApi = {
  ...api,
  gradients: async (req) => {
    const r = await api.gradients(req);
    return r.ok ? transfer(r, [r.value.grads.buffer]) : r;
  },
  predict: async (req) => {
    const r = await api.predict(req);
    return r.ok ? transfer(r, [r.value.buffer]) : r;
  },
};
expose(exposed, nodeEndpoint(parentPort));
