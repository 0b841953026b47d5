/**
 * The JS gradient kernels (registered for wasm and cpu) against the stock cpu backend's
 * gradients of conv2d and depthwiseConv2d, on seeded random shapes with strides 1..3, both
 * paddings, odd and even kernels, depth multipliers 1..2; on wasm with the SIMD kernels of
 * train-kernels.wat and with them switched off (tolerance 1e-4 absolute on values of order 1–10:
 * tfjs's stock cpu gradients sum in float32).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { setWasmTrainKernels, wasmTrainKernelsActive } from '../../src/core/model/wasm-train-kernels.ts';

interface Case {
  batch: number;
  h: number;
  w: number;
  inC: number;
  kH: number;
  kW: number;
  outC: number; // conv2d filters
  mult: number; // depthwise multiplier
  strides: [number, number];
  pad: 'same' | 'valid';
}

function cases(): Case[] {
  const r = mulberry32(1234);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: Case[] = [
    { batch: 2, h: 49, w: 40, inC: 1, kH: 10, kW: 8, outC: 8, mult: 1, strides: [2, 2], pad: 'same' },
    { batch: 2, h: 13, w: 10, inC: 3, kH: 3, kW: 3, outC: 4, mult: 2, strides: [1, 1], pad: 'same' },
    { batch: 1, h: 9, w: 7, inC: 2, kH: 4, kW: 2, outC: 3, mult: 1, strides: [2, 3], pad: 'valid' },
    { batch: 3, h: 7, w: 5, inC: 6, kH: 1, kW: 1, outC: 4, mult: 1, strides: [1, 1], pad: 'same' },
    { batch: 2, h: 6, w: 4, inC: 3, kH: 1, kW: 1, outC: 5, mult: 1, strides: [1, 1], pad: 'valid' },
    { batch: 2, h: 6, w: 5, inC: 3, kH: 1, kW: 1, outC: 5, mult: 1, strides: [2, 2], pad: 'same' },
    // stride 1, multiplier 1: the wasm depthwise input gradient runs as a flipped XNNPACK convolution
    { batch: 2, h: 25, w: 20, inC: 8, kH: 3, kW: 3, outC: 8, mult: 1, strides: [1, 1], pad: 'same' },
    { batch: 1, h: 9, w: 8, inC: 3, kH: 4, kW: 2, outC: 2, mult: 1, strides: [1, 1], pad: 'same' },
    { batch: 2, h: 9, w: 8, inC: 3, kH: 2, kW: 5, outC: 2, mult: 1, strides: [1, 1], pad: 'valid' },
  ];
  for (let i = 0; i < 12; i++) {
    const kH = int(1, 5);
    const kW = int(1, 5);
    out.push({
      batch: int(1, 3), h: int(kH, 14), w: int(kW, 14), inC: int(1, 4), kH, kW, outC: int(1, 5), mult: int(1, 2),
      strides: [int(1, 3), int(1, 3)], pad: r() < 0.5 ? 'same' : 'valid',
    });
  }
  return out;
}

function rand(shape: number[], seed: number): tf.Tensor {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => r() * 2 - 1), shape, 'float32');
}

interface Grads {
  convFilter: Float32Array;
  convInput: Float32Array;
  dwFilter: Float32Array;
  dwInput: Float32Array;
}

function grads(c: Case, seed: number): Grads {
  return tf.tidy(() => {
    const x = rand([c.batch, c.h, c.w, c.inC], seed) as tf.Tensor4D;
    const wc = rand([c.kH, c.kW, c.inC, c.outC], seed + 1) as tf.Tensor4D;
    const wd = rand([c.kH, c.kW, c.inC, c.mult], seed + 2) as tf.Tensor4D;
    const yc = tf.conv2d(x, wc, c.strides, c.pad);
    const yd = tf.depthwiseConv2d(x, wd, c.strides, c.pad);
    const dyc = rand(yc.shape, seed + 3);
    const dyd = rand(yd.shape, seed + 4);
    const [gxc, gwc] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), dyc)))([x, wc]);
    const [gxd, gwd] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), dyd)))([x, wd]);
    return {
      convFilter: gwc!.dataSync() as Float32Array,
      convInput: gxc!.dataSync() as Float32Array,
      dwFilter: gwd!.dataSync() as Float32Array,
      dwInput: gxd!.dataSync() as Float32Array,
    };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('gradient kernels vs stock cpu gradients', () => {
  it('cpu (JS kernels), wasm (SIMD kernels) and wasm (JS kernels) match stock cpu within 1e-4', async () => {
    const all = cases();
    // Stock cpu first: our kernels are not registered until initTf runs.
    await tf.setBackend('cpu');
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeUndefined();
    const stock = all.map((c, i) => grads(c, 100 * i));

    expect(await initNodeTf('cpu')).toBe('cpu');
    const cpu = all.map((c, i) => grads(c, 100 * i));
    expect(await initNodeTf('wasm')).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(wasmTrainKernelsActive(tf.backend())).toBe(true);
    const wasm = all.map((c, i) => grads(c, 100 * i));
    setWasmTrainKernels(false);
    const wasmJs = all.map((c, i) => grads(c, 100 * i));
    setWasmTrainKernels(true);

    let worst = 0;
    all.forEach((c, i) => {
      for (const k of ['convFilter', 'dwFilter', 'dwInput', 'convInput'] as const) {
        for (const [name, got] of [['cpu', cpu[i]!], ['wasm', wasm[i]!], ['wasm-js', wasmJs[i]!]] as const) {
          const d = maxAbsDiff(got[k], stock[i]![k]);
          worst = Math.max(worst, d);
          expect(d, `${name} ${k} case ${i} ${JSON.stringify(c)}`).toBeLessThanOrEqual(1e-4);
        }
      }
    });
    // the comparison is not vacuous: gradients are non-trivial
    expect(Math.max(...stock[0]!.convFilter.map(Math.abs))).toBeGreaterThan(0.1);
    console.log(`gradient kernels: ${all.length} cases, worst max abs diff ${worst.toExponential(2)}`);
  });
});

describe('wasm Tile replacement', () => {
  it('matches the cpu backend for float32, int32 and bool, ranks 1-4', async () => {
    const r = mulberry32(77);
    const shapes: [number[], number[]][] = [
      [[5], [3]],
      [[1, 1, 1, 64], [4, 5, 6, 1]],
      [[2, 3], [2, 2]],
      [[3, 1, 20], [1, 4, 2]],
      [[2, 2, 2, 2], [2, 1, 3, 2]],
      [[1, 17], [3, 1]],
    ];
    const inputs = shapes.map(([shape]) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(r() * 200) - 100));
    const run = () =>
      shapes.flatMap(([shape, reps], i) =>
        (['float32', 'int32', 'bool'] as const).map((dtype) =>
          tf.tidy(() => {
            const v = inputs[i]!;
            const t = dtype === 'bool' ? tf.tensor(v.map((x) => x > 0), shape, 'bool') : tf.tensor(v, shape, dtype);
            return Array.from(tf.tile(t, reps).dataSync());
          }),
        ),
      );
    await initNodeTf('cpu');
    const cpu = run();
    await initNodeTf('wasm');
    expect(tf.getKernel('Tile', 'wasm')).toBeDefined();
    const wasm = run();
    expect(wasm).toEqual(cpu);
    expect(cpu[3]!.length).toBe(64 * 120);
  });
});

describe('wasm AvgPoolGrad replacement', () => {
  it('matches the cpu backend (global, strided, same-padded pools)', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = rand([4, 5, 6, 7], 9);
        const outs: tf.Tensor[] = [];
        for (const [pool, stride, pad] of [[[5, 6], 1, 'valid'], [[2, 2], 2, 'same'], [[3, 2], [2, 1], 'valid'], [[3, 3], 1, 'same']] as const) {
          const y = tf.avgPool(x as tf.Tensor4D, pool as [number, number], stride as number, pad);
          const dy = rand(y.shape, 11);
          outs.push(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, pool as [number, number], stride as number, pad), dy)))(x));
        }
        return outs.map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
      });
    await initNodeTf('cpu');
    const cpu = run();
    await initNodeTf('wasm');
    const wasm = run();
    cpu.forEach((c, i) => {
      expect(wasm[i]!.shape, `case ${i}`).toEqual(c.shape);
      expect(maxAbsDiff(wasm[i]!.data, c.data), `case ${i}`).toBeLessThanOrEqual(1e-5);
    });
    expect(cpu.length).toBe(4);
    expect(Math.max(...cpu[0]!.data.map(Math.abs))).toBeGreaterThan(0.01);
  });
});
