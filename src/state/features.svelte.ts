/**
 * FeaturesState: the feature config the user picks and edits (preset + fields), the log-mel of
 * each clip for that config (computed in the features worker, cached per (clip id, config key)
 * in a core FeatureCache, so switching back and forth or retraining never recomputes), batch
 * extraction with progress and cancel, and the augmentation preview settings.
 *
 * The config belongs to the open project: the state starts from (or `useConfig` switches to) the
 * project's stored config, and every change of the config in force (preset, a valid field edit)
 * is handed to `save` (the app saves it into the project), one save after the other.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { Clip } from '../core/dataset/clip.ts';
import { featureConfigKey, featureConfigProblems, validateFeatureConfig, type FeatureConfig, type FeatureField, type FeatureProblem, type Features } from '../core/dsp/feature-config.ts';
import { featurePreset, presetNameOf, type FeaturePresetName } from '../core/dsp/feature-presets.ts';
import { FeatureCache as CoreFeatureCache } from '../core/dsp/feature-cache.ts';
import { DEFAULT_AUGMENT, validateAugment, type AugmentOptions } from '../core/dataset/augment.ts';
import { describeError, EarshotError } from '../core/errors.ts';
import type { FeaturesClient } from '../workers/features-bridge.ts';

export type BatchStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

export interface FeaturesStateOptions {
  /** Persist a changed config (the open project's); a rejection shows in `saveError`. */
  save?: (config: FeatureConfig) => Promise<void>;
}

export class FeaturesState {
  /** The config in force (always valid). */
  config = $state.raw<FeatureConfig>(validateFeatureConfig({}));
  /** The editor's fields, possibly invalid while the user types. */
  draft = $state<FeatureConfig>(validateFeatureConfig({}));
  readonly problems: FeatureProblem[] = $derived(featureConfigProblems(this.draft));
  readonly presetName: FeaturePresetName | 'custom' = $derived(presetNameOf(this.config) ?? 'custom');
  readonly configKey: string = $derived(featureConfigKey(this.config));
  /**
   * The config the rest of the page (recording, training, fit) was built with: the project's at
   * load. When the user edits features, `config` moves on (and is saved) while this stays until
   * the page reloads; `reloadNeeded` says so.
   */
  pageConfig = $state.raw<FeatureConfig>(validateFeatureConfig({}));
  readonly reloadNeeded: boolean = $derived(featureConfigKey(this.pageConfig) !== this.configKey);
  /** The last failed save of the config (null when the last one committed). */
  saveError = $state<string | null>(null);
  /** Key of the config the project holds as far as this state knows (the last committed save). */
  savedKey = $state('');

  batchStatus = $state<BatchStatus>('idle');
  batchDone = $state(0);
  batchTotal = $state(0);
  batchError = $state<string | null>(null);

  augment = $state<AugmentOptions>({ ...DEFAULT_AUGMENT, noiseSnrDb: 10 });
  /** Class whose clips are the background noise for mixing (null: no noise mixing). */
  noiseLabel = $state<string | null>(null);
  augmentEnabled = $state(false);
  /** Which random draw the preview shows (training uses epoch·clips + index). */
  augmentVariant = $state(0);
  /** The clip shown in the features view. */
  selectedClipId = $state<string | null>(null);

  /** The augmentation a trainer should apply: noise only when a noise class is chosen. */
  get augmentOptions(): AugmentOptions {
    return { ...this.augment, noiseSnrDb: this.noiseLabel === null ? null : this.augment.noiseSnrDb };
  }

