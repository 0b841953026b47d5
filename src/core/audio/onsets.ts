/**
 * Onset detection for continuous recording: one long take ("yes … yes … yes") → the sounds
 * in it → one model-window clip per sound, centred on the sound's energy.
 *
 * Frame energy in dB over `frameMs` frames; the noise floor is the 10th percentile of the
 * frame levels; a sound starts when a frame rises `thresholdDb` above the floor (and above
 * `minLevelDb` absolute) and ends when the level falls back below threshold − `hysteresisDb`.
 * Sounds closer than `minGapMs` are merged (the gap inside a word), sounds shorter than
 * `minSoundMs` are dropped (clicks). Pure and deterministic.
 */
import { EarshotError } from '../errors.ts';

export interface OnsetOptions {
  frameMs?: number;
  thresholdDb?: number;
  hysteresisDb?: number;
  minLevelDb?: number;
  minGapMs?: number;
  minSoundMs?: number;
}

export const DEFAULT_ONSET_OPTIONS: Required<OnsetOptions> = {
  frameMs: 10,
  thresholdDb: 15,
  hysteresisDb: 6,
  minLevelDb: -55,
  minGapMs: 200,
  minSoundMs: 60,
};

export interface Sound {
  /** First and one-past-last sample of the sound (frame resolution). */
  startSample: number;
  endSample: number;
  peakDb: number;
}

function validate(rateHz: number, o: Required<OnsetOptions>): void {
  if (!Number.isFinite(rateHz) || rateHz <= 0) throw new EarshotError('audio/bad-rate', `bad sample rate ${rateHz}`);
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v)) throw new EarshotError('audio/bad-length', `onset option ${k} must be a finite number`);
  }
  if (o.frameMs <= 0 || o.minGapMs < 0 || o.minSoundMs < 0 || o.thresholdDb <= 0 || o.hysteresisDb < 0) {
    throw new EarshotError('audio/bad-length', 'onset options: frameMs and thresholdDb must be positive, the others ≥ 0');
  }
}

/** Level in dBFS (RMS) of each frame. */
export function frameLevelsDb(samples: Float32Array, frameSamples: number): Float64Array {
  const frames = Math.floor(samples.length / frameSamples);
  const out = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let i = f * frameSamples, e = i + frameSamples; i < e; i++) s += samples[i] * samples[i];
    out[f] = 10 * Math.log10(s / frameSamples + 1e-12);
  }
  return out;
}

/** The sounds of a take, in time order. */
export function detectSounds(samples: Float32Array, rateHz: number, options: OnsetOptions = {}): Sound[] {
  const o = { ...DEFAULT_ONSET_OPTIONS, ...options };
  validate(rateHz, o);
  const frameSamples = Math.max(1, Math.round((rateHz * o.frameMs) / 1000));
  const db = frameLevelsDb(samples, frameSamples);
  if (db.length === 0) return [];
  const sorted = Float64Array.from(db).sort();
  const floor = sorted[Math.floor(0.1 * (sorted.length - 1))];
  const on = Math.max(floor + o.thresholdDb, o.minLevelDb);
  const off = on - o.hysteresisDb;
  const raw: Array<[number, number, number]> = [];
  let start = -1;
  let peak = -Infinity;
  for (let f = 0; f <= db.length; f++) {
    const v = f < db.length ? db[f] : -Infinity;
    if (start < 0) {
      if (v > on) {
        start = f;
        peak = v;
      }
    } else if (v < off) {
      raw.push([start, f, peak]);
      start = -1;
    } else if (v > peak) peak = v;
  }
  const gapFrames = Math.round(o.minGapMs / o.frameMs);
  const merged: Array<[number, number, number]> = [];
  for (const s of raw) {
    const last = merged[merged.length - 1];
    if (last && s[0] - last[1] < gapFrames) {
      last[1] = s[1];
      last[2] = Math.max(last[2], s[2]);
    } else merged.push([...s]);
  }
  const minFrames = Math.ceil(o.minSoundMs / o.frameMs);
  return merged
    .filter(([a, b]) => b - a >= minFrames)
    .map(([a, b, p]) => ({ startSample: a * frameSamples, endSample: Math.min(samples.length, b * frameSamples), peakDb: p }));
}

/**
 * The `length`-sample window whose centre is the energy centroid of samples[from, to),
 * clamped inside the take (zero-padded if the take is shorter than `length`).
 */
export function centreOnEnergy(samples: Float32Array, length: number, from = 0, to = samples.length): Float32Array {
  if (!Number.isInteger(length) || length <= 0) throw new EarshotError('audio/bad-length', `clip length must be a positive integer, got ${length}`);
  let e = 0;
  let m = 0;
  for (let i = from; i < to; i++) {
    const p = samples[i] * samples[i];
    e += p;
    m += p * i;
  }
  const centre = e > 0 ? m / e : (from + to) / 2;
  const out = new Float32Array(length);
  if (samples.length <= length) {
    out.set(samples, Math.floor((length - samples.length) / 2));
    return out;
  }
  const start = Math.min(samples.length - length, Math.max(0, Math.round(centre - length / 2)));
  out.set(samples.subarray(start, start + length));
  return out;
}

/** One clip of `length` samples per sound of the take, each centred on its sound's energy. */
export function splitTake(samples: Float32Array, rateHz: number, length: number, options: OnsetOptions = {}): Array<{ sound: Sound; samples: Float32Array }> {
  return detectSounds(samples, rateHz, options).map((sound) => ({ sound, samples: centreOnEnergy(samples, length, sound.startSample, sound.endSample) }));
}
