/**
 * Float reference engine: a plain float32 forward pass of every op a ModelSpec can hold, NHWC,
 * with TensorFlow's padding rules (same: pad_before = floor(total / 2)). It is the float
 * "truth" for the quantizer's calibration and for int8-vs-float comparisons; tests check it
 * against tfjs-layers.
 *
 * `activations` holds every layer's output under the layer name, plus two kinds of extra
 * entries the quantizer needs: `${name}/depthwise` (a separable conv's intermediate) and
 * `${name}/linear` (the pre-activation output of a layer whose activation is softmax).
 */
import { EarshotError } from '../errors.ts';
import type { FloatWeights, WeightTensor } from '../model/artifact.ts';
import type { Activation, LayerInfo, LayerSpec, Padding, SpecAnalysis } from '../model/spec.ts';

export const INPUT_TENSOR = 'input';

export interface FloatResult {
  output: Float32Array;
  activations: Map<string, Float32Array>;
}

/** One spatial dimension with TF padding: output length and padding before. */
export function tfPadding(inLen: number, k: number, stride: number, padding: Padding): { out: number; padBefore: number } {
  if (padding === 'same') {
    const out = Math.ceil(inLen / stride);
    const total = Math.max((out - 1) * stride + k - inLen, 0);
    return { out, padBefore: Math.floor(total / 2) };
  }
  return { out: Math.ceil((inLen - k + 1) / stride), padBefore: 0 };
}

export function pairOf(v: number | [number, number] | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Find a weight tensor of a layer by tfjs name, checking its shape. */
export function layerWeight(weights: FloatWeights, layer: string, name: string, shape: number[] | null): WeightTensor | undefined {
  const list = weights[layer];
  if (!list) throw new EarshotError('model/invalid', `no weights for layer ${layer}`);
  const t = list.find((w) => w.name === name || w.name.endsWith(`/${name}`));
  if (!t) return undefined;
  if (shape && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
    throw new EarshotError('model/invalid', `layer ${layer}: weight ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  if (t.data.length !== size(t.shape)) throw new EarshotError('model/invalid', `layer ${layer}: weight ${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
  return t;
}

export function requireWeight(weights: FloatWeights, layer: string, name: string, shape: number[]): Float32Array {
  const t = layerWeight(weights, layer, name, shape);
  if (!t) throw new EarshotError('model/invalid', `layer ${layer}: missing weight ${name}`);
  return t.data;
}

export interface BatchNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
}

/** The four per-channel weights of a batchNormalization layer with `c` channels. */
export function requireBatchNormWeights(weights: FloatWeights, layer: string, c: number): BatchNormWeights {
  return {
    gamma: requireWeight(weights, layer, 'gamma', [c]),
    beta: requireWeight(weights, layer, 'beta', [c]),
    mean: requireWeight(weights, layer, 'moving_mean', [c]),
    variance: requireWeight(weights, layer, 'moving_variance', [c]),
  };
}

function applyActivation(x: Float32Array, act: Activation, lastDim: number): Float32Array {
  if (act === 'linear') return x;
  const y = new Float32Array(x.length);
  if (act === 'relu') for (let i = 0; i < x.length; i++) y[i] = Math.max(0, x[i]!);
  else if (act === 'relu6') for (let i = 0; i < x.length; i++) y[i] = Math.min(6, Math.max(0, x[i]!));
  else {
    for (let o = 0; o < x.length; o += lastDim) {
      let m = -Infinity;
      for (let i = 0; i < lastDim; i++) m = Math.max(m, x[o + i]!);
      let s = 0;
      for (let i = 0; i < lastDim; i++) s += Math.exp(x[o + i]! - m);
      for (let i = 0; i < lastDim; i++) y[o + i] = Math.exp(x[o + i]! - m) / s;
    }
  }
  return y;
}

interface ConvGeom {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padT: number;
  padL: number;
}

function geom(inShape: number[], k: [number, number], s: [number, number], padding: Padding): ConvGeom {
  const [inH, inW, inC] = inShape as [number, number, number];
  const ph = tfPadding(inH, k[0], s[0], padding);
  const pw = tfPadding(inW, k[1], s[1], padding);
  return { inH, inW, inC, outH: ph.out, outW: pw.out, kh: k[0], kw: k[1], sh: s[0], sw: s[1], padT: ph.padBefore, padL: pw.padBefore };
}

/** kernel (kh, kw, inC, outC) */
function conv2d(x: Float32Array, g: ConvGeom, kernel: Float32Array, outC: number, bias: Float32Array | undefined): Float32Array {
  const y = new Float32Array(g.outH * g.outW * outC);
  const acc = new Float64Array(outC);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      for (let oc = 0; oc < outC; oc++) acc[oc] = bias ? bias[oc]! : 0;
      for (let ky = 0; ky < g.kh; ky++) {
        const iy = oy * g.sh - g.padT + ky;
        if (iy < 0 || iy >= g.inH) continue;
        for (let kx = 0; kx < g.kw; kx++) {
          const ix = ox * g.sw - g.padL + kx;
          if (ix < 0 || ix >= g.inW) continue;
          const xo = (iy * g.inW + ix) * g.inC;
          const ko = (ky * g.kw + kx) * g.inC * outC;
          for (let ic = 0; ic < g.inC; ic++) {
            const v = x[xo + ic]!;
            const kr = ko + ic * outC;
            for (let oc = 0; oc < outC; oc++) acc[oc] += v * kernel[kr + oc]!;
          }
        }
      }
      const yo = (oy * g.outW + ox) * outC;
      for (let oc = 0; oc < outC; oc++) y[yo + oc] = acc[oc]!;
    }
  }
  return y;
}

/** depthwise kernel (kh, kw, inC, mult); output channel ic * mult + m */
function depthwise(x: Float32Array, g: ConvGeom, kernel: Float32Array, mult: number, bias: Float32Array | undefined): Float32Array {
  const outC = g.inC * mult;
  const y = new Float32Array(g.outH * g.outW * outC);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      for (let oc = 0; oc < outC; oc++) {
        const ic = Math.floor(oc / mult);
        let acc = bias ? bias[oc]! : 0;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sh - g.padT + ky;
          if (iy < 0 || iy >= g.inH) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sw - g.padL + kx;
            if (ix < 0 || ix >= g.inW) continue;
            acc += x[(iy * g.inW + ix) * g.inC + ic]! * kernel[(ky * g.kw + kx) * outC + oc]!;
          }
        }
        y[(oy * g.outW + ox) * outC + oc] = acc;
      }
    }
  }
  return y;
}

