import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyGain, augmentFeatures, augmentSamples, DEFAULT_AUGMENT, drawAugment, mixNoise, NO_AUGMENT, specAugment, speedPerturb, timeShift, validateAugment, warpBands, type AugmentOptions } from '../../src/core/dataset/augment.ts';
import { generateNoise } from '../../src/core/dataset/noise-colours.ts';
import { reverberate, roomImpulse } from '../../src/core/dataset/room-reverb.ts';
import { convolve } from '../../src/core/dsp/convolve.ts';
import { fftTables, powerSpectrum } from '../../src/core/dsp/fft.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
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

/** Frequency of a sine from its rising zero crossings (linear interpolation) in samples [from, to). */
function sineHz(x: Float32Array, sampleRateHz: number, from: number, to: number): number {
  const ups: number[] = [];
  for (let i = from; i + 1 < to; i++) if (x[i] < 0 && x[i + 1] >= 0) ups.push(i + x[i] / (x[i] - x[i + 1]));
  return ((ups.length - 1) * sampleRateHz) / (ups.at(-1)! - ups[0]!);
}

const sine = (hz: number, n: number, fs: number) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / fs));

describe('speedPerturb', () => {
  it('keeps the exact input length for every factor and length; factor 1 is the identity', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 1.5, noNaN: true }), fc.integer({ min: 1, max: 3000 }), (factor, n) => speedPerturb(seeded(n, n, 0.5), factor, 8000).length === n),
      { numRuns: 80, seed: 6 },
    );
    const x = seeded(16000, 3, 0.5);
    expect(speedPerturb(x, 1, 16000)).toEqual(x);
  });

  it('moves a sine of f Hz to f·factor Hz (within 0.2 %), centred', () => {
    for (const fs of [8000, 16000]) {
      for (const factor of [0.9, 0.95, 1.03, 1.1]) {
        const y = speedPerturb(sine(440, fs, fs), factor, fs);
        // The middle half is signal for every factor (a faster clip is padded at both ends).
        const got = sineHz(y, fs, fs / 4, (3 * fs) / 4);
        expect(Math.abs(got / (440 * factor) - 1)).toBeLessThan(0.002);
      }
    }
    // Faster: the shorter result sits in the middle, zero padding of floor((n − m)/2) on the left.
    const y = speedPerturb(Float32Array.from({ length: 1000 }, () => 0.5), 1.25, 16000);
    expect(y[0]).toBe(0);
    expect(y[999]).toBe(0);
    expect(Math.abs(y[500] - 0.5)).toBeLessThan(1e-3);
  });
});

