/**
 * Make a clip exactly `length` samples long, as the model's input window needs:
 * shorter → centred, zero-padded (left pad = floor((length − n)/2));
 * longer → the `length`-sample window with the most energy, searched at a stride of
 * max(1, floor(length/100)) samples (10 ms for a 1 s window) plus the very last window;
 * ties go to the earliest window.
 */
import { EarshotError } from '../errors.ts';

export function fitClip(samples: Float32Array, length: number): Float32Array {
  if (!Number.isInteger(length) || length <= 0) {
    throw new EarshotError('audio/bad-length', `clip length must be a positive integer, got ${String(length)}`);
  }
  const n = samples.length;
  if (n === length) return Float32Array.from(samples);
  const out = new Float32Array(length);
  if (n < length) {
    out.set(samples, Math.floor((length - n) / 2));
    return out;
  }
  // Prefix sums of energy (double) so each candidate window costs O(1).
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + samples[i] * samples[i];
  const stride = Math.max(1, Math.floor(length / 100));
  const last = n - length;
  let best = 0;
  let bestEnergy = -1;
  const consider = (start: number): void => {
    const e = prefix[start + length] - prefix[start];
    if (e > bestEnergy) {
      bestEnergy = e;
      best = start;
    }
  };
  for (let s = 0; s <= last; s += stride) consider(s);
  if (last % stride !== 0) consider(last);
  out.set(samples.subarray(best, best + length));
  return out;
}
