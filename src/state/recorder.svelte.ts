/**
 * RecorderState: microphone → level meter, clipping flag, live spectrogram, and clips at the
 * model rate. Single clips: optional countdown, `recordMs` of native-rate audio, resampled
 * (Kaiser sinc) and centred on the sound's energy (`autoTrim`) or cut to the loudest window.
 * Continuous mode: one long take split into clips by onset detection, held in `review` until
 * the user accepts or drops each. A device that goes away mid-take ends the take: what was
 * recorded is still split and offered for review (nothing is lost), with a clear message.
 */
import { prepareSamples } from '../core/audio/prepare.ts';
import { resample } from '../core/audio/resample.ts';
import { fitClip } from '../core/audio/fit-clip.ts';
import { centreOnEnergy, splitTake } from '../core/audio/onsets.ts';
import { SpectrumColumn } from '../core/audio/spectrum-column.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape, type FeatureConfig } from '../core/dsp/feature-config.ts';
import { EarshotError, describeError } from '../core/errors.ts';
import { openMicrophone, type MicSettings, type Microphone, type OpenMicrophone } from '../platform/microphone.ts';

/** Meter value 0..1 from a block: RMS in dBFS mapped from [-60, 0] dB. */
export function levelOf(block: Float32Array): number {
  if (block.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < block.length; i++) sum += block[i] * block[i];
  const rms = Math.sqrt(sum / block.length);
  if (rms <= 1e-6) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

/** |sample| at or above this counts as clipping (the last 16-bit step below full scale). */
export const CLIP_LEVEL = 32767 / 32768;

export function peakOf(block: Float32Array): number {
  let p = 0;
  for (let i = 0; i < block.length; i++) {
    const a = Math.abs(block[i]);
    if (a > p) p = a;
  }
  return p;
}

/** Collects blocks until `length` samples; `push` returns true when full. */
export class ClipAccumulator {
  readonly #out: Float32Array;
  #fill = 0;

  constructor(length: number) {
    this.#out = new Float32Array(length);
  }

  get done(): boolean {
    return this.#fill >= this.#out.length;
  }

  get filled(): number {
    return this.#fill;
  }

  push(block: Float32Array): boolean {
    const n = Math.min(block.length, this.#out.length - this.#fill);
    if (n > 0) this.#out.set(block.subarray(0, n), this.#fill);
    this.#fill += n;
    return this.done;
  }

  result(): Float32Array {
    return this.#out.subarray(0, this.#fill);
  }
}

/** Native-rate recording → model-rate clip of exactly inputSamples (loudest window). */
export function toModelClip(native: Float32Array, nativeRateHz: number, config: FeatureConfig): Float32Array {
  return prepareSamples(native, nativeRateHz, config);
}

/** Native-rate recording → model-rate clip centred on its energy (or the loudest window). */
export function trimToModel(native: Float32Array, nativeRateHz: number, config: FeatureConfig, centre: boolean): Float32Array {
  if (native.length === 0) throw new EarshotError('audio/empty', 'nothing was recorded');
  const at = resample(native, nativeRateHz, config.sampleRateHz);
  const n = featureShape(config).inputSamples;
  return centre ? centreOnEnergy(at, n) : fitClip(at, n);
}

export type RecorderStatus = 'off' | 'starting' | 'ready' | 'countdown' | 'recording' | 'error';

export interface ReviewClip {
  id: number;
  samples: Float32Array;
  /** Where the sound sits in the take, in seconds. */
  atS: number;
}

/** Columns of the live spectrogram (≈ 43 ms each at 48 kHz with 2048-frame blocks). */
export const SPECTRO_COLUMNS = 160;
/** Longest continuous take: 2 minutes. */
export const MAX_TAKE_MS = 120_000;

export class RecorderState {
  status = $state<RecorderStatus>('off');
  level = $state(0);
  /** True while a block reached full scale in the last second. */
  clipping = $state(false);
  nativeRateHz = $state(0);
  settings = $state<MicSettings | null>(null);
  error = $state<string | null>(null);
  /** Seconds left before recording starts. */
  countdownLeft = $state(0);
  /** User settings. */
  recordMs = $state(1000);
  countdownS = $state(0);
  autoTrim = $state(true);
  /** Continuous take in progress: seconds recorded so far. */
  takeS = $state(0);
  taking = $state(false);
  review = $state.raw<ReviewClip[]>([]);
  /** Ring of dB columns (SPECTRO_COLUMNS × bands); `spectroTick` changes when a column lands. */
  readonly spectro: Float32Array;
  readonly spectroBands: number;
  spectroTick = $state(0);

  readonly #open: OpenMicrophone;
  readonly #config: FeatureConfig;
  readonly #column = new SpectrumColumn();
  #mic: Microphone | null = null;
  #starting: Promise<Microphone> | null = null;
  #clipUntilMs = 0;
  #sink: ((b: Float32Array) => void) | null = null;
  #endTake: (() => void) | null = null;
  #failRecording: ((e: EarshotError) => void) | null = null;
  #reviewId = 0;

  constructor(open: OpenMicrophone = openMicrophone, config: FeatureConfig = DEFAULT_FEATURE_CONFIG) {
    this.#open = open;
    this.#config = config;
    this.recordMs = config.clipMs;
    this.spectroBands = this.#column.bands;
    this.spectro = new Float32Array(SPECTRO_COLUMNS * this.spectroBands).fill(-120);
  }

  #onBlock(b: Float32Array, rateHz: number): void {
    this.level = levelOf(b);
    const now = Date.now();
    if (peakOf(b) >= CLIP_LEVEL) this.#clipUntilMs = now + 1000;
    this.clipping = now < this.#clipUntilMs;
    const col = (this.spectroTick + 1) % SPECTRO_COLUMNS;
    this.#column.compute(b, rateHz, this.spectro.subarray(col * this.spectroBands, (col + 1) * this.spectroBands));
    this.spectroTick = col === 0 ? SPECTRO_COLUMNS : this.spectroTick + 1;
    this.#sink?.(b);
  }

  #onEnded(): void {
    const err = new EarshotError('mic/ended', 'the microphone stopped (unplugged or switched off): plug it back in and start it again; everything saved is kept');
    const mic = this.#mic;
    this.#mic = null;
    void mic?.close().catch(() => undefined);
    this.status = 'error';
    this.error = describeError(err);
    this.level = 0;
    this.#endTake?.();
    this.#failRecording?.(err);
  }

  async start(): Promise<Microphone> {
    if (this.#mic) return this.#mic;
    this.#starting ??= (async () => {
      this.status = 'starting';
      this.error = null;
      try {
        const mic = await this.#open();
        const rate = mic.sampleRateHz;
        mic.onBlock((b) => this.#onBlock(b, rate));
        mic.onEnded?.(() => this.#onEnded());
        this.#mic = mic;
        this.nativeRateHz = rate;
        this.settings = mic.settings ?? null;
        this.status = 'ready';
        return mic;
      } catch (e) {
        this.status = 'error';
        this.error = describeError(e);
        throw e;
      } finally {
        this.#starting = null;
      }
    })();
    return this.#starting;
  }

  async #countdown(): Promise<void> {
    const s = Math.max(0, Math.round(this.countdownS));
    if (s === 0) return;
    this.status = 'countdown';
    for (let left = s; left > 0; left--) {
      this.countdownLeft = left;
      await new Promise((r) => setTimeout(r, 1000));
      if (!this.#mic) throw new EarshotError('mic/ended', 'the microphone stopped during the countdown');
    }
    this.countdownLeft = 0;
  }

  /** Record `recordMs` of audio; resolves to a clip at the model rate and window length. */
  async record(): Promise<Float32Array> {
    const mic = await this.start();
    try {
      await this.#countdown();
      this.status = 'recording';
      const rate = mic.sampleRateHz;
      const ms = Math.min(10_000, Math.max(100, this.recordMs));
      const acc = new ClipAccumulator(Math.round((rate * ms) / 1000));
      const native = await new Promise<Float32Array>((resolve, reject) => {
        this.#failRecording = reject;
        this.#sink = (b) => {
          if (acc.push(b)) resolve(acc.result());
        };
      });
      return trimToModel(native, rate, this.#config, this.autoTrim);
    } finally {
      this.#sink = null;
      this.#failRecording = null;
      this.countdownLeft = 0;
      if (this.status !== 'error') this.status = this.#mic ? 'ready' : 'off';
    }
  }

  /**
   * Continuous mode: record until `stopTake()` (or MAX_TAKE_MS, or the device goes away), then
   * split the take into clips for review. Resolves with the number of clips found.
   */
  async takeContinuous(): Promise<number> {
    const mic = await this.start();
    const rate = mic.sampleRateHz;
    const acc = new ClipAccumulator(Math.round((rate * MAX_TAKE_MS) / 1000));
    try {
      await this.#countdown();
      this.status = 'recording';
      this.taking = true;
      this.takeS = 0;
      await new Promise<void>((resolve) => {
        this.#endTake = resolve;
        this.#sink = (b) => {
          const full = acc.push(b);
          this.takeS = acc.filled / rate;
          if (full) resolve();
        };
      });
    } finally {
      this.#sink = null;
      this.#endTake = null;
      this.taking = false;
      this.countdownLeft = 0;
      if (this.status !== 'error') this.status = this.#mic ? 'ready' : 'off';
    }
    return this.#split(acc.result(), rate);
  }

  stopTake(): void {
    this.#endTake?.();
  }

  #split(take: Float32Array, rateHz: number): number {
    if (take.length === 0) return 0;
    const at = resample(take, rateHz, this.#config.sampleRateHz);
    const found = splitTake(at, this.#config.sampleRateHz, featureShape(this.#config).inputSamples).map((c) => ({
      id: ++this.#reviewId,
      samples: c.samples,
      atS: c.sound.startSample / this.#config.sampleRateHz,
    }));
    this.review = [...this.review, ...found];
    return found.length;
  }

  /** Take a clip out of the review list (to save it, or to drop it). */
  takeReview(id: number): ReviewClip | undefined {
    const clip = this.review.find((c) => c.id === id);
    this.review = this.review.filter((c) => c.id !== id);
    return clip;
  }

  async stop(): Promise<void> {
    const mic = this.#mic;
    this.#mic = null;
    this.level = 0;
    this.clipping = false;
    this.status = 'off';
    this.#endTake?.();
    await mic?.close();
  }
}
