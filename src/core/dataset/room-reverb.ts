/**
 * Synthetic room reverberation for augmentation: a seeded impulse response made of a direct path
 * (a unit impulse at t = 0) and a diffuse tail of Gaussian noise under an exponential envelope
 * whose energy falls 60 dB in RT60 (amplitude 10^(−3t/RT60), Sabine's model of a diffuse field),
 * cut where it reaches −60 dB. The tail is scaled so that the direct-to-reverberant energy ratio
 * is exactly `drrDb`. The clip is convolved with it (core/dsp/convolve.ts), the reverberant tail past
 * the clip's end is dropped (same length) and the result scaled to the input's RMS.
 */
import { convolve } from '../dsp/convolve.ts';
import { gaussian } from './noise-colours.ts';

/** Impulse response of `rt60Ms` at `sampleRateHz`, at most `maxLength` samples, DRR `drrDb`. */
export function roomImpulse(rt60Ms: number, drrDb: number, sampleRateHz: number, rand: () => number, maxLength = Infinity): Float32Array {
  const rt60 = (rt60Ms / 1000) * sampleRateHz;
  const n = Math.max(2, Math.min(maxLength, Math.ceil(rt60)));
  const h = gaussian(rand, n);
  const decay = 10 ** (-3 / rt60);
  let envelope = 1;
  let tail = 0;
  for (let k = 1; k < n; k++) {
    envelope *= decay;
    h[k] *= envelope;
    tail += h[k] * h[k];
  }
  const g = tail > 0 ? Math.sqrt(10 ** (-drrDb / 10) / tail) : 0;
  const out = new Float32Array(n);
  out[0] = 1;
  for (let k = 1; k < n; k++) out[k] = h[k] * g;
  return out;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** x convolved with `ir`, first x.length samples, scaled to x's RMS (silence stays silence). */
export function reverberate(x: Float32Array, ir: Float32Array): Float32Array {
  const y = convolve(x, ir, x.length);
  const before = rms(x);
  const after = rms(y);
  if (!(after > 0)) return y;
  const k = before / after;
  for (let i = 0; i < y.length; i++) y[i] *= k;
  return y;
}
