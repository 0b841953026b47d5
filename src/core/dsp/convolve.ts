/**
 * Linear convolution in double precision: direct FIR for short kernels, otherwise one complex
 * radix-2 FFT of the packed pair z = x + i·h, a product and one inverse FFT. Unlike fft.ts
 * (the feature extractor's float32 transform, mirrored bit for bit in the exported C), this one
 * only serves augmentation and has no C twin.
 */
import { EarshotError } from '../errors.ts';

interface Tables {
  cos: Float64Array;
  sin: Float64Array;
  bitReverse: Uint32Array;
}

const tables = new Map<number, Tables>();

function tablesFor(n: number): Tables {
  const hit = tables.get(n);
  if (hit) return hit;
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const bits = Math.round(Math.log2(n));
  const bitReverse = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitReverse[i] = r >>> 0;
  }
  const t = { cos, sin, bitReverse };
  tables.set(n, t);
  return t;
}

/** In-place forward complex FFT (e^{−2πikn/N}) of a power-of-two length. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  const { cos, sin, bitReverse } = tablesFor(n);
  for (let i = 0; i < n; i++) {
    const j = bitReverse[i];
    if (j > i) {
      const r = re[i];
      re[i] = re[j];
      re[j] = r;
      const m = im[i];
      im[i] = im[j];
      im[j] = m;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = -sin[k * step];
        const a = start + k;
        const b = a + half;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/** Kernels up to this many taps are applied directly (cheaper than two FFTs). */
const DIRECT_TAPS = 64;

/** The first `outLength` samples (default all x.length + h.length − 1) of the linear convolution x * h. */
export function convolve(x: Float32Array, h: Float32Array, outLength = x.length + h.length - 1): Float32Array {
  if (!Number.isInteger(outLength) || outLength < 0) throw new EarshotError('features/bad-augment', `convolution length must be a non-negative integer, got ${outLength}`);
  const out = new Float32Array(outLength);
  if (x.length === 0 || h.length === 0 || outLength === 0) return out;
  // Samples of x or h beyond outLength cannot reach the kept outputs.
  const nx = Math.min(x.length, outLength);
  const nh = Math.min(h.length, outLength);
  if (nh <= DIRECT_TAPS) {
    for (let i = 0; i < outLength; i++) {
      let acc = 0;
      for (let k = Math.max(0, i - nx + 1); k <= Math.min(i, nh - 1); k++) acc += h[k] * x[i - k];
      out[i] = acc;
    }
    return out;
  }
  let n = 1;
  while (n < nx + nh - 1) n <<= 1;
  if (n > 1 << 22) throw new EarshotError('features/bad-augment', `convolution of ${nx} by ${nh} samples is too long`);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < nx; i++) re[i] = x[i];
  for (let i = 0; i < nh; i++) im[i] = h[i];
  fft(re, im);
  // X[k] = (Z[k] + conj Z[−k])/2, H[k] = (Z[k] − conj Z[−k])/(2i); store conj(X·H) in place,
  // k and n − k together (each reads both).
  for (let k = 0; k <= n / 2; k++) {
    const j = (n - k) & (n - 1);
    const ar = re[k];
    const ai = im[k];
    const br = re[j];
    const bi = im[j];
    const xr = (ar + br) / 2;
    const xi = (ai - bi) / 2;
    const hr = (ai + bi) / 2;
    const hi = (br - ar) / 2;
    // Y[n − k] = conj(X[k]·H[k]) for real x, h, so conj Y[k] = X[k]·H[k] conjugated, conj Y[n − k] = X[k]·H[k].
    const pr = xr * hr - xi * hi;
    const pi = xr * hi + xi * hr;
    re[k] = pr;
    im[k] = -pi;
    re[j] = pr;
    im[j] = pi;
  }
  // ifft(Y) = conj(fft(conj Y))/n; the result is real.
  fft(re, im);
  for (let i = 0; i < outLength && i < n; i++) out[i] = re[i] / n;
  return out;
}
