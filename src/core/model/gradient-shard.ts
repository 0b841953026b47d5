/**
 * Data-parallel training, the shard side. A training batch is cut into K slices; slice 0 runs in
 * the trainer's own model (train.ts), slices 1..K-1 run in gradient shards: copies of the model
 * that receive the trainer's current trainable weights and one slice of inputs and targets, and
 * return the gradient of the mean loss over that slice. The trainer averages the K gradients
 * (weighted by slice size, so the sum is the gradient of the whole batch's mean loss) and takes
 * one Adam step; only the trainer keeps an optimizer and moving batch-norm statistics.
 *
 * A shard is this file's `createGradientShard` run in the same thread (one after another) or in
 * a worker (src/workers/shard.worker.ts runs the same function), so a run gives the same weights
 * whether its shards ran in parallel or not; what changes results is the number of shards
 * (batch norm normalizes each slice with its own statistics, as per-device batch norm does in
 * multi-device training, and each shard draws its own dropout masks).
 */
import * as tf from '@tensorflow/tfjs';
import { EarshotError } from '../errors.ts';
import { analyzeSpec } from './analyze.ts';
import type { ModelSpec } from './spec.ts';
import { buildTfModel } from './tf-model.ts';

/** One slice of a batch: the trainer's weights, inputs and (class-weighted one-hot) targets. */
export interface ShardRequest {
  /** Every trainable variable's values, concatenated in the model's trainableWeights order. */
  weights: Float32Array;
  /** `count` input matrices, concatenated. */
  x: Float32Array;
  /** `count` target rows of the class count, concatenated. */
  targets: Float32Array;
  count: number;
}

export interface ShardResult {
  /** d(mean loss over the slice)/d(weights), concatenated like ShardRequest.weights. */
  grads: Float32Array;
  /** Mean loss and accuracy over the slice. */
  loss: number;
  acc: number;
}

/** One slice of the validation clips, predicted with all of the trainer's weights (moving statistics included). */
export interface ShardPredictRequest {
  /** Every weight (trainable or not), concatenated in the model's `weights` order. */
  weights: Float32Array;
  x: Float32Array;
  count: number;
}

/** A model copy computing slice gradients (and slice predictions); in the same thread or behind a worker. */
export interface GradientShard {
  gradients(req: ShardRequest): Promise<ShardResult>;
  /** Class probabilities of `count` inputs, concatenated. */
  predict(req: ShardPredictRequest): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

/** tf.Optimizer whose "step" only copies the gradients out, so trainOnBatch computes loss, metrics and gradients. */
export class GradientCapture extends tf.Optimizer {
  static readonly className = 'EarshotGradientCapture';
  /** The last batch's gradients, by variable, in the order of `names`. */
  captured: Float32Array[] = [];

  constructor(private readonly names: readonly string[]) {
    super();
  }

