/**
 * The features worker's API, without the worker: log-mel of one clip or of a batch (progress,
 * cancel), result buffers transferred back, never copied. The page keeps the cache
 * (core FeatureCache in state/features.svelte.ts), so the worker holds no clip after a call.
 */
import { transfer } from 'comlink';
import { computeLogMel } from '../core/dsp/log-mel.ts';
import { validateFeatureConfig, type FeatureConfig, type Features } from '../core/dsp/feature-config.ts';
import { clipFeatures, extractFeatures, FeatureCache, type ClipAudio } from '../core/dsp/feature-cache.ts';
import { attempt, type Result } from './result.ts';

export interface BatchResult {
  ids: string[];
  features: Features[];
}

export function createFeaturesApi(yieldToHost: () => Promise<void> = () => new Promise((r) => setTimeout(r, 0))) {
  let controller: AbortController | null = null;
  return {
    async logMel(samples: Float32Array, config: Partial<FeatureConfig> = {}): Promise<Result<Features>> {
      const r = await attempt('features/bad-config', () => computeLogMel(samples, validateFeatureConfig(config)));
      return r.ok ? transfer(r, [r.value.data.buffer]) : r;
    },
    /** One clip at its own rate: resampled and fitted to the config, then log-mel. */
    async clip(clip: ClipAudio, config: Partial<FeatureConfig>): Promise<Result<Features>> {
      const r = await attempt('features/bad-config', () => clipFeatures(clip, validateFeatureConfig(config)));
      return r.ok ? transfer(r, [r.value.data.buffer]) : r;
    },
    /** Many clips, progress after each, stops at cancel() between clips ('features/cancelled'). */
    async batch(clips: ClipAudio[], config: Partial<FeatureConfig>, onProgress?: (done: number, total: number) => void): Promise<Result<BatchResult>> {
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      // A throwaway cache: the worker keeps nothing; the page caches what comes back.
      const r = await attempt('features/bad-config', async () => {
        const features = await extractFeatures(clips, config, new FeatureCache(Number.MAX_SAFE_INTEGER), {
          signal: mine.signal,
          yieldToHost,
          yieldEvery: 4,
          onProgress: (done, total) => onProgress?.(done, total),
        });
        return { ids: clips.map((c) => c.id), features };
      });
      if (controller === mine) controller = null;
      return r.ok ? transfer(r, r.value.features.map((f) => f.data.buffer as ArrayBuffer)) : r;
    },
    cancel(): void {
      controller?.abort();
    },
  };
}

export const featuresApi = createFeaturesApi();
