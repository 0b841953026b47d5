/**
 * ModelState: train (preset, epochs, seed, live curve, cancel), quantize (float vs int8
 * accuracy) and keep the current ModelArtifact, persisted via serializeModel in the store.
 */
import type { Clip } from '../core/dataset/clip.ts';
import { EarshotError, describeError } from '../core/errors.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import { serializeModel, deserializeModel, type ModelArtifact, type ModelFiles } from '../core/model/artifact.ts';
import { analyzeSpec } from '../core/model/analyze.ts';
import type { ModelSpec, SpecAnalysis } from '../core/model/spec.ts';
import type { PostprocessingSettings } from '../core/quant/postprocess.ts';
import type { EpochProgress } from '../core/pipeline/train-pipeline.ts';
import type { LabeledClip } from '../core/pipeline/labeled-clips.ts';
import type { ClipStore } from '../platform/clip-store.ts';
import type { BackendChoice, BackendReport, TrainClient, TrainJob } from '../workers/train-bridge.ts';
import type { ProbeEntry } from '../workers/train-api.ts';
import type { AugmentOptions } from '../core/dataset/augment.ts';
import { PRESET_NAMES } from '../core/model/presets.ts';
import { autoSplit, speakersWithClips, TRAIN_DEFAULTS } from '../core/pipeline/train-defaults.ts';
import { withNameTags } from '../core/dataset/name-pattern.ts';
import { plainError } from './plain-error.ts';
// quant/ only (no tfjs): the page's entry chunk must stay small
import { DEFAULT_CALIBRATION_SIZE, type LayerError } from '../core/quant/quantize.ts';

export const PRESETS = PRESET_NAMES;
export type TrainStatus = 'idle' | 'starting' | 'training' | 'done' | 'cancelled' | 'error';

/** Augmentation as the Features step sets it: options (noise SNR only with a noise class) and the noise class. */
export interface AugmentationSource {
  options: Partial<AugmentOptions>;
  noiseLabel: string | null;
}
export type QuantStatus = 'idle' | 'running' | 'done' | 'error';

export function toLabeled(clips: readonly Clip[]): LabeledClip[] {
  // An imported file without a recorded speaker gets the one its name gives (the guessed pattern).
  const names = new Map(clips.map((c) => [c.id, c.name]));
  const labeled: LabeledClip[] = clips.map((c) => ({ samples: c.samples, label: c.label, source: c.id, speaker: c.speaker, session: c.session }));
  return withNameTags(labeled, (c) => names.get(c.source!));
}

/**
 * The clips training learns from, holds out and scores (`regular`) and the training-only ones
 * (Clip.trainOnly, e.g. synthetic voices): those go only to the training side of every split, as
 * TrainRequest.extraClips, and are never a speaker, a held-out voice or a scored clip.
 */
export function partitionClips(clips: readonly Clip[]): { regular: Clip[]; trainOnly: Clip[] } {
  const regular: Clip[] = [];
  const trainOnly: Clip[] = [];
  for (const c of clips) (c.trainOnly === true ? trainOnly : regular).push(c);
  return { regular, trainOnly };
}

/** The training-only clips as TrainRequest.extraClips (undefined when there are none). */
export function extraClipsOf(clips: readonly Clip[]): LabeledClip[] | undefined {
  const { trainOnly } = partitionClips(clips);
  // their own name pattern: synthetic voices' file names must not change the guess for the real ones
  return trainOnly.length > 0 ? toLabeled(trainOnly) : undefined;
}

/** One saved model in the side-by-side comparison. */
export interface SavedModelRow {
  name: string;
  spec: string;
  labels: string[];
  valAccuracy: number | null;
  split: string;
  params: number;
  macs: number;
  /** For the size and latency columns, estimated on the Fit step's board and runtime (FitState.estimateFor). */
  analysis: SpecAnalysis;
  savedAtMs: number;
}

