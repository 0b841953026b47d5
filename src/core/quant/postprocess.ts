/**
 * Post-processing for continuous audio: the classifier runs every `windowHopMs` on the last
 * clip-length of audio; the post-processor averages the class probabilities of the last
 * `averageWindows` windows, reports a detection when the top averaged probability reaches
 * `threshold`, and then stays silent for `suppressionMs` (the idea of TFLM micro_speech's
 * RecognizeCommands: average, threshold, suppress).
 *
 * One definition, two implementations: this file and src/core/export/c/postprocess.h compute
 * the same float32 values step by step (every operation rounded to float32, in the same order,
 * with an own exp so that no libm is involved), so the page and the firmware detect the same
 * events on the same scores; tests/c/postprocess.test.ts compares them bit for bit.
 */
import { EarshotError } from '../errors.ts';
import type { QuantParams } from './quantized-model.ts';

export interface PostprocessingSettings {
  /** Average the class probabilities over the last N windows (1 = no averaging). */
  averageWindows: number;
  /** Report a detection when the top averaged probability is at least this (0..1]. */
  threshold: number;
  /** After a detection, report nothing for this long. */
  suppressionMs: number;
  /** Time between successive windows in continuous classification. */
  windowHopMs: number;
}

export const DEFAULT_POSTPROCESSING: Readonly<PostprocessingSettings> = Object.freeze({
  averageWindows: 3,
  threshold: 0.7,
  suppressionMs: 1000,
  windowHopMs: 250,
});

export const MAX_AVERAGE_WINDOWS = 64;

/** Defaults for missing fields, then validation (throws 'postprocess/invalid'). */
export function validatePostprocessing(partial: Partial<PostprocessingSettings> = {}): PostprocessingSettings {
  const s: PostprocessingSettings = {
    averageWindows: partial.averageWindows ?? DEFAULT_POSTPROCESSING.averageWindows,
    threshold: partial.threshold ?? DEFAULT_POSTPROCESSING.threshold,
    suppressionMs: partial.suppressionMs ?? DEFAULT_POSTPROCESSING.suppressionMs,
    windowHopMs: partial.windowHopMs ?? DEFAULT_POSTPROCESSING.windowHopMs,
  };
  const bad = (why: string): never => {
    throw new EarshotError('postprocess/invalid', why);
  };
  if (!Number.isInteger(s.averageWindows) || s.averageWindows < 1 || s.averageWindows > MAX_AVERAGE_WINDOWS) {
    bad(`averageWindows must be an integer from 1 to ${MAX_AVERAGE_WINDOWS}, got ${String(s.averageWindows)}`);
  }
  if (typeof s.threshold !== 'number' || !(s.threshold > 0 && s.threshold <= 1)) bad(`threshold must be in (0, 1], got ${String(s.threshold)}`);
  if (typeof s.suppressionMs !== 'number' || !(s.suppressionMs >= 0 && s.suppressionMs <= 60_000)) bad(`suppressionMs must be from 0 to 60000, got ${String(s.suppressionMs)}`);
  if (typeof s.windowHopMs !== 'number' || !(s.windowHopMs >= 1 && s.windowHopMs <= 10_000)) bad(`windowHopMs must be from 1 to 10000, got ${String(s.windowHopMs)}`);
  return s;
}

/** Windows to stay silent after a detection: ceil(suppressionMs / windowHopMs). */
export function suppressionWindows(s: PostprocessingSettings): number {
  return Math.ceil(s.suppressionMs / s.windowHopMs);
}

const f = Math.fround;
const LOG2E = f(1.44269504);
// Cody-Waite split of ln 2 for float32 (the high part has few bits: k * LN2_HI is exact)
const LN2_HI = f(0.693359375);
const LN2_LO = f(-2.12194440e-4);
const EXP_MIN = f(-87);

