import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { EarshotError } from '../../src/core/errors.ts';
import { classifyClips } from '../../src/core/pipeline/inference.ts';
import { fineTuneAndRequantize } from '../../src/core/pipeline/quantize-pipeline.ts';
import { fakeQuantKernel, fineTuneQuantAware } from '../../src/core/quant/qat.ts';
import type { QConv2dOp, QDepthwiseConv2dOp } from '../../src/core/quant/quantized-model.ts';
import { seededQuantizedModel, synthClip } from '../c/helpers/model-fixtures.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS } from './quantize-fixtures.ts';

const CONFIG = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12 });

beforeAll(async () => {
  await initNodeTf('cpu');
});

describe('quantization-aware fine-tuning', () => {
  it('fake quantization rounds kernels to the same integers as quantizeModel (conv and depthwise)', () => {
    let compared = 0;
    for (const spec of [TEST_SPECS.depthwiseValid!, TEST_SPECS.convPoolDepthwise!]) {
    const { artifact } = seededQuantizedModel(spec, CONFIG, 5, { clips: 0 });
    const q = artifact.quantized!;
    for (const op of q.ops) {
      if (op.kind !== 'conv2d' && op.kind !== 'depthwiseConv2d') continue;
      const list = artifact.weights[op.layer] ?? [];
      if (list.some((t) => t.name === 'pointwise_kernel')) continue; // separable: two ops from one layer
      const w = list.find((t) => t.name === (op.kind === 'conv2d' ? 'kernel' : 'depthwise_kernel'));
      if (!w) continue; // a batch norm turned into a depthwise op
      const [kh, kw, a, b] = w.shape as [number, number, number, number];
      const fq = tf.tidy(() => fakeQuantKernel(tf.tensor(w.data, w.shape), op.kind === 'depthwiseConv2d').dataSync());
      const channels = op.kind === 'depthwiseConv2d' ? a * b : b;
      for (let c = 0; c < channels; c++) {
        let max = 0;
        for (let i = c; i < fq.length; i += channels) max = Math.max(max, Math.abs(w.data[i]!));
        const scale = max / 127;
        for (let k = 0; k < kh * kw * (op.kind === 'depthwiseConv2d' ? 1 : a); k++) {
          const i = k * channels + c;
          const level = Math.round(fq[i]! / scale) + 0; // no -0
          // TFLite layouts: conv OHWI (k = (ky*kw+kx)*in + ic), depthwise [1,kh,kw,in*mult]
          const qi = op.kind === 'depthwiseConv2d' ? i : c * kh * kw * a + k;
          expect(level, `${op.layer} channel ${c}`).toBe((op as QConv2dOp | QDepthwiseConv2dOp).weights[qi]);
          compared++;
        }
      }
    }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('fine-tunes against teacher labels: the fake-quant loss falls, int8 accuracy before/after is measured, no tensors leak', async () => {
    const { artifact } = seededQuantizedModel(TEST_SPECS.convPoolDepthwise!, CONFIG, 23, { clips: 0 });
    const named = { ...artifact, labels: artifact.labels.map((_, i) => `c${i}`) };
    const rand = mulberry32(77);
    const samples = Array.from({ length: 48 }, () => synthClip(CONFIG, rand));
    // teacher labels: the float model's own answers, so the float model is right on every clip
    const preds = await classifyClips(named, samples);
    const clips = samples.map((s, i) => ({ samples: s, label: named.labels[preds[i]!.labelIndex]! }));
    const before = tf.memory().numTensors;
    const out = await fineTuneAndRequantize(named, clips, { epochs: 4, learningRate: 5e-3, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.floatBefore).toBe(1);
    expect(out.losses.length).toBe(4);
    expect(out.losses[3]!).toBeLessThan(out.losses[0]!);
    for (const a of [out.int8Before, out.int8.accuracy, out.float.accuracy]) expect(a).toBeGreaterThanOrEqual(0);
    expect(out.artifact.quantized).toBeDefined();
    expect(out.artifact.weights).not.toBe(named.weights);
    console.log(`QAT on teacher labels: int8 ${(out.int8Before * 100).toFixed(1)}% -> ${(out.int8.accuracy * 100).toFixed(1)}%, float ${(out.floatBefore * 100).toFixed(1)}% -> ${(out.float.accuracy * 100).toFixed(1)}%, loss ${out.losses.map((l) => l.toFixed(3)).join(' ')}`);
  });

  it('validates its options and can be cancelled', async () => {
    const { artifact } = seededQuantizedModel(TEST_SPECS.depthwiseValid!, CONFIG, 5, { clips: 0 });
    const x = [new Float32Array(12 * 12)];
    await expect(fineTuneQuantAware(artifact.spec, artifact.weights, x, [0], { epochs: 0 })).rejects.toThrow(EarshotError);
    await expect(fineTuneQuantAware(artifact.spec, artifact.weights, x, [], {})).rejects.toThrow(/labels/);
    const before = tf.memory().numTensors;
    await expect(fineTuneQuantAware(artifact.spec, artifact.weights, x, [0], { signal: { aborted: true } })).rejects.toMatchObject({ code: 'train/cancelled' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
