/**
 * The trainer's side of gradient-shard workers: a core ShardFactory whose shards run in workers
 * (shard.worker.ts in the page, src/cli/shard-thread.ts under Node). Workers are kept between
 * trainings (tfjs and its wasm take a while to start), one per shard stream; request buffers are
 * transferred, not copied. A worker that cannot start (no nested workers, a blocked script) is
 * replaced by the same shard in this thread: the same weights, on one core.
 */
import { transfer, type Remote } from 'comlink';
import { createGradientShard, type GradientShard, type ShardResult } from '../core/model/gradient-shard.ts';
import { EarshotError } from '../core/errors.ts';
import type { ShardFactory } from '../core/model/train.ts';
import type { ShardApi } from './shard-api.ts';
import { WorkerBridge } from './bridge.ts';
import { unwrap, type Result } from './result.ts';

/** What the pool needs of a worker connection (WorkerBridge's surface). */
export interface ShardBridge {
  readonly started: boolean;
  call<R>(fn: (api: Remote<ShardApi>) => Promise<R>): Promise<R>;
  terminate(): void;
}

export interface ShardPool {
  /** Shards on `backend` in workers (in this thread for a stream whose worker failed to start). */
  factory(backend: string): ShardFactory;
  /** Streams whose worker failed to start and run in this thread. */
  readonly inThread: ReadonlySet<number>;
  /** Start the workers of shards 1..shards-1 and their backend now (e.g. while the backend probe runs); failures are left to the factory. */
  warm(backend: string, shards: number): void;
  terminate(): void;
}

/** A page worker running shard.worker.ts. */
export function pageShardBridge(): ShardBridge {
  return new WorkerBridge<ShardApi>(() => new Worker(new URL('./shard.worker.ts', import.meta.url), { type: 'module', name: 'shard' }), 'gradient shard', 'worker/failed');
}

export function createShardPool(connect: () => ShardBridge = pageShardBridge): ShardPool {
  const bridges = new Map<number, ShardBridge>();
  const inThread = new Set<number>();
  const bridgeFor = (stream: number) => {
    let b = bridges.get(stream);
    if (!b) {
      b = connect();
      bridges.set(stream, b);
    }
    return b;
  };
  return {
    inThread,
    warm(backend, shards) {
      for (let stream = 1; stream < shards; stream++) {
        if (inThread.has(stream)) continue;
        bridgeFor(stream).call<Result<true>>((api) => api.warm(backend)).catch(() => undefined);
      }
    },
    factory: (backend) => async (spec, seed, stream): Promise<GradientShard> => {
      if (inThread.has(stream)) return createGradientShard(spec, seed, stream);
      const bridge = bridgeFor(stream);
      try {
        unwrap(await bridge.call<Result<true>>((api) => api.open(backend, spec, seed, stream)));
      } catch (e) {
        if (!(e instanceof EarshotError && e.code === 'worker/failed')) throw e;
        bridge.terminate();
        bridges.delete(stream);
        inThread.add(stream);
        return createGradientShard(spec, seed, stream);
      }
      return {
        gradients: async (req) =>
          unwrap(await bridge.call<Result<ShardResult>>((api) => api.gradients(transfer(req, [req.weights.buffer, req.x.buffer, req.targets.buffer])))),
        predict: async (req) => unwrap(await bridge.call<Result<Float32Array>>((api) => api.predict(transfer(req, [req.weights.buffer, req.x.buffer])))),
        dispose: async () => {
          if (bridge.started) unwrap(await bridge.call<Result<true>>((api) => api.close()));
        },
      };
    },
    terminate() {
      for (const b of bridges.values()) b.terminate();
      bridges.clear();
    },
  };
}
