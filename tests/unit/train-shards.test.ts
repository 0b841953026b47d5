/**
 * Data-parallel training (gradient-shard.ts + trainModel's `shards`): the weighted mean of the
 * slice gradients is the whole batch's gradient (compared with one-shard training on a model
 * without batch norm or dropout, where slicing changes nothing but float rounding), runs are
 * reproducible, shards in "another place" (a factory) give the same bits as in-thread shards,
 * and nothing leaks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { predictFloat, sliceBatch, trainModel, type ShardFactory } from '../../src/core/model/train.ts';
import { createGradientShard, type GradientShard } from '../../src/core/model/gradient-shard.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { EarshotError } from '../../src/core/errors.ts';
import type { FloatWeights } from '../../src/core/model/artifact.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';

const inputShape: [number, number, number] = [12, 10, 1];

function dataset(n: number, seed: number): { x: Float32Array[]; y: number[] } {
  const r = mulberry32(seed);
  const x = Array.from({ length: n }, (_, i) => Float32Array.from({ length: 120 }, (_, k) => (k % 10 < 5) === (i % 3 === 0) ? 1 + r() : -1 + r() * 0.5 + (i % 3) * 0.3));
  return { x, y: x.map((_, i) => i % 3) };
}

/** conv + depthwise + dense, no batch norm, no dropout: slice gradients average exactly to the batch gradient. */
const plain: ModelSpec = {
  format: 'earshot-model-spec',
  version: 1,
  input: { shape: inputShape },
  layers: [
    { type: 'conv2d', name: 'c1', filters: 4, kernelSize: [3, 3], padding: 'same', activation: 'relu' },
    { type: 'depthwiseConv2d', name: 'dw', kernelSize: [3, 3], strides: [2, 2], padding: 'same', activation: 'relu' },
    { type: 'flatten', name: 'f' },
    { type: 'dense', name: 'out', units: 3, activation: 'softmax' },
  ],
} as ModelSpec;

function maxRelDiff(a: FloatWeights, b: FloatWeights): number {
  let worst = 0;
  for (const [layer, ws] of Object.entries(a)) {
    ws.forEach((w, i) => {
      const v = b[layer]![i]!.data;
      let scale = 1e-3;
      for (const q of w.data) scale = Math.max(scale, Math.abs(q));
      for (let k = 0; k < w.data.length; k++) worst = Math.max(worst, Math.abs(w.data[k]! - v[k]!) / scale);
    });
  }
  return worst;
}

function sameBits(a: FloatWeights, b: FloatWeights): boolean {
  return Object.entries(a).every(([layer, ws]) => ws.every((w, i) => Buffer.from(w.data.buffer).equals(Buffer.from(b[layer]![i]!.data.buffer))));
}

describe('sliceBatch', () => {
  it('cuts into at most k contiguous, near-equal, non-empty slices, larger first', () => {
    expect(sliceBatch([1, 2, 3, 4, 5], 2)).toEqual([[1, 2, 3], [4, 5]]);
    expect(sliceBatch([1, 2, 3, 4], 2)).toEqual([[1, 2], [3, 4]]);
    expect(sliceBatch([1], 2)).toEqual([[1]]);
    expect(sliceBatch([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
  });
});

describe.each(['cpu', 'wasm'] as const)('trainModel with gradient shards (%s)', (backend) => {
  beforeAll(async () => {
    await initNodeTf(backend);
  });

  it('2 and 3 shards follow the 1-shard run (same batches, gradient = weighted mean of slices; uneven last batch)', async () => {
    const { x, y } = dataset(22, 3); // batches of 8: 8, 8, 6 → slices 4+4, 3+3 (and 3+3+2, 2+2+2)
    const base = { spec: plain, x, y, epochs: 3, batchSize: 8, seed: 9, learningRate: 3e-3 };
    const one = await trainModel(base);
    const two = await trainModel({ ...base, shards: 2 });
    const three = await trainModel({ ...base, shards: 3 });
    // float32 rounding of the slice sums only (a wrong weighting would be off by ~10%)
    expect(maxRelDiff(one.weights, two.weights)).toBeLessThan(2e-4);
    expect(maxRelDiff(one.weights, three.weights)).toBeLessThan(2e-4);
    one.history.loss.forEach((l, e) => expect(Math.abs(two.history.loss[e]! - l)).toBeLessThan(1e-4));
    expect(sameBits(one.weights, two.weights)).toBe(false); // it really took the sharded path
  });

  it('ds-cnn-s with batch norm and dropout: reproducible, a factory gives the same bits, no leaked tensors', async () => {
    const spec = presetSpec('ds-cnn-s', inputShape, 3, { width: 8, depth: 1 });
    const { x, y } = dataset(20, 4);
    const made: number[] = [];
    const disposed: number[] = [];
    let predicted = 0;
    // Shards made elsewhere (the page makes them in workers): here, in-thread, counted.
    const factory: ShardFactory = (s, seed, stream) => {
      const inner: GradientShard = createGradientShard(s, seed, stream);
      made.push(stream);
      return {
        gradients: (r) => inner.gradients(r),
        predict: (r) => {
          predicted += r.count;
          return inner.predict(r);
        },
        dispose: () => {
          disposed.push(stream);
          return inner.dispose();
        },
      };
    };
    const v = dataset(7, 40);
    const base = { spec, x, y, valX: v.x, valY: v.y, epochs: 2, batchSize: 8, seed: 5, shards: 2 };
    const before = tf.memory().numTensors;
    const a = await trainModel(base);
    const b = await trainModel({ ...base, shardFactory: factory });
    expect(tf.memory().numTensors).toBe(before);
    expect(made).toEqual([1]);
    expect(disposed).toEqual([1]);
    expect(predicted).toBe(2 * 3); // 7 validation clips: 4 here, 3 in the shard, each epoch
    expect(sameBits(a.weights, b.weights)).toBe(true);
    expect(a.history).toEqual(b.history);
    expect(a.history.valLoss).toHaveLength(2);
    // the sliced validation is the model's: the final weights predicted in one piece give its loss
    const probs = predictFloat(spec, b.weights, v.x);
    const loss = probs.reduce((s, p, i) => s - Math.log(Math.min(1 - 1e-7, Math.max(1e-7, p[v.y[i]!]!))), 0) / probs.length;
    expect(Math.abs(loss - b.history.valLoss.at(-1)!)).toBeLessThan(1e-5);
    const single = await trainModel({ ...base, shards: 1 });
    expect(sameBits(a.weights, single.weights)).toBe(false);
  });

  it('a shard that fails fails the run with its error, and the shards are still disposed', async () => {
    const { x, y } = dataset(8, 5);
    let disposed = 0;
    const factory: ShardFactory = () => ({
      gradients: () => Promise.reject(new EarshotError('train/failed', 'worker crashed')),
      predict: () => Promise.reject(new EarshotError('train/failed', 'worker crashed')),
      dispose: () => void disposed++,
    });
    const before = tf.memory().numTensors;
    await expect(trainModel({ spec: plain, x, y, epochs: 1, batchSize: 8, seed: 1, shards: 2, shardFactory: factory })).rejects.toThrow('worker crashed');
    expect(disposed).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad shard count with train/bad-options', async () => {
    const { x, y } = dataset(4, 6);
    for (const shards of [0, 1.5, 17]) {
      await expect(trainModel({ spec: plain, x, y, epochs: 1, seed: 1, shards })).rejects.toMatchObject({ code: 'train/bad-options' });
    }
  });
});
