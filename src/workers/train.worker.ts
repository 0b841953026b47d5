/// <reference lib="webworker" />
/**
 * Train worker: the only place tfjs runs in the page. Trains (core trainArtifact),
 * quantizes and evaluates float vs int8 (core quantizeArtifact, evaluateClips) and writes the
 * C header (core generateCHeader). Backend: tfjs wasm, files served by Vite as URLs.
 */
import { expose } from 'comlink';
import { env } from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { EarshotError } from '../core/errors.ts';
import { initTf } from '../core/model/tf-backend.ts';
import type { ModelArtifact } from '../core/model/artifact.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import type { Evaluation } from '../core/model/evaluate.ts';
import { trainArtifact, type EpochProgress } from '../core/pipeline/train-pipeline.ts';
import { quantizeArtifact } from '../core/pipeline/quantize-pipeline.ts';
import { evaluateClips } from '../core/pipeline/inference.ts';
import type { LabeledClip } from '../core/pipeline/labeled-clips.ts';
import { generateCHeader } from '../core/export/c-header.ts';
import { testClipsFor } from '../core/pipeline/test-clips.ts';
import { attempt, type Result } from './result.ts';

export const WASM_PATHS: Record<string, string> = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
};

let backend: Promise<string> | null = null;
function ensureBackend(): Promise<string> {
  if (!backend) {
    // Vite gives each .wasm its own hashed URL, so tfjs gets a file map instead of a prefix
    // (initTf takes only a prefix, so it is not passed there).
    setWasmPaths(WASM_PATHS);
    // The threaded build hangs when the worker bundle is minified (tfjs's `_scriptDir`, see
    // TOOLCHAIN.md) and is no faster here than SIMD: use the single-threaded SIMD build.
    env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    backend = initTf({ backend: 'wasm' }).catch((e: unknown) => {
      backend = null;
      throw e;
    });
  }
  return backend;
}

let controller: AbortController | null = null;

export interface TrainJob {
  clips: LabeledClip[];
  featureConfig: FeatureConfig;
  preset: string;
  epochs: number;
  seed: number;
  valFraction: number;
}

export interface QuantizeOutcome {
  artifact: ModelArtifact;
  float: Evaluation;
  int8: Evaluation;
}

const api = {
  /** Initialise tfjs once; resolves to the backend name in use. */
  init(): Promise<Result<string>> {
    return attempt('train/failed', ensureBackend);
  },

  train(
    job: TrainJob,
    onEpoch: (p: EpochProgress) => void,
    onBatch: (done: number, total: number) => void,
  ): Promise<Result<ModelArtifact>> {
    return attempt('train/failed', async () => {
      const name = await ensureBackend();
      controller?.abort();
      controller = new AbortController();
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
          signal: controller.signal,
        });
      } finally {
        controller = null;
      }
    });
  },

  cancel(): void {
    controller?.abort();
  },

  quantize(artifact: ModelArtifact, clips: LabeledClip[]): Promise<Result<QuantizeOutcome>> {
    return attempt('quant/bad-calibration', async () => {
      await ensureBackend();
      if (clips.length === 0) throw new EarshotError('quant/bad-calibration', 'record some clips first');
      const quantized = quantizeArtifact(artifact, clips);
      const [float, int8] = [await evaluateClips(quantized, clips), await evaluateClips(quantized, clips, { int8: true })];
      return { artifact: quantized, float, int8 };
    });
  },

  exportHeader(artifact: ModelArtifact, prefix: string, testClips: LabeledClip[]): Promise<Result<string>> {
    return attempt('export/bad-format', () => {
      if (!artifact.quantized) throw new EarshotError('model/not-quantized', 'quantize the model before exporting');
      return generateCHeader(artifact, { prefix, testClips: testClipsFor(artifact, testClips), generator: 'earshot page' });
    });
  },
};

expose(api);
export type TrainApi = typeof api;
