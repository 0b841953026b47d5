/**
 * Gradient shards in Node worker threads (shard-thread.ts), for the CLI: the page's shard pool
 * (src/workers/shard-bridge.ts) over worker_threads. A thread that fails or exits rejects the
 * pending call with 'worker/failed'. The thread loads the TypeScript sources through tsx, as
 * bin/earshot.js does.
 */
import { Worker } from 'node:worker_threads';
import { releaseProxy, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { EarshotError } from '../core/errors.ts';
import type { ShardApi } from '../workers/shard-api.ts';
import { createShardPool, type ShardBridge, type ShardPool } from '../workers/shard-bridge.ts';

function threadBridge(): ShardBridge {
  let worker: Worker | null = null;
  let remote: Remote<ShardApi> | null = null;
  let failure: Promise<never> | null = null;
  const start = () => {
    if (!worker || !remote || !failure) {
      const w = new Worker(new URL('./shard-thread-boot.mjs', import.meta.url));
      // an idle shard thread must not keep the CLI alive
      w.unref();
      worker = w;
      remote = wrap<ShardApi>(nodeEndpoint(w));
      failure = new Promise<never>((_, reject) => {
        w.on('error', (e) => reject(new EarshotError('worker/failed', `the gradient shard thread stopped: ${e.message}`)));
        w.on('exit', (code) => reject(new EarshotError('worker/failed', `the gradient shard thread exited (code ${code})`)));
      });
      failure.catch(() => undefined);
    }
    return { remote: remote!, failure: failure! };
  };
  return {
    get started() {
      return worker !== null;
    },
    call(fn) {
      const { remote: r, failure: f } = start();
      return Promise.race([fn(r), f]);
    },
    terminate() {
      remote?.[releaseProxy]();
      void worker?.terminate();
      worker = null;
      remote = null;
      failure = null;
    },
  };
}

/** Shards in worker threads; terminate() when done (threads are unref'd, so a forgotten pool does not hang the process). */
export function createThreadShardPool(): ShardPool {
  return createShardPool(threadBridge);
}
