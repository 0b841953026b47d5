/**
 * Training end to end on a separable problem: log-mel features (computeLogMel) of two tone
 * classes, under the cpu and wasm backends in Node (the wasm run proves the registered
 * gradient kernels work inside model training).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { computeLogMel } from '../../src/core/dsp/log-mel.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape } from '../../src/core/dsp/feature-config.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { predictFloat, trainModel, type EpochReport } from '../../src/core/model/train.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { EarshotError } from '../../src/core/errors.ts';

const shape = featureShape(DEFAULT_FEATURE_CONFIG);
const inputShape: [number, number, number] = [shape.frames, shape.bands, 1];

/** n clips per class: class 0 a tone around 500 Hz, class 1 around 2000 Hz, random phase/level, in noise. */
function toneDataset(nPerClass: number, seed: number): { x: Float32Array[]; y: number[] } {
  const r = mulberry32(seed);
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < nPerClass * 2; i++) {
    const cls = i % 2;
    const hz = (cls === 0 ? 500 : 2000) * (0.9 + 0.2 * r());
    const amp = 0.05 + 0.4 * r();
    const phase = r() * 2 * Math.PI;
    const s = new Float32Array(shape.inputSamples);
    for (let n = 0; n < s.length; n++) s[n] = amp * Math.sin(phase + (2 * Math.PI * hz * n) / 16000) + 0.02 * (r() * 2 - 1);
    x.push(computeLogMel(s, DEFAULT_FEATURE_CONFIG).data);
    y.push(cls);
  }
  return { x, y };
}

function accuracy(probs: Float32Array[], y: number[]): number {
  let ok = 0;
  probs.forEach((p, i) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    if (best === y[i]) ok++;
  });
  return ok / y.length;
}

function codeOf(e: unknown): string {
  return e instanceof EarshotError ? e.code : `not an EarshotError: ${String(e)}`;
}

const data = toneDataset(16, 42);
const val = toneDataset(6, 43);

