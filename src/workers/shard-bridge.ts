/**
 * Train-worker side of the gradient-shard workers: a core ShardFactory whose shards run in
 * workers (shard.worker.ts). Workers are kept between trainings (tfjs and its wasm take a
 * while to start), one per shard stream; request buffers are transferred, not copied.
 */
import { transfer } from 'comlink';
import type { GradientShard, ShardResult } from '../core/model/gradient-shard.ts';
import type { ShardFactory } from '../core/model/train.ts';
import type { ShardApi } from './shard-api.ts';
import { WorkerBridge } from './bridge.ts';
import { unwrap, type Result } from './result.ts';

export interface ShardPool {
  /** Shards on `backend` in workers. */
  factory(backend: string): ShardFactory;
  terminate(): void;
}

export function createShardPool(
  create: () => Worker = () => new Worker(new URL('./shard.worker.ts', import.meta.url), { type: 'module', name: 'shard' }),
): ShardPool {
  const bridges = new Map<number, WorkerBridge<ShardApi>>();
  const bridgeFor = (stream: number) => {
    let b = bridges.get(stream);
    if (!b) {
      b = new WorkerBridge<ShardApi>(create, 'gradient shard', 'worker/failed');
      bridges.set(stream, b);
    }
    return b;
  };
  return {
    factory: (backend) => async (spec, seed, stream): Promise<GradientShard> => {
      const bridge = bridgeFor(stream);
      unwrap(await bridge.call<Result<true>>((api) => api.open(backend, spec, seed, stream)));
      return {
        gradients: async (req) =>
          unwrap(await bridge.call<Result<ShardResult>>((api) => api.gradients(transfer(req, [req.weights.buffer, req.x.buffer, req.targets.buffer])))),
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
