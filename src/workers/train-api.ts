/**
 * The train worker's API, without the worker: train (core trainArtifact), quantize and score
 * float vs int8 (core quantizeArtifact, evaluateClips), write the C header (generateCHeader).
 * train.worker.ts exposes it over comlink with the wasm backend; tests run it in-process.
 */
import { EarshotError } from '../core/errors.ts';
import type { ModelArtifact } from '../core/model/artifact.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import { evaluate, type Evaluation } from '../core/model/evaluate.ts';
import { trainArtifact, type EpochProgress, type TrainRequest } from '../core/pipeline/train-pipeline.ts';
import { fineTuneAndRequantize, quantizeAndScore, type QatOutcome, type QuantizationScore } from '../core/pipeline/quantize-pipeline.ts';
import { labelIndices, type LabeledClip } from '../core/pipeline/labeled-clips.ts';
import { classifyClips, createClassifier, type Classifier } from '../core/pipeline/inference.ts';
import { generateCHeader } from '../core/export/c-header.ts';
import { testClipsFor } from '../core/pipeline/test-clips.ts';
import { attempt, type Result } from './result.ts';
import { measureTrainingThroughput, type Throughput } from '../core/model/throughput.ts';
import { presetSpec } from '../core/model/presets.ts';
import type { ShardFactory } from '../core/model/train.ts';
import type { ShardPool } from './shard-bridge.ts';
import { engine } from '@tensorflow/tfjs';
import { wasmTrainKernelsActive } from '../core/model/wasm-train-kernels.ts';
import { search, type SearchProgress, type SearchRequest, type SearchResult } from '../core/search/search.ts';

/** A tfjs backend the worker can run; 'auto' probes them and keeps the fastest. */
export type BackendName = 'wasm' | 'webgl' | 'cpu';
export type BackendChoice = BackendName | 'auto';
export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'webgl', 'cpu'];

export interface ProbeEntry {
  backend: BackendName;
  samplesPerSec?: number;
  error?: string;
}

export interface BackendReport {
  /** The backend in use. */
  name: string;
  /** wasm with worker threads (cross-origin isolated page and a threaded worker). */
  threads: boolean;
  /** Workers a training runs in: 1, or TRAIN_SHARDS when its gradient shards run in their own workers. */
  workers: number;
  /** The training kernels run as our WebAssembly SIMD module on the wasm heap (else their JS loops). */
  simdKernels: boolean;
  /** When chosen by 'auto': every candidate's training speed. */
  probe?: ProbeEntry[];
}

/** What measureTraining runs: a preset on synthetic input of the given shape. */
export interface MeasureJob {
  backend: BackendName;
  preset: string;
  inputShape: [number, number, number];
  classes: number;
  clips: number;
  epochs: number;
  batchSize?: number;
  /** Data-parallel slices (default 1) and whether slices 1.. run in shard workers (default true). */
  shards?: number;
  workers?: boolean;
}

/**
 * Every page training on wasm or cpu cuts each batch into this many slices (core
 * gradient-shard.ts), computed in as many workers: two cores instead of one. Fixed rather than
 * taken from the core count, so a seed gives the same model on every machine (and with
 * `workers: false`, where the slices run one after another in the train worker).
 */
export const TRAIN_SHARDS = 2;

/**
 * The probe: a quarter-width ds-cnn-s, 2 epochs of one batch of 16 on 49×40 input (the second
 * is timed). A backend still busy after PROBE_LIMIT_MS is stopped and counted as too slow.
 */
export const PROBE_JOB = { preset: 'ds-cnn-s', inputShape: [49, 40, 1], classes: 3, clips: 16, epochs: 2, batchSize: 16, width: 16 } as const;
export const PROBE_LIMIT_MS = 4000;

export interface TrainJob {
  clips: LabeledClip[];
  featureConfig: FeatureConfig;
  preset: string;
  epochs: number;
  seed: number;
  valFraction: number;
  /** Run the gradient shards in their own workers (default true); false computes the same slices here: same weights, one core. */
  workers?: boolean;
  /** Optional training settings (trainArtifact's): split, early stopping, schedule, class weights, augmentation. */
  options?: Pick<TrainRequest, 'split' | 'earlyStopping' | 'lrSchedule' | 'classWeighting' | 'augment' | 'noiseClips' | 'spec' | 'extraClips'>;
}

/** What the page's search runs: core search() on these clips; the worker adds backend, training (sharded as train()) and the signal. */
export interface SearchJob extends Pick<SearchRequest, 'clips' | 'featureConfig' | 'board' | 'runtime' | 'budget' | 'minutes' | 'seed' | 'rankEpochs' | 'finalEpochs' | 'finalPatience'> {
  /** As TrainJob.workers: the gradient shards in their own workers (default true). */
  workers?: boolean;
  /** Training-only clips (TrainRequest.extraClips) for every run of the search. */
  extraClips?: LabeledClip[];
}

