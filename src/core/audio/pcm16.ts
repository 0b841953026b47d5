/**
 * The one Float32 ↔ 16-bit mapping of Earshot. Stored clips hold only values k/32768 for an
 * integer k in [−32768, 32767], so the 16-bit WAV an export writes (encodeWav: round(x·32768))
 * decodes (decodeWav: k/32768) to exactly the stored Float32 samples: export → import is
 * bit-exact. quantizePcm16 is applied to every clip on its way into the store.
 * Rounding: Math.round (half up), clamp to [−32768, 32767], NaN → 0 — the same as encodeWav.
 * −0 becomes +0: a WAV has no negative zero, and the stored bits must equal the decoded bits.
 */
export function pcm16Of(x: number): number {
  const v = Math.round(x * 32768);
  return v >= 32767 ? 32767 : v <= -32768 ? -32768 : v === 0 || Number.isNaN(v) ? 0 : v;
}

/** Samples snapped to the 16-bit grid k/32768 (a new array). */
export function quantizePcm16(samples: Float32Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = pcm16Of(samples[i]) / 32768;
  return out;
}

/** True when every sample already lies on the 16-bit grid. */
export function isPcm16(samples: Float32Array): boolean {
  for (let i = 0; i < samples.length; i++) if (pcm16Of(samples[i]) / 32768 !== samples[i]) return false;
  return true;
}
