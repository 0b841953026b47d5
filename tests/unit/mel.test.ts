import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hzToMel, melFilterbank, melMatrix, melToHz } from '../../src/core/dsp/mel.ts';

const arbConfig = fc
  .record({
    sampleRateHz: fc.constantFrom(8000, 11025, 16000, 22050, 44100, 48000),
    fftSize: fc.constantFrom(128, 256, 512, 1024, 2048),
    melBands: fc.integer({ min: 4, max: 64 }),
    lo: fc.double({ min: 0, max: 0.2, noNaN: true }),
    hi: fc.double({ min: 0.3, max: 1, noNaN: true }),
  })
  .map((r) => ({
    sampleRateHz: r.sampleRateHz,
    fftSize: r.fftSize,
    melBands: r.melBands,
    fMinHz: (r.lo * r.sampleRateHz) / 2,
    fMaxHz: (r.hi * r.sampleRateHz) / 2,
  }));

describe('HTK mel filterbank', () => {
  it('converts Hz ↔ mel (HTK: 1000 Hz ≈ 1000 mel) and back', () => {
    expect(hzToMel(1000)).toBeCloseTo(999.99, 1);
    for (const hz of [0, 20, 440, 8000]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 8);
  });

  it('every row is a triangle: non-negative, ≤ 1, rising then falling, single peak', () => {
    fc.assert(
      fc.property(arbConfig, (c) => {
        const rows = melMatrix(melFilterbank(c));
        for (const row of rows) {
          let k = 0;
          while (k < row.length && row[k] === 0) k++;
          // strictly rising part, then non-increasing; then zeros to the end
          let peak = k;
          while (peak + 1 < row.length && row[peak + 1] > row[peak]) peak++;
          let j = peak;
          while (j + 1 < row.length && row[j + 1] > 0 && row[j + 1] <= row[j]) j++;
          for (let z = j + 1; z < row.length; z++) if (row[z] !== 0) return false;
          for (const w of row) if (!(w >= 0 && w <= 1)) return false;
        }
        return true;
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('sparse rows equal the dense HTK formula at the bin frequencies (float32)', () => {
    const c = { sampleRateHz: 16000, fftSize: 512, melBands: 40, fMinHz: 20, fMaxHz: 8000 };
    const fb = melFilterbank(c);
    const rows = melMatrix(fb);
    const pts = Array.from({ length: 42 }, (_, i) => melToHz(hzToMel(20) + ((hzToMel(8000) - hzToMel(20)) * i) / 41));
    for (let b = 0; b < 40; b++) {
      for (let k = 0; k <= 256; k++) {
        const hz = (k * 16000) / 512;
        const w = Math.max(0, Math.min((hz - pts[b]) / (pts[b + 1] - pts[b]), (pts[b + 2] - hz) / (pts[b + 2] - pts[b + 1])));
        expect(rows[b][k]).toBe(Math.fround(w));
      }
    }
    // Every band of the default config sees at least one bin, and centres increase.
    for (let b = 0; b < 40; b++) expect(fb.length[b]).toBeGreaterThan(0);
    for (let b = 1; b < 40; b++) expect(fb.start[b]).toBeGreaterThanOrEqual(fb.start[b - 1]);
    expect(fb.offset[39] + fb.length[39]).toBe(fb.weights.length);
  });
});