function pool(x: Float32Array, g: ConvGeom, max: boolean): Float32Array {
  const y = new Float32Array(g.outH * g.outW * g.inC);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      for (let c = 0; c < g.inC; c++) {
        let acc = max ? -Infinity : 0;
        let n = 0;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sh - g.padT + ky;
          if (iy < 0 || iy >= g.inH) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sw - g.padL + kx;
            if (ix < 0 || ix >= g.inW) continue;
            const v = x[(iy * g.inW + ix) * g.inC + c]!;
            acc = max ? Math.max(acc, v) : acc + v;
            n++;
          }
        }
        y[(oy * g.outW + ox) * g.inC + c] = max ? acc : acc / n;
      }
    }
  }
  return y;
}

function dense(x: Float32Array, inDepth: number, kernel: Float32Array, units: number, bias: Float32Array | undefined): Float32Array {
  const rows = x.length / inDepth;
  const y = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < units; u++) {
      let acc = bias ? bias[u]! : 0;
      for (let i = 0; i < inDepth; i++) acc += x[r * inDepth + i]! * kernel[i * units + u]!;
      y[r * units + u] = acc;
    }
  }
  return y;
}

function batchNorm(x: Float32Array, c: number, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const k = i % c;
    y[i] = ((x[i]! - mean[k]!) * gamma[k]!) / Math.sqrt(variance[k]! + eps) + beta[k]!;
  }
  return y;
}