/** The comparison row of a saved model: accuracy from its training, its analysis for the estimates. */
export function savedModelRow(name: string, files: ModelFiles, savedAtMs: number): SavedModelRow {
  const a = deserializeModel(files);
  const analysis = analyzeSpec(a.spec);
  const acc = a.training?.valAccuracy;
  return {
    name, spec: a.spec.name ?? 'custom', labels: a.labels, valAccuracy: acc === undefined || Number.isNaN(acc) ? null : acc,
    split: a.training?.split ?? 'random', params: analysis.totalParams, macs: analysis.totalMacs, analysis, savedAtMs,
  };
}

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'webgl', 'cpu'];
export const SPLITS = ['random', 'speaker', 'session'] as const;
/** The form's choice: 'auto' is by speaker when two or more speakers are known, else random clips. */
export const SPLIT_CHOICES = ['auto', ...SPLITS] as const;
export type SplitChoice = (typeof SPLIT_CHOICES)[number];

/**
 * The speakers training knows of (recorded, set, or read from file names by the guessed pattern)
 * with two clips or more, sorted. Training-only clips are no speaker's.
 */
export function knownSpeakers(clips: readonly Clip[]): string[] {
  return speakersWithClips(toLabeled(partitionClips(clips).regular).map((c) => c.speaker));
}

/** What 'auto' and the other choices mean for these clips ('auto': by speaker with two known speakers, training-only clips aside). */
export function splitFor(choice: SplitChoice, clips: readonly Clip[]): (typeof SPLITS)[number] {
  if (choice !== 'auto') return choice;
  return autoSplit(toLabeled(partitionClips(clips).regular).map((c) => c.speaker));
}

/**
 * The clips quantize and int8 fine-tuning get: the known-label ones. Training-only clips are on
 * the training side (not in valSources) when the model's held-out clips are still there; when
 * they are gone (everything is scored), the training-only clips are left out.
 */
export function clipsForQuant(artifact: ModelArtifact, clips: readonly Clip[]): Clip[] {
  const known = clips.filter((c) => artifact.labels.includes(c.label));
  const { regular } = partitionClips(known);
  const val = new Set(artifact.training?.valSources ?? []);
  return regular.some((c) => val.has(c.id)) ? known : regular;
}
export const LR_SCHEDULES = ['constant', 'cosine', 'step'] as const;

