/**
 * ModelSpec → tf.LayersModel (functional API, so `inputs` and `add` work), with seeded
 * initializers per layer and a seeded dropout, and float weights in and out by layer name.
 * tfjs layer names are the spec's layer names; weight names are tfjs's without the layer prefix.
 */
import * as tf from '@tensorflow/tfjs';
import { EarshotError } from '../errors.ts';
import { analyzeSpec, INPUT_NAME } from './analyze.ts';
import type { FloatWeights, WeightTensor } from './artifact.ts';
import type { LayerSpec, ModelSpec, SpecAnalysis } from './spec.ts';
import { mixSeed, mulberry32 } from './prng.ts';
import { FastBatchNormalization } from './fast-batch-norm.ts';
import { DROPOUT_KERNEL, fusedTrainOps, registerTrainKernels } from './wasm-train-kernels.ts';

interface SeededDropoutArgs {
  name: string;
  rate: number;
  seed: number;
}

/**
 * Dropout whose masks come from its own seeded stream: tfjs's Dropout with a `seed` draws the
 * same mask on every call, and without one it uses Math.random. A fresh seed per training call
 * keeps runs reproducible and masks varied.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'EarshotSeededDropout';
  readonly rate: number;
  readonly seed: number;
  private readonly rand: () => number;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
    this.rand = mulberry32(args.seed);
    this.supportsMasking = true;
    registerTrainKernels();
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate <= 0) return x;
    // The mask is drawn in JS: tf.dropout's seeded randomUniform costs more than the convolutions.
    const seed = Math.floor(this.rand() * 2147483647);
    if (x.dtype === 'float32' && fusedTrainOps()) {
      // cpu, and wasm with train-kernels.wat: mask and multiply in one kernel, the same masks; its gradient reruns it on dy
      return tf.engine().runKernel(DROPOUT_KERNEL, { x }, { seed, rate: this.rate }) as tf.Tensor;
    }
    const r = mulberry32(seed);
    const keep = 1 / (1 - this.rate);
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = r() < this.rate ? 0 : keep;
    return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

function glorot(seed: number, layerIndex: number, k: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: mixSeed(seed, layerIndex * 8 + k) });
}

function makeLayer(l: LayerSpec, index: number, seed: number, outShape: number[], dropoutStream: number): tf.layers.Layer {
  const name = l.name!;
  switch (l.type) {
    case 'conv2d':
      return tf.layers.conv2d({
        name, filters: l.filters, kernelSize: l.kernelSize, strides: l.strides, padding: l.padding, activation: l.activation,
        useBias: l.useBias, kernelInitializer: glorot(seed, index, 0),
      });
    case 'depthwiseConv2d':
      return tf.layers.depthwiseConv2d({
        name, kernelSize: l.kernelSize, depthMultiplier: l.depthMultiplier, strides: l.strides, padding: l.padding,
        activation: l.activation, useBias: l.useBias, depthwiseInitializer: glorot(seed, index, 0),
      });
    case 'separableConv2d':
      return tf.layers.separableConv2d({
        name, filters: l.filters, kernelSize: l.kernelSize, depthMultiplier: l.depthMultiplier, strides: l.strides,
        padding: l.padding, activation: l.activation, useBias: l.useBias,
        depthwiseInitializer: glorot(seed, index, 0), pointwiseInitializer: glorot(seed, index, 1),
      });
    case 'dense':
      return tf.layers.dense({ name, units: l.units, activation: l.activation, useBias: l.useBias, kernelInitializer: glorot(seed, index, 0) });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({ name, poolSize: l.poolSize as [number, number], strides: l.strides as [number, number], padding: l.padding });
    case 'averagePooling2d':
      return tf.layers.averagePooling2d({ name, poolSize: l.poolSize as [number, number], strides: l.strides as [number, number], padding: l.padding });
    case 'globalAveragePooling2d':
      return tf.layers.globalAveragePooling2d({ name });
    case 'flatten':
      return tf.layers.flatten({ name });
    case 'reshape':
      return tf.layers.reshape({ name, targetShape: outShape });
    case 'batchNormalization':
      return new FastBatchNormalization({ name, axis: -1, epsilon: l.epsilon, momentum: l.momentum });
    case 'dropout':
      return new SeededDropout({ name, rate: l.rate, seed: dropoutStream === 0 ? mixSeed(seed, index * 8 + 7) : mixSeed(mixSeed(seed, index * 8 + 7), dropoutStream) });
    case 'activation':
      return tf.layers.activation({ name, activation: l.activation });
    case 'add':
      return tf.layers.add({ name });
  }
}

/**
 * Build a tfjs model for a spec (validated here). The caller disposes it. `dropoutStream` > 0
 * gives the dropout layers other mask streams from the same seed (the extra gradient shards of
 * data-parallel training, train.ts); 0 is the model's own.
 */
