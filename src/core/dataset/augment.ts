/**
 * Data augmentation, seeded and pure: the same (options, seed, variant) always gives the same
 * output, so a preview in the page shows exactly what training will see.
 *
 * Audio domain (before features), in this order: speed perturbation (Ko et al. 2015, "Audio
 * augmentation for speech recognition": resampling changes tempo and pitch together, like another
 * talker's vocal tract), time shift, gain, synthetic room reverberation (room-reverb.ts), then
 * background noise at an SNR drawn in a range, from the project's noise clips or generated
 * (white, pink, brown: noise-colours.ts), exact relative to the final clean clip.
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
import { resample } from '../audio/resample.ts';
import { generateNoise, NOISE_COLOURS } from './noise-colours.ts';
import { reverberate, roomImpulse } from './room-reverb.ts';

/** Where mixed noise comes from: the project's noise clips, or generated per variant. */
export const NOISE_KINDS = ['project', ...NOISE_COLOURS] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

/** Direct-to-reverberant energy ratio of a synthetic room, drawn uniformly in this range (dB). */
export const REVERB_DRR_DB: readonly [number, number] = [0, 10];

export interface AugmentOptions {
  /** Resample by a factor uniform in [1 − maxSpeedChange, 1 + maxSpeedChange] (0.1 = ±10 %; 0: off). */
  maxSpeedChange: number;
  /** Mix background noise at this fixed SNR in dB (null: no noise, unless minSnrDb/maxSnrDb are set). */
  noiseSnrDb: number | null;
  /** Mix background noise at an SNR uniform in [minSnrDb, maxSnrDb] dB (both null: see noiseSnrDb). */
  minSnrDb: number | null;
  maxSnrDb: number | null;
  /** 'project': the given noise clips (required); white/pink/brown: generated, seeded per variant. */
  noiseKind: NoiseKind;
  /** Chance (0..1) that a variant is convolved with a synthetic room of RT60 uniform in [minRt60Ms, maxRt60Ms]. */
  reverbProbability: number;
  minRt60Ms: number;
  maxRt60Ms: number;
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
  /**
   * Vocal-tract-length perturbation on the features: stretch the band axis by a factor uniform in
   * [1 − maxBandWarp, 1 + maxBandWarp] (0.1 = ±10 %; 0: off), as a shorter or longer vocal tract
   * moves formants (Jaitly & Hinton 2013, "Vocal Tract Length Perturbation improves speech recognition").
   */
  maxBandWarp: number;
  seed: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = Object.freeze({
  maxSpeedChange: 0,
  noiseSnrDb: null,
  minSnrDb: null,
  maxSnrDb: null,
  noiseKind: 'project',
  reverbProbability: 0,
  minRt60Ms: 200,
  maxRt60Ms: 600,
  maxShiftMs: 100,
  maxGainDb: 6,
  timeMasks: 1,
  timeMaskFrames: 5,
  freqMasks: 1,
  freqMaskBands: 5,
  maxBandWarp: 0,
  seed: 1,
});

/** No augmentation at all (identity): what validation and calibration use. */
export const NO_AUGMENT: AugmentOptions = Object.freeze({ ...DEFAULT_AUGMENT, maxSpeedChange: 0, noiseSnrDb: null, minSnrDb: null, maxSnrDb: null, reverbProbability: 0, maxShiftMs: 0, maxGainDb: 0, timeMasks: 0, freqMasks: 0 });

function bad(message: string): never {
  throw new EarshotError('features/bad-augment', message);
}

/** Fill defaults, then check every field; throws 'features/bad-augment'. */
export function validateAugment(input: Partial<AugmentOptions>): AugmentOptions {
  const o = { ...DEFAULT_AUGMENT, ...input };
  const snrOk = (v: unknown) => typeof v === 'number' && v >= -20 && v <= 60;
  if (!(typeof o.maxSpeedChange === 'number' && o.maxSpeedChange >= 0 && o.maxSpeedChange <= 0.5)) bad('maxSpeedChange must be from 0 to 0.5 (±50 %)');
  if (o.noiseSnrDb !== null && !snrOk(o.noiseSnrDb)) bad('noiseSnrDb must be from -20 to 60 dB, or null');
  if ((o.minSnrDb === null) !== (o.maxSnrDb === null)) bad('give both minSnrDb and maxSnrDb, or neither');
  if (o.minSnrDb !== null && !(snrOk(o.minSnrDb) && snrOk(o.maxSnrDb))) bad('minSnrDb and maxSnrDb must be from -20 to 60 dB');
  if (o.minSnrDb !== null && o.minSnrDb > o.maxSnrDb!) bad('minSnrDb must not exceed maxSnrDb');
  if (o.minSnrDb !== null && o.noiseSnrDb !== null) bad('give either noiseSnrDb or minSnrDb/maxSnrDb, not both');
  if (!(NOISE_KINDS as readonly unknown[]).includes(o.noiseKind)) bad(`noiseKind must be one of ${NOISE_KINDS.join(', ')}`);
  if (!(typeof o.reverbProbability === 'number' && o.reverbProbability >= 0 && o.reverbProbability <= 1)) bad('reverbProbability must be from 0 to 1');
  for (const k of ['minRt60Ms', 'maxRt60Ms'] as const) if (!(typeof o[k] === 'number' && o[k] >= 50 && o[k] <= 2000)) bad(`${k} must be from 50 to 2000 ms`);
  if (o.minRt60Ms > o.maxRt60Ms) bad('minRt60Ms must not exceed maxRt60Ms');
  if (!(o.maxShiftMs >= 0 && o.maxShiftMs <= 1000)) bad('maxShiftMs must be from 0 to 1000');
  if (!(o.maxGainDb >= 0 && o.maxGainDb <= 40)) bad('maxGainDb must be from 0 to 40');
  for (const k of ['timeMasks', 'timeMaskFrames', 'freqMasks', 'freqMaskBands'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0 || o[k] > 100) bad(`${k} must be an integer from 0 to 100`);
  }
  if (!(typeof o.maxBandWarp === 'number' && o.maxBandWarp >= 0 && o.maxBandWarp <= 0.3)) bad('maxBandWarp must be from 0 to 0.3 (±30 %)');
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

/** The SNR range noise is drawn from ([v, v] for a fixed noiseSnrDb), or null: no noise. */
export function snrRangeDb(o: Pick<AugmentOptions, 'noiseSnrDb' | 'minSnrDb' | 'maxSnrDb'>): [number, number] | null {
  if (o.minSnrDb !== null && o.maxSnrDb !== null) return [o.minSnrDb, o.maxSnrDb];
  return o.noiseSnrDb === null ? null : [o.noiseSnrDb, o.noiseSnrDb];
}

/**
 * `signal` resampled by `factor` (> 1: faster and higher, < 1: slower and lower; a sine of f Hz
 * comes out at f·factor Hz) with the windowed-sinc resampler of audio/resample.ts, then fitted to
 * the input length: a shorter result is centred and zero-padded (left pad floor((n − m)/2), as
 * audio/fit-clip.ts pads), a longer one centre-cropped (start floor((m − n)/2)). Factor 1 is a copy.
 */
export function speedPerturb(signal: Float32Array, factor: number, sampleRateHz: number): Float32Array {
  if (!(Number.isFinite(factor) && factor > 0)) bad('speed factor must be a positive number');
  if (factor === 1) return Float32Array.from(signal);
  const y = resample(signal, sampleRateHz * factor, sampleRateHz);
  const n = signal.length;
  const out = new Float32Array(n);
  if (y.length <= n) out.set(y, Math.floor((n - y.length) / 2));
  else out.set(y.subarray(Math.floor((y.length - n) / 2), Math.floor((y.length - n) / 2) + n));
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

/** The random draws of one variant: which noise clip, offset, shift, gain, masks, speed, SNR, room. */
export interface AugmentDraw {
  noiseIndex: number;
  noiseOffset: number;
  shiftSamples: number;
  gainDb: number;
  masks: Mask[];
  /** Resampling factor (1: unchanged). */
  speedFactor: number;
  /** SNR of the mixed noise, or null: no noise. */
  snrDb: number | null;
  /** Seed of the generated noise (noiseKind white/pink/brown). */
  noiseSeed: number;
  /** The synthetic room, or null: no reverberation for this variant. */
  reverb: { rt60Ms: number; drrDb: number; seed: number } | null;
  /** Band-axis stretch (1: unchanged). */
  bandWarp: number;
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
    speedFactor: 1,
    snrDb: null,
    noiseSeed: 0,
    reverb: null,
    bandWarp: 1,
  };
  const mask = (axis: Mask['axis'], maxWidth: number, size: number) => {
    const width = Math.min(size, Math.floor(rand() * (maxWidth + 1)));
    draw.masks.push({ axis, width, start: Math.floor(rand() * (size - width + 1)) });
  };
  for (let i = 0; i < o.timeMasks; i++) mask('time', o.timeMaskFrames, shape.frames);
  for (let i = 0; i < o.freqMasks; i++) mask('frequency', o.freqMaskBands, shape.bands);
  // Drawn after the masks, always the same count: the earlier draws are those of older versions.
  const speed = uniform(1 - o.maxSpeedChange, 1 + o.maxSpeedChange);
  const snr = rand();
  const seed = () => Math.floor(rand() * 2 ** 32);
  draw.noiseSeed = seed();
  const reverbed = rand() < o.reverbProbability;
  const room = { rt60Ms: uniform(o.minRt60Ms, o.maxRt60Ms), drrDb: uniform(REVERB_DRR_DB[0], REVERB_DRR_DB[1]), seed: seed() };
  draw.speedFactor = o.maxSpeedChange > 0 ? speed : 1;
  const range = snrRangeDb(o);
  draw.snrDb = range && range[0] + (range[1] - range[0]) * snr;
  draw.reverb = reverbed ? room : null;
  const warp = uniform(1 - o.maxBandWarp, 1 + o.maxBandWarp);
  draw.bandWarp = o.maxBandWarp > 0 ? warp : 1;
  return draw;
}

/**
 * Audio-domain augmentation of one clip (fitted samples at the model rate): speed, shift, gain,
 * reverberation, then noise at the drawn SNR (exact relative to that clean result). `noiseClips` at
 * the same rate; required when noise is on and noiseKind is 'project'.
 */
export function augmentSamples(samples: Float32Array, options: Partial<AugmentOptions>, variant: number, ctx: { sampleRateHz: number; frames: number; bands: number; noiseClips?: readonly Float32Array[] }): Float32Array {
  const o = validateAugment(options);
  const noise = ctx.noiseClips ?? [];
  const noisy = snrRangeDb(o) !== null;
  if (noisy && o.noiseKind === 'project' && noise.length === 0) bad('noise mixing needs at least one noise clip (record a "noise" class or import noise clips)');
  const d = drawAugment(o, variant, { samples: samples.length, sampleRateHz: ctx.sampleRateHz, frames: ctx.frames, bands: ctx.bands, noiseClips: noise.length, noiseLength: noise[0]?.length ?? 1 });
  let x = d.speedFactor !== 1 ? speedPerturb(samples, d.speedFactor, ctx.sampleRateHz) : samples;
  x = d.shiftSamples ? timeShift(x, d.shiftSamples) : Float32Array.from(x);
  if (o.maxGainDb > 0) x = applyGain(x, d.gainDb);
  if (d.reverb) x = reverberate(x, roomImpulse(d.reverb.rt60Ms, d.reverb.drrDb, ctx.sampleRateHz, mulberry32(d.reverb.seed), x.length));
  if (d.snrDb !== null && x.length > 0) {
    if (o.noiseKind === 'project') {
      const clip = noise[d.noiseIndex % noise.length];
      x = mixNoise(x, clip, d.snrDb, d.noiseOffset % clip.length);
    } else {
      x = mixNoise(x, generateNoise(o.noiseKind, x.length, ctx.sampleRateHz, mulberry32(d.noiseSeed)), d.snrDb);
    }
  }
  return x;
}

/** Feature-domain augmentation (SpecAugment masks) of the same variant. */
export function augmentFeatures(f: Features, options: Partial<AugmentOptions>, variant: number, ctx: { samples: number; sampleRateHz: number }): Features {
  const o = validateAugment(options);
  const d = drawAugment(o, variant, { samples: ctx.samples, sampleRateHz: ctx.sampleRateHz, frames: f.frames, bands: f.bands, noiseClips: 1, noiseLength: 1 });
  const warped = d.bandWarp !== 1 ? warpBands(f, d.bandWarp) : f;
  return d.masks.length ? specAugment(warped, d.masks) : warped;
}

/**
 * The band axis stretched by `factor`: band b takes the value at position b / factor of the
 * original, linearly interpolated, the last band repeated past the end (factor > 1 moves
 * energy to higher bands, as a shorter vocal tract does).
 */
export function warpBands(f: Features, factor: number): Features {
  if (!(factor > 0) || !Number.isFinite(factor)) bad('the band warp factor must be positive');
  const data = new Float32Array(f.data.length);
  const last = f.bands - 1;
  for (let b = 0; b < f.bands; b++) {
    const pos = Math.min(last, b / factor);
    const lo = Math.floor(pos);
    const hi = Math.min(last, lo + 1);
    const w = pos - lo;
    for (let t = 0; t < f.frames; t++) {
      const row = t * f.bands;
      data[row + b] = (1 - w) * f.data[row + lo] + w * f.data[row + hi];
    }
  }
  return { frames: f.frames, bands: f.bands, data };
}
