/**
 * ModelArtifact: everything a trained model is (labels, FeatureConfig, ModelSpec, float
 * weights, training summary and, after quantization, the QuantizedModel), and its one
 * on-disk form: a folder (CLI) or an IndexedDB record (page) holding the same files:
 *   model.json  the artifact with every typed array replaced by a reference into model.bin
 *   model.bin   the typed arrays' bytes, little-endian, each 8-byte aligned
 */
import { EarshotError } from '../errors.ts';
import { validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';
import type { ModelSpec } from './spec.ts';
import type { QuantizedModel } from '../quant/quantized-model.ts';
import type { PostprocessingSettings } from '../quant/postprocess.ts';

export interface WeightTensor {
  /** tfjs variable name without the layer prefix, e.g. 'kernel', 'bias', 'gamma'. */
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Float weights by layer name, each list in tfjs-layers order:
 * conv2d [kernel (kh,kw,inC,outC), bias?]; depthwiseConv2d [depthwise_kernel (kh,kw,inC,mult), bias?];
 * separableConv2d [depthwise_kernel, pointwise_kernel (1,1,inC*mult,outC), bias?];
 * dense [kernel (in,out), bias?]; batchNormalization [gamma, beta, moving_mean, moving_variance].
 */
export type FloatWeights = Record<string, WeightTensor[]>;

export interface TrainingHistory {
  loss: number[];
  acc: number[];
  valLoss: number[];
  valAcc: number[];
}

export interface TrainingSummary {
  epochs: number;
  seed: number;
  backend: string;
  /** Data-parallel slices per batch when more than one (the seed reproduces a run only with the same count). */
  shards?: number;
  trainClips: number;
  valClips: number;
  history: TrainingHistory;
  /** Accuracy of the float model on the validation clips (0..1), NaN when there were none. */
  valAccuracy: number;
  /** CLI only: the data folder it was trained on (default calibration and test clips). */
  dataDir?: string;
  /** How validation clips were chosen ('random' when absent). */
  split?: 'random' | 'speaker' | 'session' | 'given';
  /** Epochs actually run and the epoch whose weights were kept (early stopping). */
  epochsRun?: number;
  bestEpoch?: number;
  /** `source` of each validation clip (clip ids in the page), for evaluating on exactly those. */
  valSources?: string[];
  /** Of trainClips, how many were training-only extra clips (TrainRequest.extraClips, e.g. synthetic voices). */
  extraClips?: number;
  /** The speakers (or sessions) held out by a speaker (or session) split, in name order: voices the model never heard. */
  heldOut?: string[];
}

export interface ModelArtifact {
  version: 1;
  labels: string[];
  featureConfig: FeatureConfig;
  spec: ModelSpec;
  weights: FloatWeights;
  training?: TrainingSummary;
  quantized?: QuantizedModel;
  /** Live-inference post-processing (averaging, threshold, suppression); defaults when absent. */
  postprocessing?: PostprocessingSettings;
}

export const MODEL_JSON = 'model.json';
export const MODEL_BIN = 'model.bin';
export type ModelFiles = Record<string, Uint8Array>;

type TypedArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array;
const TYPED: Record<string, new (b: ArrayBuffer, o: number, n: number) => TypedArray> = {
  Float32Array, Float64Array, Int8Array, Uint8Array, Int16Array, Int32Array, Uint32Array,
};
interface TypedRef {
  $typed: string;
  offset: number;
  length: number;
}

function isTyped(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** Replace typed arrays by references into one binary blob (8-byte aligned slots). */
export function packTyped(value: unknown): { json: unknown; bin: Uint8Array } {
  const parts: Uint8Array[] = [];
  let size = 0;
  const walk = (v: unknown): unknown => {
    if (isTyped(v)) {
      const ref: TypedRef = { $typed: v.constructor.name, offset: size, length: v.length };
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      const padded = Math.ceil(bytes.length / 8) * 8;
      const slot = new Uint8Array(padded);
      slot.set(bytes);
      parts.push(slot);
      size += padded;
      return ref;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const json = walk(value);
  const bin = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    bin.set(p, o);
    o += p.length;
  }
  return { json, bin };
}

/** Inverse of packTyped; typed arrays are copied out of `bin` (aligned, independent). */
export function unpackTyped(json: unknown, bin: Uint8Array): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const r = v as Partial<TypedRef>;
      if (typeof r.$typed === 'string') {
        const Ctor = TYPED[r.$typed];
        if (!Ctor || typeof r.offset !== 'number' || typeof r.length !== 'number') {
          throw new EarshotError('model/invalid', `bad typed array reference in ${MODEL_JSON}`);
        }
        const bytesPer = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
        const end = r.offset + r.length * bytesPer;
        if (r.offset < 0 || end > bin.length) throw new EarshotError('model/invalid', `${MODEL_BIN} is shorter than ${MODEL_JSON} says`);
        const copy = bin.slice(r.offset, end);
        return new Ctor(copy.buffer, 0, r.length);
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(json);
}

export function serializeModel(a: ModelArtifact): ModelFiles {
  const { json, bin } = packTyped(a);
  return { [MODEL_JSON]: new TextEncoder().encode(JSON.stringify(json, null, 1)), [MODEL_BIN]: bin };
}

export function deserializeModel(files: ModelFiles): ModelArtifact {
  const jsonBytes = files[MODEL_JSON];
  const bin = files[MODEL_BIN];
  if (!jsonBytes || !bin) throw new EarshotError('model/invalid', `a model needs ${MODEL_JSON} and ${MODEL_BIN}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(jsonBytes));
  } catch (e) {
    throw new EarshotError('model/invalid', `${MODEL_JSON} is not valid JSON`, { cause: e });
  }
  const a = unpackTyped(parsed, bin) as ModelArtifact;
  if (a?.version !== 1) throw new EarshotError('model/invalid', `unknown model version ${String((a as { version?: unknown })?.version)}`);
  if (!Array.isArray(a.labels) || a.labels.length < 2) throw new EarshotError('model/invalid', 'a model needs at least 2 labels');
  a.featureConfig = validateFeatureConfig(a.featureConfig);
  return a;
}
