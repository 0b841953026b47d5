/** Main-thread side of the train worker (tfjs lives only there). */
import { proxy, type Remote } from 'comlink';
import type { ModelArtifact } from '../core/model/artifact.ts';
import type { EpochProgress } from '../core/pipeline/train-pipeline.ts';
import type { LabeledClip } from '../core/pipeline/labeled-clips.ts';
import type { QatOutcome } from '../core/pipeline/quantize-pipeline.ts';
import { EarshotError } from '../core/errors.ts';
import type { TrainApi, TrainJob, QuantizeOutcome, BackendChoice, BackendReport, MeasureJob, EvaluationOutcome, SearchJob } from './train-api.ts';
import type { SearchProgress, SearchResult } from '../core/search/search.ts';
import type { Throughput } from '../core/model/throughput.ts';
import { WorkerBridge } from './bridge.ts';
import { unwrap, type Result } from './result.ts';

export type { TrainJob, QuantizeOutcome, BackendChoice, BackendReport, MeasureJob, EvaluationOutcome, SearchJob, SearchProgress, SearchResult };

export interface TrainClient {
  /** Select the backend (default: the last choice, else 'wasm'); resolves to the one in use. */
  init(choice?: BackendChoice): Promise<BackendReport>;
  measure(job: MeasureJob): Promise<Throughput>;
  train(job: TrainJob, onEpoch: (p: EpochProgress) => void, onBatch?: (done: number, total: number) => void): Promise<ModelArtifact>;
  /** The model search (core search()) in the worker: progress per candidate, epochs of the final run. */
  search(job: SearchJob, onProgress: (p: SearchProgress) => void, onEpoch?: (p: EpochProgress) => void): Promise<SearchResult>;
  /** Ask the running training or search to stop; it rejects with 'train/cancelled' or 'search/cancelled'. */
  cancel(): void;
  evaluate(artifact: ModelArtifact, clips: LabeledClip[]): Promise<EvaluationOutcome>;
  setLiveModel(artifact: ModelArtifact | null): Promise<boolean>;
  classifyLive(samples: Float32Array): Promise<number[]>;
  quantize(artifact: ModelArtifact, clips: LabeledClip[], opts?: { calibrationSize?: number }): Promise<QuantizeOutcome>;
  exportHeader(artifact: ModelArtifact, prefix: string, testClips: LabeledClip[]): Promise<string>;
  fineTuneInt8(artifact: ModelArtifact, clips: LabeledClip[], opts?: { epochs?: number; calibrationSize?: number }): Promise<QatOutcome>;
  terminate(): void;
}

/** If the worker ignores a cancel this long (busy in a batch), it is terminated. */
const CANCEL_GRACE_MS = 3000;

/**
 * The worker's name tells it whether to load tfjs's threaded wasm build ('train-threaded'); only
 * a cross-origin isolated page can run it, and tfjs must pick the build before its first use.
 */
export function trainWorkerName(threads: boolean): string {
  return threads ? 'train-threaded' : 'train';
}

export function createTrainClient(
  create: () => Worker = () => new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: trainWorkerName(false) }),
): TrainClient {
  const bridge = new WorkerBridge<TrainApi>(create, 'train', 'worker/failed');
  /** The running cancellable job's hard stop: rejects it with its own cancelled error. */
  let cancelHard: (() => void) | null = null;
  /** A call that cancel() ends even when the worker ignores it: after CANCEL_GRACE_MS the worker is terminated. */
  const cancellable = async <T>(call: (api: Remote<TrainApi>) => Promise<Result<T>>, cancelled: () => EarshotError): Promise<T> => {
    let stop!: () => void;
    const hard = new Promise<never>((_, reject) => {
      stop = () => reject(cancelled());
    });
    const mine = stop;
    cancelHard = mine;
    try {
      return unwrap(await Promise.race([bridge.call<Result<T>>(call), hard]));
    } finally {
      if (cancelHard === mine) cancelHard = null;
    }
  };
  return {
    async init(choice) {
      return unwrap(await bridge.call<Result<BackendReport>>((api) => api.init(choice)));
    },
    async measure(job) {
      return unwrap(await bridge.call<Result<Throughput>>((api) => api.measure(job)));
    },
    train(job, onEpoch, onBatch = () => undefined) {
      return cancellable((api) => api.train(job, proxy(onEpoch), proxy(onBatch)), () => new EarshotError('train/cancelled', 'training was cancelled'));
    },
    search(job, onProgress, onEpoch = () => undefined) {
      return cancellable((api) => api.search(job, proxy(onProgress), proxy(onEpoch)), () => new EarshotError('search/cancelled', 'the search was cancelled'));
    },
    cancel() {
      if (!bridge.started) return;
      void bridge.call((api) => api.cancel());
      const stop = cancelHard;
      if (!stop) return;
      setTimeout(() => {
        if (cancelHard !== stop) return;
        bridge.terminate();
        stop();
      }, CANCEL_GRACE_MS);
    },
    async evaluate(artifact, clips) {
      return unwrap(await bridge.call<Result<EvaluationOutcome>>((api) => api.evaluate(artifact, clips)));
    },
    async setLiveModel(artifact) {
      return unwrap(await bridge.call<Result<boolean>>((api) => api.setLiveModel(artifact)));
    },
    async classifyLive(samples) {
      return unwrap(await bridge.call<Result<number[]>>((api) => api.classifyLive(samples)));
    },
    async quantize(artifact, clips, opts) {
      return unwrap(await bridge.call<Result<QuantizeOutcome>>((api) => api.quantize(artifact, clips, opts)));
    },
    async exportHeader(artifact, prefix, testClips) {
      return unwrap(await bridge.call<Result<string>>((api) => api.exportHeader(artifact, prefix, testClips)));
    },
    async fineTuneInt8(artifact, clips, opts) {
      return unwrap(await bridge.call<Result<QatOutcome>>((api) => api.fineTuneInt8(artifact, clips, opts)));
    },
    terminate: () => bridge.terminate(),
  };
}

/** The same client over an in-process TrainApi (no worker): for Node tests and as a fallback. */
export function inProcessTrainClient(api: TrainApi): TrainClient {
  return {
    async init(choice) {
      return unwrap(await api.init(choice));
    },
    async measure(job) {
      return unwrap(await api.measure(job));
    },
    async train(job, onEpoch, onBatch = () => undefined) {
      return unwrap(await api.train(job, onEpoch, onBatch));
    },
    async search(job, onProgress, onEpoch = () => undefined) {
      return unwrap(await api.search(job, onProgress, onEpoch));
    },
    cancel: () => api.cancel(),
    async evaluate(artifact, clips) {
      return unwrap(await api.evaluate(artifact, clips));
    },
    async setLiveModel(artifact) {
      return unwrap(await api.setLiveModel(artifact));
    },
    async classifyLive(samples) {
      return unwrap(await api.classifyLive(samples));
    },
    async quantize(artifact, clips, opts) {
      return unwrap(await api.quantize(artifact, clips, opts));
    },
    async exportHeader(artifact, prefix, testClips) {
      return unwrap(await api.exportHeader(artifact, prefix, testClips));
    },
    async fineTuneInt8(artifact, clips, opts) {
      return unwrap(await api.fineTuneInt8(artifact, clips, opts));
    },
    terminate: () => undefined,
  };
}
