/** Main-thread side of the train worker (tfjs lives only there). */
import { proxy } from 'comlink';
import type { ModelArtifact } from '../core/model/artifact.ts';
import type { EpochProgress } from '../core/pipeline/train-pipeline.ts';
import type { LabeledClip } from '../core/pipeline/labeled-clips.ts';
import type { QatOutcome } from '../core/pipeline/quantize-pipeline.ts';
import { EarshotError } from '../core/errors.ts';
import type { TrainApi, TrainJob, QuantizeOutcome, BackendChoice, BackendReport, MeasureJob, EvaluationOutcome } from './train-api.ts';
import type { Throughput } from '../core/model/throughput.ts';
import { WorkerBridge } from './bridge.ts';
import { unwrap, type Result } from './result.ts';

export type { TrainJob, QuantizeOutcome, BackendChoice, BackendReport, MeasureJob, EvaluationOutcome };

export interface TrainClient {
  /** Select the backend (default: the last choice, else 'wasm'); resolves to the one in use. */
  init(choice?: BackendChoice): Promise<BackendReport>;
  measure(job: MeasureJob): Promise<Throughput>;
  train(job: TrainJob, onEpoch: (p: EpochProgress) => void, onBatch?: (done: number, total: number) => void): Promise<ModelArtifact>;
  /** Ask the running training to stop; it rejects with 'train/cancelled'. */
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
  let cancelHard: ((e: EarshotError) => void) | null = null;
  return {
    async init(choice) {
      return unwrap(await bridge.call<Result<BackendReport>>((api) => api.init(choice)));
    },
    async measure(job) {
      return unwrap(await bridge.call<Result<Throughput>>((api) => api.measure(job)));
    },
    async train(job, onEpoch, onBatch = () => undefined) {
      const hard = new Promise<never>((_, reject) => {
        cancelHard = reject;
      });
      try {
        const run = bridge.call<Result<ModelArtifact>>((api) => api.train(job, proxy(onEpoch), proxy(onBatch)));
        return unwrap(await Promise.race([run, hard]));
      } finally {
        cancelHard = null;
      }
    },
    cancel() {
      if (!bridge.started) return;
      void bridge.call((api) => api.cancel());
      const reject = cancelHard;
      if (!reject) return;
      setTimeout(() => {
        if (cancelHard !== reject) return;
        bridge.terminate();
        reject(new EarshotError('train/cancelled', 'training was cancelled'));
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
