/**
 * Clips → trained float ModelArtifact: features, split, spec (preset or given), training.
 * The page's train worker and the CLI's `train` both call this.
 */
import { EarshotError } from '../errors.ts';
import { featureShape, type FeatureConfig } from '../dsp/feature-config.ts';
import { computeLogMel } from '../dsp/log-mel.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { ModelArtifact, TrainingHistory } from '../model/artifact.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { presetSpec } from '../model/presets.ts';
import { trainModel } from '../model/train.ts';
import { splitTrainVal } from '../model/split.ts';
import { collectLabels, labelIndices, type LabeledClip } from './labeled-clips.ts';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
}

export interface TrainRequest {
  clips: LabeledClip[];
  /** Validation clips; when absent, a stratified `valFraction` of `clips` is held out. */
  valClips?: LabeledClip[];
  valFraction?: number;
  featureConfig: FeatureConfig;
  /** A preset name or a full spec; the spec's input shape must match the features. */
  preset?: string;
  spec?: ModelSpec;
  epochs?: number;
  seed?: number;
  batchSize?: number;
  learningRate?: number;
  backend: string;
  onEpoch?: (p: EpochProgress) => void;
  onBatch?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Log-mel matrices for each clip (frames × bands, row-major). */
export function featuresOf(clips: readonly { samples: Float32Array }[], config: FeatureConfig): Float32Array[] {
  return clips.map((c) => computeLogMel(c.samples, config).data);
}

export function specFor(req: Pick<TrainRequest, 'preset' | 'spec' | 'featureConfig'>, numClasses: number): ModelSpec {
  const shape = featureShape(req.featureConfig);
  const inputShape: [number, number, number] = [shape.frames, shape.bands, 1];
  if (req.spec && req.preset) throw new EarshotError('spec/invalid', 'give either a preset or a spec, not both');
  const spec = req.spec ?? presetSpec(req.preset ?? 'tiny-conv', inputShape, numClasses);
  const analysis = analyzeSpec(spec);
  const [h, w, c] = analysis.spec.input.shape;
  if (h !== inputShape[0] || w !== inputShape[1] || c !== 1) {
    throw new EarshotError('spec/invalid', `spec input shape [${h}, ${w}, ${c}] does not match the features [${inputShape.join(', ')}]`);
  }
  const out = analysis.outputShape;
  if (out.length !== 1 || out[0] !== numClasses) {
    throw new EarshotError('spec/invalid', `the last layer has ${out.join('×')} outputs but there are ${numClasses} classes`);
  }
  return analysis.spec;
}

export async function trainArtifact(req: TrainRequest): Promise<ModelArtifact> {
  const seed = req.seed ?? 1;
  const epochs = req.epochs ?? 30;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000) throw new EarshotError('train/failed', 'epochs must be an integer from 1 to 1000');
  const labels = collectLabels(req.valClips ? [...req.clips, ...req.valClips] : req.clips);
  const spec = specFor(req, labels.length);
  let train = req.clips;
  let val = req.valClips ?? [];
  if (!req.valClips && (req.valFraction ?? 0.2) > 0) {
    const split = splitTrainVal(labelIndices(req.clips, labels), req.valFraction ?? 0.2, seed);
    train = split.train.map((i) => req.clips[i]);
    val = split.val.map((i) => req.clips[i]);
  }
  if (train.length === 0) throw new EarshotError('dataset/too-few-clips', 'no clips left for training');
  const x = featuresOf(train, req.featureConfig);
  const valX = featuresOf(val, req.featureConfig);
  const history: TrainingHistory = { loss: [], acc: [], valLoss: [], valAcc: [] };
  const result = await trainModel({
    spec,
    x,
    y: labelIndices(train, labels),
    valX: val.length ? valX : undefined,
    valY: val.length ? labelIndices(val, labels) : undefined,
    epochs,
    seed,
    batchSize: req.batchSize,
    learningRate: req.learningRate,
    onEpoch: req.onEpoch,
    onBatch: req.onBatch,
    signal: req.signal,
  });
  Object.assign(history, result.history);
  const lastValAcc = history.valAcc.length ? history.valAcc[history.valAcc.length - 1] : Number.NaN;
  return {
    version: 1,
    labels,
    featureConfig: req.featureConfig,
    spec,
    weights: result.weights,
    training: {
      epochs,
      seed,
      backend: req.backend,
      trainClips: train.length,
      valClips: val.length,
      history,
      valAccuracy: lastValAcc,
    },
  };
}
