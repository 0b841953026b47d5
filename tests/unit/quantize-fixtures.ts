/**
 * Shared by the quantization, int8-engine and C-header tests: small seeded specs, random
 * float weights in tfjs layouts, random inputs.
 */
import type { FloatWeights, WeightTensor } from '../../src/core/model/artifact.ts';
import type { ModelSpec, SpecAnalysis } from '../../src/core/model/spec.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tensor(name: string, shape: number[], rand: () => number, lo: number, hi: number): WeightTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rand();
  return { name, shape, data };
}

/** Glorot-ish uniform weights for every layer of an analysed spec, in tfjs order. */
export function randomWeights(a: SpecAnalysis, seed: number): FloatWeights {
  const rand = mulberry32(seed);
  const w: FloatWeights = {};
  a.layers.forEach((info, i) => {
    const l = a.spec.layers[i]!;
    const inShape = info.inputShapes[0]!;
    const inC = inShape[inShape.length - 1]!;
    const lim = (fanIn: number, fanOut: number) => Math.sqrt(6 / (fanIn + fanOut));
    switch (l.type) {
      case 'conv2d': {
        const [kh, kw] = l.kernelSize as [number, number];
        const b = lim(kh * kw * inC, kh * kw * l.filters);
        w[info.name] = [tensor('kernel', [kh, kw, inC, l.filters], rand, -b, b)];
        if (l.useBias !== false) w[info.name]!.push(tensor('bias', [l.filters], rand, -0.2, 0.2));
        break;
      }
      case 'depthwiseConv2d': {
        const [kh, kw] = l.kernelSize as [number, number];
        const m = l.depthMultiplier ?? 1;
        const b = lim(kh * kw, kh * kw * m);
        w[info.name] = [tensor('depthwise_kernel', [kh, kw, inC, m], rand, -b, b)];
        if (l.useBias !== false) w[info.name]!.push(tensor('bias', [inC * m], rand, -0.2, 0.2));
        break;
      }
      case 'separableConv2d': {
        const [kh, kw] = l.kernelSize as [number, number];
        const m = l.depthMultiplier ?? 1;
        const b = lim(kh * kw, kh * kw * m);
        const b2 = lim(inC * m, l.filters);
        w[info.name] = [tensor('depthwise_kernel', [kh, kw, inC, m], rand, -b, b), tensor('pointwise_kernel', [1, 1, inC * m, l.filters], rand, -b2, b2)];
        if (l.useBias !== false) w[info.name]!.push(tensor('bias', [l.filters], rand, -0.2, 0.2));
        break;
      }
      case 'dense': {
        const b = lim(inC, l.units);
        w[info.name] = [tensor('kernel', [inC, l.units], rand, -b, b)];
        if (l.useBias !== false) w[info.name]!.push(tensor('bias', [l.units], rand, -0.2, 0.2));
        break;
      }
      case 'batchNormalization':
        w[info.name] = [
          tensor('gamma', [inC], rand, 0.5, 1.5),
          tensor('beta', [inC], rand, -0.5, 0.5),
          tensor('moving_mean', [inC], rand, -0.5, 0.5),
          tensor('moving_variance', [inC], rand, 0.5, 1.5),
        ];
        break;
      default:
        break;
    }
  });
  return w;
}

export function randomInput(shape: number[], rand: () => number, lo = -2, hi = 2): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rand();
  return x;
}

/** Test specs covering every op the quantizer handles. */
export const TEST_SPECS: Record<string, ModelSpec> = {
  convPoolDepthwise: {
    version: 1,
    input: { shape: [12, 10, 1] },
    layers: [
      { type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'batchNormalization' },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'conv2d', filters: 8, kernelSize: [3, 2], strides: 2, padding: 'valid', useBias: false },
      { type: 'batchNormalization' },
      { type: 'activation', activation: 'relu6' },
      { type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' },
      { type: 'flatten' },
      { type: 'dropout', rate: 0.25 },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
  },
  residual: {
    version: 1,
    input: { shape: [9, 8, 2] },
    layers: [
      { type: 'conv2d', name: 'stem', filters: 4, kernelSize: 3, strides: [2, 1], padding: 'same', activation: 'relu' },
      { type: 'conv2d', name: 'branch', filters: 4, kernelSize: 3, padding: 'same' },
      { type: 'batchNormalization', name: 'bn' },
      { type: 'add', name: 'sum', inputs: ['stem', 'bn'] },
      { type: 'activation', activation: 'relu' },
      { type: 'separableConv2d', filters: 5, kernelSize: [2, 3], depthMultiplier: 2, padding: 'same', activation: 'relu' },
      { type: 'averagePooling2d', poolSize: 3, strides: 2, padding: 'same' },
      { type: 'globalAveragePooling2d' },
      { type: 'dense', units: 4, activation: 'softmax' },
    ],
  },
  depthwiseValid: {
    version: 1,
    input: { shape: [11, 9, 3] },
    layers: [
      { type: 'depthwiseConv2d', kernelSize: [3, 2], depthMultiplier: 2, strides: [2, 1], padding: 'valid' },
      { type: 'batchNormalization' },
      { type: 'activation', activation: 'relu6' },
      { type: 'averagePooling2d', poolSize: 2, padding: 'valid' },
      { type: 'separableConv2d', filters: 4, kernelSize: 2, padding: 'valid', useBias: false },
      { type: 'reshape', targetShape: [-1] },
      { type: 'dense', units: 8, activation: 'relu' },
      { type: 'dense', units: 5 },
    ],
  },
  threeWayAdd: {
    version: 1,
    input: { shape: [6, 6, 1] },
    layers: [
      { type: 'conv2d', name: 'a', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'conv2d', name: 'b', filters: 3, kernelSize: 1, padding: 'same', inputs: ['a'] },
      { type: 'conv2d', name: 'c', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu6', inputs: ['a'] },
      { type: 'add', name: 'abc', inputs: ['a', 'b', 'c'] },
      { type: 'maxPooling2d', poolSize: [3, 2], strides: [2, 2], padding: 'same' },
      { type: 'batchNormalization' },
      { type: 'flatten' },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
  },
};
