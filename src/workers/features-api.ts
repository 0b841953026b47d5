/** The features worker's API, without the worker: log-mel of one clip, buffer transferred back. */
import { transfer } from 'comlink';
import { computeLogMel } from '../core/dsp/log-mel.ts';
import { validateFeatureConfig, type FeatureConfig, type Features } from '../core/dsp/feature-config.ts';
import { attempt, type Result } from './result.ts';

export const featuresApi = {
  async logMel(samples: Float32Array, config: Partial<FeatureConfig> = {}): Promise<Result<Features>> {
    const r = await attempt('features/bad-config', () => computeLogMel(samples, validateFeatureConfig(config)));
    return r.ok ? transfer(r, [r.value.data.buffer]) : r;
  },
};
