import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import type { FloatWeights } from '../../src/core/model/artifact.ts';
import type { LayerSpec, SpecAnalysis } from '../../src/core/model/spec.ts';
import { runFloat, tfPadding } from '../../src/core/quant/float-engine.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS, randomInput, randomWeights } from './quantize-fixtures.ts';

/** Build the same network by hand with tf.layers (independent of src/core/model). */
function buildTf(a: SpecAnalysis, weights: FloatWeights): tf.LayersModel {
  const input = tf.input({ shape: a.spec.input.shape });
  const outs = new Map<string, tf.SymbolicTensor>([['input', input]]);
  const layers: { layer: tf.layers.Layer; name: string }[] = [];
  a.layers.forEach((info, i) => {
    const l = a.spec.layers[i] as LayerSpec & Record<string, unknown>;
    const { type, inputs: _inputs, ...cfg } = l;
    const factory: Record<string, (c: never) => tf.layers.Layer> = {
      conv2d: tf.layers.conv2d,
      depthwiseConv2d: tf.layers.depthwiseConv2d,
      separableConv2d: tf.layers.separableConv2d,
      dense: tf.layers.dense,
      maxPooling2d: tf.layers.maxPooling2d,
      averagePooling2d: tf.layers.averagePooling2d,
      globalAveragePooling2d: tf.layers.globalAveragePooling2d,
      flatten: tf.layers.flatten,
      reshape: tf.layers.reshape,
      batchNormalization: tf.layers.batchNormalization,
      dropout: tf.layers.dropout,
      activation: tf.layers.activation,
      add: tf.layers.add,
    };
    // tfjs cannot infer a symbolic -1 before a dense layer: give reshape its resolved shape
    const layer = factory[type]!((type === 'reshape' ? { ...cfg, targetShape: info.outputShape } : cfg) as never);
    const ins = info.inputs.map((n) => outs.get(n)!);
    outs.set(info.name, layer.apply(ins.length === 1 ? ins[0]! : ins) as tf.SymbolicTensor);
    layers.push({ layer, name: info.name });
  });
  const model = tf.model({ inputs: input, outputs: outs.get(a.layers[a.layers.length - 1]!.name)! });
  for (const { layer, name } of layers) {
    const w = weights[name];
    if (w) layer.setWeights(w.map((t) => tf.tensor(t.data, t.shape)));
  }
  return model;
}

describe('float reference engine', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('TF padding: same pads floor(total/2) before', () => {
    expect(tfPadding(10, 3, 1, 'same')).toEqual({ out: 10, padBefore: 1 });
    expect(tfPadding(10, 4, 1, 'same')).toEqual({ out: 10, padBefore: 1 }); // total 3: 1 before, 2 after
    expect(tfPadding(9, 3, 2, 'same')).toEqual({ out: 5, padBefore: 1 });
    expect(tfPadding(8, 3, 2, 'same')).toEqual({ out: 4, padBefore: 0 }); // total 1: 0 before
    expect(tfPadding(10, 3, 2, 'valid')).toEqual({ out: 4, padBefore: 0 });
  });

  for (const [name, spec] of Object.entries(TEST_SPECS)) {
    it(`matches tfjs layers on ${name} (max abs diff <= 1e-4), every layer`, () => {
      const a = analyzeSpec(spec);
      const weights = randomWeights(a, 7);
      const model = buildTf(a, weights);
      // a second model exposing every layer output
      const probe = tf.model({ inputs: model.inputs, outputs: a.layers.map((l) => model.getLayer(l.name).output as tf.SymbolicTensor) });
      const rand = mulberry32(11);
      let worst = 0;
      for (let n = 0; n < 4; n++) {
        const x = randomInput(spec.input.shape, rand);
        const ours = runFloat(a, weights, x);
        const theirs = tf.tidy(() => (probe.predict(tf.tensor(x, [1, ...spec.input.shape])) as tf.Tensor[]).map((t) => t.dataSync().slice()));
        a.layers.forEach((l, i) => {
          const mine = ours.activations.get(l.name)!;
          const ref = theirs[i]!;
          expect(mine.length, l.name).toBe(ref.length);
          for (let k = 0; k < ref.length; k++) worst = Math.max(worst, Math.abs(mine[k]! - ref[k]!));
        });
        expect(Array.from(ours.output)).toEqual(Array.from(ours.activations.get(a.layers[a.layers.length - 1]!.name)!));
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
      model.dispose();
    });
  }

  it('refuses an input of the wrong size and weights of the wrong shape', () => {
    const a = analyzeSpec(TEST_SPECS.convPoolDepthwise!);
    const w = randomWeights(a, 1);
    expect(() => runFloat(a, w, new Float32Array(3))).toThrow(expect.objectContaining({ code: 'model/invalid' }));
    const bad = { ...w, conv2d_0: [{ ...w.conv2d_0![0]!, shape: [3, 3, 1, 5] }] };
    expect(() => runFloat(a, bad, new Float32Array(120))).toThrow(expect.objectContaining({ code: 'model/invalid' }));
  });
});
