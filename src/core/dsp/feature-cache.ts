/**
 * Features of many clips for one config, cached per (clip id, config key): what the features
 * worker keeps so that re-rendering, re-training and re-quantizing with the same config never
 * recompute a clip. Pure: the caller injects how to yield to its event loop (so a cancel message
 * can arrive between clips) and receives progress.
 */
import { EarshotError } from '../errors.ts';
import { prepareSamples } from '../audio/prepare.ts';
import { featureConfigKey, validateFeatureConfig, type FeatureConfig, type Features } from './feature-config.ts';
import { computeLogMel } from './log-mel.ts';

/** The audio of one clip: samples at their own rate (resampled and fitted to the config here). */
export interface ClipAudio {
  id: string;
  samples: Float32Array;
  sampleRateHz: number;
}

/** A bounded map (clip id, config key) → Features, least recently used out first. */
export class FeatureCache {
  readonly #map = new Map<string, Features>();
  #bytes = 0;
  readonly maxBytes: number;

  constructor(maxBytes = 64 * 1024 * 1024) {
    if (!(maxBytes > 0)) throw new EarshotError('features/bad-config', 'cache size must be positive');
    this.maxBytes = maxBytes;
  }

  static key(id: string, config: FeatureConfig): string {
    return `${id}\u0000${featureConfigKey(config)}`;
  }

  get(id: string, config: FeatureConfig): Features | undefined {
    const k = FeatureCache.key(id, config);
    const hit = this.#map.get(k);
    if (hit) {
      this.#map.delete(k);
      this.#map.set(k, hit);
    }
    return hit;
  }

  set(id: string, config: FeatureConfig, f: Features): void {
    const k = FeatureCache.key(id, config);
    const old = this.#map.get(k);
    if (old) this.#bytes -= old.data.byteLength;
    this.#map.delete(k);
    this.#map.set(k, f);
    this.#bytes += f.data.byteLength;
    for (const [key, v] of this.#map) {
      if (this.#bytes <= this.maxBytes || key === k) break;
      this.#map.delete(key);
      this.#bytes -= v.data.byteLength;
    }
  }

  /** Forget a clip under every config (it was deleted or re-recorded). */
  forget(id: string): void {
    const prefix = `${id}\u0000`;
    for (const [k, v] of [...this.#map]) {
      if (k.startsWith(prefix)) {
        this.#map.delete(k);
        this.#bytes -= v.data.byteLength;
      }
    }
  }

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}

/** Log-mel of one clip's audio for a config: resample + fit to the window, then computeLogMel. */
export function clipFeatures(clip: ClipAudio, config: FeatureConfig): Features {
  return computeLogMel(prepareSamples(clip.samples, clip.sampleRateHz, config), config);
}

export interface ExtractOptions {
  signal?: AbortSignal;
  /** Called after each clip with (done, total, computed-not-cached). */
  onProgress?: (done: number, total: number, computed: number) => void;
  /** Awaited every `yieldEvery` computed clips, so the host can deliver a cancel (e.g. a setTimeout 0). */
  yieldToHost?: () => Promise<void>;
  yieldEvery?: number;
}

/**
 * Features of every clip (in order) for `config`, from the cache when present, else computed
 * and stored. Throws 'features/cancelled' when the signal aborts between clips.
 */
export async function extractFeatures(clips: readonly ClipAudio[], configIn: Partial<FeatureConfig>, cache: FeatureCache, opts: ExtractOptions = {}): Promise<Features[]> {
  const config = validateFeatureConfig(configIn);
  const every = opts.yieldEvery ?? 8;
  const out: Features[] = [];
  let computed = 0;
  for (let i = 0; i < clips.length; i++) {
    if (opts.signal?.aborted) throw new EarshotError('features/cancelled', `feature extraction cancelled after ${i} of ${clips.length} clips`);
    const c = clips[i];
    let f = cache.get(c.id, config);
    if (!f) {
      f = clipFeatures(c, config);
      cache.set(c.id, config, f);
      computed++;
      if (opts.yieldToHost && computed % every === 0) await opts.yieldToHost();
    }
    out.push(f);
    opts.onProgress?.(i + 1, clips.length, computed);
  }
  if (opts.signal?.aborted) throw new EarshotError('features/cancelled', 'feature extraction cancelled');
  return out;
}