function runLayer(l: LayerSpec, info: LayerInfo, ins: Float32Array[], weights: FloatWeights, acts: Map<string, Float32Array>): Float32Array {
  const inShape = info.inputShapes[0]!;
  const x = ins[0]!;
  const name = info.name;
  const withAct = (pre: Float32Array, act: Activation | undefined): Float32Array => {
    const a = act ?? 'linear';
    if (a === 'softmax') acts.set(`${name}/linear`, pre);
    return applyActivation(pre, a, info.outputShape[info.outputShape.length - 1]!);
  };
  switch (l.type) {
    case 'conv2d': {
      const k = pairOf(l.kernelSize, 1);
      const g = geom(inShape, k, pairOf(l.strides, 1), l.padding ?? 'valid');
      const kernel = requireWeight(weights, name, 'kernel', [k[0], k[1], g.inC, l.filters]);
      const bias = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [l.filters]);
      return withAct(conv2d(x, g, kernel, l.filters, bias), l.activation);
    }
    case 'depthwiseConv2d': {
      const k = pairOf(l.kernelSize, 1);
      const m = l.depthMultiplier ?? 1;
      const g = geom(inShape, k, pairOf(l.strides, 1), l.padding ?? 'valid');
      const kernel = requireWeight(weights, name, 'depthwise_kernel', [k[0], k[1], g.inC, m]);
      const bias = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [g.inC * m]);
      return withAct(depthwise(x, g, kernel, m, bias), l.activation);
    }
    case 'separableConv2d': {
      const k = pairOf(l.kernelSize, 1);
      const m = l.depthMultiplier ?? 1;
      const g = geom(inShape, k, pairOf(l.strides, 1), l.padding ?? 'valid');
      const dk = requireWeight(weights, name, 'depthwise_kernel', [k[0], k[1], g.inC, m]);
      const pk = requireWeight(weights, name, 'pointwise_kernel', [1, 1, g.inC * m, l.filters]);
      const bias = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [l.filters]);
      const mid = depthwise(x, g, dk, m, undefined);
      acts.set(`${name}/depthwise`, mid);
      const g2 = geom([g.outH, g.outW, g.inC * m], [1, 1], [1, 1], 'valid');
      return withAct(conv2d(mid, g2, pk, l.filters, bias), l.activation);
    }
    case 'dense': {
      const inDepth = inShape[inShape.length - 1]!;
      const kernel = requireWeight(weights, name, 'kernel', [inDepth, l.units]);
      const bias = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [l.units]);
      return withAct(dense(x, inDepth, kernel, l.units, bias), l.activation);
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const k = pairOf(l.poolSize, 1);
      const g = geom(inShape, k, pairOf(l.strides ?? l.poolSize, 1), l.padding ?? 'valid');
      return pool(x, g, l.type === 'maxPooling2d');
    }
    case 'globalAveragePooling2d': {
      const g = geom(inShape, [inShape[0]!, inShape[1]!], [1, 1], 'valid');
      return pool(x, g, false);
    }
    case 'flatten':
    case 'reshape':
    case 'dropout':
      return x;
    case 'batchNormalization': {
      const c = inShape[inShape.length - 1]!;
      const { gamma, beta, mean, variance } = requireBatchNormWeights(weights, name, c);
      return batchNorm(x, c, gamma, beta, mean, variance, l.epsilon ?? 1e-3);
    }
    case 'activation':
      return withAct(x, l.activation);
    case 'add': {
      const y = new Float32Array(x.length);
      for (const t of ins) for (let i = 0; i < y.length; i++) y[i] = y[i]! + t[i]!;
      return y;
    }
  }
}

/** Float32 forward pass of a normalized spec (analyzeSpec output) on one NHWC input. */
export function runFloat(analysis: SpecAnalysis, weights: FloatWeights, input: Float32Array): FloatResult {
  const inShape = analysis.spec.input.shape;
  if (input.length !== size(inShape)) {
    throw new EarshotError('model/invalid', `input has ${input.length} values, the model expects ${size(inShape)} ([${inShape.join(', ')}])`);
  }
  const acts = new Map<string, Float32Array>([[INPUT_TENSOR, input]]);
  let last = input;
  analysis.layers.forEach((info, i) => {
    const l = analysis.spec.layers[i]!;
    const ins = info.inputs.map((n) => {
      const t = acts.get(n);
      if (!t) throw new EarshotError('spec/invalid', `layer ${info.name}: input ${n} is not computed before it`);
      return t;
    });
    last = runLayer(l, info, ins, weights, acts);
    acts.set(info.name, last);
  });
  return { output: last, activations: acts };
}
