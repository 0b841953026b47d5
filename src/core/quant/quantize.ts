/**
 * Full-integer post-training quantization with TensorFlow Lite semantics:
 *  - batchNormalization folded into the preceding conv / depthwise / separable / dense when that
 *    layer is linear and feeds only the batch norm; any other batch norm becomes a 1×1 depthwise
 *    conv (per-channel scale and bias), which is what it computes;
 *  - relu / relu6 (layer activations and standalone activation layers that follow a layer with a
 *    single consumer) fused as clamp ranges (TFLite CalculateActivationRangeQuantized);
 *  - weights int8 symmetric per output channel (zero point 0, ±127), biases int32 with scale
 *    inputScale × weightScale[c];
 *  - activations int8 asymmetric per tensor from calibration min/max (range widened to include 0,
 *    zero point nudged as TFLite's ChooseQuantizationParams);
 *  - pools and reshapes keep their input's quantization; globalAveragePooling2d is an average
 *    pool over the whole map; dropout is removed; add uses TFLite's int8 ADD rescaling
 *    (left shift 20); an add of n > 2 inputs becomes n - 1 chained adds;
 *  - the final dense layer's softmax is not quantized: the model output is the quantized logits
 *    (see quantized-model.ts).
 */
import { EarshotError } from '../errors.ts';
import type { FloatWeights } from '../model/artifact.ts';
import type { Activation, LayerSpec, Padding, SpecAnalysis } from '../model/spec.ts';
import { INPUT_TENSOR, pairOf, requireBatchNormWeights, requireWeight, runFloat, tfPadding } from './float-engine.ts';
import { quantizeMultiplier } from './fixed-point.ts';
import { runInt8Detailed } from './int8-engine.ts';
import type { FusedActivation, QOp, QTensor, QuantizedModel, QuantParams } from './quantized-model.ts';

export const ADD_LEFT_SHIFT = 20;
/** Default size of the representative (calibration) set drawn from the dataset. */
export const DEFAULT_CALIBRATION_SIZE = 100;
const QMIN = -128;
const QMAX = 127;

export interface QuantizeOptions {
  /** Use at most this many calibration inputs (default: all). */
  maxCalibration?: number;
}

/** Float tensor of the graph being quantized. */
interface FTensor {
  name: string;
  shape: number[];
  /** Float activation keys (runFloat) whose sum is this tensor's value; empty = takes params of `sameAs`. */
  keys: string[];
  sameAs?: number;
}

interface FWeighted {
  /** TFLite layout, see quantized-model.ts */
  weights: Float32Array;
  weightShape: number[];
  /** Axis of the output channel in weightShape: 0 (conv OHWI, fc) or last (depthwise). */
  channelAxisLast: boolean;
  bias: Float64Array;
}

interface FSpatial {
  kernel: [number, number];
  strides: [number, number];
  padding: Padding;
}

type FOp =
  | ({ kind: 'conv2d' | 'fullyConnected'; layer: string; inputs: number[]; output: number; activation: FusedActivation } & FWeighted & Partial<FSpatial>)
  | ({ kind: 'depthwiseConv2d'; layer: string; inputs: number[]; output: number; activation: FusedActivation; depthMultiplier: number } & FWeighted & FSpatial)
  | ({ kind: 'maxPool2d' | 'avgPool2d'; layer: string; inputs: number[]; output: number; activation: FusedActivation } & FSpatial)
  | { kind: 'add'; layer: string; inputs: number[]; output: number; activation: FusedActivation }
  | { kind: 'reshape'; layer: string; inputs: number[]; output: number };

function unsupported(message: string): never {
  throw new EarshotError('quant/unsupported-op', message);
}

/** Round half away from zero (std::round / TfLiteRound). */
export function roundAway(x: number): number {
  return (x < 0 ? -Math.round(-x) : Math.round(x)) + 0; // + 0 turns -0 into 0
}

/**
 * TFLite ChooseQuantizationParams for int8: range widened to include 0, scale = (max - min) / 255,
 * zero point from the end with the smaller error, nudged into [-128, 127]. Scale stored as float32.
 */
