/**
 * FastBatchNormalization (hand-written training step) against tfjs-layers' BatchNormalization:
 * same outputs, gradients for x, gamma and beta, and moving statistics after a training call,
 * on the cpu and wasm backends (wasm with its SIMD kernels and with them switched off);
 * inference is the inherited code. Tolerances: 2e-4 absolute for outputs and gradients of order
 * 1–10 (tfjs's layer computes in float32 with other reductions), 1e-5 for moving statistics.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { FastBatchNormalization } from '../../src/core/model/fast-batch-norm.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { setWasmTrainKernels, wasmTrainKernelsActive } from '../../src/core/model/wasm-train-kernels.ts';

function rand(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  const r = mulberry32(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => offset + scale * (r() * 2 - 1)), shape);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

function run(layer: tf.layers.Layer, shape: number[]) {
  const x = rand(shape, 1, 3, 0.5);
  const w = rand(shape, 2);
  layer.build(shape);
  const [gamma, beta, mm, mv] = layer.getWeights();
  layer.setWeights([rand(gamma!.shape, 3, 0.5, 1), rand(beta!.shape, 4), mm!, mv!]);
  const f = (xs: tf.Tensor) => tf.sum(tf.mul(layer.apply(xs, { training: true }) as tf.Tensor, w)) as tf.Scalar;
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const dx = tf.grad(f)(x);
  const { grads } = tf.variableGrads(() => f(x), layer.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val));
  const g = Object.values(grads);
  const inference = layer.apply(x, { training: false }) as tf.Tensor;
  const moving = layer.getWeights().slice(2);
  return { y, dx, dGamma: g[0]!, dBeta: g[1]!, inference, moving };
}

describe('FastBatchNormalization', () => {
  for (const [backend, simd] of [['cpu', false], ['wasm', true], ['wasm', false]] as const) {
    it(`${backend}${backend === 'wasm' ? (simd ? ' (SIMD kernels)' : ' (JS kernels)') : ''}: matches tfjs BatchNormalization in training (output, gradients, moving stats)`, async () => {
      await initNodeTf(backend);
      setWasmTrainKernels(simd);
      expect(wasmTrainKernelsActive(tf.backend())).toBe(simd);
      const before = tf.memory().numTensors;
      for (const shape of [[4, 5, 3, 6], [7, 5]]) {
        tf.tidy(() => {
          const stock = run(tf.layers.batchNormalization({ axis: -1, momentum: 0.9 }), shape);
          const fast = run(new FastBatchNormalization({ axis: -1, momentum: 0.9 }), shape);
          for (const k of ['y', 'dx', 'dGamma', 'dBeta', 'inference'] as const) {
            expect(maxDiff(fast[k], stock[k]), `${k} ${shape}`).toBeLessThanOrEqual(2e-4);
          }
          stock.moving.forEach((m, i) => expect(maxDiff(fast.moving[i]!, m), `moving ${i}`).toBeLessThanOrEqual(1e-5));
          // not vacuous: the gradients are not zero and moving stats moved from (0, 1)
          expect(Math.max(...fast.dx.dataSync().map(Math.abs))).toBeGreaterThan(0.01);
          expect(Math.abs(fast.moving[0]!.dataSync()[0]!)).toBeGreaterThan(0.001);
        });
      }
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 16); // layer weights only (2 layers × 4 × 2 shapes)
      setWasmTrainKernels(true);
    });
  }
});
