/**
 * Training and float inference with tfjs on the active backend (see tf-backend.ts).
 * Adam + categorical cross-entropy, seeded shuffle and initializers, manual batching with
 * trainOnBatch so progress and cancellation work and a worker stays responsive. Every tensor,
 * the model and the optimizer are disposed on every path.
 */
import * as tf from '@tensorflow/tfjs';
import { EarshotError } from '../errors.ts';
import { analyzeSpec } from './analyze.ts';
import type { FloatWeights, TrainingHistory } from './artifact.ts';
import type { ModelSpec, SpecAnalysis } from './spec.ts';
import { buildTfModel, getFloatWeights, setFloatWeights, transferFloatWeights } from './tf-model.ts';
import { mixSeed, mulberry32, shuffleInPlace } from './prng.ts';
import {
  allVariables, batchGradients, captureModel, createGradientShard, predictConcatenated, PREDICT_BATCH, readFlat, type GradientShard, type ShardResult,
} from './gradient-shard.ts';

/** The part of AbortSignal that training reads (core has no DOM lib). */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
}

/** Learning rate per epoch: constant, stepped down, or cosine-annealed to a floor. */
export type LrSchedule =
  | { kind: 'constant' }
  | { kind: 'step'; everyEpochs: number; factor: number }
  | { kind: 'cosine'; minLearningRate?: number };

export interface EarlyStopping {
  /** Stop after this many epochs without a better monitored loss. */
  patience: number;
  /** An improvement must lower the loss by more than this (default 0). */
  minDelta?: number;
}

/**
 * Augmentation hook: the features the model sees for training clip `clipIndex` in `epoch`
 * (1-based); must return a matrix of the same size (may be `x` itself). Never called for
 * validation clips. The pipeline wires core/dataset/augment.ts through it.
 */
export type AugmentHook = (x: Float32Array, clipIndex: number, epoch: number) => Float32Array;

export interface TrainOptions {
  spec: ModelSpec;
  /** One feature matrix per clip, row-major frames × bands (= the spec's input, h·w·c values). */
  x: Float32Array[];
  /** Class index per clip, 0 ≤ y < units of the last layer. */
  y: number[];
  valX?: Float32Array[];
  valY?: number[];
  epochs: number;
  /** Default 32. */
  batchSize?: number;
  /** Adam learning rate, default 1e-3. */
  learningRate?: number;
  seed: number;
  /** Default constant. */
  lrSchedule?: LrSchedule;
  /** Monitors the validation loss (the training loss without a validation set); the best epoch's weights are returned. */
  earlyStopping?: EarlyStopping;
  /** Loss weight per class index (default all 1), e.g. from balancedClassWeights. */
  classWeights?: number[];
  /**
   * A pretrained model's weights to start from (transferFloatWeights: layers of the same name
   * and shapes; the classifier for other labels keeps its seeded start).
   */
  startFrom?: FloatWeights;
  augment?: AugmentHook;
  /**
   * Data-parallel slices per batch (gradient-shard.ts), default 1. The same seed and shard count
   * give the same weights whether the shards run in parallel (workers) or one after another.
   */
  shards?: number;
  /** Where shards 1..shards-1 run; default: in this thread (createGradientShard). */
  shardFactory?: ShardFactory;
  onEpoch?: (e: EpochReport) => void;
  onBatch?: (done: number, total: number) => void;
  signal?: AbortSignalLike;
}

/** Makes gradient shard `stream` (1..shards-1) for a spec and seed, e.g. in a worker. */
export type ShardFactory = (spec: ModelSpec, seed: number, stream: number) => GradientShard | Promise<GradientShard>;

export const MAX_SHARDS = 16;

export interface TrainResult {
  weights: FloatWeights;
  history: TrainingHistory;
  /** The epoch whose weights are returned (the last, or the best with early stopping). */
  bestEpoch: number;
  /** Epochs actually run (fewer than asked when early stopping fired). */
  epochsRun: number;
}

