/**
 * FeatureConfig: the one definition of Earshot's log-mel features. Stored with every model;
 * the exported C carries the same constants. Units are in the field names.
 */
import { EarshotError } from '../errors.ts';

export interface FeatureConfig {
  version: 1;
  sampleRateHz: number;
  clipMs: number;
  windowMs: number;
  hopMs: number;
  fftSize: number;
  melBands: number;
  fMinHz: number;
  fMaxHz: number;
  /** Mel energies below this are clamped before the natural log. */
  logFloor: number;
  /**
   * Per-clip floor: log-mel values more than this many dB below the clip's loudest value are
   * raised to that level, so quiet rooms and loud rooms look alike (0 = off).
   */
  relativeFloorDb: number;
  /**
   * 1: subtract each band's mean over the clip's frames (after the relative floor), which
   * removes a microphone's or a voice's fixed spectral tilt; 0: off.
   */
  bandMeanRemoval: number;
}

/**
 * Fields added after version 1 was first saved: absent in a stored config, they are off (0), so a
 * config saved before them means what it meant: DEFAULT_FEATURE_CONFIG, which fills absent
 * fields, keeps them 0.
 */
export const LATER_FEATURE_FIELDS = ['relativeFloorDb', 'bandMeanRemoval'] as const;

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = Object.freeze({
  version: 1,
  sampleRateHz: 16000,
  clipMs: 1000,
  windowMs: 30,
  hopMs: 20,
  fftSize: 512,
  melBands: 40,
  fMinHz: 20,
  fMaxHz: 8000,
  logFloor: 1e-6,
  relativeFloorDb: 0,
  bandMeanRemoval: 0,
}) as FeatureConfig;

/** Sizes that follow from a config, in samples and frames. */
export interface FeatureShape {
  inputSamples: number;
  windowSamples: number;
  hopSamples: number;
  frames: number;
  bands: number;
  featureCount: number;
}

