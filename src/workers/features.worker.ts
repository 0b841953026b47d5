/// <reference lib="webworker" />
/** Features worker: log-mel of one clip (core computeLogMel), result buffer transferred. */
import { expose, transfer } from 'comlink';
import { computeLogMel } from '../core/dsp/log-mel.ts';
import { validateFeatureConfig, type FeatureConfig, type Features } from '../core/dsp/feature-config.ts';
import { attempt, type Result } from './result.ts';

const api = {
  async logMel(samples: Float32Array, config: Partial<FeatureConfig> = {}): Promise<Result<Features>> {
    const r = await attempt('features/bad-config', () => computeLogMel(samples, validateFeatureConfig(config)));
    return r.ok ? transfer(r, [r.value.data.buffer]) : r;
  },
};

expose(api);
export type FeaturesApi = typeof api;
