/**
 * Live inference keeps one classifier (core createClassifier): the float model is built once and
 * gives, window after window, exactly classifyClips' probabilities; the int8 one the reference
 * engine's; the train API's setLiveModel/classifyLive use it, and replacing or clearing the live
 * model frees the float model's tensors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { classifyClips, createClassifier } from '../../src/core/pipeline/inference.ts';
import { quantizeArtifact } from '../../src/core/pipeline/quantize-pipeline.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape } from '../../src/core/dsp/feature-config.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import type { ModelArtifact } from '../../src/core/model/artifact.ts';
import { createTrainApi } from '../../src/workers/train-api.ts';
import { randomWeights } from './quantize-fixtures.ts';

const shape = featureShape(DEFAULT_FEATURE_CONFIG);
const rand = mulberry32(21);
const windows = Array.from({ length: 5 }, (_, i) => Float32Array.from({ length: shape.inputSamples }, (_, k) => 0.3 * Math.sin(k * (0.05 + 0.1 * i)) + 0.02 * (rand() - 0.5)));

function artifact(): ModelArtifact {
  const spec = presetSpec('ds-cnn-s', [shape.frames, shape.bands, 1], 3, { width: 8, depth: 1 });
  const a = analyzeSpec(spec);
  return { version: 1, labels: ['a', 'b', 'c'], featureConfig: DEFAULT_FEATURE_CONFIG, spec: a.spec, weights: randomWeights(a, 4) };
}

describe('live classifier', () => {
  beforeAll(async () => {
    await initNodeTf('wasm');
  });

  it('float: built once, each window equals classifyClips; int8 equals the reference engine; tensors freed on dispose', async () => {
    const art = artifact();
    const expected = await classifyClips(art, windows);
    const before = tf.memory().numTensors;
    const c = createClassifier(art);
    const held = tf.memory().numTensors;
    expect(held).toBeGreaterThan(before);
    for (let i = 0; i < windows.length; i++) expect(c.classify([windows[i]!])[0]).toEqual(expected[i]);
    expect(tf.memory().numTensors).toBe(held);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => c.classify([windows[0]!])).toThrow(/disposed/);

    const q = quantizeArtifact(art, windows.map((s) => ({ samples: s, label: 'a' })));
    const int8 = createClassifier(q, { int8: true });
    expect(int8.classify(windows)).toEqual(await classifyClips(q, windows, { int8: true }));
    expect(() => createClassifier(art, { int8: true })).toThrow(/no int8 version/);
  });

  it('the train API keeps one live classifier and frees it when replaced or cleared', async () => {
    const api = createTrainApi((name) => initNodeTf(name as 'wasm' | 'cpu'));
    const art = artifact();
    const expected = await classifyClips(art, windows);
    const before = tf.memory().numTensors;
    expect(await api.setLiveModel(art)).toEqual({ ok: true, value: true });
    for (let i = 0; i < windows.length; i++) expect(await api.classifyLive(windows[i]!)).toEqual({ ok: true, value: expected[i]!.probabilities });
    expect(await api.setLiveModel(artifact())).toEqual({ ok: true, value: true });
    expect(await api.setLiveModel(null)).toEqual({ ok: true, value: false });
    expect(tf.memory().numTensors).toBe(before);
    const none = await api.classifyLive(windows[0]!);
    expect(none.ok ? 'ok' : none.code).toBe('model/invalid');
  });
});
