/**
 * Batch normalization whose training step is two plain loops forward and two backward, with the
 * gradient written out by hand (tf.customGrad), instead of tfjs-layers' ~20 tensor ops per layer
 * (moments, tile, several reductions over [batch, h, w]); on the wasm backend those were more
 * than half of a DS-CNN training step. Same weights (gamma, beta, moving_mean, moving_variance),
 * same config and same inference as tfjs's BatchNormalization, which it subclasses; same
 * training arithmetic: biased batch variance, moving averages updated with `momentum`.
 * Used on the wasm and cpu backends; webgl keeps tfjs's ops. The two steps are tfjs kernels,
 * 'EarshotBatchNormTrain' ({x, gamma, beta} → [y, mean, variance]) and 'EarshotBatchNormGrad'
 * ({x, dy, gamma, mean, variance} → [dx, dGamma, dBeta]), attrs {epsilon}, registered for wasm
 * (train-kernels.wat on the heap in place, or the loops below on heap views where it is not
 * loaded) and cpu (the loops below), with the gradient of the first being the second. The
 * backward step takes s = 1/√(f64(variance) + ε) from the float32 variance the forward returned.
 *
 * With x̂ = (x − μ)·s, s = 1/√(σ² + ε), y = γ·x̂ + β, over the N values of a channel:
 *   ∂β = Σ dy,  ∂γ = Σ dy·x̂,  ∂x = γ·s·(dy − ∂β/N − x̂·∂γ/N).
 * The sums are float64 over the rows in order; the per-element outputs are float32 operations,
 * y = (x − μ)·(γs) + β and ∂x = (γs)·(dy − ∂β/N) − (x − μ)·(γs·s·Σdy(x − μ)/N), each product and
 * difference rounded to float32 (as tfjs's own float32 batch norm does, and as the f32x4 loops
 * of train-kernels.wat do, bit for bit).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { addressOf, f64Scratch, heapF64, trainKernelsFor, type WasmHeapBackend } from './wasm-train-kernels.ts';

/** Per-channel batch statistics and the normalized output of a [rows, channels] float32 matrix. */
export interface BatchNormForward {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  invStd: Float64Array;
}

export function batchNormForward(x: Float32Array, channels: number, gamma: Float32Array, beta: Float32Array, epsilon: number): BatchNormForward {
  const rows = x.length / channels;
  const sum = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const o = r * channels;
    for (let c = 0; c < channels; c++) sum[c]! += x[o + c]!;
  }
  const mean = new Float64Array(channels);
  for (let c = 0; c < channels; c++) mean[c] = sum[c]! / rows;
  const sq = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const o = r * channels;
    for (let c = 0; c < channels; c++) {
      const d = x[o + c]! - mean[c]!;
      sq[c]! += d * d;
    }
  }
  const invStd = new Float64Array(channels);
  const a = new Float32Array(channels);
  const variance = new Float32Array(channels);
  const mean32 = Float32Array.from(mean);
  for (let c = 0; c < channels; c++) {
    variance[c] = sq[c]! / rows;
    invStd[c] = 1 / Math.sqrt(sq[c]! / rows + epsilon);
    a[c] = gamma[c]! * invStd[c]!;
  }
  const y = new Float32Array(x.length);
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    const o = r * channels;
    for (let c = 0; c < channels; c++) y[o + c] = f(f(x[o + c]! - mean32[c]!) * a[c]!) + beta[c]!;
  }
  return { y, mean: mean32, variance, invStd };
}

export function batchNormBackward(
  x: Float32Array, dy: Float32Array, channels: number, gamma: Float32Array, mean: Float32Array, invStd: Float64Array,
): { dx: Float32Array; dGamma: Float32Array; dBeta: Float32Array } {
  const rows = x.length / channels;
  const sDy = new Float64Array(channels);
  const sDyX = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const o = r * channels;
    for (let c = 0; c < channels; c++) {
      const g = dy[o + c]!;
      sDy[c]! += g;
      sDyX[c]! += g * (x[o + c]! - mean[c]!);
    }
  }
  const dGamma = new Float32Array(channels);
  const dBeta = new Float32Array(channels);
  const p = batchNormGradParams(sDy, sDyX, gamma, invStd, rows, dGamma, dBeta);
  const [mDy, A, B] = [p.subarray(0, channels), p.subarray(channels, 2 * channels), p.subarray(2 * channels)];
  const dx = new Float32Array(x.length);
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    const o = r * channels;
    for (let c = 0; c < channels; c++) dx[o + c] = f(A[c]! * f(dy[o + c]! - mDy[c]!)) - f(f(x[o + c]! - mean[c]!) * B[c]!);
  }
  return { dx, dGamma, dBeta };
}

/**
 * From the float64 sums: dBeta, dGamma, and the float32 [mDy | A | B] of ∂x = A·(dy − mDy) − (x − μ)·B,
 * A = γs, mDy = Σdy/N, B = γs·(s²·Σdy(x − μ)/N) (x̂·Σdy·x̂/N = (x − μ)·s²·Σdy·(x − μ)/N).
 */
