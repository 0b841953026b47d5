/**
 * Quantization-aware fine-tuning (weights): a few epochs in which the forward pass uses the
 * int8-rounded weights (symmetric, per output channel, ±127, exactly as quantizeModel rounds them)
 * and the gradient of those rounded weights updates float "shadow" weights: the straight-through
 * estimator (the rounding counts as the identity in the backward pass). Batch norm runs in
 * inference mode (its statistics frozen, as usual when fine-tuning for quantization) and dropout is
 * off. Per-channel symmetric rounding commutes with batch-norm folding (a positive per-channel
 * factor does not change the rounded integers), so rounding the unfolded kernels here is rounding
 * the folded ones of the int8 model.
 * Activations are not fake-quantized here; the result is re-quantized post-training as usual and
 * its int8 accuracy measured, so what QAT recovers is reported, not assumed.
 */
import * as tf from '@tensorflow/tfjs';
import { EarshotError } from '../errors.ts';
import type { FloatWeights } from '../model/artifact.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { mulberry32, shuffleInPlace } from '../model/prng.ts';
import type { ModelSpec } from '../model/spec.ts';
import { buildTfModel, getFloatWeights, setFloatWeights } from '../model/tf-model.ts';

export interface QatOptions {
  /** Fine-tuning epochs (default 3). */
  epochs?: number;
  /** Adam learning rate (default 2e-4: a fine-tune, not a training). */
  learningRate?: number;
  batchSize?: number;
  seed?: number;
  signal?: { aborted: boolean };
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Kernels that quantizeModel quantizes per output channel (the last axis in tfjs layouts). */
const KERNELS = new Set(['kernel', 'depthwise_kernel', 'pointwise_kernel']);

/**
 * Per-output-channel symmetric int8 rounding of a tfjs kernel: the channel is the last axis
 * (conv [kh,kw,in,out], dense [in,out]); a depthwise kernel [kh,kw,in,mult] has in×mult channels.
 */
export function fakeQuantKernel(w: tf.Tensor, depthwise = false): tf.Tensor {
  return tf.tidy(() => {
    const shape = w.shape;
    const channels = depthwise ? shape[2]! * shape[3]! : shape[shape.length - 1]!;
    const flat = w.reshape([-1, channels]);
    const maxAbs = flat.abs().max(0);
    const scale = maxAbs.div(127).maximum(1e-12);
    const q = flat.div(scale).round().clipByValue(-127, 127).mul(scale);
    return q.reshape(shape);
  });
}

/**
 * Fine-tune float weights with fake-quantized kernels (STE). Inputs are the float features
 * (flattened [frames × bands]) and class indices. Returns new float weights.
 */
export async function fineTuneQuantAware(spec: ModelSpec, weights: FloatWeights, x: readonly Float32Array[], y: readonly number[], opts: QatOptions = {}): Promise<FloatWeights> {
  const epochs = opts.epochs ?? 3;
  const lr = opts.learningRate ?? 2e-4;
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) throw new EarshotError('train/bad-options', `QAT epochs must be 1..100, got ${String(epochs)}`);
  if (!(lr > 0 && lr < 1)) throw new EarshotError('train/bad-options', `QAT learning rate must be in (0, 1), got ${String(lr)}`);
  if (x.length === 0 || x.length !== y.length) throw new EarshotError('train/bad-options', 'QAT needs as many labels as inputs, and at least one');
  const analysis = analyzeSpec(spec);
  const [h, w, c] = analysis.spec.input.shape;
  const classes = analysis.outputShape[analysis.outputShape.length - 1]!;
  const model = buildTfModel(analysis.spec, opts.seed ?? 1);
  const optimizer = tf.train.adam(lr);
  const shadows: { layerVar: tf.LayerVariable; shadow: tf.Variable; quantize: boolean; depthwise: boolean }[] = [];
  try {
    setFloatWeights(model, weights);
    for (const v of model.trainableWeights) {
      const short = v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
      shadows.push({ layerVar: v, shadow: tf.tidy(() => tf.variable(v.read().clone(), true)), quantize: KERNELS.has(short), depthwise: short === 'depthwise_kernel' });
    }
    const rand = mulberry32((opts.seed ?? 1) + 977);
    const order = Array.from({ length: x.length }, (_, i) => i);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      shuffleInPlace(order, rand);
      let lossSum = 0;
      for (let b = 0; b < order.length; b += batchSize) {
        if (opts.signal?.aborted) throw new EarshotError('train/cancelled', 'fine-tuning was cancelled');
        const idx = order.slice(b, b + batchSize);
        // forward weights: rounded kernels, float everything else
        for (const s of shadows) {
          const t = s.quantize ? fakeQuantKernel(s.shadow, s.depthwise) : s.shadow.clone();
          s.layerVar.write(t);
          t.dispose();
        }
        const data = new Float32Array(idx.length * h * w * c);
        idx.forEach((k, i) => data.set(x[k]!, i * h * w * c));
        const xs = tf.tensor4d(data, [idx.length, h, w, c]);
        const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(idx.map((k) => y[k]!), 'int32'), classes).toFloat());
        const vars = shadows.map((s) => s.layerVar.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => {
          const probs = model.apply(xs, { training: false }) as tf.Tensor;
          return tf.metrics.categoricalCrossentropy(ys, probs).mean() as tf.Scalar;
        }, vars);
        // straight-through: the gradient at the rounded weights updates the shadow weights
        optimizer.applyGradients(shadows.map((s, i) => ({ name: s.shadow.name, tensor: grads[vars[i]!.name]! })));
        lossSum += (await value.data())[0]! * idx.length;
        tf.dispose([xs, ys, value, ...Object.values(grads)]);
      }
      opts.onEpoch?.(epoch, lossSum / order.length);
    }
    for (const s of shadows) s.layerVar.write(s.shadow);
    return getFloatWeights(model, analysis);
  } finally {
    optimizer.dispose();
    for (const s of shadows) s.shadow.dispose();
    model.dispose();
  }
}