/** The quantized artifact, float and int8 scores, calibration count and per-layer SQNR. */
export type QuantizeOutcome = QuantizationScore;

/** An evaluation with each clip's predicted class index (in the order of the clips given). */
export interface EvaluationOutcome {
  evaluation: Evaluation;
  predicted: number[];
}

export interface TrainApi {
  /** Select a backend (default 'wasm'); 'auto' probes each and keeps the fastest. */
  init(choice?: BackendChoice): Promise<Result<BackendReport>>;
  /** Training speed of a preset on synthetic data on one backend (for benchmarks). */
  measure(job: MeasureJob): Promise<Result<Throughput>>;
  train(job: TrainJob, onEpoch: (p: EpochProgress) => void, onBatch: (done: number, total: number) => void): Promise<Result<ModelArtifact>>;
  /** Find the most accurate model that fits (core search()); cancel() stops it with 'search/cancelled'. */
  search(job: SearchJob, onProgress: (p: SearchProgress) => void, onEpoch: (p: EpochProgress) => void): Promise<Result<SearchResult>>;
  /** Stops the running training, fine-tuning or search. */
  cancel(): void;
  /** Live inference: the model windows are classified with (int8 when quantized, as the firmware). */
  setLiveModel(artifact: ModelArtifact | null): Promise<Result<boolean>>;
  /** Class probabilities of one window (model rate, clip length) with the live model. */
  classifyLive(samples: Float32Array): Promise<Result<number[]>>;
  /** Float accuracy, confusion matrix, per-class precision/recall, and every clip's prediction. */
  evaluate(artifact: ModelArtifact, clips: LabeledClip[]): Promise<Result<EvaluationOutcome>>;
  quantize(artifact: ModelArtifact, clips: LabeledClip[], opts?: { calibrationSize?: number }): Promise<Result<QuantizeOutcome>>;
  exportHeader(artifact: ModelArtifact, prefix: string, testClips: LabeledClip[]): Promise<Result<string>>;
  /** Quantization-aware fine-tuning, then quantize again; int8 accuracy before and after. Cancel with cancel(). */
  fineTuneInt8(artifact: ModelArtifact, clips: LabeledClip[], opts?: { epochs?: number; calibrationSize?: number }): Promise<Result<QatOutcome>>;
}

/**
 * `initBackend(name)` makes a tfjs backend the active one and resolves to its name (memoised by
 * the caller, e.g. initTf). `threads` says whether wasm runs threaded in this worker.
 * `shardWorkers`, when given, runs gradient shards elsewhere (shard-bridge.ts's pool); not used
 * with threaded wasm, which already spreads over the cores.
 */
