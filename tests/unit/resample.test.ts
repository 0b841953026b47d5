import { describe, expect, it } from 'vitest';
import { resample } from '../../src/core/audio/resample.ts';
import { EarshotError } from '../../src/core/errors.ts';

function tone(hz: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

/** RMS over the middle half (away from the edges, where the kernel runs off the signal). */
function midRms(x: Float32Array): number {
  let s = 0;
  const a = Math.floor(x.length / 4);
  const b = Math.floor((3 * x.length) / 4);
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / (b - a));
}

describe('resample (Kaiser-windowed sinc)', () => {
  it('is the identity (a copy) when rates are equal', () => {
    const x = tone(440, 16000, 0.1);
    const y = resample(x, 16000, 16000);
    expect(y).not.toBe(x);
    expect(y).toEqual(x);
  });

  it('has length round(n·to/from)', () => {
    expect(resample(new Float32Array(44100), 44100, 16000).length).toBe(16000);
    expect(resample(new Float32Array(1001), 48000, 16000).length).toBe(334);
    expect(resample(new Float32Array(8000), 8000, 16000).length).toBe(16000);
    expect(resample(new Float32Array(0), 8000, 16000).length).toBe(0);
  });

  for (const [from, to, hz] of [
    [48000, 16000, 1000],
    [44100, 16000, 3000],
    [22050, 16000, 5000],
    [8000, 16000, 1000],
    [16000, 8000, 2500],
  ] as const) {
    it(`keeps a ${hz} Hz tone from ${from} to ${to} Hz (error < 1e-3 of amplitude)`, () => {
      const y = resample(tone(hz, from, 0.5), from, to);
      const ref = tone(hz, to, 0.5);
      let worst = 0;
      for (let i = Math.floor(y.length / 4); i < Math.floor((3 * y.length) / 4); i++) worst = Math.max(worst, Math.abs(y[i] - ref[i]));
      expect(worst).toBeLessThan(0.5e-3);
    });
  }

  for (const [from, to, hz] of [
    [48000, 16000, 9000],
    [44100, 16000, 12000],
    [48000, 16000, 20000],
    [16000, 8000, 4500],
    [22050, 16000, 8500],
  ] as const) {
    it(`attenuates a ${hz} Hz tone (above the new Nyquist) by ≥ 40 dB from ${from} to ${to} Hz`, () => {
      const y = resample(tone(hz, from, 0.5), from, to);
      const db = 20 * Math.log10(midRms(y) / (0.5 / Math.SQRT2));
      expect(db).toBeLessThan(-40);
    });
  }

  it('rejects non-positive rates', () => {
    expect(() => resample(new Float32Array(4), 0, 16000)).toThrow(EarshotError);
    expect(() => resample(new Float32Array(4), 16000, NaN)).toThrow(EarshotError);
  });
});