export function chooseQuantParams(min: number, max: number): QuantParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new EarshotError('quant/bad-calibration', `bad calibration range [${min}, ${max}]`);
  }
  let rmin = Math.min(min, 0);
  let rmax = Math.max(max, 0);
  if (rmax - rmin < 1e-6) rmax = rmin + 1e-6; // an all-zero tensor still needs a positive scale
  const scale = Math.fround((rmax - rmin) / (QMAX - QMIN));
  const zpFromMin = QMIN - rmin / scale;
  const zpFromMax = QMAX - rmax / scale;
  const errMin = Math.abs(QMIN) + Math.abs(rmin / scale);
  const errMax = Math.abs(QMAX) + Math.abs(rmax / scale);
  const zp = errMin < errMax ? zpFromMin : zpFromMax;
  const zeroPoint = zp < QMIN ? QMIN : zp > QMAX ? QMAX : roundAway(zp);
  return { scale, zeroPoint };
}

/** int8 = clamp(round(x / scale) + zeroPoint, -128, 127) */
export function quantize(x: ArrayLike<number>, p: QuantParams): Int8Array {
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const q = roundAway(x[i]! / p.scale) + p.zeroPoint;
    out[i] = q < QMIN ? QMIN : q > QMAX ? QMAX : q;
  }
  return out;
}

/** real = scale * (q - zeroPoint) */
export function dequantize(q: ArrayLike<number>, p: QuantParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = p.scale * (q[i]! - p.zeroPoint);
  return out;
}

/** Signal-to-quantization-noise ratio in dB of a dequantized tensor against its float truth. */
export function sqnrDb(truth: ArrayLike<number>, approx: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < truth.length; i++) {
    s += truth[i]! * truth[i]!;
    n += (truth[i]! - approx[i]!) ** 2;
  }
  if (n === 0) return Infinity;
  return 10 * Math.log10(s / n);
}

/** TFLite CalculateActivationRangeQuantized for int8. */
export function activationRange(act: FusedActivation, p: QuantParams): [number, number] {
  const q = (f: number) => p.zeroPoint + roundAway(Math.fround(f / p.scale));
  if (act === 'relu') return [Math.max(QMIN, q(0)), QMAX];
  if (act === 'relu6') return [Math.max(QMIN, q(0)), Math.min(QMAX, q(6))];
  return [QMIN, QMAX];
}

function hwc(shape: number[]): [number, number, number] {
  if (shape.length === 3) return shape as [number, number, number];
  if (shape.length === 1) return [1, 1, shape[0]!];
  return unsupported(`a tensor of shape [${shape.join(', ')}] is neither [h, w, c] nor [n]`);
}

