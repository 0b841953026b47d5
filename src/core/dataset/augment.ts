/**
 * Data augmentation, seeded and pure: the same (options, seed, variant) always gives the same
 * output, so a preview in the page shows exactly what training will see.
 *
 * Audio domain (before features): background noise mixed at a chosen SNR, time shift, gain.
 * Feature domain (after log-mel): SpecAugment time and frequency masks (Park et al. 2019,
 * "SpecAugment", masks only; no time warping).
 *
 * The trainer calls `augmentSamples` per (clip, epoch) with `variant = epoch·clipCount + index`
 * (any integer: each gives an independent draw), computes features, then `augmentFeatures` with
 * the same variant. Validation and calibration clips are never augmented.
 */
import { EarshotError } from '../errors.ts';
import type { Features } from '../dsp/feature-config.ts';
import { mixSeed, mulberry32 } from '../model/prng.ts';

export interface AugmentOptions {
  /** Mix a background noise clip at this SNR in dB (null: no noise). Needs noise clips. */
  noiseSnrDb: number | null;
  /** Shift the clip by a uniform amount in [−maxShiftMs, +maxShiftMs] (zero-filled). */
  maxShiftMs: number;
  /** Scale by a uniform gain in [−maxGainDb, +maxGainDb] dB. */
  maxGainDb: number;
  /** SpecAugment: number of time masks, each up to timeMaskFrames frames wide. */
  timeMasks: number;
  timeMaskFrames: number;
  /** SpecAugment: number of frequency masks, each up to freqMaskBands bands wide. */
  freqMasks: number;
  freqMaskBands: number;
  seed: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = Object.freeze({
  noiseSnrDb: null,
  maxShiftMs: 100,
  maxGainDb: 6,
  timeMasks: 1,
  timeMaskFrames: 5,
  freqMasks: 1,
  freqMaskBands: 5,
  seed: 1,
});

/** No augmentation at all (identity): what validation and calibration use. */
export const NO_AUGMENT: AugmentOptions = Object.freeze({ ...DEFAULT_AUGMENT, noiseSnrDb: null, maxShiftMs: 0, maxGainDb: 0, timeMasks: 0, freqMasks: 0 });

function bad(message: string): never {
  throw new EarshotError('features/bad-augment', message);
}

/** Fill defaults, then check every field; throws 'features/bad-augment'. */
export function validateAugment(input: Partial<AugmentOptions>): AugmentOptions {
  const o = { ...DEFAULT_AUGMENT, ...input };
  if (o.noiseSnrDb !== null && (typeof o.noiseSnrDb !== 'number' || !Number.isFinite(o.noiseSnrDb) || o.noiseSnrDb < -20 || o.noiseSnrDb > 60)) bad('noiseSnrDb must be from -20 to 60 dB, or null');
  if (!(o.maxShiftMs >= 0 && o.maxShiftMs <= 1000)) bad('maxShiftMs must be from 0 to 1000');
  if (!(o.maxGainDb >= 0 && o.maxGainDb <= 40)) bad('maxGainDb must be from 0 to 40');
  for (const k of ['timeMasks', 'timeMaskFrames', 'freqMasks', 'freqMaskBands'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0 || o[k] > 100) bad(`${k} must be an integer from 0 to 100`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 32 - 1) bad('seed must be an integer from 0 to 2^32-1');
  return o;
}

function power(x: Float32Array, from = 0, n = x.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[(from + i) % x.length];
    s += v * v;
  }
  return s / n;
}

/**
 * signal + k·noise, with noise read from `offset` (wrapping around), k chosen so that
 * 10·log10(P(signal) / P(k·noise)) = snrDb (power = mean square, in double; the float32 result
 * is within 0.01 dB). A silent signal has no SNR: it is returned as a copy. Silent noise is an error.
 */
export function mixNoise(signal: Float32Array, noise: Float32Array, snrDb: number, offset = 0): Float32Array {
  if (noise.length === 0) bad('the noise clip is empty');
  if (!Number.isFinite(snrDb)) bad('snrDb must be a finite number');
  const ps = power(signal);
  const start = ((Math.floor(offset) % noise.length) + noise.length) % noise.length;
  const pn = power(noise, start, signal.length);
  if (!(pn > 0)) bad('the noise clip is silent');
  const out = Float32Array.from(signal);
  if (ps === 0) return out;
  const k = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  for (let i = 0; i < out.length; i++) out[i] = signal[i] + k * noise[(start + i) % noise.length];
  return out;
}

/** Shift right by `shift` samples (left when negative), zero-filled, same length. */
export function timeShift(signal: Float32Array, shift: number): Float32Array {
  const n = signal.length;
  const s = Math.trunc(shift);
  const out = new Float32Array(n);
  if (Math.abs(s) >= n) return out;
  if (s >= 0) out.set(signal.subarray(0, n - s), s);
  else out.set(signal.subarray(-s));
  return out;
}

/** Multiply by 10^(gainDb/20). */
export function applyGain(signal: Float32Array, gainDb: number): Float32Array {
  if (!Number.isFinite(gainDb)) bad('gainDb must be a finite number');
  const g = 10 ** (gainDb / 20);
  const out = new Float32Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] * g;
  return out;
}