/** "1 min 5 s" / "12 s" for an ETA. */
export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export class ModelState {
  preset = $state<string>(TRAIN_DEFAULTS.preset);
  epochs = $state(30);
  seed = $state(42);
  valFraction = 0.2;

  /** A spec from the model editor to train instead of the preset (null: the preset). */
  customSpec = $state.raw<ModelSpec | null>(null);
  /** 'auto' probes wasm, webgl and cpu with a short training run and keeps the fastest. */
  backendChoice = $state<BackendChoice>('auto');
  probe = $state.raw<ProbeEntry[] | null>(null);
  /** Workers training runs in (the train worker and its gradient-shard workers). */
  workers = $state<number | null>(null);
  /** Training's own kernels run as WebAssembly SIMD (wasm backend, single-threaded build). */
  simdKernels = $state(false);
  split = $state<SplitChoice>('auto');
  /** Epochs without a better validation loss before stopping (0: off); the best epoch is kept. */
  earlyStopPatience = $state(0);
  lrSchedule = $state<(typeof LR_SCHEDULES)[number]>(TRAIN_DEFAULTS.lrSchedule.kind);
  balanceClasses = $state(false);
  /** Compute half of every batch in a second worker (a second core); off: same model, one core. */
  useWorkers = $state(true);
  augment = $state(false);
  /** Estimated time left in the run, from the pace so far (an upper bound with early stopping). */
  etaMs = $state<number | null>(null);

  /** Float evaluation of the current model and the clips it was run on (ids), with each prediction. */
  evaluation = $state.raw<{ accuracy: number; confusion: number[][]; perClass: { label: string; precision: number; recall: number; support: number }[]; clipIds: string[]; predicted: number[]; onValidation: boolean } | null>(null);
  evalStatus = $state<'idle' | 'running' | 'done' | 'error'>('idle');
  evalError = $state<string | null>(null);

  backend = $state<string | null>(null);
  status = $state<TrainStatus>('idle');
  error = $state<string | null>(null);
  /** The typed code of the last training error (the view keeps it in a data- attribute). */
  errorCode = $state<string | null>(null);
  /** Batches done / total over the whole run, 0..1. */
  progress = $state(0);
  curve = $state.raw<EpochProgress[]>([]);

  quantStatus = $state<QuantStatus>('idle');
  quantError = $state<string | null>(null);
  floatAccuracy = $state<number | null>(null);
  int8Accuracy = $state<number | null>(null);
  /** What floatAccuracy and int8Accuracy were measured on (quantizeAndScore's scoredOn and count). */
  quantScoredOn = $state<{ on: 'held-out' | 'all'; clips: number } | null>(null);
  /** Representative clips for calibration (at most; the picker's value). */
  calibrationSize = $state(DEFAULT_CALIBRATION_SIZE);
  /** Calibration clips the int8 model was actually made with. */
  calibrationCount = $state<number | null>(null);
  /** Per-layer quantization error of the last quantization. */
  layerErrors = $state.raw<LayerError[]>([]);
  /** Quantization-aware fine-tuning: offered when int8 loses more than a point. */
  qatStatus = $state<'idle' | 'running' | 'done' | 'error' | 'cancelled'>('idle');
  qatError = $state<string | null>(null);
  /** What it recovered: int8 (and float) accuracy before and after, on the same clips. */
  qatResult = $state<{ int8Before: number; int8After: number; floatBefore: number; floatAfter: number } | null>(null);

  artifact = $state.raw<ModelArtifact | null>(null);
  saveError = $state<string | null>(null);

  readonly #client: () => TrainClient;
  readonly #store: ClipStore;
  readonly #config: FeatureConfig;
  /** The Features step's augmentation settings and noise class (set by the app; defaults without it). */
  #augmentation: () => AugmentationSource = () => ({ options: {}, noiseLabel: null });

  /** Train with the augmentation configured in the Features step (its preview's settings and noise class). */
  useAugmentation(source: () => AugmentationSource): void {
    this.#augmentation = source;
  }

  /** What training applies when `augment` is on. */
  get augmentation(): AugmentationSource {
    return this.#augmentation();
  }

  valAccuracy = $derived(this.artifact?.training?.valAccuracy ?? null);
  quantized = $derived(this.artifact?.quantized !== undefined && this.artifact !== null);

  constructor(client: () => TrainClient, store: ClipStore, config: FeatureConfig) {
    this.#client = client;
    this.#store = store;
    this.#config = config;
  }

  /** Restore the saved model (if any) after a reload. */
  async load(): Promise<void> {
    await this.refreshSaved();
    const files = await this.#store.loadModel();
    if (!files) return;
    try {
      this.artifact = deserializeModel(files);
      const h = this.artifact.training?.history;
      if (h) {
        this.curve = h.loss.map((loss, i) => ({
          epoch: i + 1,
          epochs: h.loss.length,
          loss,
          acc: h.acc[i],
          valLoss: h.valLoss[i],
          valAcc: h.valAcc[i],
        }));
      }
      this.status = 'done';
      this.progress = 1;
      this.backend = this.artifact.training?.backend ?? null;
      if (this.artifact.quantized) this.quantStatus = 'done';
    } catch (e) {
      this.saveError = `the saved model could not be read: ${describeError(e)}`;
    }
  }

  async initBackend(): Promise<void> {
    try {
      const r = await this.#client().init(this.backendChoice);
      this.#showBackend(r);
    } catch (e) {
      this.error = describeError(e);
    }
  }

  /** What the worker reports of its backend, for the train screen. */
  #showBackend(r: BackendReport): void {
    this.backend = r.name;
    this.workers = r.workers;
    this.simdKernels = r.simdKernels;
    this.probe = r.probe ?? this.probe;
  }

  get busy(): boolean {
    return this.status === 'starting' || this.status === 'training' || this.quantStatus === 'running' || this.qatStatus === 'running';
  }

  async train(clips: readonly Clip[]): Promise<void> {
    if (this.busy) return;
    const epochs = Math.round(Number(this.epochs));
    const seed = Math.round(Number(this.seed));
    this.error = null;
    this.errorCode = null;
    this.status = 'starting';
    this.progress = 0;
    this.curve = [];
    this.resetQuant();
    try {
      const client = this.#client();
      const r = await client.init(this.backendChoice);
      this.#showBackend(r);
      this.status = 'training';
      this.etaMs = null;
      const started = Date.now();
      const artifact = await client.train(
        { clips: toLabeled(partitionClips(clips).regular), featureConfig: this.#config, preset: this.preset, epochs, seed, valFraction: this.valFraction, workers: this.useWorkers, options: this.trainOptions(clips) },
        (p) => {
          this.curve = [...this.curve, p];
        },
        (done, total) => {
          this.progress = total > 0 ? done / total : 0;
          this.etaMs = done > 0 ? ((Date.now() - started) * (total - done)) / done : null;
        },
      );
      this.progress = 1;
      this.etaMs = null;
      await this.#setArtifact(artifact);
      this.status = 'done';
    } catch (e) {
      this.etaMs = null;
      if (e instanceof EarshotError && e.code === 'train/cancelled') {
        this.status = 'cancelled';
      } else {
        this.status = 'error';
        // A refused split is the student's to fix: plain words (which class, which speaker), no code.
        const refused = e instanceof EarshotError && e.code === 'split/class-held-out';
        this.error = refused ? plainError(e).message : describeError(e);
        this.errorCode = e instanceof EarshotError ? e.code : null;
      }
    }
  }

  /**
   * Evaluate the float model on its validation clips (the ids saved with it) when they are still
   * there, else on every clip with a known label (and say so).
   */
  async evaluate(clips: readonly Clip[]): Promise<void> {
    const artifact = this.artifact;
    if (!artifact || this.busy) return;
    // training-only clips are never scored
    const known = partitionClips(clips).regular.filter((c) => artifact.labels.includes(c.label));
    const valIds = new Set(artifact.training?.valSources ?? []);
    const val = known.filter((c) => valIds.has(c.id));
    const chosen = val.length > 0 ? val : known;
    this.evalStatus = 'running';
    this.evalError = null;
    try {
      const out = await this.#client().evaluate(artifact, toLabeled(chosen));
      this.#labelOf = new Map(chosen.map((c) => [c.id, c.label]));
      this.evaluation = { ...out.evaluation, clipIds: chosen.map((c) => c.id), predicted: out.predicted, onValidation: val.length > 0 };
      this.evalStatus = 'done';
    } catch (e) {
      this.evalStatus = 'error';
      this.evalError = describeError(e);
    }
  }

  /** Ids of the evaluated clips of true class `t` predicted as `p` (a confusion-matrix cell). */
  cellClipIds(t: number, p: number): string[] {
    const ev = this.evaluation;
    if (!ev || !this.artifact) return [];
    const label = this.artifact.labels[t];
    return ev.clipIds.filter((_, i) => ev.predicted[i] === p && this.#labelOf.get(ev.clipIds[i]!) === label);
  }

  #labelOf = new Map<string, string>();

  /** The optional training settings of the form, as the worker's job takes them; `clips` give the noise class's audio and the training-only clips. */
  trainOptions(clips: readonly Clip[] = []): TrainJob['options'] {
    const patience = Math.round(Number(this.earlyStopPatience));
    const aug = this.augment ? this.#augmentation() : null;
    const noise = aug?.noiseLabel ? clips.filter((c) => c.label === aug.noiseLabel) : [];
    return {
      split: splitFor(this.split, clips),
      earlyStopping: patience > 0 ? { patience } : undefined,
      lrSchedule: this.lrSchedule === 'step' ? { kind: 'step', everyEpochs: 10, factor: 0.5 } : { kind: this.lrSchedule },
      classWeighting: this.balanceClasses ? 'balanced' : 'none',
      augment: aug ? aug.options : undefined,
      noiseClips: noise.length > 0 ? toLabeled(noise).map((c) => c.samples) : undefined,
      spec: this.customSpec ?? undefined,
      extraClips: extraClipsOf(clips),
    };
  }

  cancel(): void {
    if (this.status === 'training' || this.status === 'starting' || this.qatStatus === 'running') this.#client().cancel();
  }

  resetQuant(): void {
    this.quantStatus = 'idle';
    this.quantError = null;
    this.floatAccuracy = null;
    this.int8Accuracy = null;
    this.quantScoredOn = null;
    this.calibrationCount = null;
    this.layerErrors = [];
    this.qatStatus = 'idle';
    this.qatError = null;
    this.qatResult = null;
  }

  /** Fine-tune with fake-quantized weights (STE), quantize again, report what int8 recovered. */
  async fineTuneInt8(clips: readonly Clip[], epochs = 3): Promise<void> {
    const artifact = this.artifact;
    if (!artifact?.quantized || this.busy) return;
    this.qatStatus = 'running';
    this.qatError = null;
    try {
      const known = clipsForQuant(artifact, clips);
      const calibrationSize = Math.max(1, Math.round(Number(this.calibrationSize)));
      const out = await this.#client().fineTuneInt8(artifact, toLabeled(known), { epochs, calibrationSize });
      this.qatResult = { int8Before: out.int8Before, int8After: out.int8.accuracy, floatBefore: out.floatBefore, floatAfter: out.float.accuracy };
      this.floatAccuracy = out.float.accuracy;
      this.int8Accuracy = out.int8.accuracy;
      this.quantScoredOn = { on: out.scoredOn, clips: out.scoredClips };
      this.calibrationCount = out.calibrationCount;
      this.layerErrors = out.layers;
      await this.#setArtifact(out.artifact);
      this.qatStatus = 'done';
    } catch (e) {
      if (e instanceof EarshotError && e.code === 'train/cancelled') this.qatStatus = 'cancelled';
      else {
        this.qatStatus = 'error';
        this.qatError = describeError(e);
      }
    }
  }

  async quantize(clips: readonly Clip[]): Promise<void> {
    const artifact = this.artifact;
    if (!artifact || this.busy) return;
    this.resetQuant();
    this.quantStatus = 'running';
    try {
      const known = clipsForQuant(artifact, clips);
      const calibrationSize = Math.max(1, Math.round(Number(this.calibrationSize)));
      const out = await this.#client().quantize(artifact, toLabeled(known), { calibrationSize });
      this.floatAccuracy = out.float.accuracy;
      this.int8Accuracy = out.int8.accuracy;
      this.quantScoredOn = { on: out.scoredOn, clips: out.scoredClips };
      this.calibrationCount = out.calibrationCount;
      this.layerErrors = out.layers;
      await this.#setArtifact(out.artifact);
      this.quantStatus = 'done';
    } catch (e) {
      this.quantStatus = 'error';
      this.quantError = describeError(e);
    }
  }

  /** Saved models of this project, compared side by side. */
  savedModels = $state.raw<SavedModelRow[]>([]);
  savedError = $state<string | null>(null);

  async refreshSaved(): Promise<void> {
    try {
      const list = await this.#store.listNamedModels();
      this.savedModels = list.map((m) => savedModelRow(m.name, m.files, m.savedAtMs)).sort((x, y) => x.savedAtMs - y.savedAtMs);
      this.savedError = null;
    } catch (e) {
      this.savedError = describeError(e);
    }
  }

  /** Keep the current model under a name (1–40 characters, no '/'); the same name replaces it. */
  async saveAs(name: string): Promise<void> {
    const n = name.trim();
    if (!this.artifact) return;
    if (n.length < 1 || n.length > 40 || n.includes('/')) {
      this.savedError = 'a model name has 1 to 40 characters and no "/"';
      return;
    }
    try {
      await this.#store.saveNamedModel(n, serializeModel(this.artifact));
      await this.refreshSaved();
    } catch (e) {
      this.savedError = describeError(e);
    }
  }

  /** Make a saved model the current one (quantize, fit and export then use it). */
  async useSaved(name: string): Promise<void> {
    if (this.busy) return;
    const m = (await this.#store.listNamedModels()).find((x) => x.name === name);
    if (!m) return;
    const a = deserializeModel(m.files);
    this.resetQuant();
    this.curve = [];
    await this.#setArtifact(a);
    this.backend = a.training?.backend ?? null;
    this.status = 'done';
    if (a.quantized) this.quantStatus = 'done';
  }

  async deleteSaved(name: string): Promise<void> {
    try {
      await this.#store.deleteNamedModel(name);
      await this.refreshSaved();
    } catch (e) {
      this.savedError = describeError(e);
    }
  }

  /** Keep live-inference post-processing settings with the current model (and persist it). */
  async setPostprocessing(settings: PostprocessingSettings): Promise<void> {
    if (!this.artifact) return;
    await this.#setArtifact({ ...this.artifact, postprocessing: settings });
  }

  async #setArtifact(a: ModelArtifact): Promise<void> {
    this.artifact = a;
    this.saveError = null;
    try {
      await this.#store.saveModel(serializeModel(a));
    } catch (e) {
      this.saveError = describeError(e);
    }
  }
}