/** The learning rate of `epoch` (1-based) of `epochs`. */
export function learningRateAt(schedule: LrSchedule, base: number, epoch: number, epochs: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.factor ** Math.floor((epoch - 1) / schedule.everyEpochs);
    case 'cosine': {
      const min = schedule.minLearningRate ?? 0;
      const t = epochs > 1 ? (epoch - 1) / (epochs - 1) : 0;
      return min + ((base - min) * (1 + Math.cos(Math.PI * t))) / 2;
    }
  }
}

/** Weights n / (k · n_c) per class ("balanced", as scikit-learn defines it); classes without clips get 0. */
export function balancedClassWeights(y: readonly number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const c of y) counts[c]!++;
  return counts.map((n) => (n > 0 ? y.length / (classes * n) : 0));
}

function checkSchedule(s: LrSchedule | undefined): LrSchedule {
  const sch = s ?? { kind: 'constant' };
  if (sch.kind === 'step') {
    if (!Number.isInteger(sch.everyEpochs) || sch.everyEpochs < 1) bad(`lrSchedule.everyEpochs must be a positive integer, got ${String(sch.everyEpochs)}`);
    if (!(sch.factor > 0 && sch.factor <= 1)) bad(`lrSchedule.factor must be in (0, 1], got ${String(sch.factor)}`);
  } else if (sch.kind === 'cosine') {
    if (sch.minLearningRate !== undefined && !(sch.minLearningRate >= 0)) bad(`lrSchedule.minLearningRate must be >= 0, got ${String(sch.minLearningRate)}`);
  } else if (sch.kind !== 'constant') {
    bad(`unknown lrSchedule kind ${JSON.stringify((sch as { kind?: unknown }).kind)} (known: constant, step, cosine)`);
  }
  return sch;
}

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_LEARNING_RATE = 1e-3;
/** tfjs-layers clips probabilities to [eps, 1 - eps] in categorical cross-entropy (backend epsilon 1e-7). */
const CE_EPSILON = 1e-7;
/** Yield to the event loop at least this often (ms) so a worker can receive messages. */
const YIELD_EVERY_MS = 30;

function bad(message: string): never {
  throw new EarshotError('train/bad-options', message);
}

const timers = globalThis as unknown as { setTimeout: (f: () => void, ms: number) => unknown };
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => timers.setTimeout(resolve, 0));
}

function checkInputs(a: SpecAnalysis, x: unknown, y: unknown, what: string): { x: Float32Array[]; y: number[] } {
  const [h, w, c] = a.spec.input.shape;
  const size = h * w * c;
  const classes = a.outputShape[0]!;
  if (!Array.isArray(x) || !Array.isArray(y)) bad(`${what}: x and y must be lists`);
  if (x.length !== y.length) bad(`${what}: ${x.length} feature matrices but ${y.length} labels`);
  x.forEach((m, i) => {
    if (!(m instanceof Float32Array) || m.length !== size) {
      bad(`${what}: clip ${i} has ${(m as { length?: number })?.length} feature values, the model input [${h}, ${w}, ${c}] needs ${size}`);
    }
  });
  y.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= classes) bad(`${what}: label ${String(l)} of clip ${i} is not a class index below ${classes}`);
  });
  return { x: x as Float32Array[], y: y as number[] };
}

function batchInputs(a: SpecAnalysis, x: Float32Array[], idx: readonly number[]): Float32Array {
  const [h, w, c] = a.spec.input.shape;
  const size = h * w * c;
  const buf = new Float32Array(idx.length * size);
  idx.forEach((k, j) => buf.set(x[k]!, j * size));
  return buf;
}

function batchTensor(a: SpecAnalysis, x: Float32Array[], idx: readonly number[]): tf.Tensor4D {
  const [h, w, c] = a.spec.input.shape;
  return tf.tensor4d(batchInputs(a, x, idx), [idx.length, h, w, c], 'float32');
}

/** One-hot targets scaled by the class weight: categorical cross-entropy −Σ t·log p then weighs each clip by its class. */
function oneHotValues(y: number[], idx: readonly number[], classes: number, weights?: readonly number[]): Float32Array {
  const buf = new Float32Array(idx.length * classes);
  idx.forEach((k, j) => (buf[j * classes + y[k]!] = weights ? weights[y[k]!]! : 1));
  return buf;
}

