import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyGain, augmentFeatures, augmentSamples, DEFAULT_AUGMENT, mixNoise, NO_AUGMENT, specAugment, timeShift, validateAugment } from '../../src/core/dataset/augment.ts';
import { codeOf } from './error-code.ts';
import { computeLogMel } from '../../src/core/dsp/log-mel.ts';

function seeded(n: number, seed: number, amp: number): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = amp * ((s / 2 ** 32) * 2 - 1);
  }
  return x;
}

const meanSquare = (x: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s / x.length;
};


describe('mixNoise', () => {
  it('achieves the asked SNR within 0.1 dB (measured on the float32 output)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.double({ min: -10, max: 40, noNaN: true }),
        fc.double({ min: 1e-3, max: 0.9, noNaN: true }),
        fc.integer({ min: 0, max: 5000 }),
        (s1, s2, snr, amp, offset) => {
          const signal = seeded(4000, s1, amp);
          const noise = seeded(3000, s2, 0.2);
          const out = mixNoise(signal, noise, snr, offset);
          const added = out.map((v, i) => v - signal[i]);
          const got = 10 * Math.log10(meanSquare(signal) / meanSquare(added));
          return Math.abs(got - snr) <= 0.1;
        },
      ),
      { numRuns: 60, seed: 3 },
    );
  });

  it('leaves silence alone and refuses silent or empty noise with a typed error', () => {
    expect(mixNoise(new Float32Array(10), seeded(10, 1, 0.5), 10)).toEqual(new Float32Array(10));
    expect(codeOf(() => mixNoise(seeded(10, 1, 0.5), new Float32Array(10), 10))).toBe('features/bad-augment');
    expect(codeOf(() => mixNoise(seeded(10, 1, 0.5), new Float32Array(0), 10))).toBe('features/bad-augment');
  });
});

describe('timeShift and applyGain', () => {
  it('shift moves samples and zero-fills, either way', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5);
    expect(Array.from(timeShift(x, 2))).toEqual([0, 0, 1, 2, 3]);
    expect(Array.from(timeShift(x, -2))).toEqual([3, 4, 5, 0, 0]);
    expect(Array.from(timeShift(x, 9))).toEqual([0, 0, 0, 0, 0]);
  });
  it('gain scales power by 10^(dB/10)', () => {
    const x = seeded(1000, 5, 0.3);
    expect(10 * Math.log10(meanSquare(applyGain(x, -6)) / meanSquare(x))).toBeCloseTo(-6, 4);
  });
});

describe('augmentSamples / augmentFeatures', () => {
  const ctx = { sampleRateHz: 16000, frames: 49, bands: 40, noiseClips: [seeded(16000, 9, 0.1), seeded(8000, 10, 0.3)] };
  const clip = seeded(16000, 11, 0.4);

  it('the same seed and variant give the same output; other variants or seeds differ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 1e6 }), (seed, variant) => {
        const o = { ...DEFAULT_AUGMENT, seed, noiseSnrDb: 10 };
        const a = augmentSamples(clip, o, variant, ctx);
        const b = augmentSamples(clip, o, variant, ctx);
        const c = augmentSamples(clip, o, variant + 1, ctx);
        return a.every((v, i) => Object.is(v, b[i])) && a.some((v, i) => v !== c[i]);
      }),
      { numRuns: 20, seed: 4 },
    );
    const f = computeLogMel(clip, {});
    const m1 = augmentFeatures(f, { seed: 3, timeMasks: 2, freqMasks: 2 }, 7, { samples: clip.length, sampleRateHz: 16000 });
    const m2 = augmentFeatures(f, { seed: 3, timeMasks: 2, freqMasks: 2 }, 7, { samples: clip.length, sampleRateHz: 16000 });
    expect(m1.data).toEqual(m2.data);
  });

  it('NO_AUGMENT is the identity', () => {
    expect(augmentSamples(clip, NO_AUGMENT, 3, ctx)).toEqual(clip);
    const f = computeLogMel(clip, {});
    expect(augmentFeatures(f, NO_AUGMENT, 3, { samples: clip.length, sampleRateHz: 16000 })).toBe(f);
  });

  it('noise without noise clips is a typed error; bad options are typed errors', () => {
    expect(codeOf(() => augmentSamples(clip, { noiseSnrDb: 5 }, 0, { ...ctx, noiseClips: [] }))).toBe('features/bad-augment');
    expect(codeOf(() => validateAugment({ maxGainDb: -1 }))).toBe('features/bad-augment');
    expect(codeOf(() => validateAugment({ timeMasks: 1.5 }))).toBe('features/bad-augment');
    expect(codeOf(() => validateAugment({ noiseSnrDb: 100 }))).toBe('features/bad-augment');
  });
});

describe('specAugment', () => {
  it('masks exactly the given rows and columns with the clip mean, on a copy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 39 }), fc.integer({ min: 0, max: 10 }), (t0, tw, b0, bw) => {
        const data = Float32Array.from({ length: 49 * 40 }, (_, i) => Math.sin(i));
        const f = { frames: 49, bands: 40, data };
        const copy = Float32Array.from(data);
        const out = specAugment(f, [{ axis: 'time', start: t0, width: tw }, { axis: 'frequency', start: b0, width: bw }]);
        const mean = Math.fround(copy.reduce((a, b) => a + b, 0) / copy.length);
        for (let t = 0; t < 49; t++) {
          for (let b = 0; b < 40; b++) {
            const masked = (t >= t0 && t < t0 + tw) || (b >= b0 && b < b0 + bw);
            const v = out.data[t * 40 + b];
            if (masked ? Math.abs(v - mean) > 1e-6 : v !== copy[t * 40 + b]) return false;
          }
        }
        return data.every((v, i) => v === copy[i]);
      }),
      { numRuns: 50, seed: 5 },
    );
  });
});