function batchNormGradParams(
  sDy: Float64Array, sDyX: Float64Array, gamma: Float32Array, invStd: Float64Array, rows: number, dGamma: Float32Array, dBeta: Float32Array, out?: Float32Array,
): Float32Array {
  const C = sDy.length;
  const p = out ?? new Float32Array(3 * C);
  for (let c = 0; c < C; c++) {
    const s = invStd[c]!;
    const k = gamma[c]! * s;
    dBeta[c] = sDy[c]!;
    dGamma[c] = sDyX[c]! * s;
    p[c] = sDy[c]! / rows;
    p[C + c] = k;
    p[2 * C + c] = k * ((sDyX[c]! * s * s) / rows);
  }
  return p;
}

/** s = 1/√(f64(variance) + ε) per channel, as the backward kernels use it. */
export function invStdOf(variance: Float32Array, epsilon: number): Float64Array {
  return Float64Array.from(variance, (v) => 1 / Math.sqrt(v + epsilon));
}

export const BN_TRAIN_KERNEL = 'EarshotBatchNormTrain';
export const BN_GRAD_KERNEL = 'EarshotBatchNormGrad';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };
interface CpuBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function inputsOf(kernel: string, args: Args, names: string[]): TensorInfo[] {
  return names.map((n) => {
    const t = args.inputs[n];
    if (!t) throw new Error(`${kernel}: missing input ${n}`);
    if (t.dtype !== 'float32') throw new Error(`${kernel}: expected float32 ${n}, got ${t.dtype}`);
    return t;
  });
}

function epsilonOf(args: Args): number {
  return Number((args.attrs ?? {})['epsilon']);
}

function trainWasm(args: Args): TensorInfo[] {
  const [x, gamma, beta] = inputsOf(BN_TRAIN_KERNEL, args, ['x', 'gamma', 'beta']) as [TensorInfo, TensorInfo, TensorInfo];
  const epsilon = epsilonOf(args);
  const be = args.backend as WasmHeapBackend;
  const C = x.shape[x.shape.length - 1]!;
  const y = be.makeOutput([...x.shape], 'float32');
  const mean = be.makeOutput([C], 'float32');
  const variance = be.makeOutput([C], 'float32');
  const k = trainKernelsFor(be);
  if (!k) {
    const f = batchNormForward(be.typedArrayFromHeap(x), C, be.typedArrayFromHeap(gamma), be.typedArrayFromHeap(beta), epsilon);
    be.typedArrayFromHeap(y).set(f.y);
    be.typedArrayFromHeap(mean).set(f.mean);
    be.typedArrayFromHeap(variance).set(f.variance);
    return [y, mean, variance];
  }
  const rows = x.shape.reduce((a, b) => a * b, 1) / C;
  // scratch: [acc | mean] float64, then a = γs float32
  const s = f64Scratch(be, 2 * C + Math.ceil(C / 2));
  const f = heapF64(be, s.at, 2 * C);
  f.fill(0);
  const xa = addressOf(be, x);
  k.bn_sum(xa, rows, C, s.at);
  for (let c = 0; c < C; c++) {
    f[C + c] = f[c]! / rows;
    f[c] = 0;
  }
  k.bn_sqdev(xa, rows, C, s.at + 8 * C, s.at);
  const g = be.typedArrayFromHeap(gamma);
  const mv = be.typedArrayFromHeap(mean);
  const vv = be.typedArrayFromHeap(variance);
  const av = new Float32Array(f.buffer, s.at + 16 * C, C);
  for (let c = 0; c < C; c++) {
    const sq = f[c]!;
    vv[c] = sq / rows;
    mv[c] = f[C + c]!;
    av[c] = g[c]! * (1 / Math.sqrt(sq / rows + epsilon));
  }
  k.bn_affine(xa, rows, C, addressOf(be, mean), s.at + 16 * C, addressOf(be, beta), addressOf(be, y));
  be.disposeData(s.info.dataId);
  return [y, mean, variance];
}

function gradWasm(args: Args): TensorInfo[] {
  const [x, dy, gamma, mean, variance] = inputsOf(BN_GRAD_KERNEL, args, ['x', 'dy', 'gamma', 'mean', 'variance']) as TensorInfo[] as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const epsilon = epsilonOf(args);
  const be = args.backend as WasmHeapBackend;
  const C = x.shape[x.shape.length - 1]!;
  const dx = be.makeOutput([...x.shape], 'float32');
  const dGamma = be.makeOutput([C], 'float32');
  const dBeta = be.makeOutput([C], 'float32');
  const k = trainKernelsFor(be);
  if (!k) {
    const gv = be.typedArrayFromHeap(gamma);
    const r = batchNormBackward(be.typedArrayFromHeap(x), be.typedArrayFromHeap(dy), C, gv, be.typedArrayFromHeap(mean), invStdOf(be.typedArrayFromHeap(variance), epsilon));
    be.typedArrayFromHeap(dx).set(r.dx);
    be.typedArrayFromHeap(dGamma).set(r.dGamma);
    be.typedArrayFromHeap(dBeta).set(r.dBeta);
    return [dx, dGamma, dBeta];
  }
  const rows = x.shape.reduce((a, b) => a * b, 1) / C;
  // scratch: [sDy | sDyX | mean] float64, then [mean | mDy | A | B] float32 (bn_dx's params)
  const s = f64Scratch(be, 5 * C);
  const f = heapF64(be, s.at, 3 * C);
  f.fill(0, 0, 2 * C);
  const mv = be.typedArrayFromHeap(mean);
  const params = new Float32Array(f.buffer, s.at + 24 * C, 4 * C);
  for (let c = 0; c < C; c++) f[2 * C + c] = params[c] = mv[c]!;
  const xa = addressOf(be, x);
  const dya = addressOf(be, dy);
  k.bn_bwd_sums(xa, dya, rows, C, s.at + 16 * C, s.at, s.at + 8 * C);
  const invStd = invStdOf(be.typedArrayFromHeap(variance), epsilon);
  batchNormGradParams(f.subarray(0, C), f.subarray(C, 2 * C), be.typedArrayFromHeap(gamma), invStd, rows, be.typedArrayFromHeap(dGamma), be.typedArrayFromHeap(dBeta), params.subarray(C));
  k.bn_dx(xa, dya, rows, C, s.at + 24 * C, addressOf(be, dx));
  be.disposeData(s.info.dataId);
  return [dx, dGamma, dBeta];
}

