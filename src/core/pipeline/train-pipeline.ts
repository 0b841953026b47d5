/**
 * Clips → trained float ModelArtifact: features, split, spec (preset or given), training.
 * The page's train worker and the CLI's `train` both call this.
 */
import { EarshotError } from '../errors.ts';
import { featureShape, type FeatureConfig } from '../dsp/feature-config.ts';
import { computeLogMel } from '../dsp/log-mel.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { FloatWeights, ModelArtifact, TrainingHistory, TrainingSummary } from '../model/artifact.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { presetSpec } from '../model/presets.ts';
import { TRAIN_DEFAULTS } from './train-defaults.ts';
import { balancedClassWeights, trainModel, type AugmentHook, type EarlyStopping, type EpochReport, type LrSchedule, type ShardFactory } from '../model/train.ts';
import { leaveOneGroupOut, splitByGroup, splitTrainVal, type SplitKind } from '../model/split.ts';
import { withNameTags } from '../dataset/name-pattern.ts';
import { augmentFeatures, augmentSamples, type AugmentOptions } from '../dataset/augment.ts';
import { collectLabels, labelIndices, type LabeledClip } from './labeled-clips.ts';

/** One finished epoch's figures, as the trainer reports them. */
export type EpochProgress = EpochReport;

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
  /** How to choose validation clips when valClips is absent (default 'random', stratified). */
  split?: SplitKind;
  /** Augment training clips each epoch (core/dataset/augment.ts); validation clips never. */
  augment?: Partial<AugmentOptions>;
  /** Background noise for augment.noiseSnrDb, at the feature rate. */
  noiseClips?: Float32Array[];
  /** 'balanced' weighs each class by n / (k · n_class) so rare classes count as much. */
  classWeighting?: 'none' | 'balanced';
  /** A pretrained model's float weights to start from (layers of the same name and shape). */
  startFrom?: FloatWeights;
  /**
   * Training-only clips (e.g. synthetic voices, `earshot voices`): added to the training side of
   * every split and fold, never held out, scored or counted as a speaker. Their labels must be
   * among the clips' labels.
   */
  extraClips?: LabeledClip[];
  earlyStopping?: EarlyStopping;
  lrSchedule?: LrSchedule;
  /** Data-parallel slices per batch (trainModel's `shards`, default 1) and where slices 1.. run (default: this thread). */
  shards?: number;
  shardFactory?: ShardFactory;
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
  const spec = req.spec ?? presetSpec(req.preset ?? TRAIN_DEFAULTS.preset, inputShape, numClasses);
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

function groupsOf(clips: readonly LabeledClip[], by: 'speaker' | 'session'): (string | undefined)[] {
  return clips.map((c) => c[by]);
}

/** The augmentation hook for trainModel: audio-domain draw, features, then SpecAugment masks of the same variant. */
function augmentHook(req: TrainRequest, train: readonly LabeledClip[]): AugmentHook | undefined {
  const opts = req.augment;
  if (!opts) return undefined;
  const shape = featureShape(req.featureConfig);
  const ctx = { sampleRateHz: req.featureConfig.sampleRateHz, frames: shape.frames, bands: shape.bands, noiseClips: req.noiseClips };
  return (_x, i, epoch) => {
    const variant = (epoch - 1) * train.length + i;
    const samples = augmentSamples(train[i]!.samples, opts, variant, ctx);
    const f = computeLogMel(samples, req.featureConfig);
    return augmentFeatures(f, opts, variant, { samples: samples.length, sampleRateHz: req.featureConfig.sampleRateHz }).data;
  };
}

