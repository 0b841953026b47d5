/** Main-thread side of the features worker. */
import { transfer } from 'comlink';
import type { FeatureConfig, Features } from '../core/dsp/feature-config.ts';
import type { FeaturesApi } from './features.worker.ts';
import { WorkerBridge } from './bridge.ts';
import { unwrap, type Result } from './result.ts';

export interface FeaturesClient {
  logMel(samples: Float32Array, config?: Partial<FeatureConfig>): Promise<Features>;
  terminate(): void;
}

export function createFeaturesClient(
  create: () => Worker = () => new Worker(new URL('./features.worker.ts', import.meta.url), { type: 'module', name: 'features' }),
): FeaturesClient {
  const bridge = new WorkerBridge<FeaturesApi>(create, 'features', 'worker/failed');
  return {
    async logMel(samples, config = {}) {
      // Send a copy by transfer: the page keeps its clip samples.
      const copy = samples.slice();
      return unwrap(await bridge.call<Result<Features>>((api) => api.logMel(transfer(copy, [copy.buffer]), config)));
    },
    terminate: () => bridge.terminate(),
  };
}
