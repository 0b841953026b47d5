/**
 * Batch normalization whose training step is two plain loops forward and two backward, with the
 * gradient written out by hand (tf.customGrad), instead of tfjs-layers' ~20 tensor ops per layer
 * (moments, tile, several reductions over [batch, h, w]); on the wasm backend those were more
 * than half of a DS-CNN training step. Same weights (gamma, beta, moving_mean, moving_variance),
 * same config and same inference as tfjs's BatchNormalization, which it subclasses; same
 * training arithmetic: biased batch variance, moving averages updated with `momentum`.
 * Used on the wasm and cpu backends (their data reads are cheap); webgl keeps tfjs's ops.
 *
 * With x̂ = (x − μ)·s, s = 1/√(σ² + ε), y = γ·x̂ + β, over the N values of a channel:
 *   ∂β = Σ dy,  ∂γ = Σ dy·x̂,  ∂x = γ·s·(dy − ∂β/N − x̂·∂γ/N).
 */
import * as tf from '@tensorflow/tfjs';

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
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    variance[c] = sq[c]! / rows;
    invStd[c] = 1 / Math.sqrt(sq[c]! / rows + epsilon);
    a[c] = gamma[c]! * invStd[c]!;
    b[c] = beta[c]! - mean[c]! * a[c]!;
  }
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * channels;
    for (let c = 0; c < channels; c++) y[o + c] = x[o + c]! * a[c]! + b[c]!;
  }
  return { y, mean: Float32Array.from(mean), variance, invStd };
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
  const k = new Float64Array(channels);
  const mDy = new Float64Array(channels);
  const mX = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = invStd[c]!;
    dBeta[c] = sDy[c]!;
    dGamma[c] = sDyX[c]! * s;
    k[c] = gamma[c]! * s;
    mDy[c] = sDy[c]! / rows;
    mX[c] = (sDyX[c]! * s * s) / rows; // x̂·Σdy·x̂/N = (x − μ)·s²·Σdy·(x − μ)/N
  }
  const dx = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * channels;
    for (let c = 0; c < channels; c++) dx[o + c] = k[c]! * (dy[o + c]! - mDy[c]! - (x[o + c]! - mean[c]!) * mX[c]!);
  }
  return { dx, dGamma, dBeta };
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

/** Backends whose dataSync is a cheap copy, where the loops above beat tfjs's op graph. */
const FAST_BACKENDS = new Set(['wasm', 'cpu']);

function trainStep(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, stats: { mean?: Float32Array; variance?: Float32Array }): tf.Tensor {
  const channels = x.shape[x.shape.length - 1]!;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, gt, bt] = args as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor];
    const xv = xt.dataSync() as Float32Array;
    const gv = gt.dataSync() as Float32Array;
    const f = batchNormForward(xv, channels, gv, bt.dataSync() as Float32Array, epsilon);
    stats.mean = f.mean;
    stats.variance = f.variance;
    return {
      value: tf.tensor(f.y, xt.shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = batchNormBackward(xv, dy.dataSync() as Float32Array, channels, gv, f.mean, f.invStd);
        return [tf.tensor(g.dx, xt.shape, 'float32'), tf.tensor(g.dGamma, gt.shape, 'float32'), tf.tensor(g.dBeta, bt.shape, 'float32')];
      },
    };
  });
  return op(x, gamma, beta);
}

export class FastBatchNormalization extends BatchNormalizationBase {
  static readonly className = 'EarshotFastBatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const me = this as unknown as BatchNormInternals;
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const lastAxis = me.axis === -1 || me.axis === x.shape.length - 1;
    if (kwargs['training'] !== true || !me.gamma || !me.beta || !lastAxis || x.dtype !== 'float32' || !FAST_BACKENDS.has(tf.getBackend())) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const stats: { mean?: Float32Array; variance?: Float32Array } = {};
      const y = trainStep(x, me.gamma!.read(), me.beta!.read(), me.epsilon, stats);
      const decay = 1 - me.momentum;
      for (const [v, value] of [[me.movingMean, stats.mean!], [me.movingVariance, stats.variance!]] as const) {
        const old = v.read();
        v.write(tf.sub(old, tf.mul(tf.sub(old, tf.tensor(value, old.shape, 'float32')), decay)));
      }
      return y;
    });
  }
}
tf.serialization.registerClass(FastBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
