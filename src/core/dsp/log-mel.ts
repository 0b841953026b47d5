/**
 * Earshot's log-mel features, defined on 16-bit PCM and in float32 arithmetic so that the C
 * header (src/core/export/c/features.h) reproduces them bit for bit:
 *   x[n] = pcm[n] / 32768 (exact)                       per frame f, n = f·hop + i, i < window
 *   y[i] = x[n] · hann[i]   (periodic Hann, float32 table), zero-padded to fftSize
 *   P[k] = |RFFT(y)[k]|², k = 0..fftSize/2               (fft.ts)
 *   E[b] = Σ_i mel[b][i] · P[start_b + i], in bin order  (mel.ts)
 *   out[f·bands + b] = logF32(max(E[b], float32(logFloor)))
 * then, per clip, when the config asks (normalizeFrames below):
 *   relative floor: m = max(out); lo = m − float32(relativeFloorDb·ln10/10); out = max(out, lo)
 *   band mean removal: mean_b = (Σ_f out[f·bands + b], in frame order) / frames; out −= mean_b
 * Tables are computed once per config in double and rounded to float32; the C header embeds
 * the same float32 values as literals.
 */
import { EarshotError } from '../errors.ts';
import { featureConfigKey, featureShape, validateFeatureConfig, type FeatureConfig, type FeatureShape, type Features } from './feature-config.ts';
import { F32_MIN_NORMAL, logF32 } from './f32-math.ts';
import { fftTables, powerSpectrum, type FftTables } from './fft.ts';
import { melFilterbank, type MelFilterbank } from './mel.ts';
import { wasmLogMel } from './log-mel-wasm.ts';

const f = Math.fround;

export interface LogMelTables {
  config: FeatureConfig;
  shape: FeatureShape;
  /** Periodic Hann window of windowSamples, float32. */
  window: Float32Array;
  fft: FftTables;
  mel: MelFilterbank;
  /** float32(config.logFloor). */
  logFloor: number;
  /** float32(relativeFloorDb · ln10 / 10): the relative floor in natural-log units (0 = off). */
  relativeFloor: number;
}

interface Scratch {
  frame: Float32Array;
  power: Float32Array;
  re: Float32Array;
  im: Float32Array;
}

const tableCache = new Map<string, { tables: LogMelTables; scratch: Scratch }>();

function entry(input: Partial<FeatureConfig>): { tables: LogMelTables; scratch: Scratch } {
  const config = validateFeatureConfig(input);
  const key = featureConfigKey(config);
  const hit = tableCache.get(key);
  if (hit) return hit;
  const logFloor = f(config.logFloor);
  if (!(logFloor >= F32_MIN_NORMAL)) {
    throw new EarshotError('features/bad-config', `logFloor ${config.logFloor} is below the smallest normal float32 (1.18e-38)`);
  }
  const shape = featureShape(config);
  const window = new Float32Array(shape.windowSamples);
  for (let i = 0; i < shape.windowSamples; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / shape.windowSamples);
  const tables: LogMelTables = {
    config,
    shape,
    window,
    fft: fftTables(config.fftSize),
    mel: melFilterbank(config),
    logFloor,
    relativeFloor: f((config.relativeFloorDb * Math.LN10) / 10),
  };
  const half = config.fftSize / 2;
  const scratch: Scratch = {
    frame: new Float32Array(config.fftSize),
    power: new Float32Array(half + 1),
    re: new Float32Array(half),
    im: new Float32Array(half),
  };
  const e = { tables, scratch };
  tableCache.set(key, e);
  return e;
}

/** The float32 tables of a config (memoised); the C generator embeds exactly these. */
export function logMelTables(config: Partial<FeatureConfig>): LogMelTables {
  return entry(config).tables;
}

/** Float sample → 16-bit PCM as a microphone delivers it: clamp(round(s·32768)), NaN → 0. */
export function toPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32768);
    out[i] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Number.isNaN(v) ? 0 : v;
  }
  return out;
}

/** Which implementation computes the frames: both give the same bits (tests/unit/log-mel-wasm.test.ts). */
export type LogMelEngine = 'auto' | 'wasm' | 'ts';

/**
 * Log-mel of 16-bit PCM of exactly featureShape(config).inputSamples samples. `engine` 'auto'
 * (default) runs the WebAssembly twin (log-mel.wat) when the host has WebAssembly, else the
 * TypeScript below; 'ts' forces the TypeScript, 'wasm' refuses to fall back.
 */