/** Build the float graph: fold, fuse, drop; each tensor knows which float activations it equals. */
function buildGraph(analysis: SpecAnalysis, weights: FloatWeights): { tensors: FTensor[]; ops: FOp[]; output: number; outputActivation: 'softmax' | 'linear' } {
  const infos = analysis.layers;
  const consumers = new Map<string, number>();
  for (const info of infos) for (const n of info.inputs) consumers.set(n, (consumers.get(n) ?? 0) + 1);
  const lastName = infos[infos.length - 1]!.name;
  consumers.set(lastName, (consumers.get(lastName) ?? 0) + 1); // the model output is a reader too

  const tensors: FTensor[] = [{ name: INPUT_TENSOR, shape: [...analysis.spec.input.shape], keys: [INPUT_TENSOR] }];
  const readers: number[] = [consumers.get(INPUT_TENSOR) ?? 0];
  const tensorOf = new Map<string, number>([[INPUT_TENSOR, 0]]);
  const producer = new Map<number, FOp>();
  const ops: FOp[] = [];
  let outputActivation: 'softmax' | 'linear' = 'linear';

  const newTensor = (name: string, shape: number[], keys: string[], readersCount: number, sameAs?: number): number => {
    tensors.push({ name, shape: [...shape], keys, ...(sameAs !== undefined ? { sameAs } : {}) });
    readers.push(readersCount);
    return tensors.length - 1;
  };
  const push = (op: FOp) => {
    ops.push(op);
    producer.set(op.output, op);
  };
  const fusedAct = (name: string, a: Activation | undefined, isLast: boolean): FusedActivation => {
    const act = a ?? 'linear';
    if (act === 'softmax') {
      if (!isLast) unsupported(`layer ${name}: softmax is only supported as the activation of the last layer`);
      outputActivation = 'softmax';
      return 'linear';
    }
    return act;
  };

  infos.forEach((info, i) => {
    const l = analysis.spec.layers[i] as LayerSpec;
    const name = info.name;
    const isLast = i === infos.length - 1;
    const inT = info.inputs.map((n) => tensorOf.get(n)!);
    const x = inT[0]!;
    const inShape = info.inputShapes[0]!;
    const nReaders = consumers.get(name) ?? 0;
    const keyFor = (a: Activation | undefined) => ((a ?? 'linear') === 'softmax' ? `${name}/linear` : name);
    switch (l.type) {
      case 'conv2d': {
        const [kh, kw] = pairOf(l.kernelSize, 1);
        const inC = inShape[2]!;
        const k = requireWeight(weights, name, 'kernel', [kh, kw, inC, l.filters]);
        const w = new Float32Array(k.length); // (kh,kw,inC,outC) -> (outC,kh,kw,inC)
        for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let c = 0; c < inC; c++) for (let o = 0; o < l.filters; o++) {
          w[((o * kh + y) * kw + xx) * inC + c] = k[((y * kw + xx) * inC + c) * l.filters + o]!;
        }
        const b = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [l.filters]);
        const out = newTensor(name, info.outputShape, [keyFor(l.activation)], nReaders);
        push({
          kind: 'conv2d', layer: name, inputs: [x], output: out, activation: fusedAct(name, l.activation, isLast),
          weights: w, weightShape: [l.filters, kh, kw, inC], channelAxisLast: false, bias: Float64Array.from(b ?? new Float32Array(l.filters)),
          kernel: [kh, kw], strides: pairOf(l.strides, 1), padding: l.padding ?? 'valid',
        });
        tensorOf.set(name, out);
        break;
      }
      case 'depthwiseConv2d':
      case 'separableConv2d': {
        const [kh, kw] = pairOf(l.kernelSize, 1);
        const inC = inShape[2]!;
        const m = l.depthMultiplier ?? 1;
        const k = requireWeight(weights, name, 'depthwise_kernel', [kh, kw, inC, m]);
        const spatial: FSpatial = { kernel: [kh, kw], strides: pairOf(l.strides, 1), padding: l.padding ?? 'valid' };
        if (l.type === 'depthwiseConv2d') {
          const b = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [inC * m]);
          const out = newTensor(name, info.outputShape, [keyFor(l.activation)], nReaders);
          push({
            kind: 'depthwiseConv2d', layer: name, inputs: [x], output: out, activation: fusedAct(name, l.activation, isLast), depthMultiplier: m,
            weights: Float32Array.from(k), weightShape: [1, kh, kw, inC * m], channelAxisLast: true, bias: Float64Array.from(b ?? new Float32Array(inC * m)), ...spatial,
          });
          tensorOf.set(name, out);
        } else {
          const midShape = [info.outputShape[0]!, info.outputShape[1]!, inC * m];
          const mid = newTensor(`${name}/depthwise`, midShape, [`${name}/depthwise`], 1);
          push({
            kind: 'depthwiseConv2d', layer: name, inputs: [x], output: mid, activation: 'linear', depthMultiplier: m,
            weights: Float32Array.from(k), weightShape: [1, kh, kw, inC * m], channelAxisLast: true, bias: new Float64Array(inC * m), ...spatial,
          });
          const pk = requireWeight(weights, name, 'pointwise_kernel', [1, 1, inC * m, l.filters]);
          const w = new Float32Array(pk.length); // (1,1,mid,outC) -> (outC,1,1,mid)
          for (let c = 0; c < inC * m; c++) for (let o = 0; o < l.filters; o++) w[o * inC * m + c] = pk[c * l.filters + o]!;
          const b = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [l.filters]);
          const out = newTensor(name, info.outputShape, [keyFor(l.activation)], nReaders);
          push({
            kind: 'conv2d', layer: name, inputs: [mid], output: out, activation: fusedAct(name, l.activation, isLast),
            weights: w, weightShape: [l.filters, 1, 1, inC * m], channelAxisLast: false, bias: Float64Array.from(b ?? new Float32Array(l.filters)),
            kernel: [1, 1], strides: [1, 1], padding: 'valid',
          });
          tensorOf.set(name, out);
        }
        break;
      }
      case 'dense': {
        const inD = inShape[inShape.length - 1]!;
        const k = requireWeight(weights, name, 'kernel', [inD, l.units]);
        const w = new Float32Array(k.length); // (in,out) -> (out,in)
        for (let a = 0; a < inD; a++) for (let o = 0; o < l.units; o++) w[o * inD + a] = k[a * l.units + o]!;
        const b = l.useBias === false ? undefined : requireWeight(weights, name, 'bias', [l.units]);
        const out = newTensor(name, info.outputShape, [keyFor(l.activation)], nReaders);
        push({
          kind: 'fullyConnected', layer: name, inputs: [x], output: out, activation: fusedAct(name, l.activation, isLast),
          weights: w, weightShape: [l.units, inD], channelAxisLast: false, bias: Float64Array.from(b ?? new Float32Array(l.units)),
        });
        tensorOf.set(name, out);
        break;
      }
      case 'maxPooling2d':
      case 'averagePooling2d':
      case 'globalAveragePooling2d': {
        const s = hwc(inShape);
        const spatial: FSpatial =
          l.type === 'globalAveragePooling2d'
            ? { kernel: [s[0], s[1]], strides: [1, 1], padding: 'valid' }
            : { kernel: pairOf(l.poolSize, 1), strides: pairOf(l.strides ?? l.poolSize, 1), padding: l.padding ?? 'valid' };
        const out = newTensor(name, info.outputShape, [], nReaders, x);
        push({ kind: l.type === 'maxPooling2d' ? 'maxPool2d' : 'avgPool2d', layer: name, inputs: [x], output: out, activation: 'linear', ...spatial });
        tensorOf.set(name, out);
        break;
      }
      case 'flatten':
      case 'reshape': {
        const out = newTensor(name, info.outputShape, [], nReaders, x);
        push({ kind: 'reshape', layer: name, inputs: [x], output: out });
        tensorOf.set(name, out);
        break;
      }
      case 'dropout':
        readers[x] = readers[x]! - 1 + nReaders;
        tensorOf.set(name, x);
        break;
      case 'batchNormalization': {
        const c = inShape[inShape.length - 1]!;
        const { gamma, beta, mean, variance } = requireBatchNormWeights(weights, name, c);
        const eps = l.epsilon ?? 1e-3;
        const factor = Array.from(gamma, (g, k) => g / Math.sqrt(variance[k]! + eps));
        const p = producer.get(x);
        if (p && (p.kind === 'conv2d' || p.kind === 'depthwiseConv2d' || p.kind === 'fullyConnected') && p.activation === 'linear' && readers[x] === 1) {
          // fold: W'[c] = W[c] * f[c]; b'[c] = (b[c] - mean[c]) * f[c] + beta[c]
          const per = p.weights.length / c;
          for (let j = 0; j < p.weights.length; j++) {
            const ch = p.channelAxisLast ? j % c : Math.floor(j / per);
            p.weights[j] = p.weights[j]! * factor[ch]!;
          }
          for (let k = 0; k < c; k++) p.bias[k] = (p.bias[k]! - mean[k]!) * factor[k]! + beta[k]!;
          tensors[x]!.keys = [name];
          tensors[x]!.name = name;
          readers[x] = nReaders;
          tensorOf.set(name, x);
        } else {
          // a standalone batch norm is a per-channel affine map: a 1x1 depthwise conv
          const out = newTensor(name, info.outputShape, [name], nReaders);
          push({
            kind: 'depthwiseConv2d', layer: name, inputs: [x], output: out, activation: 'linear', depthMultiplier: 1,
            weights: Float32Array.from(factor), weightShape: [1, 1, 1, c], channelAxisLast: true,
            bias: Float64Array.from(factor, (f, k) => beta[k]! - mean[k]! * f), kernel: [1, 1], strides: [1, 1], padding: 'valid',
          });
          tensorOf.set(name, out);
        }
        break;
      }
      case 'activation': {
        const act = l.activation;
        if (act === 'linear') {
          readers[x] = readers[x]! - 1 + nReaders;
          tensorOf.set(name, x);
          break;
        }
        if (act === 'softmax') unsupported(`layer ${name}: softmax is only supported as the activation of the last dense layer`);
        const p = producer.get(x);
        if (!p || p.kind === 'reshape' || p.activation !== 'linear' || readers[x] !== 1) {
          unsupported(`layer ${name}: a ${act} activation must directly follow a conv, dense, pool or add layer whose output it alone reads`);
        }
        p.activation = act;
        if (tensors[x]!.keys.length > 0) tensors[x]!.keys = [name];
        tensors[x]!.name = name;
        readers[x] = nReaders;
        tensorOf.set(name, x);
        break;
      }
      case 'add': {
        let acc = inT[0]!;
        for (let k = 1; k < inT.length; k++) {
          const final = k === inT.length - 1;
          // runFloat records every layer's output by name: a partial sum is the sum of those
          const keys = info.inputs.slice(0, k + 1);
          const out = final ? newTensor(name, info.outputShape, [name], nReaders) : newTensor(`${name}/partial${k}`, info.outputShape, keys, 1);
          push({ kind: 'add', layer: name, inputs: [acc, inT[k]!], output: out, activation: 'linear' });
          acc = out;
        }
        tensorOf.set(name, acc);
        break;
      }
    }
  });
  return { tensors, ops, output: tensorOf.get(lastName)!, outputActivation };
}