export function buildTfModel(spec: ModelSpec, seed: number, dropoutStream = 0): tf.LayersModel {
  if (!Number.isInteger(seed)) throw new EarshotError('train/bad-options', `seed must be an integer, got ${String(seed)}`);
  const a = analyzeSpec(spec);
  const input = tf.input({ shape: [...a.spec.input.shape], name: INPUT_NAME, dtype: 'float32' });
  const outputs = new Map<string, tf.SymbolicTensor>([[INPUT_NAME, input]]);
  a.spec.layers.forEach((l, i) => {
    const info = a.layers[i]!;
    const layer = makeLayer(l, i, seed >>> 0, info.outputShape, dropoutStream);
    const ins = info.inputs.map((n) => outputs.get(n)!);
    const out = layer.apply(ins.length === 1 ? ins[0]! : ins) as tf.SymbolicTensor;
    outputs.set(info.name, out);
  });
  const last = a.layers[a.layers.length - 1]!.name;
  return tf.model({ inputs: input, outputs: outputs.get(last)!, name: a.spec.name ?? 'earshot' });
}

function shortName(v: tf.LayerVariable): string {
  const n = v.originalName;
  return n.slice(n.lastIndexOf('/') + 1);
}

/** Copy every layer's weights out of a model, by spec layer name, in tfjs order. */
export function getFloatWeights(model: tf.LayersModel, analysis: SpecAnalysis): FloatWeights {
  const out: FloatWeights = {};
  for (const info of analysis.layers) {
    const layer = model.getLayer(info.name);
    if (layer.weights.length === 0) continue;
    out[info.name] = layer.weights.map((v) => {
      const t = v.read();
      return { name: shortName(v), shape: [...t.shape], data: new Float32Array(t.dataSync() as Float32Array) };
    });
  }
  return out;
}

/**
 * Start from a pretrained model: every layer of `model` whose name, weight names and shapes all
 * match a layer of `weights` takes those weights; the others (e.g. a classifier for other labels)
 * keep theirs. Returns the names of the layers that were taken over.
 */
export function transferFloatWeights(model: tf.LayersModel, weights: FloatWeights): string[] {
  if (weights === null || typeof weights !== 'object') throw new EarshotError('model/invalid', 'pretrained weights must be an object by layer name');
  const taken: string[] = [];
  for (const layer of model.layers) {
    const given: WeightTensor[] | undefined = weights[layer.name];
    if (layer.weights.length === 0 || !given || given.length !== layer.weights.length) continue;
    const fits = layer.weights.every((v, i) => {
      const g = given[i]!;
      return g.name === shortName(v) && g.shape.join(',') === (v.shape as number[]).join(',') && g.data instanceof Float32Array && g.data.length === g.shape.reduce((p, d) => p * d, 1);
    });
    if (!fits) continue;
    const tensors = given.map((g) => tf.tensor(g.data, g.shape, 'float32'));
    layer.setWeights(tensors);
    tf.dispose(tensors);
    taken.push(layer.name);
  }
  return taken;
}

/** Load float weights into a model built from the same spec; checks names and shapes. */
export function setFloatWeights(model: tf.LayersModel, weights: FloatWeights): void {
  if (weights === null || typeof weights !== 'object') throw new EarshotError('model/invalid', 'float weights must be an object by layer name');
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const given: WeightTensor[] | undefined = weights[layer.name];
    if (!given) throw new EarshotError('model/invalid', `no weights for layer ${layer.name}`);
    if (given.length !== layer.weights.length) {
      throw new EarshotError('model/invalid', `layer ${layer.name}: expected ${layer.weights.length} weight tensors, got ${given.length}`);
    }
    const tensors = layer.weights.map((v, i) => {
      const g = given[i]!;
      const want = shortName(v);
      const shape = v.shape as number[];
      const n = shape.reduce((p, d) => p * d, 1);
      if (g.name !== want || g.shape.join(',') !== shape.join(',') || !(g.data instanceof Float32Array) || g.data.length !== n) {
        throw new EarshotError(
          'model/invalid',
          `layer ${layer.name}: weight ${i} should be ${want} [${shape.join(', ')}], got ${g.name} [${g.shape?.join(', ')}] with ${g.data?.length} values`,
        );
      }
      return tf.tensor(g.data, shape, 'float32');
    });
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
  const known = new Set(model.layers.map((l) => l.name));
  for (const k of Object.keys(weights)) {
    if (!known.has(k)) throw new EarshotError('model/invalid', `weights name a layer ${k} that the spec does not have`);
  }
}
