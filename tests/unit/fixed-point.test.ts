import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INT32_MAX,
  INT32_MIN,
  frexp,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../src/core/quant/fixed-point.ts';

// Independent BigInt references, written from the gemmlowp / TFLite definitions.
const B31 = 1n << 31n;
function toI32(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}
function refSrdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return toI32((ab + nudge) / B31); // BigInt division truncates toward zero, as C
}
function refRdbpot(x: number, e: number): number {
  const bx = BigInt(x);
  const mask = (1n << BigInt(e)) - 1n;
  const rem = bx & mask;
  const threshold = (mask >> 1n) + (bx < 0n ? 1n : 0n);
  return Number((bx >> BigInt(e)) + (rem > threshold ? 1n : 0n));
}
function refMbqm(x: number, m: number, s: number): number {
  const ls = s > 0 ? s : 0;
  const rs = s > 0 ? 0 : -s;
  const shifted = toI32(BigInt(x) << BigInt(ls));
  return refRdbpot(refSrdhm(shifted, m), rs);
}

const i32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.constantFrom(INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX, INT32_MAX - 1, 1 << 30, -(1 << 30), 65535, -65536),
);

describe('fixed-point (TFLite / gemmlowp)', () => {
  it('saturatingRoundingDoublingHighMul equals the 64-bit reference on the full int32 range', () => {
    fc.assert(fc.property(i32, i32, (a, b) => saturatingRoundingDoublingHighMul(a, b) === refSrdhm(a, b)), { numRuns: 20000 });
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(refSrdhm(INT32_MIN, INT32_MAX));
  });

  it('roundingDivideByPOT equals the reference for exponents 0..31', () => {
    fc.assert(fc.property(i32, fc.integer({ min: 0, max: 31 }), (x, e) => roundingDivideByPOT(x, e) === refRdbpot(x, e)), { numRuns: 20000 });
    expect(roundingDivideByPOT(5, 1)).toBe(3); // 2.5 -> 3 (away from zero)
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(-3, 2)).toBe(-1); // -0.75 -> -1
  });

  it('multiplyByQuantizedMultiplier equals the reference, including left shifts', () => {
    const mult = fc.oneof(fc.integer({ min: 1 << 30, max: INT32_MAX }), fc.constant(0));
    fc.assert(
      fc.property(i32, mult, fc.integer({ min: -31, max: 30 }), (x, m, s) => multiplyByQuantizedMultiplier(x, m, s) === refMbqm(x, m, s)),
      { numRuns: 20000 },
    );
  });

  it('frexp splits any positive double exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
        const { mantissa, exponent } = frexp(x);
        return mantissa >= 0.5 && mantissa < 1 && mantissa * 2 ** exponent === x;
      }),
    );
    expect(frexp(1)).toEqual({ mantissa: 0.5, exponent: 1 });
    expect(frexp(0.75)).toEqual({ mantissa: 0.75, exponent: 0 });
  });

  it('quantizeMultiplier reproduces the real multiplier to 2^-31 relative and matches known values', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e6, noNaN: true }), (r) => {
        const { multiplier, shift } = quantizeMultiplier(r);
        if (multiplier < 2 ** 30 || multiplier > INT32_MAX) return false;
        const back = (multiplier / 2 ** 31) * 2 ** shift;
        return Math.abs(back - r) <= r * 2 ** -31 + 1e-300;
      }),
    );
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    // round(q * 2^31) reaching 2^31 is renormalised
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(() => quantizeMultiplier(-1)).toThrow(expect.objectContaining({ code: 'quant/bad-calibration' }));
  });

  it('multiplying by a quantized multiplier approximates real scaling within one unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 24), max: 2 ** 24 }), fc.double({ min: 1e-6, max: 0.99, noNaN: true }), (x, r) => {
        const { multiplier, shift } = quantizeMultiplier(r);
        return Math.abs(multiplyByQuantizedMultiplier(x, multiplier, shift) - x * r) <= 1;
      }),
    );
  });
});
