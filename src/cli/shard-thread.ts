/**
 * A gradient shard in a Node worker thread (the CLI's `train --shards N`): the page's shard
 * worker API (src/workers/shard-api.ts) over comlink's Node adapter, on the tfjs backend the
 * trainer names.
 */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { exposedShardApi } from '../workers/shard-api.ts';
import { initNodeTf, type NodeBackend } from './node-tf.ts';

if (!parentPort) throw new Error('shard-thread.ts runs as a worker thread');
expose(exposedShardApi((name) => initNodeTf(name as NodeBackend)), nodeEndpoint(parentPort));