/** Mean power density (Welch, Hann, 1024-point) of x in [loHz, hiHz), in dB. */
function bandDb(x: Float32Array, fs: number, loHz: number, hiHz: number): number {
  const n = 1024;
  const t = fftTables(n);
  const acc = new Float64Array(n / 2 + 1);
  const frame = new Float32Array(n);
  const out = new Float32Array(n / 2 + 1);
  const re = new Float32Array(n / 2);
  const im = new Float32Array(n / 2);
  for (let s = 0; s + n <= x.length; s += n / 2) {
    for (let i = 0; i < n; i++) frame[i] = x[s + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    powerSpectrum(t, frame, out, re, im);
    for (let k = 0; k < out.length; k++) acc[k] += out[k];
  }
  let sum = 0;
  let count = 0;
  for (let k = Math.ceil((loHz * n) / fs); k < (hiHz * n) / fs; k++) {
    sum += acc[k];
    count++;
  }
  return 10 * Math.log10(sum / count);
}

describe('generated noise', () => {
  it('pink falls 3 dB and brown 6 dB per octave (±1.5 dB, every octave to a quarter of the rate); white is flat', () => {
    for (const fs of [8000, 16000]) {
      for (const [colour, slope] of [['white', 0], ['pink', -3], ['brown', -6]] as const) {
        const x = generateNoise(colour, 1 << 17, fs, mulberry32(5));
        for (let lo = fs / 64; lo < fs / 4; lo *= 2) {
          const step = bandDb(x, fs, 2 * lo, 4 * lo) - bandDb(x, fs, lo, 2 * lo);
          expect(Math.abs(step - slope), `${colour} at ${fs} Hz, ${lo}–${4 * lo} Hz: ${step.toFixed(2)} dB/octave`).toBeLessThan(1.5);
        }
      }
    }
  });

  it('is seeded: the same generator state gives the same samples', () => {
    expect(generateNoise('pink', 500, 16000, mulberry32(9))).toEqual(generateNoise('pink', 500, 16000, mulberry32(9)));
    expect(generateNoise('pink', 500, 16000, mulberry32(9))).not.toEqual(generateNoise('pink', 500, 16000, mulberry32(10)));
  });
});

/** RT60 from Schroeder's backward-integrated energy decay of h[1..], fitted from −5 to −35 dB. */
function measuredRt60Ms(h: Float32Array, fs: number): number {
  const edc = new Float64Array(h.length);
  let acc = 0;
  for (let k = h.length - 1; k >= 1; k--) edc[k] = acc += h[k] * h[k];
  const pts: [number, number][] = [];
  for (let k = 1; k < h.length; k++) {
    const db = 10 * Math.log10(edc[k] / edc[1]);
    if (db <= -5 && db >= -35) pts.push([k / fs, db]);
  }
  const mt = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const md = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  const slope = pts.reduce((a, p) => a + (p[0] - mt) * (p[1] - md), 0) / pts.reduce((a, p) => a + (p[0] - mt) ** 2, 0);
  return (-60 / slope) * 1000;
}

describe('room reverberation', () => {
  it('the impulse response decays by 60 dB in RT60 (within 10 %) behind a unit direct path at the drawn DRR', () => {
    for (const fs of [8000, 16000]) {
      for (const rt60 of [100, 250, 600, 1500]) {
        const h = roomImpulse(rt60, 3, fs, mulberry32(rt60));
        expect(h[0]).toBe(1);
        expect(h.length).toBe(Math.ceil((rt60 * fs) / 1000));
        expect(Math.abs(measuredRt60Ms(h, fs) / rt60 - 1)).toBeLessThan(0.1);
        const tail = h.subarray(1).reduce((a, v) => a + v * v, 0);
        expect(10 * Math.log10(1 / tail)).toBeCloseTo(3, 3);
      }
    }
  });

  it('keeps the length and the RMS; convolution matches the direct sum', () => {
    const x = seeded(8000, 4, 0.3);
    const y = reverberate(x, roomImpulse(400, 0, 8000, mulberry32(1)));
    expect(y.length).toBe(8000);
    expect(Math.sqrt(meanSquare(y)) / Math.sqrt(meanSquare(x))).toBeCloseTo(1, 5);
    const a = seeded(500, 1, 1);
    const b = seeded(200, 2, 1);
    const c = convolve(a, b);
    expect(c.length).toBe(699);
    for (const i of [0, 150, 420, 698]) {
      let s = 0;
      for (let k = 0; k < 200; k++) if (i - k >= 0 && i - k < 500) s += a[i - k] * b[k];
      expect(Math.abs(c[i] - s)).toBeLessThan(1e-5);
    }
  });
});

describe('augmentation that makes new voices', () => {
  const ctx = { sampleRateHz: 8000, frames: 49, bands: 20 };
  const clip = sine(300, 8000, 8000).map((v, i) => v * (0.5 + 0.5 * Math.sin(i / 400)));
  const all: Partial<AugmentOptions> = { maxSpeedChange: 0.1, noiseKind: 'pink', minSnrDb: 5, maxSnrDb: 25, reverbProbability: 0.5, seed: 12 };

  it('new options are off by default; NO_AUGMENT stays the identity', () => {
    expect(validateAugment({})).toMatchObject({ maxSpeedChange: 0, minSnrDb: null, maxSnrDb: null, noiseKind: 'project', reverbProbability: 0 });
    expect(augmentSamples(clip, { ...all, ...NO_AUGMENT }, 5, ctx)).toEqual(clip);
  });

  it('same seed and variant give identical bytes; other variants differ', () => {
    for (let v = 0; v < 6; v++) {
      const a = augmentSamples(clip, all, v, ctx);
      expect(Array.from(a)).toEqual(Array.from(augmentSamples(clip, all, v, ctx)));
      expect(a).not.toEqual(augmentSamples(clip, all, v + 1, ctx));
      expect(a.length).toBe(clip.length);
    }
  });

  it('the speed factor and SNR are drawn uniformly in their ranges; reverb comes with its probability', () => {
    const o = validateAugment(all);
    const shape = { samples: 8000, sampleRateHz: 8000, frames: 49, bands: 20, noiseClips: 0, noiseLength: 1 };
    const draws = Array.from({ length: 2000 }, (_, v) => drawAugment(o, v, shape));
    const speeds = draws.map((d) => d.speedFactor);
    const snrs = draws.map((d) => d.snrDb!);
    expect(Math.min(...speeds)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...speeds)).toBeLessThanOrEqual(1.1);
    expect(Math.min(...speeds)).toBeLessThan(0.905);
    expect(Math.max(...speeds)).toBeGreaterThan(1.095);
    expect(Math.min(...snrs)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...snrs)).toBeLessThanOrEqual(25);
    const rooms = draws.filter((d) => d.reverb).map((d) => d.reverb!);
    expect(rooms.length / draws.length).toBeGreaterThan(0.45);
    expect(rooms.length / draws.length).toBeLessThan(0.55);
    expect(rooms.every((r) => r.rt60Ms >= 200 && r.rt60Ms <= 600)).toBe(true);
    // A fixed noiseSnrDb is a range of one value, drawn the same.
    const fixed = drawAugment(validateAugment({ noiseSnrDb: 12 }), 3, shape);
    expect(fixed.snrDb).toBe(12);
    expect(augmentSamples(clip, { noiseSnrDb: 12, noiseKind: 'white' }, 3, ctx)).toEqual(augmentSamples(clip, { minSnrDb: 12, maxSnrDb: 12, noiseKind: 'white' }, 3, ctx));
  });

  it('mixes every noise kind at the drawn SNR within 0.1 dB of the final clean clip', () => {
    const noiseClips = [seeded(5000, 8, 0.2)];
    const shape = { samples: 8000, sampleRateHz: 8000, frames: 49, bands: 20, noiseClips: 1, noiseLength: 5000 };
    for (const noiseKind of ['project', 'white', 'pink', 'brown'] as const) {
      for (let v = 0; v < 8; v++) {
        const o = { ...all, noiseKind };
        const noisy = augmentSamples(clip, o, v, { ...ctx, noiseClips });
        const clean = augmentSamples(clip, { ...o, minSnrDb: null, maxSnrDb: null }, v, { ...ctx, noiseClips });
        const added = noisy.map((x, i) => x - clean[i]);
        const want = drawAugment(validateAugment(o), v, shape).snrDb!;
        expect(Math.abs(10 * Math.log10(meanSquare(clean) / meanSquare(added)) - want)).toBeLessThan(0.1);
      }
    }
  });

  it('reverb probability 0 is the identity; 1 reverberates every variant at the same RMS', () => {
    const off = augmentSamples(clip, { ...NO_AUGMENT, minRt60Ms: 300, maxRt60Ms: 900 }, 1, ctx);
    expect(off).toEqual(clip);
    for (let v = 0; v < 4; v++) {
      const on = augmentSamples(clip, { ...NO_AUGMENT, reverbProbability: 1 }, v, ctx);
      expect(on.length).toBe(clip.length);
      expect(on).not.toEqual(clip);
      expect(Math.sqrt(meanSquare(on) / meanSquare(clip))).toBeCloseTo(1, 5);
    }
  });

  it('refuses each bad new field with features/bad-augment', () => {
    for (const o of [
      { maxSpeedChange: -0.1 },
      { maxSpeedChange: 0.6 },
      { maxSpeedChange: Number.NaN },
      { minSnrDb: 5 },
      { minSnrDb: 30, maxSnrDb: 10 },
      { minSnrDb: -30, maxSnrDb: 10 },
      { minSnrDb: 5, maxSnrDb: 10, noiseSnrDb: 7 },
      { noiseKind: 'purple' as never },
      { reverbProbability: 1.5 },
      { reverbProbability: -0.1 },
      { minRt60Ms: 10 },
      { maxRt60Ms: 5000 },
      { minRt60Ms: 800, maxRt60Ms: 400 },
    ]) expect(codeOf(() => validateAugment(o)), JSON.stringify(o)).toBe('features/bad-augment');
    // Generated noise needs no noise clips; project noise does.
    expect(codeOf(() => augmentSamples(clip, { noiseSnrDb: 5, noiseKind: 'brown' }, 0, ctx))).toBeUndefined();
    expect(codeOf(() => augmentSamples(clip, { noiseSnrDb: 5 }, 0, ctx))).toBe('features/bad-augment');
  });

  it('options survive a JSON round trip (saved with models, sent to workers)', () => {
    const o = validateAugment(all);
    expect(validateAugment(JSON.parse(JSON.stringify(o)))).toEqual(o);
  });
});

