/**
 * The WebAssembly SIMD training kernels (train-kernels.wat on the tfjs wasm heap) against their
 * JS references, run as the same tfjs kernels with setWasmTrainKernels(false) and against the
 * reference functions directly: odd channel counts, stride 2, 'same'/'valid', batch 1, and a
 * call whose own allocations grow the heap. Bit-identical where the WAT does the JS's float64
 * sums in the same order (batch norm, depthwise filter gradient), copies (im2col, transposes) or
 * integer arithmetic (dropout masks); AvgPoolGrad's overlapping windows sum in float32 (≤ 1e-6).
 * Also: the embedded bytes are current.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { BN_GRAD_KERNEL, BN_TRAIN_KERNEL, batchNormBackward, batchNormForward, invStdOf } from '../../src/core/model/fast-batch-norm.ts';
import { DROPOUT_KERNEL, seededDropout, setWasmTrainKernels, wasmTrainKernelsActive } from '../../src/core/model/wasm-train-kernels.ts';
import { SeededDropout } from '../../src/core/model/tf-model.ts';
import { assemble, render, TRAIN_KERNELS_MODULE } from '../../scripts/embed-wasm.ts';

function rand(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  const r = mulberry32(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => offset + scale * (r() * 2 - 1)), shape, 'float32');
}

/** Indices (up to 5) where a and b differ in bits. */
function bitDiffs(a: ArrayLike<number>, b: ArrayLike<number>): string[] {
  expect(a.length).toBe(b.length);
  const out: string[] = [];
  for (let i = 0; i < a.length && out.length < 5; i++) if (!Object.is(a[i], b[i])) out.push(`[${i}] simd=${a[i]} js=${b[i]}`);
  return out;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Run `f` with the SIMD kernels and with their JS loops; returns the data of each result tensor. */
function both(f: () => tf.Tensor[]): { simd: Float32Array[]; js: Float32Array[] } {
  const run = (on: boolean) => {
    setWasmTrainKernels(on);
    expect(wasmTrainKernelsActive(tf.backend())).toBe(on);
    return tf.tidy(() => f().map((t) => t.dataSync() as Float32Array));
  };
  return { simd: run(true), js: run(false) };
}

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];

