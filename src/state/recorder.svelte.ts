/**
 * RecorderState: microphone → level meter and fixed-length clips at the model rate.
 * The microphone is opened on first use (permission prompt) and kept open for the meter.
 */
import { prepareSamples } from '../core/audio/prepare.ts';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../core/dsp/feature-config.ts';
import { describeError } from '../core/errors.ts';
import { openMicrophone, type Microphone, type OpenMicrophone } from '../platform/microphone.ts';

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

  push(block: Float32Array): boolean {
    const n = Math.min(block.length, this.#out.length - this.#fill);
    if (n > 0) this.#out.set(block.subarray(0, n), this.#fill);
    this.#fill += n;
    return this.done;
  }

  result(): Float32Array {
    return this.#out;
  }
}

/** Native-rate recording → model-rate clip of exactly inputSamples. */
export function toModelClip(native: Float32Array, nativeRateHz: number, config: FeatureConfig): Float32Array {
  return prepareSamples(native, nativeRateHz, config);
}

export type RecorderStatus = 'off' | 'starting' | 'ready' | 'recording' | 'error';

export class RecorderState {
  status = $state<RecorderStatus>('off');
  level = $state(0);
  nativeRateHz = $state(0);
  error = $state<string | null>(null);
  readonly #open: OpenMicrophone;
  readonly #config: FeatureConfig;
  #mic: Microphone | null = null;
  #starting: Promise<Microphone> | null = null;

  constructor(open: OpenMicrophone = openMicrophone, config: FeatureConfig = DEFAULT_FEATURE_CONFIG) {
    this.#open = open;
    this.#config = config;
  }

  async start(): Promise<Microphone> {
    if (this.#mic) return this.#mic;
    this.#starting ??= (async () => {
      this.status = 'starting';
      this.error = null;
      try {
        const mic = await this.#open();
        mic.onBlock((b) => {
          this.level = levelOf(b);
        });
        this.#mic = mic;
        this.nativeRateHz = mic.sampleRateHz;
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

  /** Record `clipMs` of audio; resolves to a clip at the model rate and length. */
  async record(): Promise<Float32Array> {
    const mic = await this.start();
    this.status = 'recording';
    const rate = mic.sampleRateHz;
    const acc = new ClipAccumulator(Math.round((rate * this.#config.clipMs) / 1000));
    try {
      const native = await new Promise<Float32Array>((resolve) => {
        const off = mic.onBlock((b) => {
          if (acc.push(b)) {
            off();
            resolve(acc.result());
          }
        });
      });
      return toModelClip(native, rate, this.#config);
    } finally {
      this.status = this.#mic ? 'ready' : 'off';
    }
  }

  async stop(): Promise<void> {
    const mic = this.#mic;
    this.#mic = null;
    this.level = 0;
    this.status = 'off';
    await mic?.close();
  }
}