describe('band warp (vocal-tract-length perturbation)', () => {
  const ramp = { frames: 3, bands: 8, data: Float32Array.from({ length: 24 }, (_, i) => (i % 8) * 10 + Math.floor(i / 8)) };

  it('factor 1 is the identity; a factor moves band b to the value at b / factor, last band repeated', () => {
    expect(Array.from(warpBands(ramp, 1).data)).toEqual(Array.from(ramp.data));
    const up = warpBands(ramp, 2); // band b reads position b/2
    expect(Array.from(up.data.subarray(0, 8))).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    const down = warpBands(ramp, 0.5); // band b reads 2b, clamped at band 7
    expect(Array.from(down.data.subarray(8, 16))).toEqual([1, 21, 41, 61, 71, 71, 71, 71]);
    expect(() => warpBands(ramp, 0)).toThrow(/warp factor/);
  });

  it('draws the factor uniformly within ±maxBandWarp, seeded; off by default; bounded option', () => {
    const o = validateAugment({ ...NO_AUGMENT, maxBandWarp: 0.12 });
    const shape = { samples: 8000, sampleRateHz: 8000, frames: 41, bands: 32, noiseClips: 1, noiseLength: 1 };
    const factors = Array.from({ length: 400 }, (_, v) => drawAugment(o, v, shape).bandWarp);
    expect(Math.min(...factors)).toBeGreaterThanOrEqual(0.88);
    expect(Math.max(...factors)).toBeLessThanOrEqual(1.12);
    expect(Math.min(...factors)).toBeLessThan(0.9);
    expect(Math.max(...factors)).toBeGreaterThan(1.1);
    expect(drawAugment(o, 7, shape).bandWarp).toBe(drawAugment(o, 7, shape).bandWarp);
    expect(drawAugment(validateAugment({}), 7, shape).bandWarp).toBe(1);
    expect(codeOf(() => validateAugment({ maxBandWarp: 0.5 }))).toBe('features/bad-augment');
    const f = { frames: 41, bands: 32, data: seeded(41 * 32, 3, 4) };
    const a = augmentFeatures(f, o, 5, { samples: 8000, sampleRateHz: 8000 });
    expect(Array.from(a.data)).toEqual(Array.from(warpBands(f, drawAugment(o, 5, shape).bandWarp).data));
  });
});