describe('train-kernels.wat on the tfjs wasm heap', () => {
  beforeAll(async () => {
    await initNodeTf('wasm');
  });
  afterEach(() => setWasmTrainKernels(true));

  it('embeds the bytes of the current train-kernels.wat', async () => {
    expect(readFileSync(TRAIN_KERNELS_MODULE.generated, 'utf8')).toBe(render(await assemble(TRAIN_KERNELS_MODULE), TRAIN_KERNELS_MODULE));
  });

  it('is loaded on the single-threaded wasm backend in Node and off on cpu', async () => {
    expect(wasmTrainKernelsActive(tf.backend())).toBe(true);
    await initNodeTf('cpu');
    expect(wasmTrainKernelsActive(tf.backend())).toBe(false);
    await initNodeTf('wasm');
  });

  it('batch norm forward and backward: same bits as the JS loops (odd channels, rank 2-4, one row)', () => {
    const before = tf.memory().numTensors;
    for (const [i, shape] of [[4, 5, 3, 7], [2, 6, 5, 64], [1, 1, 1, 5], [9, 1], [3, 33], [1, 4, 4, 2]].entries()) {
      const C = shape[shape.length - 1]!;
      const { simd, js } = both(() => {
        const x = rand(shape, 10 + i, 3, 0.5);
        const gamma = rand([C], 20 + i, 0.5, 1);
        const beta = rand([C], 30 + i);
        const dy = rand(shape, 40 + i);
        const [y, mean, variance] = run(BN_TRAIN_KERNEL, { x, gamma, beta }, { epsilon: 1e-3 }) as tf.Tensor[];
        const g = run(BN_GRAD_KERNEL, { x, dy, gamma, mean: mean!, variance: variance! }, { epsilon: 1e-3 }) as tf.Tensor[];
        return [y!, mean!, variance!, ...g];
      });
      simd.forEach((a, k) => expect(bitDiffs(a, js[k]!), `${shape} output ${k}`).toEqual([]));
      // the JS loops on heap views are the exported reference functions
      tf.tidy(() => {
        const x = rand(shape, 10 + i, 3, 0.5).dataSync() as Float32Array;
        const f = batchNormForward(x, C, rand([C], 20 + i, 0.5, 1).dataSync() as Float32Array, rand([C], 30 + i).dataSync() as Float32Array, 1e-3);
        expect(bitDiffs(simd[0]!, f.y)).toEqual([]);
        const b = batchNormBackward(x, rand(shape, 40 + i).dataSync() as Float32Array, C, rand([C], 20 + i, 0.5, 1).dataSync() as Float32Array, f.mean, invStdOf(f.variance, 1e-3));
        expect(bitDiffs(simd[3]!, b.dx)).toEqual([]);
        expect(bitDiffs(simd[4]!, b.dGamma)).toEqual([]);
      });
      if (shape.length > 2 ? shape[0]! * shape[1]! * shape[2]! > 1 : shape[0]! > 1) expect(maxAbs(simd[3]!), `${shape}`).toBeGreaterThan(1e-3); // not vacuous
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('depthwise filter and input gradients: same bits as the JS (stride 2, same/valid, odd channels, batch 1)', () => {
    const cases: Array<{ x: number[]; k: [number, number]; s: [number, number]; pad: 'same' | 'valid' }> = [
      { x: [2, 25, 20, 64], k: [3, 3], s: [1, 1], pad: 'same' },
      { x: [1, 9, 7, 5], k: [3, 3], s: [2, 2], pad: 'same' },
      { x: [3, 11, 8, 3], k: [4, 2], s: [2, 1], pad: 'valid' },
      { x: [1, 6, 6, 1], k: [5, 5], s: [1, 2], pad: 'same' },
      { x: [2, 7, 9, 13], k: [2, 3], s: [3, 2], pad: 'valid' },
    ];
    for (const [i, c] of cases.entries()) {
      const { simd, js } = both(() => {
        const x = rand(c.x, 50 + i);
        const w = rand([...c.k, c.x[3]!, 1], 60 + i) as tf.Tensor4D;
        const dy = rand(tf.depthwiseConv2d(x as tf.Tensor4D, w, c.s, c.pad).shape, 70 + i);
        return [
          run('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: c.s, pad: c.pad, dilations: 1, filterShape: w.shape }) as tf.Tensor,
          run('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { strides: c.s, pad: c.pad, dilations: 1, inputShape: c.x }) as tf.Tensor,
        ];
      });
      // input gradient: the SIMD loop for strides > 1; stride 1 is XNNPACK's in both runs
      simd.forEach((a, k) => expect(bitDiffs(a, js[k]!), `${JSON.stringify(c)} output ${k}`).toEqual([]));
      expect(maxAbs(simd[0]!)).toBeGreaterThan(1e-3);
      expect(maxAbs(simd[1]!)).toBeGreaterThan(1e-3);
    }
  });

  it('conv2d gradients through im2col / transpose / col2im: same bits as the JS', () => {
    const cases: Array<{ x: number[]; k: number[]; s: [number, number]; pad: 'same' | 'valid' }> = [
      { x: [2, 49, 40, 1], k: [10, 4, 1, 6], s: [2, 2], pad: 'same' },
      { x: [3, 7, 5, 6], k: [1, 1, 6, 5], s: [1, 1], pad: 'same' }, // pointwise: im2col is a transpose
      { x: [1, 9, 7, 3], k: [3, 2, 3, 7], s: [2, 1], pad: 'valid' },
      { x: [2, 5, 6, 7], k: [1, 1, 7, 3], s: [2, 2], pad: 'same' },
    ];
    for (const [i, c] of cases.entries()) {
      const { simd, js } = both(() => {
        const x = rand(c.x, 80 + i) as tf.Tensor4D;
        const w = rand(c.k, 90 + i) as tf.Tensor4D;
        const dy = rand(tf.conv2d(x, w, c.s, c.pad).shape, 100 + i);
        return [
          run('Conv2DBackpropFilter', { x, dy }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: 1, filterShape: c.k }) as tf.Tensor,
          run('Conv2DBackpropInput', { dy, filter: w }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: 1, inputShape: c.x }) as tf.Tensor,
        ];
      });
      simd.forEach((a, k) => expect(bitDiffs(a, js[k]!), `${JSON.stringify(c)} output ${k}`).toEqual([]));
    }
  });

  it('AvgPoolGrad: within 1e-6 of the float64 JS loop, exact where windows do not overlap', () => {
    const cases = [
      { x: [4, 25, 20, 65], f: [25, 20], s: 1, pad: 'valid', exact: true },
      { x: [1, 5, 6, 7], f: [2, 2], s: 2, pad: 'same', exact: true },
      { x: [2, 7, 6, 3], f: [3, 3], s: 1, pad: 'same', exact: false },
      { x: [3, 6, 5, 6], f: [3, 2], s: [2, 1], pad: 'valid', exact: false },
    ] as const;
    for (const [i, c] of cases.entries()) {
      const { simd, js } = both(() => {
        const x = rand([...c.x], 110 + i) as tf.Tensor4D;
        const dy = rand(tf.avgPool(x, [...c.f] as [number, number], c.s as number, c.pad).shape, 120 + i);
        return [run('AvgPoolGrad', { dy, input: x }, { filterSize: c.f, strides: c.s, pad: c.pad }) as tf.Tensor];
      });
      if (c.exact) expect(bitDiffs(simd[0]!, js[0]!), JSON.stringify(c)).toEqual([]);
      else expect(maxAbsDiff(simd[0]!, js[0]!), JSON.stringify(c)).toBeLessThanOrEqual(1e-6);
      expect(maxAbs(simd[0]!)).toBeGreaterThan(1e-4);
    }
  });

  it('dropout: the masks of the JS mulberry32 loop, bit for bit, and its gradient reuses them', () => {
    for (const [n, rate, seed] of [[1, 0.5, 7], [3, 0.1, 123456], [1003, 0.25, 2147483646], [4096, 0.9, 0], [517, 1e-9, 42], [64, 1 - 2 ** -33, 5]] as const) {
      const { simd, js } = both(() => {
        const x = rand([n], n + 1, 2);
        return [run(DROPOUT_KERNEL, { x }, { seed, rate }) as tf.Tensor];
      });
      expect(bitDiffs(simd[0]!, js[0]!), `n ${n} rate ${rate}`).toEqual([]);
      // the mask SeededDropout drew before the kernel existed
      const x = tf.tidy(() => rand([n], n + 1, 2).dataSync() as Float32Array);
      const r = mulberry32(seed);
      const mask = new Float32Array(n);
      for (let i = 0; i < n; i++) mask[i] = r() < rate ? 0 : 1 / (1 - rate);
      expect(bitDiffs(simd[0]!, x.map((v, i) => v * mask[i]!))).toEqual([]);
      const ref = new Float32Array(n);
      seededDropout(x, seed, rate, ref);
      expect(bitDiffs(simd[0]!, ref)).toEqual([]);
    }
    // the threshold at its edge: rate = u/2³² for a draw u keeps that element, (u + 1)/2³² drops it (SIMD lanes and scalar tail)
    const seed = 99;
    const draw = mulberry32(seed);
    const us = Array.from({ length: 6 }, () => draw() * 4294967296);
    for (const [i, u] of us.entries()) {
      for (const [rate, kept] of [[u / 4294967296, true], [(u + 1) / 4294967296, false]] as const) {
        const { simd, js } = both(() => [run(DROPOUT_KERNEL, { x: tf.ones([6]) }, { seed, rate }) as tf.Tensor]);
        expect(simd[0]![i] !== 0, `element ${i} rate ${rate}`).toBe(kept);
        expect(bitDiffs(simd[0]!, js[0]!)).toEqual([]);
      }
    }
    // SeededDropout through the kernel and through its tf.mul path (wasm without the SIMD kernels): same outputs, call after call
    const outputs = [true, false].map((on) => {
      setWasmTrainKernels(on);
      const l = new SeededDropout({ name: `d${String(on)}`, rate: 0.3, seed: 11 });
      return [0, 1, 2].map(() => tf.tidy(() => (l.apply(rand([3, 5, 7], 2, 1, 2), { training: true }) as tf.Tensor).dataSync() as Float32Array));
    });
    outputs[0]!.forEach((o, i) => expect(bitDiffs(o, outputs[1]![i]!), `call ${i}`).toEqual([]));
    expect(bitDiffs(outputs[0]![0]!, outputs[0]![1]!).length).toBeGreaterThan(0); // a fresh mask per call
    setWasmTrainKernels(true);
    // through a SeededDropout layer: y and dx/dy share one mask
    const layer = new SeededDropout({ name: 'd', rate: 0.5, seed: 3 });
    tf.tidy(() => {
      const x = rand([5, 7], 9, 1, 3); // all positive, so the mask is y / x
      let y: tf.Tensor | undefined;
      const dx = tf.grad((a: tf.Tensor) => {
        y = tf.keep(layer.apply(a, { training: true }) as tf.Tensor);
        return tf.sum(y);
      })(x);
      expect(bitDiffs(tf.div(y!, x).dataSync(), dx!.dataSync())).toEqual([]);
      expect(dx!.dataSync().some((v) => v === 0) && dx!.dataSync().some((v) => v === 2)).toBe(true);
      tf.dispose(y);
    });
  });

  it("ReLU gradient: the bits of tfjs's mul(dy, cast(step(x))) on wasm (SIMD and JS) and cpu, incl. ±0, NaN, denormals", async () => {
    const special = [0, -0, NaN, 1e-45, -1e-45, 3, -3, Infinity, -Infinity, 1e-38];
    const n = 1003;
    const r = mulberry32(4);
    const xv = Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i]! : r() * 2 - 1));
    const dyv = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -1 : r() * 4 - 2));
    const viaGrad = () =>
      tf.tidy(() => {
        const dy = tf.tensor(dyv, [n]);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))(tf.tensor(xv, [n])).dataSync() as Float32Array;
      });
    const stock = () => tf.tidy(() => tf.mul(tf.tensor(dyv, [n]), tf.cast(tf.step(tf.tensor(xv, [n])), 'float32')).dataSync() as Float32Array);
    for (const backend of ['wasm', 'cpu'] as const) {
      await initNodeTf(backend);
      for (const on of backend === 'wasm' ? [true, false] : [false]) {
        setWasmTrainKernels(on);
        expect(bitDiffs(viaGrad(), stock()), `${backend} simd ${on}`).toEqual([]);
      }
    }
    await initNodeTf('wasm');
    expect(tf.getKernel('EarshotReluGrad', 'wasm')).toBeDefined();
    expect(Number.isNaN(viaGrad()[2]!)).toBe(true);
    expect(Object.is(viaGrad()[0]!, -0)).toBe(true); // x = 0, dy = −1: −1·0 = −0
  });

  it('keeps working when its own allocations grow the heap', () => {
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: { buffer: ArrayBuffer } } } }).wasm.asm.memory;
    const C = 3;
    const rows = Math.ceil(memory.buffer.byteLength / 4 / C) + 1000; // y alone needs more than the heap has now
    const x = rand([rows, C], 5, 2, 1);
    const gamma = rand([C], 6, 0.5, 1);
    const beta = rand([C], 7);
    const sizeBefore = memory.buffer.byteLength;
    setWasmTrainKernels(true);
    const outs = run(BN_TRAIN_KERNEL, { x, gamma, beta }, { epsilon: 1e-3 }) as tf.Tensor[];
    expect(memory.buffer.byteLength).toBeGreaterThan(sizeBefore);
    const f = batchNormForward(x.dataSync() as Float32Array, C, gamma.dataSync() as Float32Array, beta.dataSync() as Float32Array, 1e-3);
    expect(bitDiffs(outs[0]!.dataSync(), f.y)).toEqual([]);
    expect(bitDiffs(outs[2]!.dataSync(), f.variance)).toEqual([]);
    tf.dispose([x, gamma, beta, ...outs]);
  });
});
