/**
 * FeatureCache: log-mel of each clip, computed lazily in the features worker, kept by clip id.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { Clip } from '../core/dataset/clip.ts';
import type { FeatureConfig, Features } from '../core/dsp/feature-config.ts';
import { describeError } from '../core/errors.ts';
import type { FeaturesClient } from '../workers/features-bridge.ts';

export class FeatureCache {
  readonly #byId = new SvelteMap<string, Features>();
  readonly #errors = new SvelteMap<string, string>();
  readonly #pending = new Set<string>();
  readonly #client: () => FeaturesClient;
  readonly #config: FeatureConfig;

  constructor(client: () => FeaturesClient, config: FeatureConfig) {
    this.#client = client;
    this.#config = config;
  }

  get(id: string): Features | undefined {
    return this.#byId.get(id);
  }

  errorOf(id: string): string | undefined {
    return this.#errors.get(id);
  }

  /** Start computing a clip's features if not cached or in flight. */
  request(clip: Clip): void {
    if (this.#byId.has(clip.id) || this.#pending.has(clip.id) || this.#errors.has(clip.id)) return;
    this.#pending.add(clip.id);
    this.#client()
      .logMel(clip.samples, this.#config)
      .then((f) => this.#byId.set(clip.id, f))
      .catch((e: unknown) => this.#errors.set(clip.id, describeError(e)))
      .finally(() => this.#pending.delete(clip.id));
  }

  forget(id: string): void {
    this.#byId.delete(id);
    this.#errors.delete(id);
  }
}