/** e^x for x <= 0 in float32 steps (Taylor polynomial of degree 6 on |r| <= ln2/2); 0 below -87. */
export function expNegF32(x: number): number {
  const xf = f(x);
  if (xf < EXP_MIN) return 0;
  const t = f(xf * LOG2E);
  const k = -Math.trunc(f(f(0.5) - t));
  const r = f(f(xf - f(k * LN2_HI)) - f(k * LN2_LO));
  let p = f(1 / 720);
  p = f(f(p * r) + f(1 / 120));
  p = f(f(p * r) + f(1 / 24));
  p = f(f(p * r) + f(1 / 6));
  p = f(f(p * r) + 0.5);
  p = f(f(p * r) + 1);
  p = f(f(p * r) + 1);
  return f(p * 2 ** k);
}

/** Softmax of the dequantized int8 scores (quantized logits), float32 step by step. */
export function probabilitiesFromScores(scores: Int8Array, output: QuantParams, into?: Float32Array): Float32Array {
  const n = scores.length;
  const out = into ?? new Float32Array(n);
  const scale = f(output.scale);
  let maxQ = -128;
  for (let i = 0; i < n; i++) if (scores[i]! > maxQ) maxQ = scores[i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // scale * (q - max): the max logit subtracted, as exact integer difference first
    out[i] = expNegF32(f(scale * (scores[i]! - maxQ)));
    sum = f(sum + out[i]!);
  }
  for (let i = 0; i < n; i++) out[i] = f(out[i]! / sum);
  return out;
}

export interface Detection {
  /** Class index. */
  classIndex: number;
  /** Its averaged probability. */
  probability: number;
}

export interface Postprocessor {
  readonly settings: PostprocessingSettings;
  /** Add one window's class probabilities; a detection or null. */
  push(probabilities: ArrayLike<number>): Detection | null;
  /** Add one window's int8 scores (softmax of the dequantized logits first). */
  pushScores(scores: Int8Array, output: QuantParams): Detection | null;
  /** The averaged probabilities after the last push (float32 values). */
  readonly average: Float32Array;
  reset(): void;
}

/**
 * A streaming post-processor (same steps as P_pp_push in C). The number of classes is fixed by
 * the first push (or given); later pushes of another length throw 'postprocess/invalid'.
 */
export function createPostprocessor(settings: Partial<PostprocessingSettings> = {}, numClasses?: number): Postprocessor {
  const s = validatePostprocessing(settings);
  const n = s.averageWindows;
  const suppress = suppressionWindows(s);
  const threshold = f(s.threshold);
  let classes = 0;
  let ring = new Float32Array(0);
  let average = new Float32Array(0);
  let probs = new Float32Array(0);
  let next = 0;
  let count = 0;
  let since = suppress;
  const shape = (k: number) => {
    if (!Number.isInteger(k) || k < 1) throw new EarshotError('postprocess/invalid', `the number of classes must be a positive integer, got ${String(k)}`);
    if (classes === 0) {
      classes = k;
      ring = new Float32Array(n * k);
      average = new Float32Array(k);
      probs = new Float32Array(k);
    } else if (k !== classes) {
      throw new EarshotError('postprocess/invalid', `expected ${classes} classes, got ${k}`);
    }
  };
  if (numClasses !== undefined) shape(numClasses);
  const pp: Postprocessor = {
    settings: s,
    get average() {
      return average;
    },
    push(p) {
      shape(p.length);
      for (let c = 0; c < classes; c++) ring[next * classes + c] = p[c]!;
      next = (next + 1) % n;
      if (count < n) count++;
      if (since < suppress) since++;
      // oldest window first
      for (let c = 0; c < classes; c++) {
        let sum = 0;
        for (let k = 0; k < count; k++) sum = f(sum + ring[((next - count + k + n) % n) * classes + c]!);
        average[c] = f(sum / count);
      }
      if (count < n) return null;
      let top = 0;
      for (let c = 1; c < classes; c++) if (average[c]! > average[top]!) top = c;
      if (average[top]! >= threshold && since >= suppress) {
        since = 0;
        return { classIndex: top, probability: average[top]! };
      }
      return null;
    },
    pushScores(scores, output) {
      shape(scores.length);
      return pp.push(probabilitiesFromScores(scores, output, probs));
    },
    reset() {
      ring.fill(0);
      average.fill(0);
      next = 0;
      count = 0;
      since = suppress;
    },
  };
  return pp;
}
