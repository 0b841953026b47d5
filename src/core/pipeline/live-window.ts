/**
 * Sliding windows over a live stream at the microphone's rate: keeps the last clip-length of
 * audio and hands out a window every `hopMs`, resampled to the model rate and fitted to the
 * clip length, for continuous classification (then core/quant/postprocess.ts averages,
 * thresholds and suppresses).
 */
import { EarshotError } from '../errors.ts';
import { resample } from '../audio/resample.ts';

export class SlidingWindow {
  readonly #ring: Float32Array;
  readonly #hop: number;
  readonly #rateHz: number;
  readonly #modelRateHz: number;
  readonly #modelLength: number;
  #filled = 0;
  #write = 0;
  #sinceHop = 0;

  constructor(opts: { inputRateHz: number; modelRateHz: number; clipMs: number; hopMs: number }) {
    const { inputRateHz, modelRateHz, clipMs, hopMs } = opts;
    if (!(inputRateHz >= 8000 && inputRateHz <= 192000)) throw new EarshotError('audio/bad-rate', `input rate ${String(inputRateHz)} Hz is out of range`);
    if (!(hopMs >= 1 && hopMs <= clipMs)) throw new EarshotError('postprocess/invalid', `the hop must be from 1 ms to the clip length (${clipMs} ms), got ${String(hopMs)}`);
    this.#rateHz = inputRateHz;
    this.#modelRateHz = modelRateHz;
    this.#modelLength = Math.round((clipMs * modelRateHz) / 1000);
    this.#ring = new Float32Array(Math.round((clipMs * inputRateHz) / 1000));
    this.#hop = Math.max(1, Math.round((hopMs * inputRateHz) / 1000));
  }

  /** Add a block; returns the windows (model rate, clip length) due after it, oldest first. */
  push(block: Float32Array): Float32Array[] {
    const out: Float32Array[] = [];
    const n = this.#ring.length;
    for (let i = 0; i < block.length; i++) {
      this.#ring[this.#write] = block[i]!;
      this.#write = (this.#write + 1) % n;
      if (this.#filled < n) this.#filled++;
      if (++this.#sinceHop >= this.#hop) {
        this.#sinceHop = 0;
        if (this.#filled === n) out.push(this.#window());
      }
    }
    return out;
  }

  #window(): Float32Array {
    const n = this.#ring.length;
    const ordered = new Float32Array(n);
    ordered.set(this.#ring.subarray(this.#write), 0);
    ordered.set(this.#ring.subarray(0, this.#write), n - this.#write);
    const at = this.#rateHz === this.#modelRateHz ? ordered : resample(ordered, this.#rateHz, this.#modelRateHz);
    if (at.length === this.#modelLength) return at;
    const fitted = new Float32Array(this.#modelLength);
    fitted.set(at.subarray(Math.max(0, at.length - this.#modelLength)), Math.max(0, this.#modelLength - at.length));
    return fitted;
  }
}
