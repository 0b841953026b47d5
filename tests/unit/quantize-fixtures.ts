/**
 * Shared by the quantization, int8-engine and C-header tests: small seeded specs, random
 * float weights in tfjs layouts, random inputs.
 */
import type { FloatWeights, WeightTensor } from '../../src/core/model/artifact.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import type { ModelSpec, SpecAnalysis } from '../../src/core/model/spec.ts';

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

/** A random small network: a chain of conv / depthwise / separable / pool / bn layers, maybe a residual add, then a classifier. */
export function randomSpec(seed: number, inputShape?: [number, number, number]): ModelSpec {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  let h = int(6, 14);
  let w = int(5, 12);
  let c = int(1, 3);
  if (inputShape) [h, w, c] = inputShape;
  const layers: ModelSpec['layers'] = [];
  const input = { shape: [h, w, c] as [number, number, number] };
  const n = int(2, 4);
  for (let i = 0; i < n; i++) {
    const kind = pick(['conv2d', 'conv2d', 'depthwiseConv2d', 'separableConv2d', 'maxPooling2d', 'averagePooling2d', 'residual'] as const);
    const padding = pick(['same', 'valid'] as const);
    const k = [int(1, 3), int(1, 3)] as [number, number];
    const s = [int(1, 2), int(1, 2)] as [number, number];
    const fits = padding === 'same' || (h >= k[0] + 1 && w >= k[1] + 1);
    const pad = fits ? padding : 'same';
    const out = (len: number, kk: number, ss: number) => (pad === 'same' ? Math.ceil(len / ss) : Math.ceil((len - kk + 1) / ss));
    const act = pick(['relu', 'relu6', 'linear'] as const);
    if (kind === 'conv2d') {
      c = int(2, 6);
      layers.push({ type: 'conv2d', filters: c, kernelSize: k, strides: s, padding: pad, activation: act });
      if (r() < 0.4) layers.push({ type: 'batchNormalization' });
    } else if (kind === 'depthwiseConv2d') {
      const m = int(1, 2);
      layers.push({ type: 'depthwiseConv2d', kernelSize: k, strides: s, padding: pad, depthMultiplier: m, activation: act });
      c *= m;
    } else if (kind === 'separableConv2d') {
      c = int(2, 5);
      layers.push({ type: 'separableConv2d', filters: c, kernelSize: k, strides: s, padding: pad, depthMultiplier: int(1, 2), activation: act });
    } else if (kind === 'residual') {
      const base = `res${i}`;
      layers.push({ type: 'conv2d', name: `${base}_a`, filters: c, kernelSize: 3, padding: 'same', activation: 'relu' });
      layers.push({ type: 'conv2d', name: `${base}_b`, filters: c, kernelSize: 1, padding: 'same' });
      layers.push({ type: 'add', name: `${base}_sum`, inputs: [`${base}_a`, `${base}_b`] });
      if (r() < 0.5) layers.push({ type: 'activation', activation: 'relu' });
      continue;
    } else {
      layers.push({ type: kind, poolSize: k, strides: s, padding: pad });
    }
    h = out(h, k[0], s[0]);
    w = out(w, k[1], s[1]);
  }
  if (r() < 0.5) layers.push({ type: 'globalAveragePooling2d' });
  else layers.push({ type: 'flatten' });
  if (r() < 0.5) layers.push({ type: 'dense', units: int(4, 10), activation: 'relu' });
  layers.push({ type: 'dense', units: int(2, 5), activation: 'softmax' });
  return { version: 1, input, layers };
}