export function createTrainApi(initBackend: (name: BackendName) => Promise<string>, threads = false, shardWorkers?: Pick<ShardPool, 'factory' | 'warm'>): TrainApi {
  /** Slices per batch on a backend (default: webgl one, the GPU is the parallelism) and where they run. */
  const sharding = (backend: string, workers = true, shards = backend === 'webgl' ? 1 : TRAIN_SHARDS): { shards: number; shardFactory?: ShardFactory } =>
    shards > 1 && workers && shardWorkers && !threads ? { shards, shardFactory: shardWorkers.factory(backend) } : { shards };
  const report = (name: string, probe?: ProbeEntry[]): BackendReport => {
    const s = sharding(name);
    return {
      name,
      threads: threads && name === 'wasm',
      workers: s.shardFactory ? s.shards : 1,
      simdKernels: name === 'wasm' && wasmTrainKernelsActive(engine().backend),
      ...(probe ? { probe } : {}),
    };
  };
  let chosen: Promise<BackendReport> | null = null;
  let choiceMade: BackendChoice | null = null;

  const probe = async (): Promise<BackendReport> => {
    const entries: ProbeEntry[] = [];
    for (const backend of BACKEND_NAMES) {
      try {
        await initBackend(backend);
        const spec = presetSpec(PROBE_JOB.preset, [...PROBE_JOB.inputShape], PROBE_JOB.classes, { width: PROBE_JOB.width });
        const deadline = Date.now() + PROBE_LIMIT_MS;
        const signal = { get aborted() { return Date.now() > deadline; } };
        const t = await measureTrainingThroughput({ spec, clips: PROBE_JOB.clips, epochs: PROBE_JOB.epochs, batchSize: PROBE_JOB.batchSize, signal });
        entries.push({ backend, samplesPerSec: t.samplesPerSec });
      } catch (e) {
        const slow = e instanceof EarshotError && e.code === 'train/cancelled';
        entries.push({ backend, error: slow ? `too slow (over ${PROBE_LIMIT_MS / 1000} s for the probe)` : e instanceof Error ? e.message : String(e) });
      }
    }
    const ok = entries.filter((e) => e.samplesPerSec !== undefined);
    if (ok.length === 0) throw new EarshotError('train/failed', `no tfjs backend could train here: ${entries.map((e) => `${e.backend}: ${e.error}`).join('; ')}`);
    const best = ok.reduce((a, b) => (b.samplesPerSec! > a.samplesPerSec! ? b : a));
    return report(await initBackend(best.backend), entries);
  };

  const ensureBackend = (choice: BackendChoice = choiceMade ?? 'wasm'): Promise<BackendReport> => {
    if (!(choice === 'auto' || BACKEND_NAMES.includes(choice))) {
      return Promise.reject(new EarshotError('train/bad-options', `unknown backend ${JSON.stringify(choice)} (known: auto, ${BACKEND_NAMES.join(', ')})`));
    }
    if (chosen && choice === choiceMade) return chosen;
    choiceMade = choice;
    // the shard worker starts its wasm backend while this one starts (or probes): wasm is the usual pick
    if ((choice === 'auto' || choice === 'wasm') && !threads) shardWorkers?.warm('wasm', TRAIN_SHARDS);
    const p = choice === 'auto' ? probe() : initBackend(choice).then((name) => report(name));
    chosen = p;
    p.catch(() => {
      if (chosen === p) {
        chosen = null;
        choiceMade = null;
      }
    });
    return p;
  };
  let controller: AbortController | null = null;
  /** One cancellable job at a time (train, fine-tune, search): a new one aborts the last; cancel() aborts it. */
  const cancellable = async <T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      return await run(mine.signal);
    } finally {
      if (controller === mine) controller = null;
    }
  };
  let live: Classifier | null = null;

  return {
    init: (choice) => attempt('train/failed', () => ensureBackend(choice)),

    measure: (job) =>
      attempt('train/failed', async () => {
        await ensureBackend(job.backend);
        const spec = presetSpec(job.preset, job.inputShape, job.classes);
        return measureTrainingThroughput({ spec, clips: job.clips, epochs: job.epochs, batchSize: job.batchSize, ...sharding(job.backend, job.workers, job.shards ?? 1) });
      }),

    train: (job, onEpoch, onBatch) =>
      attempt('train/failed', async () => {
        const { name } = await ensureBackend();
        return cancellable((signal) => trainArtifact({
          clips: job.clips,
          featureConfig: job.featureConfig,
          epochs: job.epochs,
          seed: job.seed,
          valFraction: job.valFraction,
          ...job.options,
          ...sharding(name, job.workers),
          preset: job.options?.spec ? undefined : job.preset,
          backend: name,
          onEpoch,
          onBatch,
          signal,
        }));
      }),

    search: (job, onProgress, onEpoch) =>
      attempt('train/failed', async () => {
        const { name } = await ensureBackend();
        const { workers, extraClips, ...request } = job;
        const shards = sharding(name, workers);
        return cancellable((signal) => search({ ...request, backend: name, onProgress, onEpoch, signal, train: (r) => trainArtifact({ ...r, extraClips, ...shards }) }));
      }),

    cancel: () => controller?.abort(),

    setLiveModel: (artifact) =>
      attempt('model/invalid', async () => {
        if (artifact && !artifact.quantized) await ensureBackend();
        live?.dispose();
        live = null;
        // built once (the float model on the tfjs backend), then one window per call
        live = artifact ? createClassifier(artifact, { int8: artifact.quantized !== undefined }) : null;
        return live !== null;
      }),

    classifyLive: (samples) =>
      attempt('model/invalid', () => {
        if (!live) throw new EarshotError('model/invalid', 'no model for live inference');
        return live.classify([samples])[0]!.probabilities;
      }),

    evaluate: (artifact, clips) =>
      attempt('model/invalid', async () => {
        await ensureBackend();
        if (clips.length === 0) throw new EarshotError('dataset/too-few-clips', 'no clips to evaluate');
        const truth = labelIndices(clips, artifact.labels);
        const predicted = (await classifyClips(artifact, clips.map((c) => c.samples))).map((p) => p.labelIndex);
        return { evaluation: evaluate(truth, predicted, artifact.labels), predicted };
      }),

    quantize: (artifact, clips, opts) =>
      attempt('quant/bad-calibration', async () => {
        await ensureBackend();
        if (clips.length === 0) throw new EarshotError('quant/bad-calibration', 'record some clips first');
        return quantizeAndScore(artifact, clips, opts);
      }),

    fineTuneInt8: (artifact, clips, opts) =>
      attempt('train/failed', async () => {
        await ensureBackend();
        return cancellable((signal) => fineTuneAndRequantize(artifact, clips, { ...opts, signal }));
      }),

    exportHeader: (artifact, prefix, testClips) =>
      attempt('export/bad-format', () => {
        if (!artifact.quantized) throw new EarshotError('model/not-quantized', 'quantize the model before exporting');
        return generateCHeader(artifact, { prefix, testClips: testClipsFor(artifact, testClips), generator: 'earshot page' });
      }),
  };
}
