/**
 * FeaturesState: the feature config the user picks and edits (preset + fields), the log-mel of
 * each clip for that config (computed in the features worker, cached per (clip id, config key)
 * in a core FeatureCache, so switching back and forth or retraining never recomputes), batch
 * extraction with progress and cancel, and the augmentation preview settings.
 *
 * The config belongs to the open project: the state starts from (or `useConfig` switches to) the
 * project's stored config, and every change of the config in force (preset, a valid field edit)
 * is handed to `save` (the app saves it into the project), one save after the other.
 *
 * The augmentation preview: the options (noise source, SNR range, speed, room, shift, gain, masks,
 * voice warp, seed), the draw shown, the augmented audio and log-mel of the selected clip exactly as
 * training computes them, and playing that audio (or the clean clip) through the playback adapter.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { Clip } from '../core/dataset/clip.ts';
import { featureConfigKey, featureConfigProblems, featureShape, validateFeatureConfig, type FeatureConfig, type FeatureField, type FeatureProblem, type Features } from '../core/dsp/feature-config.ts';
import { featurePreset, presetNameOf, type FeaturePresetName } from '../core/dsp/feature-presets.ts';
import { FeatureCache as CoreFeatureCache } from '../core/dsp/feature-cache.ts';
import { augmentFeatures, augmentSamples, DEFAULT_AUGMENT, snrRangeDb, validateAugment, type AugmentOptions } from '../core/dataset/augment.ts';
import type { NoiseColour } from '../core/dataset/noise-colours.ts';
import { prepareSamples } from '../core/audio/prepare.ts';
import { computeLogMel } from '../core/dsp/log-mel.ts';
import { playSamples, type PlaybackOptions } from '../platform/playback.ts';
import { describeError, EarshotError } from '../core/errors.ts';
import type { FeaturesClient } from '../workers/features-bridge.ts';

export type BatchStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** Where the preview's (and training's) background noise comes from. */
export type NoiseSource = { kind: 'none' } | { kind: 'project'; label: string } | { kind: NoiseColour };

/** The selected clip as the model hears it, and that clip augmented with the current draw (both at `sampleRateHz`). */
export interface PreviewAudio {
  original: Float32Array;
  augmented: Float32Array;
  sampleRateHz: number;
}

export type PreviewResult = ({ ok: true; features: Features } & PreviewAudio) | { ok: false; message: string };

/** The panel's words for augmentation fields, so a refused edit reads as the panel labels it. */
const AUGMENT_WORDS: Partial<Record<keyof AugmentOptions, string>> = {
  noiseSnrDb: 'the SNR',
  minSnrDb: 'the lowest SNR',
  maxSnrDb: 'the highest SNR',
  minRt60Ms: 'the shortest RT60',
  maxRt60Ms: 'the longest RT60',
  maxShiftMs: 'the time shift (ms)',
  maxGainDb: 'the loudness change (dB)',
  timeMasks: 'the number of time masks',
  timeMaskFrames: 'the frames per time mask',
  freqMasks: 'the number of frequency masks',
  freqMaskBands: 'the bands per frequency mask',
  seed: 'the seed',
};
/** Fields the panel shows in % (the core's message gives the 0..1 range). */
const PERCENT_PROBLEMS: Partial<Record<keyof AugmentOptions, string>> = {
  maxSpeedChange: 'The speed change must be from 0 to 50 %',
  maxBandWarp: 'The voice warp must be from 0 to 30 %',
  reverbProbability: 'The room echo chance must be from 0 to 100 %',
};