function quantizeWeights(op: FWeighted, inScale: number, outScale: number) {
  const c = op.bias.length;
  const per = op.weights.length / c;
  const chOf = (j: number) => (op.channelAxisLast ? j % c : Math.floor(j / per));
  const maxAbs = new Float64Array(c);
  for (let j = 0; j < op.weights.length; j++) maxAbs[chOf(j)] = Math.max(maxAbs[chOf(j)]!, Math.abs(op.weights[j]!));
  const weightScales = new Float32Array(c);
  for (let k = 0; k < c; k++) weightScales[k] = maxAbs[k]! > 0 ? maxAbs[k]! / 127 : 1;
  const weights = new Int8Array(op.weights.length);
  for (let j = 0; j < op.weights.length; j++) {
    const q = roundAway(op.weights[j]! / weightScales[chOf(j)]!);
    weights[j] = Math.max(-127, Math.min(127, q));
  }
  const bias = new Int32Array(c);
  const multipliers = new Int32Array(c);
  const shifts = new Int32Array(c);
  for (let k = 0; k < c; k++) {
    const biasScale = Math.fround(inScale * weightScales[k]!);
    bias[k] = Math.max(-2147483648, Math.min(2147483647, roundAway(op.bias[k]! / biasScale)));
    const m = quantizeMultiplier((inScale * weightScales[k]!) / outScale);
    multipliers[k] = m.multiplier;
    shifts[k] = m.shift;
  }
  return { weights, weightShape: [...op.weightShape], weightScales, bias, multipliers, shifts };
}

