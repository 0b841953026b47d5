/** Main-thread side of the features worker. */
import { proxy, transfer } from 'comlink';
import type { FeatureConfig, Features } from '../core/dsp/feature-config.ts';
import type { ClipAudio } from '../core/dsp/feature-cache.ts';
import type { FeaturesApi } from './features.worker.ts';
import type { BatchResult } from './features-api.ts';
import { WorkerBridge } from './bridge.ts';
import { unwrap, type Result } from './result.ts';

export interface FeaturesClient {
  logMel(samples: Float32Array, config?: Partial<FeatureConfig>): Promise<Features>;
  /** Features of one clip at its own rate (resampled and fitted to the config in the worker). */
  clip(clip: ClipAudio, config: Partial<FeatureConfig>): Promise<Features>;
  /** Features of many clips with progress; rejects with 'features/cancelled' after cancel(). */
  batch(clips: readonly ClipAudio[], config: Partial<FeatureConfig>, onProgress?: (done: number, total: number) => void): Promise<BatchResult>;
  cancel(): void;
  terminate(): void;
}

/** A copy of the clip's samples moved to the worker by transfer: the page keeps its own. */
function sendable(c: ClipAudio): ClipAudio {
  return { id: c.id, sampleRateHz: c.sampleRateHz, samples: c.samples.slice() };
}

export function createFeaturesClient(
  create: () => Worker = () => new Worker(new URL('./features.worker.ts', import.meta.url), { type: 'module', name: 'features' }),
): FeaturesClient {
  const bridge = new WorkerBridge<FeaturesApi>(create, 'features', 'worker/failed');
  return {
    async logMel(samples, config = {}) {
      const copy = samples.slice();
      return unwrap(await bridge.call<Result<Features>>((api) => api.logMel(transfer(copy, [copy.buffer]), config)));
    },
    async clip(clip, config) {
      const c = sendable(clip);
      return unwrap(await bridge.call<Result<Features>>((api) => api.clip(transfer(c, [c.samples.buffer]), config)));
    },
    async batch(clips, config, onProgress) {
      const cs = clips.map(sendable);
      const progress = proxy((done: number, total: number) => onProgress?.(done, total));
      return unwrap(await bridge.call<Result<BatchResult>>((api) => api.batch(transfer(cs, cs.map((c) => c.samples.buffer as ArrayBuffer)), config, progress)));
    },
    cancel() {
      if (bridge.started) void bridge.call((api) => api.cancel());
    },
    terminate: () => bridge.terminate(),
  };
}
