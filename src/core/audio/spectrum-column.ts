/**
 * One column of the live spectrogram shown while recording: Hann-windowed power spectrum of
 * the newest `fftSize` samples of a block, pooled into `bands` log-spaced bands from
 * `fMinHz` to min(fMaxHz, Nyquist), in dB. Display only (the model's features are log-mel).
 */
import { fftTables, powerSpectrum } from '../dsp/fft.ts';

export interface SpectrumColumnOptions {
  fftSize?: number;
  bands?: number;
  fMinHz?: number;
  fMaxHz?: number;
}

export class SpectrumColumn {
  readonly bands: number;
  readonly #n: number;
  readonly #window: Float32Array;
  readonly #frame: Float32Array;
  readonly #power: Float32Array;
  readonly #re: Float32Array;
  readonly #im: Float32Array;
  /** First FFT bin of each band (bands + 1 edges). */
  #edges: Int32Array = new Int32Array(0);
  #rateHz = 0;
  readonly #o: Required<SpectrumColumnOptions>;

  constructor(options: SpectrumColumnOptions = {}) {
    this.#o = { fftSize: 1024, bands: 48, fMinHz: 60, fMaxHz: 8000, ...options };
    this.bands = this.#o.bands;
    const n = (this.#n = this.#o.fftSize);
    this.#window = Float32Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    this.#frame = new Float32Array(n);
    this.#power = new Float32Array(n / 2 + 1);
    this.#re = new Float32Array(n / 2);
    this.#im = new Float32Array(n / 2);
  }

  #setRate(rateHz: number): void {
    if (rateHz === this.#rateHz) return;
    this.#rateHz = rateHz;
    const { bands, fMinHz } = this.#o;
    const fMax = Math.min(this.#o.fMaxHz, rateHz / 2);
    const binHz = rateHz / this.#n;
    this.#edges = Int32Array.from({ length: bands + 1 }, (_, b) => Math.min(this.#n / 2, Math.max(1, Math.round((fMinHz * (fMax / fMinHz) ** (b / bands)) / binHz))));
  }

  /** dB per band (low band first) of the newest samples of `block`, written to `out`. */
  compute(block: Float32Array, rateHz: number, out: Float32Array): Float32Array {
    this.#setRate(rateHz);
    const n = this.#n;
    const tail = block.subarray(Math.max(0, block.length - n));
    this.#frame.fill(0);
    for (let i = 0; i < tail.length; i++) this.#frame[n - tail.length + i] = tail[i] * this.#window[n - tail.length + i];
    powerSpectrum(fftTables(n), this.#frame, this.#power, this.#re, this.#im);
    const e = this.#edges;
    for (let b = 0; b < this.bands; b++) {
      let s = 0;
      let k = e[b];
      const end = Math.max(e[b + 1], k + 1);
      for (; k < end; k++) s += this.#power[k];
      out[b] = 10 * Math.log10(s / (end - e[b]) + 1e-12);
    }
    return out;
  }
}