export interface Mask {
  axis: 'time' | 'frequency';
  start: number;
  width: number;
}

/**
 * SpecAugment masks on a copy: each masked cell gets the clip's mean log-mel value (the
 * paper's fill after normalisation). Masks are drawn with `rand`: width uniform in
 * [0, maxWidth], start uniform over the positions where it fits.
 */
export function specAugment(f: Features, masks: readonly Mask[]): Features {
  const data = Float32Array.from(f.data);
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean = data.length ? mean / data.length : 0;
  for (const m of masks) {
    if (m.axis === 'time') {
      for (let t = m.start; t < Math.min(f.frames, m.start + m.width); t++) data.fill(mean, t * f.bands, (t + 1) * f.bands);
    } else {
      for (let t = 0; t < f.frames; t++) for (let b = m.start; b < Math.min(f.bands, m.start + m.width); b++) data[t * f.bands + b] = mean;
    }
  }
  return { frames: f.frames, bands: f.bands, data };
}

/** The random draws of one variant: which noise clip, offset, shift, gain, masks. */
export interface AugmentDraw {
  noiseIndex: number;
  noiseOffset: number;
  shiftSamples: number;
  gainDb: number;
  masks: Mask[];
}

/** Draw everything one (options.seed, variant) decides, for a clip of `samples` at `sampleRateHz` and features of frames × bands. */
export function drawAugment(o: AugmentOptions, variant: number, shape: { samples: number; sampleRateHz: number; frames: number; bands: number; noiseClips: number; noiseLength: number }): AugmentDraw {
  const rand = mulberry32(mixSeed(o.seed, variant));
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const maxShift = Math.round((o.maxShiftMs * shape.sampleRateHz) / 1000);
  const draw: AugmentDraw = {
    noiseIndex: Math.floor(rand() * Math.max(1, shape.noiseClips)),
    noiseOffset: Math.floor(rand() * Math.max(1, shape.noiseLength)),
    shiftSamples: Math.round(uniform(-maxShift, maxShift)),
    gainDb: uniform(-o.maxGainDb, o.maxGainDb),
    masks: [],
  };
  const mask = (axis: Mask['axis'], maxWidth: number, size: number) => {
    const width = Math.min(size, Math.floor(rand() * (maxWidth + 1)));
    draw.masks.push({ axis, width, start: Math.floor(rand() * (size - width + 1)) });
  };
  for (let i = 0; i < o.timeMasks; i++) mask('time', o.timeMaskFrames, shape.frames);
  for (let i = 0; i < o.freqMasks; i++) mask('frequency', o.freqMaskBands, shape.bands);
  return draw;
}

/**
 * Audio-domain augmentation of one clip (fitted samples at the model rate): shift, gain, then
 * noise at the SNR (so the SNR is exact relative to the shifted, scaled clip). `noiseClips` at the
 * same rate; required when noiseSnrDb is set.
 */
export function augmentSamples(samples: Float32Array, options: Partial<AugmentOptions>, variant: number, ctx: { sampleRateHz: number; frames: number; bands: number; noiseClips?: readonly Float32Array[] }): Float32Array {
  const o = validateAugment(options);
  const noise = ctx.noiseClips ?? [];
  if (o.noiseSnrDb !== null && noise.length === 0) bad('noise mixing needs at least one noise clip (record a "noise" class or import noise clips)');
  const d = drawAugment(o, variant, { samples: samples.length, sampleRateHz: ctx.sampleRateHz, frames: ctx.frames, bands: ctx.bands, noiseClips: noise.length, noiseLength: noise[0]?.length ?? 1 });
  let x = d.shiftSamples ? timeShift(samples, d.shiftSamples) : Float32Array.from(samples);
  if (o.maxGainDb > 0) x = applyGain(x, d.gainDb);
  if (o.noiseSnrDb !== null) {
    const clip = noise[d.noiseIndex % noise.length];
    x = mixNoise(x, clip, o.noiseSnrDb, d.noiseOffset % clip.length);
  }
  return x;
}

/** Feature-domain augmentation (SpecAugment masks) of the same variant. */
export function augmentFeatures(f: Features, options: Partial<AugmentOptions>, variant: number, ctx: { samples: number; sampleRateHz: number }): Features {
  const o = validateAugment(options);
  const d = drawAugment(o, variant, { samples: ctx.samples, sampleRateHz: ctx.sampleRateHz, frames: f.frames, bands: f.bands, noiseClips: 1, noiseLength: 1 });
  return d.masks.length ? specAugment(f, d.masks) : f;
}