  readonly #cache = new CoreFeatureCache();
  /** Bumped whenever the cache gains an entry, so readers re-run. */
  #version = $state(0);
  readonly #errors = new SvelteMap<string, string>();
  readonly #pending = new Set<string>();
  readonly #client: () => FeaturesClient;
  readonly #save: ((config: FeatureConfig) => Promise<void>) | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(client: () => FeaturesClient, config: FeatureConfig, options: FeaturesStateOptions = {}) {
    this.#client = client;
    this.#save = options.save;
    this.useConfig(config);
  }

  /** Take a project's stored config (load or switch): nothing is saved, the page runs on it. */
  useConfig(config: FeatureConfig): void {
    const c = validateFeatureConfig(config);
    this.config = c;
    this.pageConfig = c;
    this.savedKey = featureConfigKey(c);
    this.draft = { ...c };
  }

  /** Resolves once every save queued so far has settled. */
  saved(): Promise<void> {
    return this.#saving;
  }

  #commit(c: FeatureConfig): void {
    const changed = featureConfigKey(c) !== featureConfigKey(this.config);
    this.config = c;
    const save = this.#save;
    if (!changed || !save) return;
    this.#saving = this.#saving.then(() =>
      save(c).then(
        () => {
          this.saveError = null;
          this.savedKey = featureConfigKey(c);
        },
        (e: unknown) => void (this.saveError = describeError(e)),
      ),
    );
  }

  /** Pick a preset: config and editor fields follow at once. */
  setPreset(name: string): void {
    this.setConfig(featurePreset(name).config);
  }

  setConfig(config: Partial<FeatureConfig>): void {
    const c = validateFeatureConfig(config);
    this.#commit(c);
    this.draft = { ...c };
  }

  /** Edit one field; the config changes as soon as the whole draft is valid. */
  setField(field: FeatureField, value: number): void {
    this.draft = { ...this.draft, [field]: value };
    if (featureConfigProblems(this.draft).length === 0) this.#commit(validateFeatureConfig(this.draft));
  }

  problemFor(field: FeatureField): string | undefined {
    return this.problems.find((p) => p.field === field)?.message;
  }

  /** Cached features of a clip for the current config (reactive). */
  get(id: string): Features | undefined {
    void this.#version;
    return this.#cache.get(id, this.config);
  }

  errorOf(id: string): string | undefined {
    return this.#errors.get(`${id}|${this.configKey}`);
  }

  /** Start computing a clip's features for the current config if not cached or in flight. */
  request(clip: Clip): void {
    const config = this.config;
    const k = `${clip.id}|${featureConfigKey(config)}`;
    if (this.#cache.get(clip.id, config) || this.#pending.has(k) || this.#errors.has(k)) return;
    this.#pending.add(k);
    this.#client()
      .clip({ id: clip.id, samples: clip.samples, sampleRateHz: clip.sampleRateHz }, config)
      .then((f) => {
        this.#cache.set(clip.id, config, f);
        this.#version++;
      })
      .catch((e: unknown) => this.#errors.set(k, describeError(e)))
      .finally(() => this.#pending.delete(k));
  }

  /** Features of every clip for the current config in one worker batch (cached clips are not sent). */
  async extractAll(clips: readonly Clip[]): Promise<void> {
    const config = this.config;
    const missing = clips.filter((c) => !this.#cache.get(c.id, config));
    this.batchStatus = 'running';
    this.batchError = null;
    this.batchTotal = clips.length;
    this.batchDone = clips.length - missing.length;
    const already = this.batchDone;
    try {
      if (missing.length) {
        const r = await this.#client().batch(missing, config, (done) => (this.batchDone = already + done));
        r.ids.forEach((id, i) => this.#cache.set(id, config, r.features[i]));
        this.#version++;
      }
      this.batchDone = clips.length;
      this.batchStatus = 'done';
    } catch (e) {
      const cancelled = e instanceof EarshotError && e.code === 'features/cancelled';
      this.batchStatus = cancelled ? 'cancelled' : 'error';
      this.batchError = cancelled ? null : describeError(e);
    }
  }

  cancelBatch(): void {
    if (this.batchStatus === 'running') this.#client().cancel();
  }

  setAugment(patch: Partial<AugmentOptions>): void {
    this.augment = validateAugment({ ...this.augment, ...patch });
  }

  forget(id: string): void {
    this.#cache.forget(id);
    for (const k of [...this.#errors.keys()]) if (k.startsWith(`${id}|`)) this.#errors.delete(k);
    this.#version++;
  }
}

/** The name the clip cards and the app wiring already use. */
export { FeaturesState as FeatureCache };