export function featureShape(c: FeatureConfig): FeatureShape {
  const inputSamples = Math.round((c.sampleRateHz * c.clipMs) / 1000);
  const windowSamples = Math.round((c.sampleRateHz * c.windowMs) / 1000);
  const hopSamples = Math.round((c.sampleRateHz * c.hopMs) / 1000);
  const frames = 1 + Math.floor((inputSamples - windowSamples) / hopSamples);
  return { inputSamples, windowSamples, hopSamples, frames, bands: c.melBands, featureCount: frames * c.melBands };
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Field names of a FeatureConfig that a user can edit. */
export type FeatureField = Exclude<keyof FeatureConfig, 'version'>;

export const FEATURE_FIELDS: readonly FeatureField[] = ['sampleRateHz', 'clipMs', 'windowMs', 'hopMs', 'fftSize', 'melBands', 'fMinHz', 'fMaxHz', 'logFloor', 'relativeFloorDb', 'bandMeanRemoval'];

/** The fields every stored version-1 config has (the rest are LATER_FEATURE_FIELDS). */
export const FIRST_FEATURE_FIELDS: readonly FeatureField[] = FEATURE_FIELDS.filter((k) => !(LATER_FEATURE_FIELDS as readonly string[]).includes(k));

/** One broken rule of a config: which field, and why (the UI marks the field with it). */
export interface FeatureProblem {
  field: FeatureField | 'version';
  message: string;
}

/**
 * Every rule a config breaks, after filling defaults; [] when it is valid. The first problem
 * is what validateFeatureConfig throws. Rules that need sizes (window vs FFT) are only checked
 * once every field is a finite number.
 */
export function featureConfigProblems(input: Partial<FeatureConfig>): FeatureProblem[] {
  const c: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...input } as FeatureConfig;
  const out: FeatureProblem[] = [];
  const bad = (field: FeatureProblem['field'], message: string) => out.push({ field, message });
  if (c.version !== 1) bad('version', `unknown FeatureConfig version ${String(c.version)}`);
  for (const k of FEATURE_FIELDS) {
    if (typeof c[k] !== 'number' || !Number.isFinite(c[k])) bad(k, `${k} must be a finite number`);
  }
  if (out.length) return out;
  if (!Number.isInteger(c.sampleRateHz) || c.sampleRateHz < 4000 || c.sampleRateHz > 48000) bad('sampleRateHz', 'sampleRateHz must be an integer from 4000 to 48000');
  if (c.clipMs < 100 || c.clipMs > 10000) bad('clipMs', 'clipMs must be from 100 to 10000');
  if (c.windowMs <= 0) bad('windowMs', 'windowMs must be positive');
  if (c.hopMs <= 0) bad('hopMs', 'hopMs must be positive');
  if (!isPow2(c.fftSize) || c.fftSize < 64 || c.fftSize > 4096) bad('fftSize', 'fftSize must be a power of two from 64 to 4096');
  if (!Number.isInteger(c.melBands) || c.melBands < 4 || c.melBands > 128) bad('melBands', 'melBands must be an integer from 4 to 128');
  if (c.fMinHz < 0) bad('fMinHz', 'fMinHz must be >= 0');
  if (c.fMaxHz <= c.fMinHz) bad('fMaxHz', 'fMaxHz must be above fMinHz');
  if (c.fMaxHz > c.sampleRateHz / 2) bad('fMaxHz', `fMaxHz ${c.fMaxHz} is above the Nyquist frequency ${c.sampleRateHz / 2}`);
  if (!(c.logFloor > 0)) bad('logFloor', 'logFloor must be positive');
  else if (!(Math.fround(c.logFloor) >= 2 ** -126)) bad('logFloor', `logFloor ${c.logFloor} is below the smallest normal float32 (1.18e-38)`);
  if (c.relativeFloorDb < 0 || c.relativeFloorDb > 200) bad('relativeFloorDb', 'relativeFloorDb must be from 0 (off) to 200 dB');
  if (c.bandMeanRemoval !== 0 && c.bandMeanRemoval !== 1) bad('bandMeanRemoval', 'bandMeanRemoval must be 0 (off) or 1 (on)');
  if (c.windowMs > 0 && c.hopMs > 0 && c.sampleRateHz > 0) {
    const s = featureShape(c);
    if (s.windowSamples < 2) bad('windowMs', 'the window is shorter than two samples');
    if (s.windowSamples > c.fftSize) bad('windowMs', `window of ${s.windowSamples} samples is longer than fftSize ${c.fftSize}`);
    if (s.hopSamples < 1) bad('hopMs', 'hopMs is shorter than one sample');
    if (s.windowSamples > s.inputSamples) bad('windowMs', 'window is longer than the clip');
  }
  return out;
}

/** Fill defaults for missing fields, then check every rule; throws 'features/bad-config' with the first problem. */
export function validateFeatureConfig(input: Partial<FeatureConfig>): FeatureConfig {
  const c: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...input } as FeatureConfig;
  const problems = featureConfigProblems(c);
  if (problems.length) throw new EarshotError('features/bad-config', problems[0].message);
  return c;
}

/** Whether the config asks for any per-clip normalisation (the extractor then needs the whole window). */
export function isNormalised(c: Pick<FeatureConfig, 'relativeFloorDb' | 'bandMeanRemoval'>): boolean {
  return c.relativeFloorDb > 0 || c.bandMeanRemoval === 1;
}

/** A stable string key of a config (for caches keyed by config). */
export function featureConfigKey(c: FeatureConfig): string {
  return [c.version, c.sampleRateHz, c.clipMs, c.windowMs, c.hopMs, c.fftSize, c.melBands, c.fMinHz, c.fMaxHz, c.logFloor, c.relativeFloorDb, c.bandMeanRemoval].join('|');
}

/** Row-major [frames × bands] log-mel matrix. */
export interface Features {
  frames: number;
  bands: number;
  data: Float32Array;
}
