/**
 * analyzeSpec against tfjs itself (per-layer outputShape and countParams of the built model),
 * the functional wiring of `inputs`, seeded initializers and dropout, and float weights in/out.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { buildTfModel, getFloatWeights, setFloatWeights, SeededDropout } from '../../src/core/model/tf-model.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';
import { EarshotError } from '../../src/core/errors.ts';

const residual: ModelSpec = {
  version: 1,
  input: { shape: [21, 13, 2] },
  layers: [
    { type: 'conv2d', name: 'stem', filters: 6, kernelSize: [4, 3], strides: [2, 1], padding: 'same', activation: 'relu6' },
    { type: 'separableConv2d', name: 'sep', filters: 6, kernelSize: 3, depthMultiplier: 2, padding: 'same' },
    { type: 'batchNormalization', name: 'bn' },
    { type: 'add', name: 'res', inputs: ['stem', 'bn'] },
    { type: 'activation', activation: 'relu' },
    { type: 'maxPooling2d', poolSize: 3, strides: 2, padding: 'same' },
    { type: 'depthwiseConv2d', kernelSize: [2, 3], depthMultiplier: 3, strides: [1, 2], padding: 'valid', useBias: false },
    { type: 'averagePooling2d', poolSize: [2, 2], strides: [1, 1] },
    { type: 'reshape', targetShape: [-1, 9] },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.3 },
    { type: 'dense', units: 5, activation: 'softmax' },
  ],
};
const gap: ModelSpec = {
  version: 1,
  input: { shape: [10, 10, 1] },
  layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, strides: 3 },
    { type: 'globalAveragePooling2d' },
    { type: 'dense', units: 3, useBias: false },
  ],
};
const specs: [string, ModelSpec][] = [
  ['tiny-conv 49x40', presetSpec('tiny-conv', [49, 40, 1], 3)],
  ['ds-cnn-s 49x40', presetSpec('ds-cnn-s', [49, 40, 1], 12)],
  ['ds-cnn-s 49x10 width 32', presetSpec('ds-cnn-s', [49, 10, 1], 4, { width: 32 })],
  ['strided-ds 49x40 width 16', presetSpec('strided-ds', [49, 40, 1], 3, { width: 16 })],
  ['conv1d 49x40 depth 4', presetSpec('conv1d', [49, 40, 1], 3, { depth: 4 })],
  ['residual/separable/pools/reshape', residual],
  ['global pool, no bias', gap],
];

beforeAll(async () => {
  await initNodeTf('cpu');
});

describe('analyzeSpec agrees with tfjs', () => {
  for (const [what, spec] of specs) {
    it(what, () => {
      const before = tf.memory().numTensors;
      const a = analyzeSpec(spec);
      const m = buildTfModel(spec, 1);
      try {
        expect(m.countParams()).toBe(a.totalParams);
        for (const info of a.layers) {
          const l = m.getLayer(info.name);
          expect(l.outputShape, info.name).toEqual([null, ...info.outputShape]);
          expect(l.countParams(), info.name).toBe(info.params);
          const inbound = l.inboundNodes[0]!.inboundLayers.map((x) => x.name);
          expect(inbound, info.name).toEqual(info.inputs);
        }
        expect(m.outputs[0]!.shape).toEqual([null, ...a.outputShape]);
      } finally {
        m.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('float weights', () => {
  it('names and order follow tfjs; set(get()) reproduces predictions exactly', () => {
    const before = tf.memory().numTensors;
    const spec = residual;
    const a = analyzeSpec(spec);
    const m1 = buildTfModel(spec, 11);
    const m2 = buildTfModel(spec, 12);
    const w = getFloatWeights(m1, a);
    expect(w.stem!.map((t) => [t.name, t.shape])).toEqual([['kernel', [4, 3, 2, 6]], ['bias', [6]]]);
    expect(w.sep!.map((t) => [t.name, t.shape])).toEqual([['depthwise_kernel', [3, 3, 6, 2]], ['pointwise_kernel', [1, 1, 12, 6]], ['bias', [6]]]);
    expect(w.bn!.map((t) => t.name)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    expect(w.depthwiseConv2d_6!.map((t) => t.name)).toEqual(['depthwise_kernel']);
    // stem [11,13,6] → maxpool [6,7,6] → depthwise valid [5,3,18] → avgpool [4,2,18] = 144
    expect(w.dense_11!.map((t) => [t.name, t.shape])).toEqual([['kernel', [144, 5]], ['bias', [5]]]);
    expect(Object.keys(w)).toEqual(['stem', 'sep', 'bn', 'depthwiseConv2d_6', 'dense_11']);
    // different seeds give different initial weights, the same seed the same
    expect(getFloatWeights(m2, a).stem![0]!.data).not.toEqual(w.stem![0]!.data);
    const m3 = buildTfModel(spec, 11);
    expect(getFloatWeights(m3, a)).toEqual(w);
    m3.dispose();

    // make batch-norm statistics non-trivial so they matter
    w.bn![2]!.data.set([0.1, -0.2, 0.3, 0, 0.5, -0.1]);
    w.bn![3]!.data.set([1.5, 0.5, 2, 1, 0.7, 3]);
    setFloatWeights(m1, w);
    setFloatWeights(m2, w);
    const x = tf.randomUniform([3, 21, 13, 2], -1, 1, 'float32', 9);
    const p1 = tf.tidy(() => (m1.predict(x) as tf.Tensor).dataSync());
    const p2 = tf.tidy(() => (m2.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(p2)).toEqual(Array.from(p1));
    expect(getFloatWeights(m2, a)).toEqual(w);
    tf.dispose([x]);
    m1.dispose();
    m2.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mismatched weights with model/invalid', () => {
    const a = analyzeSpec(gap);
    const m = buildTfModel(gap, 1);
    const w = getFloatWeights(m, a);
    const code = (f: () => void) => {
      try {
        f();
        return 'none';
      } catch (e) {
        return e instanceof EarshotError ? e.code : String(e);
      }
    };
    const clone = () => structuredClone(w);
    expect(code(() => setFloatWeights(m, { ...clone(), conv2d_0: undefined as never }))).toBe('model/invalid');
    expect(code(() => setFloatWeights(m, { ...clone(), extra: [] }))).toBe('model/invalid');
    const short = clone();
    short.conv2d_0![0]!.data = new Float32Array(3);
    expect(code(() => setFloatWeights(m, short))).toBe('model/invalid');
    const renamed = clone();
    renamed.conv2d_0![1]!.name = 'beta';
    expect(code(() => setFloatWeights(m, renamed))).toBe('model/invalid');
    expect(code(() => buildTfModel(gap, 0.5))).toBe('train/bad-options');
    m.dispose();
  });
});

describe('SeededDropout', () => {
  it('varies its mask per training call, reproducibly per seed, and is identity at inference', () => {
    const x = tf.ones([1, 200]);
    const masks = (seed: number) => {
      const d = new SeededDropout({ name: `d${seed}`, rate: 0.5, seed });
      return [0, 1].map(() => Array.from((d.apply(x, { training: true }) as tf.Tensor).dataSync()));
    };
    const [a1, a2] = masks(1);
    const [b1, b2] = masks(1);
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(a2);
    const kept = a1!.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 2) < 1e-6)).toBe(true);
    expect(kept.length).toBeGreaterThan(60);
    expect(kept.length).toBeLessThan(140);
    const d = new SeededDropout({ name: 'inf', rate: 0.5, seed: 3 });
    expect(Array.from((d.apply(x) as tf.Tensor).dataSync()).every((v) => v === 1)).toBe(true);
  });
});