function padOf(inShape: number[], s: FSpatial): [number, number] {
  const [h, w] = hwc(inShape);
  return [tfPadding(h, s.kernel[0], s.strides[0], s.padding).padBefore, tfPadding(w, s.kernel[1], s.strides[1], s.padding).padBefore];
}

/**
 * Quantize a float model: `analysis` from analyzeSpec, `weights` in tfjs order, `calibration` a
 * list of float inputs (NHWC, e.g. log-mel features) whose activation ranges set the int8 params.
 */
export function quantizeModel(analysis: SpecAnalysis, weights: FloatWeights, calibration: readonly Float32Array[], opts: QuantizeOptions = {}): QuantizedModel {
  const maxCal = opts.maxCalibration ?? calibration.length;
  if (!Number.isInteger(maxCal) || maxCal < 1) throw new EarshotError('quant/bad-calibration', 'maxCalibration must be a positive integer');
  const inputSize = analysis.spec.input.shape.reduce((a, b) => a * b, 1);
  const cal = calibration.slice(0, maxCal);
  if (cal.length === 0) throw new EarshotError('quant/bad-calibration', 'quantization needs at least one calibration input');
  cal.forEach((x, i) => {
    if (!(x instanceof Float32Array) || x.length !== inputSize) {
      throw new EarshotError('quant/bad-calibration', `calibration input ${i} has ${x?.length} values, the model expects ${inputSize}`);
    }
    for (let k = 0; k < x.length; k++) if (!Number.isFinite(x[k]!)) throw new EarshotError('quant/bad-calibration', `calibration input ${i} holds a non-finite value`);
  });

  const g = buildGraph(analysis, weights);

  // calibration: min/max of every tensor that has its own params
  const mins = new Float64Array(g.tensors.length).fill(Infinity);
  const maxs = new Float64Array(g.tensors.length).fill(-Infinity);
  for (const x of cal) {
    const { activations } = runFloat(analysis, weights, x);
    g.tensors.forEach((t, ti) => {
      if (t.keys.length === 0) return;
      const parts = t.keys.map((k) => activations.get(k)!);
      const n = parts[0]!.length;
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (const p of parts) v += p[j]!;
        if (v < mins[ti]!) mins[ti] = v;
        if (v > maxs[ti]!) maxs[ti] = v;
      }
    });
  }
  const params: QuantParams[] = [];
  g.tensors.forEach((t, ti) => {
    params.push(t.sameAs !== undefined ? { ...params[t.sameAs]! } : chooseQuantParams(mins[ti]!, maxs[ti]!));
  });
  const tensors: QTensor[] = g.tensors.map((t, ti) => ({ name: t.name, shape: [...t.shape], scale: params[ti]!.scale, zeroPoint: params[ti]!.zeroPoint }));

  const ops: QOp[] = g.ops.map((op): QOp => {
    const inP = params[op.inputs[0]!]!;
    const outP = params[op.output]!;
    const inShape = tensors[op.inputs[0]!]!.shape;
    switch (op.kind) {
      case 'conv2d':
      case 'depthwiseConv2d': {
        const s: FSpatial = { kernel: op.kernel!, strides: op.strides!, padding: op.padding! };
        const [actMin, actMax] = activationRange(op.activation, outP);
        const base = { layer: op.layer, inputs: [...op.inputs], output: op.output, ...quantizeWeights(op, inP.scale, outP.scale), activation: op.activation, actMin, actMax, ...s, pad: padOf(inShape, s) };
        if (op.kind === 'depthwiseConv2d') return { kind: 'depthwiseConv2d', ...base, depthMultiplier: op.depthMultiplier };
        return { kind: 'conv2d', ...base };
      }
      case 'fullyConnected': {
        const [actMin, actMax] = activationRange(op.activation, outP);
        return { kind: 'fullyConnected', layer: op.layer, inputs: [...op.inputs], output: op.output, ...quantizeWeights(op, inP.scale, outP.scale), activation: op.activation, actMin, actMax };
      }
      case 'maxPool2d':
      case 'avgPool2d': {
        const s: FSpatial = { kernel: op.kernel, strides: op.strides, padding: op.padding };
        const [actMin, actMax] = activationRange(op.activation, outP);
        return { kind: op.kind, layer: op.layer, inputs: [...op.inputs], output: op.output, ...s, pad: padOf(inShape, s), activation: op.activation, actMin, actMax };
      }
      case 'add': {
        const in2 = params[op.inputs[1]!]!;
        // TFLite PrepareGeneralSubOp / int8 ADD
        const twiceMax = 2 * Math.max(inP.scale, in2.scale);
        const m1 = quantizeMultiplier(inP.scale / twiceMax);
        const m2 = quantizeMultiplier(in2.scale / twiceMax);
        const mo = quantizeMultiplier(twiceMax / ((1 << ADD_LEFT_SHIFT) * outP.scale));
        const [actMin, actMax] = activationRange(op.activation, outP);
        return {
          kind: 'add', layer: op.layer, inputs: [...op.inputs], output: op.output, leftShift: ADD_LEFT_SHIFT,
          input1Multiplier: m1.multiplier, input1Shift: m1.shift, input2Multiplier: m2.multiplier, input2Shift: m2.shift,
          outputMultiplier: mo.multiplier, outputShift: mo.shift, activation: op.activation, actMin, actMax,
        };
      }
      case 'reshape':
        return { kind: 'reshape', layer: op.layer, inputs: [...op.inputs], output: op.output };
    }
  });

  const inT = tensors[0]!;
  const outT = tensors[g.output]!;
  return {
    version: 1,
    input: { scale: inT.scale, zeroPoint: inT.zeroPoint, shape: [...inT.shape] },
    output: { scale: outT.scale, zeroPoint: outT.zeroPoint, shape: [...outT.shape] },
    outputActivation: g.outputActivation,
    tensors,
    ops,
    inputTensor: 0,
    outputTensor: g.output,
    calibrationCount: cal.length,
  };
}