function trainCpu(args: Args): TensorInfo[] {
  const [x, gamma, beta] = inputsOf(BN_TRAIN_KERNEL, args, ['x', 'gamma', 'beta']) as [TensorInfo, TensorInfo, TensorInfo];
  const be = args.backend as CpuBackend;
  const C = x.shape[x.shape.length - 1]!;
  const read = (t: TensorInfo) => be.readSync(t.dataId) as Float32Array;
  const f = batchNormForward(read(x), C, read(gamma), read(beta), epsilonOf(args));
  return [be.makeTensorInfo([...x.shape], 'float32', f.y), be.makeTensorInfo([C], 'float32', f.mean), be.makeTensorInfo([C], 'float32', f.variance)];
}

function gradCpu(args: Args): TensorInfo[] {
  const [x, dy, gamma, mean, variance] = inputsOf(BN_GRAD_KERNEL, args, ['x', 'dy', 'gamma', 'mean', 'variance']) as TensorInfo[] as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const be = args.backend as CpuBackend;
  const C = x.shape[x.shape.length - 1]!;
  const read = (t: TensorInfo) => be.readSync(t.dataId) as Float32Array;
  const r = batchNormBackward(read(x), read(dy), C, read(gamma), read(mean), invStdOf(read(variance), epsilonOf(args)));
  return [be.makeTensorInfo([...x.shape], 'float32', r.dx), be.makeTensorInfo([C], 'float32', r.dGamma), be.makeTensorInfo([C], 'float32', r.dBeta)];
}

let registered = false;

/** Register the two batch-norm kernels on wasm and cpu and the gradient of the first. Idempotent. */
export function registerBatchNormKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: Array<[string, 'wasm' | 'cpu', (a: Args) => TensorInfo[]]> = [
    [BN_TRAIN_KERNEL, 'wasm', trainWasm], [BN_GRAD_KERNEL, 'wasm', gradWasm], [BN_TRAIN_KERNEL, 'cpu', trainCpu], [BN_GRAD_KERNEL, 'cpu', gradCpu],
  ];
  for (const [kernelName, backendName, f] of kernels) {
    if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc: f as unknown as KernelFunc });
  }
  tf.registerGradient({
    kernelName: BN_TRAIN_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const [dx, dGamma, dBeta] = tf.engine().runKernel(BN_GRAD_KERNEL, { x, dy, gamma, mean, variance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx!, gamma: () => dGamma!, beta: () => dBeta! };
    },
  });
}

interface BatchNormInternals {
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  momentum: number;
  epsilon: number;
  axis: number | number[];
}

type LayerCtor = new (args: Record<string, unknown>) => tf.layers.Layer;
const BatchNormalizationBase = tf.layers.batchNormalization({}).constructor as LayerCtor;

/** Backends with the two kernels above. */
const FAST_BACKENDS = new Set(['wasm', 'cpu']);

export class FastBatchNormalization extends BatchNormalizationBase {
  static readonly className = 'EarshotFastBatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const me = this as unknown as BatchNormInternals;
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const lastAxis = me.axis === -1 || me.axis === x.shape.length - 1;
    if (kwargs['training'] !== true || !me.gamma || !me.beta || !lastAxis || x.dtype !== 'float32' || !FAST_BACKENDS.has(tf.getBackend())) {
      return super.call(inputs, kwargs);
    }
    registerBatchNormKernels();
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN_KERNEL, { x, gamma: me.gamma!.read(), beta: me.beta!.read() }, { epsilon: me.epsilon }) as tf.Tensor[];
      const decay = 1 - me.momentum;
      for (const [v, value] of [[me.movingMean, mean!], [me.movingVariance, variance!]] as const) {
        const old = v.read();
        v.write(tf.sub(old, tf.mul(tf.sub(old, tf.reshape(value, old.shape)), decay)));
      }
      return y!;
    });
  }
}
tf.serialization.registerClass(FastBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
