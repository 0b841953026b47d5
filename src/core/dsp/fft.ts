/**
 * Real FFT of size n (a power of two ≥ 4) in float32 arithmetic, computed as a complex radix-2
 * FFT of size n/2 over the packed even/odd samples followed by the usual split step.
 * Twiddles are one float32 table of cos/sin(2πk/n), k < n/2 (computed in double, then rounded);
 * the half-size complex FFT reads it with stride 2. The C twin (`earshot_power_spectrum` in
 * src/core/export/c/features.h) performs the same float32 operations in the same order.
 */
import { EarshotError } from '../errors.ts';

const f = Math.fround;

export interface FftTables {
  /** Real transform size n. */
  size: number;
  /** cos(2πk/n) for k < n/2, float32. */
  cos: Float32Array;
  /** sin(2πk/n) for k < n/2, float32. */
  sin: Float32Array;
  /** Bit reversal permutation of log2(n/2) bits, length n/2. */
  bitReverse: Uint16Array;
}

const cache = new Map<number, FftTables>();

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Tables for a real FFT of size n (memoised). */
export function fftTables(n: number): FftTables {
  const hit = cache.get(n);
  if (hit) return hit;
  if (!isPow2(n) || n < 4 || n > 65536) {
    throw new EarshotError('features/bad-config', `FFT size must be a power of two from 4 to 65536, got ${n}`);
  }
  const half = n / 2;
  const cos = new Float32Array(half);
  const sin = new Float32Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const bits = Math.round(Math.log2(half));
  const bitReverse = new Uint16Array(half);
  for (let i = 0; i < half; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitReverse[i] = r;
  }
  const t: FftTables = { size: n, cos, sin, bitReverse };
  cache.set(n, t);
  return t;
}

/**
 * Power spectrum |X[k]|² for k = 0..n/2 of the real signal `input` (length n), written to
 * `out` (length n/2+1). `re`/`im` are caller-owned scratch of length n/2 (no allocation here).
 */
export function powerSpectrum(
  t: FftTables,
  input: Float32Array,
  out: Float32Array,
  re: Float32Array,
  im: Float32Array,
): void {
  const n = t.size;
  const half = n >> 1;
  const { cos, sin, bitReverse } = t;
  // Pack z[m] = x[2m] + i·x[2m+1] in bit-reversed order.
  for (let m = 0; m < half; m++) {
    const r = bitReverse[m];
    re[r] = input[2 * m];
    im[r] = input[2 * m + 1];
  }
  // Iterative radix-2 DIT butterflies; twiddle e^{-2πij/(2h)} = cos[j·s] − i·sin[j·s], s = n/(2h).
  // Butterflies of one stage touch disjoint pairs, so visiting them twiddle by twiddle (j outer)
  // gives the same values as the C's block-by-block order.
  // j = 0 has cos = 1 and sin = 0 exactly: t = b·1 + b·0 equals b up to the sign of a zero, and the
  // sign of a zero cannot change any power value (only + − × follow, and |x|² ≥ +0), so those
  // butterflies skip the products; the C keeps them and gets the same bits.
  for (let h = 1; h < half; h <<= 1) {
    const stride = (half / h) | 0;
    const span = h << 1;
    for (let a = 0; a < half; a += span) {
      const b = a + h;
      const br = re[b];
      const bi = im[b];
      const ar = re[a];
      const ai = im[a];
      re[b] = ar - br;
      im[b] = ai - bi;
      re[a] = ar + br;
      im[a] = ai + bi;
    }
    for (let j = 1; j < h; j++) {
      const c = cos[j * stride];
      const s = sin[j * stride];
      for (let a = j; a < half; a += span) {
        const b = a + h;
        const br = re[b];
        const bi = im[b];
        const tr = f(f(br * c) + f(bi * s));
        const ti = f(f(bi * c) - f(br * s));
        const ar = re[a];
        const ai = im[a];
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
  // Split: X[k] = E[k] + W^k·O[k], E = (Z[k] + conj Z[half−k])/2, O = (Z[k] − conj Z[half−k])/(2i).
  const r0 = re[0];
  const i0 = im[0];
  out[0] = f(f(r0 + i0) * f(r0 + i0));
  out[half] = f(f(r0 - i0) * f(r0 - i0));
  for (let k = 1; k < half; k++) {
    const zr = re[k];
    const zi = im[k];
    const yr = re[half - k];
    const yi = im[half - k];
    const er = f(f(zr + yr) * 0.5);
    const ei = f(f(zi - yi) * 0.5);
    const or = f(f(zi + yi) * 0.5);
    const oi = f(f(yr - zr) * 0.5);
    const c = cos[k];
    const s = sin[k];
    const xr = f(er + f(f(c * or) + f(s * oi)));
    const xi = f(ei + f(f(c * oi) - f(s * or)));
    out[k] = f(f(xr * xr) + f(xi * xi));
  }
}