function oneHot(y: number[], idx: readonly number[], classes: number, weights?: readonly number[]): tf.Tensor2D {
  return tf.tensor2d(oneHotValues(y, idx, classes, weights), [idx.length, classes], 'float32');
}

/** Shard calls still running when this thread's own slice throws must not become unhandled rejections (they are awaited otherwise). */
function settleQuietly(ps: readonly Promise<unknown>[]): void {
  for (const p of ps) p.catch(() => undefined);
}

/** Cut a batch into at most k contiguous slices whose sizes differ by at most one (larger first); no empty slices. */
export function sliceBatch<T>(idx: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let s = 0; s < k; s++) {
    const len = Math.floor(idx.length / k) + (s < idx.length % k ? 1 : 0);
    if (len > 0) out.push(idx.slice(start, start + len));
    start += len;
  }
  return out;
}

/** Probabilities per clip, cut out of a concatenated prediction (`count` rows of `classes`). */
function perClip(p: Float32Array, classes: number): Float32Array[] {
  return Array.from({ length: p.length / classes }, (_, k) => p.slice(k * classes, (k + 1) * classes));
}

/** Probabilities for each clip, in batches; no tensors survive. */
function predictWith(model: tf.LayersModel, a: SpecAnalysis, x: Float32Array[], batchSize: number): Float32Array[] {
  const all = x.map((_, i) => i);
  return perClip(predictConcatenated(model, a.spec.input.shape, batchInputs(a, x, all), x.length, batchSize), a.outputShape[0]!);
}

function lossAndAccuracy(probs: Float32Array[], y: number[]): { loss: number; acc: number } {
  let loss = 0;
  let correct = 0;
  probs.forEach((p, i) => {
    const t = y[i]!;
    let sum = 0;
    for (const v of p) sum += v;
    loss -= Math.log(Math.min(1 - CE_EPSILON, Math.max(CE_EPSILON, p[t]! / sum)));
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    if (best === t) correct++;
  });
  return { loss: loss / probs.length, acc: correct / probs.length };
}

function cancelled(): EarshotError {
  return new EarshotError('train/cancelled', 'training was cancelled');
}

