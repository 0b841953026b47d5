/**
 * Band-limited resampling by a Kaiser-windowed sinc, for any rate ratio.
 * Cutoff at 0.45 × the lower of the two rates (90 % of the lower Nyquist), 24 zero crossings
 * each side, Kaiser β = 7.86 (≈ 80 dB stopband by Kaiser's formula β = 0.1102·(A − 8.7)), so the
 * transition band ends at the lower Nyquist. The kernel is tabulated (512 points per zero
 * crossing, linear interpolation) once per module; accumulation is in double. For integer
 * rates with ≤ 1024 phases (every common audio rate pair) the coefficients of each phase are
 * computed once (polyphase bank), so the inner loop is a plain dot product.
 */
import { EarshotError } from '../errors.ts';

const ZERO_CROSSINGS = 24;
const ROLLOFF = 0.9;
const KAISER_BETA = 0.1102 * (80 - 8.7);
const TABLE_PER_CROSSING = 512;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

let kernelTable: Float64Array | undefined;

/** sinc(u)·kaiser(u/Z) for u in [0, Z] at TABLE_PER_CROSSING points per unit (plus a guard). */
function kernel(): Float64Array {
  if (kernelTable) return kernelTable;
  const n = ZERO_CROSSINGS * TABLE_PER_CROSSING + 2;
  const t = new Float64Array(n);
  const i0b = besselI0(KAISER_BETA);
  for (let i = 0; i < n; i++) {
    const u = i / TABLE_PER_CROSSING;
    if (u >= ZERO_CROSSINGS) {
      t[i] = 0;
      continue;
    }
    const r = u / ZERO_CROSSINGS;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    t[i] = sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0b);
  }
  kernelTable = t;
  return t;
}

function checkRate(name: string, hz: number): void {
  if (typeof hz !== 'number' || !Number.isFinite(hz) || hz <= 0) {
    throw new EarshotError('audio/bad-rate', `${name} must be a positive number of Hz, got ${String(hz)}`);
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Largest phase count worth a precomputed polyphase bank (16000/44100 needs 160 phases). */
const MAX_PHASES = 1024;

interface Bank {
  /** Output i = q·phases + p starts at input q·stepIn + base[p]; taps coef[p·width + k] for k < width. */
  phases: number;
  stepIn: number;
  base: Int32Array;
  width: number;
  first: number;
  coef: Float64Array;
}

const banks = new Map<string, Bank>();

/**
 * Polyphase coefficients for integer rates with a small phase count: the same kernel values
 * the direct loop would interpolate (offsets from exact rational phases), computed once.
 */
function bank(fromHz: number, toHz: number, twoFc: number, half: number, table: Float64Array): Bank | null {
  if (!Number.isInteger(fromHz) || !Number.isInteger(toHz)) return null;
  const g = gcd(fromHz, toHz);
  const phases = toHz / g;
  const stepIn = fromHz / g;
  if (phases > MAX_PHASES) return null;
  const key = `${fromHz}/${toHz}`;
  const hit = banks.get(key);
  if (hit) return hit;
  const first = -Math.floor(half);
  const width = 2 * Math.floor(half) + 2;
  const base = new Int32Array(phases);
  const coef = new Float64Array(phases * width);
  for (let p = 0; p < phases; p++) {
    base[p] = Math.floor((p * stepIn) / phases);
    const frac = ((p * stepIn) % phases) / phases;
    for (let k = 0; k < width; k++) {
      const d = Math.abs(frac - (first + k));
      if (d > half) continue;
      const u = d * twoFc * TABLE_PER_CROSSING;
      const i = Math.floor(u);
      coef[p * width + k] = table[i] + (table[i + 1] - table[i]) * (u - i);
    }
  }
  const b: Bank = { phases, stepIn, base, width, first, coef };
  banks.set(key, b);
  return b;
}

/** Resample `samples` from fromHz to toHz; output length round(n·toHz/fromHz). */
export function resample(samples: Float32Array, fromHz: number, toHz: number): Float32Array {
  checkRate('fromHz', fromHz);
  checkRate('toHz', toHz);
  if (fromHz === toHz) return Float32Array.from(samples);
  const n = samples.length;
  const outLength = Math.round((n * toHz) / fromHz);
  const out = new Float32Array(outLength);
  if (n === 0) return out;
  const table = kernel();
  // Cutoff in cycles per input sample, and the kernel's half-length in input samples.
  const fc = 0.5 * ROLLOFF * Math.min(1, toHz / fromHz);
  const twoFc = 2 * fc;
  const half = ZERO_CROSSINGS / twoFc;
  const b = bank(fromHz, toHz, twoFc, half, table);
  if (b) {
    const { phases, stepIn, base, width, first, coef } = b;
    for (let i = 0; i < outLength; i++) {
      const p = i % phases;
      const j = ((i - p) / phases) * stepIn + base[p] + first;
      const o = p * width;
      let acc = 0;
      if (j >= 0 && j + width <= n) {
        for (let k = 0; k < width; k++) acc += samples[j + k] * coef[o + k];
      } else {
        for (let k = Math.max(0, -j); k < width && j + k < n; k++) acc += samples[j + k] * coef[o + k];
      }
      out[i] = acc * twoFc;
    }
    return out;
  }
  const step = fromHz / toHz;
  for (let i = 0; i < outLength; i++) {
    const t = i * step;
    const j0 = Math.max(0, Math.ceil(t - half));
    const j1 = Math.min(n - 1, Math.floor(t + half));
    let acc = 0;
    for (let j = j0; j <= j1; j++) {
      const u = Math.abs(t - j) * twoFc * TABLE_PER_CROSSING;
      const k = Math.floor(u);
      const frac = u - k;
      const h = table[k] + (table[k + 1] - table[k]) * frac;
      acc += samples[j] * h;
    }
    out[i] = acc * twoFc;
  }
  return out;
}