/**
 * Per-tensor SQNR (dB) of the int8 model against the float model on one float input: for each
 * tensor with a float counterpart, 10·log10(Σx² / Σ(x − dequantized)²). Infinity = exact.
 */
export function layerSqnr(analysis: SpecAnalysis, weights: FloatWeights, q: QuantizedModel, input: Float32Array): { tensor: string; sqnrDb: number }[] {
  return layerErrors(analysis, weights, q, [input]).map((l) => ({ tensor: l.tensor, sqnrDb: l.sqnrDb }));
}

export interface LayerError {
  /** Tensor (= spec layer) name; 'input' is the quantized model input. */
  tensor: string;
  /** The op kind that writes it ('input' for the model input). */
  kind: string;
  /** Signal and noise energy summed over the inputs, and their ratio in dB. */
  signal: number;
  noise: number;
  sqnrDb: number;
}

/**
 * Quantization error of every tensor the int8 network computes (reshape views skipped), against
 * the float network on the same inputs: energies summed over all inputs, then SQNR in dB.
 */
export function layerErrors(analysis: SpecAnalysis, weights: FloatWeights, q: QuantizedModel, inputs: readonly Float32Array[]): LayerError[] {
  const kinds = new Map<number, string>([[q.inputTensor, 'input']]);
  for (const op of q.ops) if (op.kind !== 'reshape') kinds.set(op.output, op.kind);
  const sums = new Map<number, { signal: number; noise: number }>();
  for (const input of inputs) {
    const f = runFloat(analysis, weights, input);
    const run = runInt8Detailed(q, quantize(input, q.input));
    q.tensors.forEach((t, i) => {
      if (!kinds.has(i)) return;
      const truth = i === q.inputTensor ? input : i === q.outputTensor ? (f.activations.get(`${t.name}/linear`) ?? f.activations.get(t.name)) : f.activations.get(t.name);
      const got = run.tensors[i];
      if (!truth || !got || truth.length !== got.length) return;
      const approx = dequantize(got, t);
      const acc = sums.get(i) ?? { signal: 0, noise: 0 };
      for (let k = 0; k < truth.length; k++) {
        acc.signal += truth[k]! * truth[k]!;
        acc.noise += (truth[k]! - approx[k]!) ** 2;
      }
      sums.set(i, acc);
    });
  }
  return [...sums.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, { signal, noise }]) => ({ tensor: q.tensors[i]!.name, kind: kinds.get(i)!, signal, noise, sqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise) }));
}
