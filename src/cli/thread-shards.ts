/**
 * Gradient shards in Node worker threads (shard-thread.ts), for the CLI: the page's shard pool
 * (src/workers/shard-bridge.ts) and its WorkerBridge over worker_threads. A thread that fails or
 * exits rejects the pending call with 'worker/failed'. The thread loads the TypeScript sources
 * through tsx, as bin/earshot.js does.
 */
import { Worker as NodeWorker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { WorkerBridge } from '../workers/bridge.ts';
import type { ShardApi } from '../workers/shard-api.ts';
import { createShardPool, type ShardPool } from '../workers/shard-bridge.ts';

type Listener = (ev: { message?: string }) => void;

/**
 * A worker thread seen as the part of a DOM Worker that WorkerBridge and comlink use: messages
 * through comlink's Node endpoint, 'error' for a thrown error or an exit, terminate().
 */
function threadAsWorker(w: NodeWorker): Worker {
  const ep = nodeEndpoint(w);
  // an idle shard thread must not keep the CLI alive
  w.unref();
  return {
    postMessage: ep.postMessage,
    start: ep.start,
    addEventListener(type: string, listener: Listener) {
      if (type === 'error') {
        w.on('error', (e: Error) => listener({ message: e.message }));
        w.on('exit', (code: number) => listener({ message: `the thread exited (code ${code})` }));
      } else if (type === 'messageerror') {
        w.on('messageerror', () => listener({}));
      } else {
        ep.addEventListener(type, listener as never);
      }
    },
    removeEventListener: ep.removeEventListener,
    terminate: () => void w.terminate(),
  } as unknown as Worker;
}

/** Shards in worker threads; terminate() when done (threads are unref'd, so a forgotten pool does not hang the process). */
export function createThreadShardPool(): ShardPool {
  return createShardPool(
    () => new WorkerBridge<ShardApi>(() => threadAsWorker(new NodeWorker(new URL('./shard-thread-boot.mjs', import.meta.url))), 'gradient shard', 'worker/failed'),
  );
}
