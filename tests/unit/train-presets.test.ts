/**
 * Every preset trains on the wasm backend (its gradients included), leaks no tensors in train and
 * predict, gives the same probabilities in tfjs as in core's float engine, and quantizes.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { PRESET_NAMES, presetSpec } from '../../src/core/model/presets.ts';
import { predictFloat, trainModel } from '../../src/core/model/train.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { runFloat } from '../../src/core/quant/float-engine.ts';
import { quantizeModel } from '../../src/core/quant/quantize.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

describe('presets train, predict and quantize', () => {
  for (const name of PRESET_NAMES) {
    it(name, async () => {
      await initNodeTf('wasm');
      const r = mulberry32(3);
      const x = Array.from({ length: 12 }, () => Float32Array.from({ length: 49 * 40 }, () => -8 + 6 * r()));
      const y = x.map((_, i) => i % 3);
      const spec = presetSpec(name, [49, 40, 1], 3, { width: 8 });
      const before = tf.memory().numTensors;
      const { weights, history } = await trainModel({ spec, x, y, epochs: 2, batchSize: 6, seed: 4 });
      expect(history.loss.every(Number.isFinite)).toBe(true);
      const probs = predictFloat(spec, weights, x.slice(0, 3));
      expect(tf.memory().numTensors).toBe(before);
      const a = analyzeSpec(spec);
      probs.forEach((p, i) => {
        const f = runFloat(a, weights, x[i]!).output;
        for (let k = 0; k < 3; k++) expect(Math.abs(f[k]! - p[k]!)).toBeLessThan(1e-4);
      });
      const q = quantizeModel(a, weights, x.slice(0, 6));
      expect(q.ops.length).toBeGreaterThan(2);
    });
  }
});
