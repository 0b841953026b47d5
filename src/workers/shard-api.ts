/**
 * The gradient-shard worker's API, without the worker: one core GradientShard
 * (createGradientShard) at a time on a tfjs backend. shard.worker.ts exposes it over comlink;
 * shard-bridge.ts turns it back into a GradientShard for trainModel in the train worker.
 */
import { EarshotError } from '../core/errors.ts';
import { createGradientShard, type GradientShard, type ShardPredictRequest, type ShardRequest, type ShardResult } from '../core/model/gradient-shard.ts';
import type { ModelSpec } from '../core/model/spec.ts';
import { transfer } from 'comlink';
import { attempt, type Result } from './result.ts';

export interface ShardApi {
  /** Start the backend ahead of a training (tfjs and its wasm take a moment). */
  warm(backend: string): Promise<Result<true>>;
  /** Make the backend active and build the shard's model (replacing any earlier one). */
  open(backend: string, spec: ModelSpec, seed: number, stream: number): Promise<Result<true>>;
  gradients(req: ShardRequest): Promise<Result<ShardResult>>;
  predict(req: ShardPredictRequest): Promise<Result<Float32Array>>;
  close(): Promise<Result<true>>;
}

/**
 * The shard API as a worker exposes it: results' buffers are transferred back (comlink), not
 * copied. Used by shard.worker.ts (page) and src/cli/shard-thread.ts (Node).
 */
export function exposedShardApi(initBackend: (name: string) => Promise<string>): ShardApi {
  const api = createShardApi(initBackend);
  return {
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
}

export function createShardApi(initBackend: (name: string) => Promise<string>): ShardApi {
  let shard: GradientShard | null = null;
  const close = async () => {
    const s = shard;
    shard = null;
    await s?.dispose();
  };
  return {
    warm: (backend) =>
      attempt('train/failed', async () => {
        await initBackend(backend);
        return true as const;
      }),
    open: (backend, spec, seed, stream) =>
      attempt('train/failed', async () => {
        await close();
        const name = await initBackend(backend);
        if (name !== backend) throw new EarshotError('train/failed', `the gradient shard runs ${name}, the trainer ${backend}`);
        shard = createGradientShard(spec, seed, stream);
        return true as const;
      }),
    gradients: (req) =>
      attempt('train/failed', () => {
        if (!shard) throw new EarshotError('train/failed', 'the gradient shard has no model (open it first)');
        return shard.gradients(req);
      }),
    predict: (req) =>
      attempt('train/failed', () => {
        if (!shard) throw new EarshotError('train/failed', 'the gradient shard has no model (open it first)');
        return shard.predict(req);
      }),
    close: () =>
      attempt('train/failed', async () => {
        await close();
        return true as const;
      }),
  };
}
