/**
 * Synthetic voices for a vocabulary: a seeded list of espeak-ng voices (an English accent, a voice
 * variant, a speed and a pitch each) that `earshot voices` speaks the user's words with. Training
 * on them as extra, training-only clips is the one thing measured here that moved accuracy on real
 * voices the model never heard by several points (spoken-digits-dev, int8, leave-one-speaker-out:
 * 82.7 % → 88.0 % with 60 voices of the ten digits, cut to the word; 100 voices: 86.0 %;
 * `npm run bench -- quality --extra DIR`).
 * The names are espeak-ng's own (`espeak-ng --voices=en`, `espeak-ng --voices=variant`).
 */
import { EarshotError } from '../errors.ts';
import { mulberry32 } from '../model/prng.ts';

/** English accents of espeak-ng 1.51. */
export const ESPEAK_ACCENTS = ['en', 'en-us', 'en-gb-scotland', 'en-029', 'en-gb-x-rp', 'en-us-nyc', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd'] as const;
/** Voice variants of espeak-ng 1.51 (male, female and character voices). */
export const ESPEAK_VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5', 'klatt', 'klatt2', 'klatt3', 'croak', 'edward', 'john', 'linda', 'max', 'paul', 'belinda', 'anika', 'grandma', 'grandpa', 'david', 'iven', 'adam', 'benjamin', 'caleb'] as const;

export interface SyntheticVoice {
  /** File-name-safe id, used as the speaker: `syn07-en-us-f3`. */
  id: string;
  /** espeak-ng's -v argument: accent+variant. */
  voice: string;
  /** Words per minute (espeak-ng -s), 120–200. */
  wpm: number;
  /** Pitch 0–99 (espeak-ng -p), 20–80. */
  pitch: number;
}

export const MAX_SYNTHETIC_VOICES = 500;

/** `count` voices, the same for the same seed; throws 'dataset/bad-voices' for a bad count. */
export function syntheticVoices(count: number, seed = 1): SyntheticVoice[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SYNTHETIC_VOICES) {
    throw new EarshotError('dataset/bad-voices', `the number of voices must be an integer from 1 to ${MAX_SYNTHETIC_VOICES}, got ${String(count)}`);
  }
  const rand = mulberry32(seed >>> 0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  return Array.from({ length: count }, (_, k) => {
    const accent = pick(ESPEAK_ACCENTS);
    const variant = pick(ESPEAK_VARIANTS);
    const wpm = 120 + Math.floor(rand() * 81);
    const pitch = 20 + Math.floor(rand() * 61);
    return { id: `syn${String(k + 1).padStart(2, '0')}-${accent}-${variant}`, voice: `${accent}+${variant}`, wpm, pitch };
  });
}

/**
 * A spoken word without the silence espeak-ng puts around it: from the first to the last sample
 * above `fraction` of the peak (1 %, as `sox silence 1 0.01 1%` does at each end). Recordings
 * are centred on the sound the same way, so synthetic and recorded words line up alike.
 */
export function trimToWord(samples: Float32Array, fraction = 0.01): Float32Array {
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  if (peak === 0) return samples.slice();
  const t = peak * fraction;
  let a = 0;
  while (Math.abs(samples[a]!) <= t) a++;
  let b = samples.length - 1;
  while (Math.abs(samples[b]!) <= t) b--;
  return samples.slice(a, b + 1);
}
