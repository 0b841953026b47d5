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