/** Train a model from a spec; returns float weights by layer name and the per-epoch history. */
export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  if (opts === null || typeof opts !== 'object') bad('trainModel needs options');
  const a = analyzeSpec(opts.spec);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const learningRate = opts.learningRate ?? DEFAULT_LEARNING_RATE;
  const { epochs, seed, signal } = opts;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 10000) bad(`epochs must be an integer from 1 to 10000, got ${String(epochs)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) bad(`batchSize must be a positive integer, got ${String(batchSize)}`);
  if (typeof learningRate !== 'number' || !(learningRate > 0) || !Number.isFinite(learningRate)) bad(`learningRate must be a positive number, got ${String(learningRate)}`);
  if (!Number.isInteger(seed)) bad(`seed must be an integer, got ${String(seed)}`);
  if (a.outputShape.length !== 1) bad(`the model output must be a vector of class scores, got [${a.outputShape.join(', ')}]`);
  const train = checkInputs(a, opts.x, opts.y, 'training set');
  if (train.x.length === 0) throw new EarshotError('dataset/too-few-clips', 'no clips to train on');
  if ((opts.valX === undefined) !== (opts.valY === undefined)) bad('give both valX and valY or neither');
  const val = opts.valX ? checkInputs(a, opts.valX, opts.valY, 'validation set') : undefined;
  const hasVal = val !== undefined && val.x.length > 0;
  if (signal?.aborted) throw cancelled();
  const schedule = checkSchedule(opts.lrSchedule);
  const stop = opts.earlyStopping;
  if (stop !== undefined && (!Number.isInteger(stop.patience) || stop.patience < 1 || !((stop.minDelta ?? 0) >= 0))) {
    bad(`earlyStopping needs an integer patience >= 1 and minDelta >= 0, got ${JSON.stringify(stop)}`);
  }
  const classWeights = opts.classWeights;
  if (classWeights !== undefined && (!Array.isArray(classWeights) || classWeights.length !== a.outputShape[0] || !classWeights.every((w) => typeof w === 'number' && w >= 0 && Number.isFinite(w)))) {
    bad(`classWeights must give a weight >= 0 for each of the ${a.outputShape[0]} classes`);
  }

  const shards = opts.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) bad(`shards must be an integer from 1 to ${MAX_SHARDS}, got ${String(shards)}`);
  if (opts.shardFactory !== undefined && typeof opts.shardFactory !== 'function') bad('shardFactory must be a function');

  const classes = a.outputShape[0]!;
  const n = train.x.length;
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const total = batchesPerEpoch * epochs;
  const history: TrainingHistory = { loss: [], acc: [], valLoss: [], valAcc: [] };
  const rand = mulberry32(mixSeed(seed, 0x5eed));
  const order = Array.from({ length: n }, (_, i) => i);

  // One shard: trainOnBatch with Adam. Several: this model computes slice 0's gradients
  // (GradientCapture), the shards the others, and Adam applies their weighted mean.
  const parallel = shards > 1 ? captureModel(a.spec, seed, 0) : undefined;
  const model = parallel?.model ?? buildTfModel(a.spec, seed);
  if (opts.startFrom) transferFloatWeights(model, opts.startFrom);
  const optimizer = tf.train.adam(learningRate);
  const settable = optimizer as unknown as { learningRate: number };
  const inputs = opts.augment ? new Array<Float32Array>(n) : train.x;
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, weights: undefined as FloatWeights | undefined };
  let epochsRun = 0;
  const extra: GradientShard[] = [];
  try {
    if (parallel) {
      const factory = opts.shardFactory ?? createGradientShard;
      for (let s = 1; s < shards; s++) extra.push(await factory(a.spec, seed, s));
    } else {
      model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    }
    /** Loss and accuracy of one batch; the weights take one Adam step. */
    const step = async (idx: number[]): Promise<[number, number]> => {
      if (!parallel) {
        const xs = batchTensor(a, inputs, idx);
        const ys = oneHot(train.y, idx, classes, classWeights);
        try {
          return (await model.trainOnBatch(xs, ys)) as [number, number];
        } finally {
          xs.dispose();
          ys.dispose();
        }
      }
      const slices = sliceBatch(idx, shards);
      const weights = slices.length > 1 ? readFlat(parallel.vars) : undefined;
      const others = slices.slice(1).map((sl, j) =>
        extra[j]!.gradients({ weights: weights!.slice(), x: batchInputs(a, inputs, sl), targets: oneHotValues(train.y, sl, classes, classWeights), count: sl.length }),
      );
      settleQuietly(others);
      const xs = batchTensor(a, inputs, slices[0]!);
      const ys = oneHot(train.y, slices[0]!, classes, classWeights);
      let own: ShardResult;
      try {
        own = await batchGradients(parallel, xs, ys);
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const results = [own, ...(await Promise.all(others))];
      const mean = new Float32Array(own.grads.length);
      let loss = 0;
      let acc = 0;
      results.forEach((r, s) => {
        const f = slices[s]!.length / idx.length;
        if (r.grads.length !== mean.length) throw new EarshotError('train/failed', `shard ${s} returned ${r.grads.length} gradient values, expected ${mean.length}`);
        for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! + f * r.grads[i]!;
        loss += f * r.loss;
        acc += f * r.acc;
      });
      tf.tidy(() => {
        let o = 0;
        optimizer.applyGradients(
          parallel.vars.map((v) => {
            const t = tf.tensor(mean.subarray(o, o + v.size), v.shape, 'float32');
            o += v.size;
            return { name: v.name, tensor: t };
          }),
        );
      });
      return [loss, acc];
    };
    /** Validation probabilities per clip; with shards, slice s of the clips is predicted by shard s. */
    const predictVal = async (vx: Float32Array[]): Promise<Float32Array[]> => {
      if (!parallel || extra.length === 0) return predictWith(model, a, vx, Math.max(batchSize, 64));
      const slices = sliceBatch(vx.map((_, i) => i), shards);
      const everything = slices.length > 1 ? readFlat(allVariables(model)) : undefined;
      const others = slices.slice(1).map((sl, j) => extra[j]!.predict({ weights: everything!.slice(), x: batchInputs(a, vx, sl), count: sl.length }));
      settleQuietly(others);
      const own = predictConcatenated(model, a.spec.input.shape, batchInputs(a, vx, slices[0]!), slices[0]!.length, PREDICT_BATCH);
      return [own, ...(await Promise.all(others))].flatMap((p) => perClip(p, classes));
    };
    let done = 0;
    let lastYield = Date.now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      settable.learningRate = learningRateAt(schedule, learningRate, epoch, epochs);
      if (opts.augment) {
        for (let i = 0; i < n; i++) {
          const v = opts.augment(train.x[i]!, i, epoch);
          if (!(v instanceof Float32Array) || v.length !== train.x[i]!.length) bad(`augment returned ${(v as { length?: number })?.length} values for clip ${i}, expected ${train.x[i]!.length}`);
          inputs[i] = v;
        }
      }
      shuffleInPlace(order, rand);
      let lossSum = 0;
      let accSum = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        const idx = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const [loss, acc] = await step(idx);
        if (!Number.isFinite(loss)) throw new EarshotError('train/failed', `the loss became ${String(loss)} in epoch ${epoch}; try a lower learning rate`);
        lossSum += loss! * idx.length;
        accSum += acc! * idx.length;
        done++;
        opts.onBatch?.(done, total);
        if (Date.now() - lastYield >= YIELD_EVERY_MS || b === batchesPerEpoch - 1) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
        if (signal?.aborted) throw cancelled();
      }
      const report: EpochReport = { epoch, epochs, loss: lossSum / n, acc: accSum / n };
      history.loss.push(report.loss);
      history.acc.push(report.acc);
      if (hasVal) {
        const m = lossAndAccuracy(await predictVal(val.x), val.y);
        report.valLoss = m.loss;
        report.valAcc = m.acc;
        history.valLoss.push(m.loss);
        history.valAcc.push(m.acc);
      }
      opts.onEpoch?.(report);
      epochsRun = epoch;
      if (stop) {
        const monitored = hasVal ? report.valLoss! : report.loss;
        if (monitored < best.loss - (stop.minDelta ?? 0)) {
          best = { loss: monitored, epoch, weights: getFloatWeights(model, a) };
        } else if (epoch - best.epoch >= stop.patience) {
          break;
        }
      }
    }
    if (stop && best.weights) return { weights: best.weights, history, bestEpoch: best.epoch, epochsRun };
    return { weights: getFloatWeights(model, a), history, bestEpoch: epochsRun, epochsRun };
  } finally {
    model.dispose();
    optimizer.dispose();
    await Promise.all(extra.map((s) => s.dispose()));
  }
}

/** A built float model kept for many predictions (live inference); dispose() frees it. */
export interface FloatPredictor {
  predict(x: Float32Array[]): Float32Array[];
  dispose(): void;
}

export function createFloatPredictor(spec: ModelSpec, weights: FloatWeights): FloatPredictor {
  const a = analyzeSpec(spec);
  const model = buildTfModel(a.spec, 0);
  try {
    setFloatWeights(model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  let disposed = false;
  return {
    predict(x) {
      if (disposed) throw new EarshotError('model/invalid', 'the float model was disposed');
      checkInputs(a, x, x.map(() => 0), 'predict');
      return predictWith(model, a, x, 64);
    },
    dispose() {
      if (!disposed) model.dispose();
      disposed = true;
    },
  };
}

/** Class probabilities of a trained float model for each clip (builds the model once, disposes it). */
export function predictFloat(spec: ModelSpec, weights: FloatWeights, x: Float32Array[]): Float32Array[] {
  checkInputs(analyzeSpec(spec), x, x.map(() => 0), 'predict');
  const p = createFloatPredictor(spec, weights);
  try {
    return p.predict(x);
  } finally {
    p.dispose();
  }
}
