/**
 * The CLI's gradient shards in Node worker threads (src/cli/thread-shards.ts, shard-thread.ts):
 * a run with its second slice computed in a thread gives the same weights, bit for bit, as the
 * run with both slices in this thread; a thread reused for a second run; errors come back typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { createThreadShardPool } from '../../src/cli/thread-shards.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { trainModel } from '../../src/core/model/train.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

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
    const base = { spec, x, y, epochs: 2, batchSize: 8, seed: 11, shards: 2 };
    const before = tf.memory().numTensors;
    const here = await trainModel(base);
    for (let run = 0; run < 2; run++) {
      const threaded = await trainModel({ ...base, shardFactory: pool.factory('wasm') });
      expect(threaded.weights).toEqual(here.weights);
      expect(threaded.history).toEqual(here.history);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a shard thread on a backend it cannot run fails the run with the shard's typed error", async () => {
    const spec = presetSpec('tiny-conv', [20, 12, 1], 2);
    const x = [new Float32Array(240), new Float32Array(240)];
    await expect(trainModel({ spec, x, y: [0, 1], epochs: 1, seed: 1, shards: 2, shardFactory: pool.factory('webgl') })).rejects.toMatchObject({ code: 'train/failed' });
  });
});
