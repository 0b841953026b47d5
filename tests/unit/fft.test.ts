import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fftTables, powerSpectrum } from '../../src/core/dsp/fft.ts';

function run(x: Float32Array): Float32Array {
  const t = fftTables(x.length);
  const out = new Float32Array(x.length / 2 + 1);
  powerSpectrum(t, x, out, new Float32Array(x.length / 2), new Float32Array(x.length / 2));
  return out;
}

/** Naive DFT power in double. */
function dftPower(x: Float32Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      re += x[j] * Math.cos((2 * Math.PI * j * k) / n);
      im -= x[j] * Math.sin((2 * Math.PI * j * k) / n);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

const sizes = [4, 8, 16, 64, 256, 512, 1024];

describe('real FFT power spectrum (float32)', () => {
  it('satisfies Parseval: Σ|x|²·n = P0 + P(n/2) + 2·Σ P(k)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sizes),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, seed) => {
          let s = seed >>> 0;
          const x = new Float32Array(n);
          for (let i = 0; i < n; i++) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            x[i] = s / 2 ** 32 - 0.5;
          }
          const p = run(x);
          let time = 0;
          for (const v of x) time += v * v;
          let freq = p[0] + p[n / 2];
          for (let k = 1; k < n / 2; k++) freq += 2 * p[k];
          return Math.abs(freq - n * time) <= 1e-5 * n * time;
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });

  it('matches a naive double DFT bin by bin', () => {
    for (const n of [8, 64, 512]) {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 0.6 + Math.cos(i * 2.1) * 0.3 + (i % 5) * 0.01;
      const p = run(x);
      const ref = dftPower(x);
      const peak = Math.max(...ref);
      for (let k = 0; k <= n / 2; k++) expect(Math.abs(p[k] - ref[k])).toBeLessThanOrEqual(2e-6 * peak);
    }
  });

  it('gives a flat spectrum for an impulse and a single bin for a cosine on a bin', () => {
    const imp = new Float32Array(64);
    imp[0] = 1;
    expect(Array.from(run(imp))).toEqual(new Array(33).fill(1));
    const n = 256;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.cos((2 * Math.PI * 10 * i) / n);
    const p = run(x);
    expect(p[10]).toBeCloseTo((n / 2) ** 2, -1);
    for (let k = 0; k <= n / 2; k++) if (k !== 10) expect(p[k]).toBeLessThan(1e-6 * p[10]);
  });

  it('memoises tables and rejects bad sizes', () => {
    expect(fftTables(512)).toBe(fftTables(512));
    expect(fftTables(512).cos.length).toBe(256);
    expect(() => fftTables(100)).toThrow(/power of two/);
    expect(() => fftTables(2)).toThrow(/power of two/);
  });
});

/** The C's loop order (earshot_power_spectrum in features.h), transcribed: block by block, every twiddle multiplied. */
function powerSpectrumAsC(x: Float32Array): Float32Array {
  const f = Math.fround;
  const t = fftTables(x.length);
  const half = x.length / 2;
  const re = new Float32Array(half);
  const im = new Float32Array(half);
  const out = new Float32Array(half + 1);
  for (let m = 0; m < half; m++) {
    re[t.bitReverse[m]] = x[2 * m];
    im[t.bitReverse[m]] = x[2 * m + 1];
  }
  for (let h = 1; h < half; h <<= 1) {
    const stride = x.length / (2 * h);
    for (let start = 0; start < half; start += 2 * h) {
      for (let j = 0; j < h; j++) {
        const a = start + j;
        const b = a + h;
        const c = t.cos[j * stride];
        const s = t.sin[j * stride];
        const tr = f(f(re[b] * c) + f(im[b] * s));
        const ti = f(f(im[b] * c) - f(re[b] * s));
        const ar = re[a];
        const ai = im[a];
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
  out[0] = f(f(re[0] + im[0]) * f(re[0] + im[0]));
  out[half] = f(f(re[0] - im[0]) * f(re[0] - im[0]));
  for (let k = 1; k < half; k++) {
    const er = f(f(re[k] + re[half - k]) * 0.5);
    const ei = f(f(im[k] - im[half - k]) * 0.5);
    const or = f(f(im[k] + im[half - k]) * 0.5);
    const oi = f(f(re[half - k] - re[k]) * 0.5);
    const xr = f(er + f(f(t.cos[k] * or) + f(t.sin[k] * oi)));
    const xi = f(ei + f(f(t.cos[k] * oi) - f(t.sin[k] * or)));
    out[k] = f(f(xr * xr) + f(xi * xi));
  }
  return out;
}

describe('powerSpectrum skips the j = 0 twiddle products and still gives the C\'s bits', () => {
  it('equals the C loop order bit for bit (random signals with zeros, signed zeros and sparse spikes)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(4, 8, 64, 256, 512),
        fc.array(fc.oneof(fc.constant(0), fc.constant(-0), fc.float({ min: -1, max: 1, noNaN: true })), { minLength: 1, maxLength: 64 }),
        (n, vals) => {
          const x = new Float32Array(n);
          for (let i = 0; i < n; i++) x[i] = vals[i % vals.length] * (i % 3 === 0 ? 0 : 1);
          const got = run(x);
          const want = powerSpectrumAsC(x);
          for (let k = 0; k < got.length; k++) if (!Object.is(got[k], want[k])) return false;
          return true;
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });
});
