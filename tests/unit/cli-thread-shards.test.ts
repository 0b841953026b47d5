/**
 * The CLI's gradient shards in Node worker threads (src/cli/thread-shards.ts, shard-thread.ts):
 * a run with its second slice computed in a thread gives the same weights, bit for bit, as the
 * run with both slices in this thread; a thread reused for a second run; errors come back typed;
 * a shard worker that cannot start is replaced by the same shard in this thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { createThreadShardPool } from '../../src/cli/thread-shards.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { trainModel } from '../../src/core/model/train.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { createShardPool } from '../../src/workers/shard-bridge.ts';
import { EarshotError } from '../../src/core/errors.ts';

const pool = createThreadShardPool();
afterAll(() => pool.terminate());

describe('gradient shards in worker threads', () => {
  beforeAll(async () => {
    await initNodeTf('wasm');
  });

  it('same bits as in-thread shards (ds-cnn-s with batch norm and dropout), twice on the same thread, no leaks', async () => {
    const spec = presetSpec('ds-cnn-s', [20, 12, 1], 3, { width: 8, depth: 2 });
    const r = mulberry32(8);
    const x = Array.from({ length: 24 }, (_, i) => Float32Array.from({ length: 240 }, (_, k) => (k % 12 < 6) === (i % 3 === 0) ? 1 + r() : r() - 0.5 * (i % 3)));
    const y = x.map((_, i) => i % 3);
    // validation clips too: their second half is predicted in the thread
    const base = { spec, x: x.slice(0, 18), y: y.slice(0, 18), valX: x.slice(18), valY: y.slice(18), epochs: 2, batchSize: 8, seed: 11, shards: 2 };
    const before = tf.memory().numTensors;
    const here = await trainModel(base);
    for (let run = 0; run < 2; run++) {
      const threaded = await trainModel({ ...base, shardFactory: pool.factory('wasm') });
      expect(threaded.weights).toEqual(here.weights);
      expect(threaded.history).toEqual(here.history);
      expect(threaded.history.valAcc).toHaveLength(2);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a shard thread on a backend it cannot run fails the run with the shard's typed error", async () => {
    const spec = presetSpec('tiny-conv', [20, 12, 1], 2);
    const x = [new Float32Array(240), new Float32Array(240)];
    await expect(trainModel({ spec, x, y: [0, 1], epochs: 1, seed: 1, shards: 2, shardFactory: pool.factory('webgl') })).rejects.toMatchObject({ code: 'train/failed' });
  });
});

describe('a shard worker that cannot start', () => {
  it('is replaced by the same shard in this thread: the run succeeds with the same bits', async () => {
    await initNodeTf('wasm');
    const spec = presetSpec('ds-cnn-s', [20, 12, 1], 2, { width: 4, depth: 1 });
    const r = mulberry32(9);
    const x = Array.from({ length: 12 }, (_, i) => Float32Array.from({ length: 240 }, () => r() + (i % 2)));
    const y = x.map((_, i) => i % 2);
    const base = { spec, x, y, epochs: 1, batchSize: 6, seed: 2, shards: 2 };
    let started = 0;
    // a worker whose script fails to load: WorkerBridge rejects every call with worker/failed
    const broken = createShardPool(() => ({
      get started() {
        return started > 0;
      },
      call: () => {
        started++;
        return Promise.reject(new EarshotError('worker/failed', 'the gradient shard worker stopped: it failed to load'));
      },
      terminate: () => undefined,
    }));
    const fellBack = await trainModel({ ...base, shardFactory: broken.factory('wasm') });
    expect(started).toBe(1);
    expect([...broken.inThread]).toEqual([1]);
    expect(fellBack.weights).toEqual((await trainModel(base)).weights);
    await trainModel({ ...base, shardFactory: broken.factory('wasm') });
    expect(started).toBe(1); // not retried
  });
});

describe('warming a shard pool', () => {
  it('warm() starts one worker per extra shard and its backend; the next open reuses that worker', async () => {
    const calls: string[] = [];
    let connected = 0;
    const api = {
      warm: async (b: string) => (calls.push(`warm ${b}`), { ok: true as const, value: true as const }),
      open: async (b: string, _s: unknown, _seed: number, stream: number) => (calls.push(`open ${b} ${stream}`), { ok: true as const, value: true as const }),
    };
    const pool = createShardPool(() => {
      connected++;
      return { started: true, call: (fn) => fn(api as never), terminate: () => undefined };
    });
    pool.warm('wasm', 3);
    expect(connected).toBe(2);
    await pool.factory('wasm')(presetSpec('tiny-conv', [20, 12, 1], 2), 1, 1);
    expect(connected).toBe(2);
    expect(calls).toEqual(['warm wasm', 'warm wasm', 'open wasm 1']);
  });

  it('starts the shard thread and its backend before a training; the training then uses that thread', async () => {
    const warm = createThreadShardPool();
    try {
      warm.warm('wasm', 2);
      const spec = presetSpec('tiny-conv', [20, 12, 1], 2);
      const r = mulberry32(3);
      const x = Array.from({ length: 8 }, (_, i) => Float32Array.from({ length: 240 }, () => r() + (i % 2)));
      const y = x.map((_, i) => i % 2);
      const base = { spec, x, y, epochs: 1, batchSize: 4, seed: 5, shards: 2 };
      expect((await trainModel({ ...base, shardFactory: warm.factory('wasm') })).weights).toEqual((await trainModel(base)).weights);
      expect([...warm.inThread]).toEqual([]);
    } finally {
      warm.terminate();
    }
  });
});
