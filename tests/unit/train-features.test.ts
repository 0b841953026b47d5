/**
 * trainModel's options beyond the basics: learning-rate schedules, early stopping that returns
 * the best epoch's weights, class weights, and the augmentation hook. On cpu (deterministic:
 * the same seed gives the same weights), with a narrow tiny-conv on separable synthetic input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { balancedClassWeights, learningRateAt, predictFloat, trainModel, type TrainOptions } from '../../src/core/model/train.ts';
import type { FloatWeights } from '../../src/core/model/artifact.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

const spec = presetSpec('tiny-conv', [12, 8, 1], 2, { width: 2, dropout: 0 });
function data(n: number, seed: number, flip = false) {
  const r = mulberry32(seed);
  const y = Array.from({ length: n }, (_, i) => i % 2);
  const x = y.map((c) => Float32Array.from({ length: 96 }, () => (c ? 0.5 : -0.5) + (r() - 0.5)));
  return { x, y: flip ? y.map((c) => 1 - c) : y };
}
const base = (): TrainOptions => ({ spec, ...data(24, 1), epochs: 3, batchSize: 8, seed: 9, learningRate: 0.01 });
function maxDiff(a: FloatWeights, b: FloatWeights): number {
  let m = 0;
  for (const k of Object.keys(a)) a[k]!.forEach((t, i) => t.data.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[k]![i]!.data[j]!)))));
  return m;
}

beforeAll(async () => {
  await initNodeTf('cpu');
});

describe('training options', () => {
  it('learningRateAt: constant, step, cosine', () => {
    expect(learningRateAt({ kind: 'constant' }, 0.01, 7, 10)).toBe(0.01);
    expect([1, 2, 3, 4, 5].map((e) => learningRateAt({ kind: 'step', everyEpochs: 2, factor: 0.5 }, 1, e, 5))).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const cos = [1, 6, 11].map((e) => learningRateAt({ kind: 'cosine', minLearningRate: 0.1 }, 1.1, e, 11));
    expect(cos[0]).toBeCloseTo(1.1, 12);
    expect(cos[1]).toBeCloseTo(0.6, 12);
    expect(cos[2]).toBeCloseTo(0.1, 12);
  });

  it('the schedule is applied: a step to ~0 after epoch 1 freezes the weights', async () => {
    const one = await trainModel({ ...base(), epochs: 1 });
    const frozen = await trainModel({ ...base(), lrSchedule: { kind: 'step', everyEpochs: 1, factor: 1e-9 } });
    const constant = await trainModel(base());
    expect(maxDiff(frozen.weights, one.weights)).toBeLessThan(1e-6);
    expect(maxDiff(constant.weights, one.weights)).toBeGreaterThan(1e-3);
  });

  it('early stopping stops after `patience` worse epochs and returns the best epoch, bit-exact', async () => {
    const before = tf.memory().numTensors;
    // validation labels are flipped: the better the model learns, the worse the validation loss
    const val = data(10, 2, true);
    const stopped = await trainModel({ ...base(), epochs: 20, valX: val.x, valY: val.y, earlyStopping: { patience: 2 } });
    expect(stopped.epochsRun).toBeLessThan(20);
    expect(stopped.epochsRun - stopped.bestEpoch).toBe(2);
    expect(stopped.history.valLoss.length).toBe(stopped.epochsRun);
    const bestLoss = Math.min(...stopped.history.valLoss);
    expect(stopped.history.valLoss[stopped.bestEpoch - 1]).toBe(bestLoss);
    const rerun = await trainModel({ ...base(), epochs: stopped.bestEpoch, valX: val.x, valY: val.y });
    expect(maxDiff(stopped.weights, rerun.weights)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('class weights: weight 0 for a class means it is never learned', async () => {
    expect(balancedClassWeights([0, 0, 0, 1], 3)).toEqual([4 / 9, 4 / 3, 0]);
    const opts = { ...base(), epochs: 8 };
    const plain = await trainModel(opts);
    const skewed = await trainModel({ ...opts, classWeights: [1, 0] });
    const acc1 = (w: FloatWeights) => predictFloat(spec, w, opts.x).filter((p, i) => opts.y[i] === 1 && p[1]! > p[0]!).length;
    expect(acc1(plain.weights)).toBeGreaterThan(6);
    expect(acc1(skewed.weights)).toBe(0);
  });

  it('augment hook: called per clip per epoch; identity changes nothing, a real change does', async () => {
    const calls: string[] = [];
    const same = await trainModel({ ...base(), augment: (x, i, e) => (calls.push(`${e}:${i}`), x) });
    expect(calls.length).toBe(24 * 3);
    expect(calls[0]).toBe('1:0');
    expect(calls[24 * 3 - 1]).toBe('3:23');
    const plain = await trainModel(base());
    expect(maxDiff(same.weights, plain.weights)).toBe(0);
    const noisy = await trainModel({ ...base(), augment: (x) => x.map((v) => v * 0.5) });
    expect(maxDiff(noisy.weights, plain.weights)).toBeGreaterThan(1e-4);
  });
});