describe('trainModel / predictFloat', () => {
  beforeAll(async () => {
    await initNodeTf('cpu');
  });

  it('cpu: tiny-conv learns two tones to >= 90% in 4 epochs; progress, history, no leaked tensors', async () => {
    const spec = presetSpec('tiny-conv', inputShape, 2);
    const before = tf.memory().numTensors;
    const epochs: EpochReport[] = [];
    const batches: [number, number][] = [];
    const t0 = Date.now();
    const { weights, history } = await trainModel({
      spec, x: data.x, y: data.y, valX: val.x, valY: val.y, epochs: 4, batchSize: 8, seed: 1,
      onEpoch: (e) => epochs.push(e), onBatch: (d, t) => batches.push([d, t]),
    });
    const ms = Date.now() - t0;
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(epochs.every((e) => e.epochs === 4 && e.valAcc !== undefined && e.valLoss !== undefined)).toBe(true);
    expect(batches.length).toBe(16);
    expect(batches[15]).toEqual([16, 16]);
    expect(history.loss.length).toBe(4);
    expect(history.valAcc.length).toBe(4);
    expect(history.acc[3]).toBeGreaterThanOrEqual(0.9);
    expect(history.loss[3]).toBeLessThan(history.loss[0]!);
    expect(Object.keys(weights)).toEqual(['conv', 'logits']);

    const probs = predictFloat(spec, weights, data.x);
    expect(tf.memory().numTensors).toBe(before);
    expect(probs.length).toBe(data.x.length);
    expect(Math.abs(probs[0]!.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    const trainAcc = accuracy(probs, data.y);
    expect(trainAcc).toBeGreaterThanOrEqual(0.9);
    // the reported validation accuracy is the model's accuracy on the validation clips
    expect(accuracy(predictFloat(spec, weights, val.x), val.y)).toBeCloseTo(history.valAcc[3]!, 10);
    console.log(`cpu tiny-conv: 4 epochs of ${data.x.length} clips in ${ms} ms, train acc ${trainAcc}, val acc ${history.valAcc[3]}`);
  });

  it('cpu: same seed gives identical weights, another seed different ones', async () => {
    const spec = presetSpec('tiny-conv', inputShape, 2);
    const small = { x: data.x.slice(0, 12), y: data.y.slice(0, 12) };
    const run = (seed: number) => trainModel({ spec, ...small, epochs: 2, batchSize: 4, seed });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    for (const layer of Object.keys(a.weights)) {
      a.weights[layer]!.forEach((w, i) => expect(w.data).toEqual(b.weights[layer]![i]!.data));
    }
    expect(a.history).toEqual(b.history);
    expect(c.weights.conv![0]!.data).not.toEqual(a.weights.conv![0]!.data);
  });

  it('cancel via signal throws train/cancelled and leaks nothing', async () => {
    const spec = presetSpec('tiny-conv', inputShape, 2);
    const before = tf.memory().numTensors;
    const ctl = new AbortController();
    let seen = 0;
    const p = trainModel({ spec, ...data, epochs: 3, batchSize: 8, seed: 1, signal: ctl.signal, onBatch: (d) => { seen = d; if (d === 2) ctl.abort(); } });
    await expect(p).rejects.toMatchObject({ code: 'train/cancelled' });
    expect(seen).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    const pre = new AbortController();
    pre.abort();
    await expect(trainModel({ spec, ...data, epochs: 1, seed: 1, signal: pre.signal })).rejects.toMatchObject({ code: 'train/cancelled' });
  });

  it('rejects bad options with codes', async () => {
    const spec = presetSpec('tiny-conv', inputShape, 2);
    const bad = async (o: Record<string, unknown>) => {
      try {
        await trainModel({ spec, ...data, epochs: 1, seed: 1, ...o } as never);
        return 'none';
      } catch (e) {
        return codeOf(e);
      }
    };
    expect(await bad({ epochs: 0 })).toBe('train/bad-options');
    expect(await bad({ batchSize: 0 })).toBe('train/bad-options');
    expect(await bad({ learningRate: -1 })).toBe('train/bad-options');
    expect(await bad({ seed: 0.5 })).toBe('train/bad-options');
    expect(await bad({ y: data.y.slice(1) })).toBe('train/bad-options');
    expect(await bad({ y: data.y.map(() => 2) })).toBe('train/bad-options');
    expect(await bad({ x: data.x.map((m) => m.slice(1)) })).toBe('train/bad-options');
    expect(await bad({ valX: val.x })).toBe('train/bad-options');
    expect(await bad({ x: [], y: [] })).toBe('dataset/too-few-clips');
    expect(await bad({ spec: { ...spec, version: 3 } })).toBe('spec/unsupported-version');
  });

  it('wasm: tiny-conv learns two tones to >= 90% (registered Conv2DBackpropFilter)', async () => {
    expect(await initNodeTf('wasm')).toBe('wasm');
    const spec = presetSpec('tiny-conv', inputShape, 2);
    const before = tf.memory().numTensors;
    const t0 = Date.now();
    const { weights, history } = await trainModel({ spec, ...data, epochs: 4, batchSize: 8, seed: 1 });
    const ms = Date.now() - t0;
    expect(history.acc[3]).toBeGreaterThanOrEqual(0.9);
    const probs = predictFloat(spec, weights, data.x);
    expect(accuracy(probs, data.y)).toBeGreaterThanOrEqual(0.9);
    expect(tf.memory().numTensors).toBe(before);
    console.log(`wasm tiny-conv: 4 epochs of ${data.x.length} clips in ${ms} ms`);
  });

  it('wasm: a narrow ds-cnn-s learns two tones (registered depthwise gradients, batch norm, pooling)', async () => {
    expect(await initNodeTf('wasm')).toBe('wasm');
    const spec = presetSpec('ds-cnn-s', inputShape, 2, { width: 8 });
    const before = tf.memory().numTensors;
    const t0 = Date.now();
    const { weights, history } = await trainModel({ spec, ...data, epochs: 12, batchSize: 8, seed: 3, learningRate: 3e-3 });
    const ms = Date.now() - t0;
    expect(history.loss[11]).toBeLessThan(history.loss[0]!);
    expect(history.acc[11]).toBeGreaterThanOrEqual(0.9);
    // inference mode (batch-norm moving statistics, no dropout)
    const evalAcc = accuracy(predictFloat(spec, weights, data.x), data.y);
    expect(evalAcc).toBeGreaterThanOrEqual(0.9);
    expect(Object.keys(weights)).toContain('dw1');
    expect(weights.dw1!.map((w) => w.name)).toEqual(['depthwise_kernel']);
    expect(weights.bn0!.map((w) => w.name)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    expect(tf.memory().numTensors).toBe(before);
    console.log(`wasm ds-cnn-s(width 8): 12 epochs in ${ms} ms, acc ${history.acc.map((v) => v.toFixed(2)).join(' ')}, eval-mode acc ${evalAcc}`);
  });
});
