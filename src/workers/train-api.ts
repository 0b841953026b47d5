/**
 * The train worker's API, without the worker: train (core trainArtifact), quantize and score
 * float vs int8 (core quantizeArtifact, evaluateClips), write the C header (generateCHeader).
 * train.worker.ts exposes it over comlink with the wasm backend; tests run it in-process.
 */
import { EarshotError } from '../core/errors.ts';
import type { ModelArtifact } from '../core/model/artifact.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import type { Evaluation } from '../core/model/evaluate.ts';
import { trainArtifact, type EpochProgress } from '../core/pipeline/train-pipeline.ts';
import { quantizeAndScore, type QuantizationScore } from '../core/pipeline/quantize-pipeline.ts';
import type { LabeledClip } from '../core/pipeline/labeled-clips.ts';
import { generateCHeader } from '../core/export/c-header.ts';
import { testClipsFor } from '../core/pipeline/test-clips.ts';
import { attempt, type Result } from './result.ts';

export interface TrainJob {
  clips: LabeledClip[];
  featureConfig: FeatureConfig;
  preset: string;
  epochs: number;
  seed: number;
  valFraction: number;
}

/** The quantized artifact, float and int8 scores, calibration count and per-layer SQNR. */
export type QuantizeOutcome = QuantizationScore;

export interface TrainApi {
  init(): Promise<Result<string>>;
  train(job: TrainJob, onEpoch: (p: EpochProgress) => void, onBatch: (done: number, total: number) => void): Promise<Result<ModelArtifact>>;
  cancel(): void;
  quantize(artifact: ModelArtifact, clips: LabeledClip[], opts?: { calibrationSize?: number }): Promise<Result<QuantizeOutcome>>;
  exportHeader(artifact: ModelArtifact, prefix: string, testClips: LabeledClip[]): Promise<Result<string>>;
}

/** `initBackend` selects the tfjs backend once and resolves to its name. */
export function createTrainApi(initBackend: () => Promise<string>): TrainApi {
  let backend: Promise<string> | null = null;
  const ensureBackend = (): Promise<string> => {
    backend ??= initBackend().catch((e: unknown) => {
      backend = null;
      throw e;
    });
    return backend;
  };
  let controller: AbortController | null = null;

  return {
    init: () => attempt('train/failed', ensureBackend),

    train: (job, onEpoch, onBatch) =>
      attempt('train/failed', async () => {
        const name = await ensureBackend();
        controller?.abort();
        const mine = new AbortController();
        controller = mine;
        try {
          return await trainArtifact({
            clips: job.clips,
            featureConfig: job.featureConfig,
            preset: job.preset,
            epochs: job.epochs,
            seed: job.seed,
            valFraction: job.valFraction,
            backend: name,
            onEpoch,
            onBatch,
            signal: mine.signal,
          });
        } finally {
          if (controller === mine) controller = null;
        }
      }),

    cancel: () => controller?.abort(),

    quantize: (artifact, clips, opts) =>
      attempt('quant/bad-calibration', async () => {
        await ensureBackend();
        if (clips.length === 0) throw new EarshotError('quant/bad-calibration', 'record some clips first');
        return quantizeAndScore(artifact, clips, opts);
      }),

    exportHeader: (artifact, prefix, testClips) =>
      attempt('export/bad-format', () => {
        if (!artifact.quantized) throw new EarshotError('model/not-quantized', 'quantize the model before exporting');
        return generateCHeader(artifact, { prefix, testClips: testClipsFor(artifact, testClips), generator: 'earshot page' });
      }),
  };
}