export function computeLogMelPcm16(pcm: Int16Array, config: Partial<FeatureConfig>, engine: LogMelEngine = 'auto'): Features {
  const { tables, scratch } = entry(config);
  const { shape, mel } = tables;
  if (!(pcm instanceof Int16Array)) throw new EarshotError('audio/bad-length', 'PCM must be an Int16Array');
  if (pcm.length === 0) throw new EarshotError('audio/empty', 'no samples');
  if (pcm.length !== shape.inputSamples) {
    throw new EarshotError('audio/bad-length', `expected ${shape.inputSamples} samples, got ${pcm.length} (fit the clip first)`);
  }
  const out = new Float32Array(shape.frames * mel.bands);
  const done = engine !== 'ts' && wasmLogMel(tables, pcm, out);
  if (!done && engine === 'wasm') throw new EarshotError('features/bad-config', 'WebAssembly is not available here');
  if (!done) logMelFramesTs(tables, scratch, pcm, out);
  normalizeFrames(tables, out);
  return { frames: shape.frames, bands: mel.bands, data: out };
}

/** The TypeScript frames: every op a float32 op (see the file comment). */
function logMelFramesTs(tables: LogMelTables, scratch: Scratch, pcm: Int16Array, out: Float32Array): void {
  const { shape, window, fft, mel, logFloor } = tables;
  const { frame, power, re, im } = scratch;
  const { start, length, offset, weights } = mel;
  const bands = mel.bands;
  const win = shape.windowSamples;
  frame.fill(0);
  for (let fr = 0; fr < shape.frames; fr++) {
    const base = fr * shape.hopSamples;
    // pcm/32768 is exact in float32; the product with the window is rounded by the store.
    for (let i = 0; i < win; i++) frame[i] = (pcm[base + i] * 0.000030517578125) * window[i];
    powerSpectrum(fft, frame, power, re, im);
    for (let b = 0; b < bands; b++) {
      const s = start[b];
      const o = offset[b];
      const len = length[b];
      let acc = 0;
      for (let i = 0; i < len; i++) acc = f(acc + f(weights[o + i] * power[s + i]));
      out[fr * bands + b] = logF32(acc < logFloor ? logFloor : acc);
    }
  }
}

/**
 * The per-clip normalisation of a config, in place on [frames × bands] log-mel, every op a float32
 * op in the order of earshot_normalize in features.h. Does nothing when both options are off.
 */
export function normalizeFrames(tables: LogMelTables, out: Float32Array): void {
  const { relativeFloor, shape, config } = tables;
  const bands = shape.bands;
  if (relativeFloor > 0) {
    let m = out[0];
    for (let i = 1; i < out.length; i++) if (out[i] > m) m = out[i];
    const lo = f(m - relativeFloor);
    for (let i = 0; i < out.length; i++) if (out[i] < lo) out[i] = lo;
  }
  if (config.bandMeanRemoval === 1) {
    for (let b = 0; b < bands; b++) {
      let acc = 0;
      for (let fr = 0; fr < shape.frames; fr++) acc = f(acc + out[fr * bands + b]);
      const mean = f(acc / shape.frames);
      for (let fr = 0; fr < shape.frames; fr++) out[fr * bands + b] = f(out[fr * bands + b] - mean);
    }
  }
}

/** Log-mel of float samples in [-1, 1): converted to 16-bit PCM first (see toPcm16). */
export function computeLogMel(samples: Float32Array, config: Partial<FeatureConfig>, engine: LogMelEngine = 'auto'): Features {
  if (samples.length === 0) throw new EarshotError('audio/empty', 'no samples');
  return computeLogMelPcm16(toPcm16(samples), config, engine);
}

export interface InputQuantization {
  scale: number;
  zeroPoint: number;
}

/** float32(1/scale): the multiplier both TS and C use to quantize features. */
export function inputInvScale(scale: number): number {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new EarshotError('quant/bad-calibration', `input scale must be positive, got ${scale}`);
  const inv = f(1 / scale);
  if (!Number.isFinite(inv)) throw new EarshotError('quant/bad-calibration', `input scale ${scale} is too small`);
  return inv;
}

/**
 * int8 features: q = clamp(floor(float32(float32(x·inv) + 0.5)) + zeroPoint, −128, 127), inv =
 * inputInvScale(scale). (Rounding half up; the C header uses the same float32 formula.)
 */
export function quantizeFeatures(features: Features, q: InputQuantization): Int8Array {
  const inv = inputInvScale(q.scale);
  const zp = q.zeroPoint;
  if (!Number.isInteger(zp) || zp < -128 || zp > 127) throw new EarshotError('quant/bad-calibration', `zero point must be an integer in [-128, 127], got ${zp}`);
  const x = features.data;
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const u = f(f(x[i] * inv) + 0.5);
    const v = Math.floor(u) + zp;
    out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
  return out;
}