  override applyGradients(grads: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const byName = new Map<string, tf.Tensor>(Array.isArray(grads) ? grads.map((g) => [g.name, g.tensor]) : Object.entries(grads));
    this.captured = this.names.map((n) => {
      const g = byName.get(n);
      if (!g) throw new EarshotError('train/failed', `no gradient for variable ${n}`);
      return g.dataSync() as Float32Array;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

/** The variables trainOnBatch differentiates, in its order. */
function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Every variable of the model (batch norm's moving statistics too), in `model.weights` order. */
export function allVariables(model: tf.LayersModel): tf.Variable[] {
  return model.weights.map((w) => w.read() as tf.Variable);
}

/** Class probabilities of `count` concatenated inputs, in batches of at most `batchSize`; no tensors survive. */
export function predictConcatenated(model: tf.LayersModel, inputShape: readonly number[], x: Float32Array, count: number, batchSize: number): Float32Array {
  const size = inputShape.reduce((p, d) => p * d, 1);
  const parts: Float32Array[] = [];
  for (let s = 0; s < count; s += batchSize) {
    const n = Math.min(batchSize, count - s);
    parts.push(tf.tidy(() => (model.predict(tf.tensor(x.subarray(s * size, (s + n) * size), [n, ...inputShape], 'float32')) as tf.Tensor).dataSync() as Float32Array));
  }
  const out = new Float32Array(parts.reduce((t, p) => t + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Validation batches in the trainer and its shards (predict is batch-size independent per clip). */
export const PREDICT_BATCH = 64;

function totalSize(vars: readonly tf.Variable[]): number {
  return vars.reduce((s, v) => s + v.size, 0);
}

/** Concatenate the variables' values. */
export function readFlat(vars: readonly tf.Variable[]): Float32Array {
  const out = new Float32Array(totalSize(vars));
  let o = 0;
  for (const v of vars) {
    out.set(v.dataSync() as Float32Array, o);
    o += v.size;
  }
  return out;
}

/** Assign concatenated values to the variables. */
export function writeFlat(vars: readonly tf.Variable[], flat: Float32Array): void {
  if (flat.length !== totalSize(vars)) throw new EarshotError('train/failed', `shard weights: expected ${totalSize(vars)} values, got ${flat.length}`);
  let o = 0;
  for (const v of vars) {
    const t = tf.tensor(flat.subarray(o, o + v.size), v.shape, 'float32');
    v.assign(t);
    t.dispose();
    o += v.size;
  }
}

/** A model compiled with a GradientCapture optimizer: trainOnBatch leaves the weights as they were. */
export function captureModel(spec: ModelSpec, seed: number, dropoutStream: number): { model: tf.LayersModel; vars: tf.Variable[]; capture: GradientCapture } {
  const model = buildTfModel(spec, seed, dropoutStream);
  const vars = trainableVariables(model);
  const capture = new GradientCapture(vars.map((v) => v.name));
  model.compile({ optimizer: capture, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return { model, vars, capture };
}

/** Loss, accuracy and the concatenated gradients of one batch on a capture model. */
export async function batchGradients(
  m: { model: tf.LayersModel; capture: GradientCapture },
  x: tf.Tensor,
  targets: tf.Tensor,
): Promise<ShardResult> {
  const r = (await m.model.trainOnBatch(x, targets)) as number[];
  const grads = new Float32Array(m.capture.captured.reduce((s, g) => s + g.length, 0));
  let o = 0;
  for (const g of m.capture.captured) {
    grads.set(g, o);
    o += g.length;
  }
  return { grads, loss: r[0]!, acc: r[1]! };
}

/**
 * A gradient shard in this thread, on the active tfjs backend. `stream` (≥ 1, distinct per
 * shard) selects the shard's dropout masks; the initial weights do not matter (every request
 * brings the trainer's).
 */
export function createGradientShard(spec: ModelSpec, seed: number, stream: number): GradientShard {
  if (!Number.isInteger(stream) || stream < 1) throw new EarshotError('train/bad-options', `a gradient shard's stream must be an integer >= 1, got ${String(stream)}`);
  const a = analyzeSpec(spec);
  const [h, w, c] = a.spec.input.shape;
  const classes = a.outputShape[0]!;
  const m = captureModel(a.spec, seed, stream);
  const everything = allVariables(m.model);
  let disposed = false;
  return {
    async predict(req) {
      if (disposed) throw new EarshotError('train/failed', 'the gradient shard was disposed');
      const { count } = req;
      if (!Number.isInteger(count) || count < 1 || req.x.length !== count * h * w * c) {
        throw new EarshotError('train/failed', `shard predict: ${count} clips need ${count * h * w * c} inputs, got ${req.x.length}`);
      }
      writeFlat(everything, req.weights);
      return predictConcatenated(m.model, [h, w, c], req.x, count, PREDICT_BATCH);
    },
    async gradients(req) {
      if (disposed) throw new EarshotError('train/failed', 'the gradient shard was disposed');
      const { count } = req;
      if (!Number.isInteger(count) || count < 1 || req.x.length !== count * h * w * c || req.targets.length !== count * classes) {
        throw new EarshotError('train/failed', `shard request: ${count} clips need ${count * h * w * c} inputs and ${count * classes} targets, got ${req.x.length} and ${req.targets.length}`);
      }
      writeFlat(m.vars, req.weights);
      const xs = tf.tensor4d(req.x, [count, h, w, c], 'float32');
      const ys = tf.tensor2d(req.targets, [count, classes], 'float32');
      try {
        return await batchGradients(m, xs, ys);
      } finally {
        xs.dispose();
        ys.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      m.model.dispose();
    },
  };
}
