import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logF32 } from '../../src/core/dsp/f32-math.ts';

const bound = (x: number): number => 2e-7 * Math.abs(Math.log(x)) + 1e-7;

function f32FromBits(bits: number): number {
  return new Float32Array(new Uint32Array([bits >>> 0]).buffer)[0];
}

describe('logF32 (float32 natural log, mirrored in C)', () => {
  it('is within 2e-7·|ln x| + 1e-7 of ln x on random positive floats (bit patterns)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7f7fffff }), (bits) => {
        const x = f32FromBits(bits);
        return Math.abs(logF32(x) - Math.log(x)) <= bound(x);
      }),
      { numRuns: 20000, seed: 7 },
    );
  });

  it('is accurate densely around 1 and at the √2 split', () => {
    for (let x = 0.7; x < 1.5; x += 1.37e-5) {
      const v = Math.fround(x);
      expect(Math.abs(logF32(v) - Math.log(v))).toBeLessThanOrEqual(bound(v));
    }
    for (const bits of [0x3fb504f2, 0x3fb504f3, 0x3fb504f4, 0x3f800000, 0x3f7fffff, 0x3f800001]) {
      const v = f32FromBits(bits);
      expect(Math.abs(logF32(v) - Math.log(v))).toBeLessThanOrEqual(bound(v));
    }
    expect(logF32(1)).toBe(0);
  });

  it('returns float32 values and handles the special cases', () => {
    expect(Number.isNaN(logF32(-1))).toBe(true);
    expect(Number.isNaN(logF32(NaN))).toBe(true);
    expect(logF32(0)).toBe(-Infinity);
    expect(logF32(Infinity)).toBe(Infinity);
    const sub = 1e-40;
    expect(Math.abs(logF32(sub) - Math.log(Math.fround(sub)))).toBeLessThanOrEqual(bound(sub));
    const v = logF32(12345.678);
    expect(Math.fround(v)).toBe(v);
  });
});