async function trainOn(req: TrainRequest, labels: string[], spec: ModelSpec, ownTrain: LabeledClip[], val: LabeledClip[], split: NonNullable<TrainingSummary['split']>): Promise<ModelArtifact> {
  const seed = req.seed ?? 1;
  const epochs = req.epochs ?? 30;
  if (ownTrain.length === 0) throw new EarshotError('dataset/too-few-clips', 'no clips left for training');
  const extra = req.extraClips ?? [];
  const foreign = [...new Set(extra.map((c) => c.label))].filter((l) => !labels.includes(l));
  if (foreign.length) throw new EarshotError('dataset/bad-label', `the extra training clips have classes the data does not: ${foreign.join(', ')} (the data has ${labels.join(', ')})`);
  const train = [...ownTrain, ...extra];
  const x = featuresOf(train, req.featureConfig);
  const valX = featuresOf(val, req.featureConfig);
  const y = labelIndices(train, labels);
  const result = await trainModel({
    spec,
    x,
    y,
    valX: val.length ? valX : undefined,
    valY: val.length ? labelIndices(val, labels) : undefined,
    epochs,
    seed,
    batchSize: req.batchSize,
    learningRate: req.learningRate,
    lrSchedule: req.lrSchedule,
    earlyStopping: req.earlyStopping,
    classWeights: req.classWeighting === 'balanced' ? balancedClassWeights(y, labels.length) : undefined,
    startFrom: req.startFrom,
    augment: augmentHook(req, train),
    shards: req.shards,
    shardFactory: req.shardFactory,
    onEpoch: req.onEpoch,
    onBatch: req.onBatch,
    signal: req.signal,
  });
  const history: TrainingHistory = { ...result.history };
  const kept = history.valAcc.length ? history.valAcc[result.bestEpoch - 1]! : Number.NaN;
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
      ...(req.shards !== undefined && req.shards > 1 ? { shards: req.shards } : {}),
      trainClips: train.length,
      ...(extra.length ? { extraClips: extra.length } : {}),
      valClips: val.length,
      history,
      valAccuracy: kept,
      split,
      epochsRun: result.epochsRun,
      bestEpoch: result.bestEpoch,
      valSources: val.map((c) => c.source).filter((s): s is string => s !== undefined),
      ...(split === 'speaker' || split === 'session' ? { heldOut: [...new Set(val.map((c) => c[split]).filter((g): g is string => g !== undefined))].sort() } : {}),
    },
  };
}

export async function trainArtifact(req: TrainRequest): Promise<ModelArtifact> {
  const seed = req.seed ?? 1;
  const epochs = req.epochs ?? 30;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000) throw new EarshotError('train/failed', 'epochs must be an integer from 1 to 1000');
  const labels = collectLabels(req.valClips ? [...req.clips, ...req.valClips] : req.clips);
  const spec = specFor(req, labels.length);
  const kind = req.split ?? 'random';
  if (req.valClips) return trainOn(req, labels, spec, req.clips, req.valClips, 'given');
  const valFraction = req.valFraction ?? 0.2;
  if (valFraction <= 0) return trainOn(req, labels, spec, req.clips, [], kind);
  const split = kind === 'random' ? splitTrainVal(labelIndices(req.clips, labels), valFraction, seed) : splitByGroup(groupsOf(req.clips, kind), valFraction, seed, { labels: req.clips.map((c) => c.label), by: kind });
  return trainOn(req, labels, spec, split.train.map((i) => req.clips[i]!), split.val.map((i) => req.clips[i]!), kind);
}

export interface CrossValidationFold {
  /** The speaker or session held out. */
  group: string;
  clips: number;
  /** Float accuracy on the held-out clips after the last epoch. */
  accuracy: number;
}

export interface CrossValidation {
  by: 'speaker' | 'session';
  folds: CrossValidationFold[];
  /** Mean of the fold accuracies (each held-out group counts once). */
  meanAccuracy: number;
  /** Accuracy over all held-out clips pooled. */
  pooledAccuracy: number;
}

/**
 * Leave-one-group-out cross-validation: one training run per speaker (or session) with that
 * group held out and scored; the honest number when every student records their own voice.
 * Early stopping is not used here (it would choose epochs by looking at the held-out group).
 * `onFold(k, total)` reports progress before each run.
 */
export async function crossValidate(req: TrainRequest, by: 'speaker' | 'session', onFold?: (k: number, total: number, group: string) => void): Promise<CrossValidation> {
  const labels = collectLabels(req.clips);
  const spec = specFor(req, labels.length);
  const folds = leaveOneGroupOut(groupsOf(req.clips, by), { labels: req.clips.map((c) => c.label), by });
  const out: CrossValidationFold[] = [];
  let correct = 0;
  let total = 0;
  for (const [k, f] of folds.entries()) {
    onFold?.(k + 1, folds.length, f.group);
    const a = await trainOn({ ...req, earlyStopping: undefined }, labels, spec, f.train.map((i) => req.clips[i]!), f.val.map((i) => req.clips[i]!), by);
    const acc = a.training!.history.valAcc.at(-1)!;
    out.push({ group: f.group, clips: f.val.length, accuracy: acc });
    correct += acc * f.val.length;
    total += f.val.length;
  }
  return { by, folds: out, meanAccuracy: out.reduce((s, f) => s + f.accuracy, 0) / out.length, pooledAccuracy: correct / total };
}

/**
 * Clips with the speaker (and session) their file names give where they have none: by `pattern`
 * (core/dataset/name-pattern.ts, e.g. `{label}_{speaker}_{take}`), or by the guessed one:
 * `<speaker>_<rest>.wav`, or `<label>_<speaker>_<rest>.wav` when the first part is the class.
 */
export function withSpeakers(clips: readonly LabeledClip[], pattern?: string): LabeledClip[] {
  return withNameTags(clips, (c) => c.source, pattern);
}