/** A 'features/bad-augment' message in the panel's words. */
export function augmentProblemWords(message: string): string {
  const field = /^\w+/.exec(message)?.[0] as keyof AugmentOptions | undefined;
  const percent = field && PERCENT_PROBLEMS[field];
  if (percent) return percent;
  const words = message.replace(/\b[a-z]+[A-Z]\w*\b/g, (w) => AUGMENT_WORDS[w as keyof AugmentOptions] ?? w);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface FeaturesStateOptions {
  /** Persist a changed config (the open project's); a rejection shows in `saveError`. */
  save?: (config: FeatureConfig) => Promise<void>;
  /** The playback adapter's platform objects (tests pass a fake AudioContext). */
  playback?: Omit<PlaybackOptions, 'signal'>;
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
  #noiseLabel = $state<string | null>(null);
  augmentEnabled = $state(false);
  /** Which random draw the preview shows (training uses epoch·clips + index). */
  augmentVariant = $state(0);
  /** The clip shown in the features view. */
  selectedClipId = $state<string | null>(null);
  /** Which preview sound is playing. */
  playing = $state<'augmented' | 'original' | null>(null);
  playError = $state<string | null>(null);
  /** Why the last edit of an augmentation field was refused (the options stay the last valid ones). */
  augmentProblem = $state<string | null>(null);

  /** Class whose clips are the background noise for mixing (null: none); choosing one selects noiseKind 'project'. */
  get noiseLabel(): string | null {
    return this.#noiseLabel;
  }
  set noiseLabel(label: string | null) {
    this.#noiseLabel = label;
    if (label !== null && this.augment.noiseKind !== 'project') this.augment = { ...this.augment, noiseKind: 'project' };
  }

  get noiseSource(): NoiseSource {
    const kind = this.augment.noiseKind;
    if (kind !== 'project') return { kind };
    return this.#noiseLabel === null ? { kind: 'none' } : { kind: 'project', label: this.#noiseLabel };
  }

  /** None, a class of the project, or generated white/pink/brown noise (no class needed). */
  setNoiseSource(source: NoiseSource): void {
    if (source.kind === 'none' || source.kind === 'project') {
      this.augment = { ...this.augment, noiseKind: 'project' };
      this.#noiseLabel = source.kind === 'project' ? source.label : null;
    } else {
      this.setAugment({ noiseKind: source.kind });
    }
  }

  /** The SNR range the fields show, in dB (from = to: a fixed SNR); kept while noise is off. */
  get snrRange(): [number, number] {
    return snrRangeDb(this.augment) ?? [10, 10];
  }

  /** Noise at an SNR from `fromDb` to `toDb` (equal: fixed); throws 'features/bad-augment'. */
  setSnrRange(fromDb: number, toDb: number): void {
    if (fromDb === toDb) this.setAugment({ noiseSnrDb: fromDb, minSnrDb: null, maxSnrDb: null });
    else this.setAugment({ noiseSnrDb: null, minSnrDb: fromDb, maxSnrDb: toDb });
  }

  /**
   * The augmentation a trainer should apply: noise when a generated kind is chosen, or a noise
   * class with noiseKind 'project'; otherwise no noise.
   */
  get augmentOptions(): AugmentOptions {
    const noisy = this.augment.noiseKind !== 'project' || this.#noiseLabel !== null;
    return noisy ? { ...this.augment } : { ...this.augment, noiseSnrDb: null, minSnrDb: null, maxSnrDb: null };
  }

  /**
   * `clip` fitted to the model's rate and length, and its augmentation for the current options and
   * draw, exactly as training computes it; `noiseClips`: the noise class's clips (any rate).
   * Throws 'features/bad-augment' (e.g. no noise clips).
   */
  previewAudio(clip: Clip, noiseClips: readonly Clip[] = []): PreviewAudio {
    const c = this.config;
    const shape = featureShape(c);
    const original = prepareSamples(clip.samples, clip.sampleRateHz, c);
    const noise = this.augment.noiseKind === 'project' && this.#noiseLabel !== null ? noiseClips.map((n) => prepareSamples(n.samples, n.sampleRateHz, c)) : [];
    const augmented = augmentSamples(original, this.augmentOptions, this.augmentVariant, { sampleRateHz: c.sampleRateHz, frames: shape.frames, bands: shape.bands, noiseClips: noise });
    return { original, augmented, sampleRateHz: c.sampleRateHz };
  }

  /** The preview's audio and its augmented log-mel (masks and voice warp of the same draw), or the reason it failed. */
  augmentPreview(clip: Clip, noiseClips: readonly Clip[] = []): PreviewResult {
    try {
      const a = this.previewAudio(clip, noiseClips);
      const f = augmentFeatures(computeLogMel(a.augmented, this.config), this.augmentOptions, this.augmentVariant, { samples: a.original.length, sampleRateHz: a.sampleRateHz });
      return { ok: true, features: f, ...a };
    } catch (e) {
      return { ok: false, message: describeError(e) };
    }
  }

  /** Play the preview's augmented audio or the clean clip; the same one again stops it, the other one replaces it. */
  async playPreview(which: 'augmented' | 'original', clip: Clip, noiseClips: readonly Clip[] = []): Promise<void> {
    const again = this.playing === which;
    this.stopPlaying();
    if (again) return;
    this.playError = null;
    const stop = new AbortController();
    this.#stopPlay = stop;
    this.playing = which;
    try {
      const a = this.previewAudio(clip, noiseClips);
      await playSamples(a[which], a.sampleRateHz, { ...this.#playback, signal: stop.signal });
    } catch (e) {
      this.playError = describeError(e);
    } finally {
      if (this.#stopPlay === stop) {
        this.#stopPlay = null;
        this.playing = null;
      }
    }
  }

  stopPlaying(): void {
    this.#stopPlay?.abort();
    this.#stopPlay = null;
    this.playing = null;
  }

  readonly #cache = new CoreFeatureCache();
  /** Bumped whenever the cache gains an entry, so readers re-run. */
  #version = $state(0);
  readonly #errors = new SvelteMap<string, string>();
  readonly #pending = new Set<string>();
  readonly #client: () => FeaturesClient;
  readonly #save: ((config: FeatureConfig) => Promise<void>) | undefined;
  readonly #playback: Omit<PlaybackOptions, 'signal'>;
  #stopPlay: AbortController | null = null;
  #saving: Promise<void> = Promise.resolve();

  constructor(client: () => FeaturesClient, config: FeatureConfig, options: FeaturesStateOptions = {}) {
    this.#client = client;
    this.#save = options.save;
    this.#playback = options.playback ?? {};
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

  /** A field edit from the panel: applied when valid, otherwise `augmentProblem` says why. */
  editAugment(patch: Partial<AugmentOptions>): void {
    this.#edit(() => this.setAugment(patch));
  }

  /** The SNR fields' edit (see setSnrRange), reported like editAugment. */
  editSnrRange(fromDb: number, toDb: number): void {
    this.#edit(() => this.setSnrRange(fromDb, toDb));
  }

  #edit(apply: () => void): void {
    try {
      apply();
      this.augmentProblem = null;
    } catch (e) {
      if (!(e instanceof EarshotError && e.code === 'features/bad-augment')) throw e;
      this.augmentProblem = augmentProblemWords(e.message);
    }
  }

  /** Change augmentation options; throws 'features/bad-augment' and keeps the last valid ones. A generated noise kind drops the noise class. */
  setAugment(patch: Partial<AugmentOptions>): void {
    this.augment = validateAugment({ ...this.augment, ...patch });
    if (this.augment.noiseKind !== 'project') this.#noiseLabel = null;
  }

  forget(id: string): void {
    this.#cache.forget(id);
    for (const k of [...this.#errors.keys()]) if (k.startsWith(`${id}|`)) this.#errors.delete(k);
    this.#version++;
  }
}

/** The name the clip cards and the app wiring already use. */
export { FeaturesState as FeatureCache };
