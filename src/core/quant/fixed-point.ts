/**
 * TensorFlow Lite's fixed-point arithmetic (gemmlowp / tensorflow/lite/kernels/internal/common.h),
 * reproduced bit for bit with plain doubles: every intermediate is split so that it stays an
 * exact integer below 2^53 (no BigInt in the hot path). The C twin is src/core/export/c/kernels.h.
 */
import { EarshotError } from '../errors.ts';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_POW_16 = 65536;
const TWO_POW_31 = 2147483648;

export interface QuantizedMultiplier {
  /** Q0.31 fixed-point multiplier in [2^30, 2^31) (or 0). */
  multiplier: number;
  /** Power-of-two exponent: positive = left shift, negative = right shift. */
  shift: number;
}

/** frexp: x = m * 2^e with |m| in [0.5, 1) (m = 0, e = 0 for x = 0). Exact for finite doubles. */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { mantissa: x, exponent: 0 };
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let m = x * 2 ** -e;
  // log2 can be off by one near powers of two; fix up exactly (scaling by powers of two is exact).
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e -= 1;
  }
  while (Math.abs(m) >= 1) {
    m /= 2;
    e += 1;
  }
  return { mantissa: m, exponent: e };
}

/** std::round: half away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * TFLite QuantizeMultiplier (tensorflow/lite/kernels/internal/quantization_util.cc):
 * q = frexp(real, &shift); q_fixed = round(q * 2^31); if q_fixed == 2^31 { q_fixed /= 2; ++shift }
 * if shift < -31 { shift = 0; q_fixed = 0 }; if shift > 30 { shift = 30; q_fixed = 2^31 - 1 }.
 */
export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  if (!Number.isFinite(realMultiplier) || realMultiplier < 0) {
    throw new EarshotError('quant/bad-calibration', `cannot quantize the multiplier ${realMultiplier}`);
  }
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(realMultiplier);
  let shift = exponent;
  let qFixed = roundHalfAway(mantissa * TWO_POW_31);
  if (qFixed === TWO_POW_31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  if (shift > 30) {
    shift = 30;
    qFixed = INT32_MAX;
  }
  return { multiplier: qFixed, shift };
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: (a * b * 2 + 2^31 rounding) >> 32, computed as
 * (a*b + nudge) / 2^31 truncated toward zero, with nudge = 2^30 or 1 - 2^30; saturates the one
 * overflow case a = b = INT32_MIN. The 64-bit product is built from 16-bit halves.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const al = a & 0xffff; // low 16 bits, unsigned
  const ah = (a - al) / TWO_POW_16; // signed high part, exact
  const bl = b & 0xffff;
  const bh = (b - bl) / TWO_POW_16;
  const abNonNegative = a === 0 || b === 0 || a > 0 === b > 0;
  const nudge = abNonNegative ? 1073741824 : 1 - 1073741824;
  // a*b + nudge = ah*bh*2^32 + t, t exact (|t| < 2^50)
  const t = (ah * bl + al * bh) * TWO_POW_16 + al * bl + nudge;
  const q = Math.floor(t / TWO_POW_31); // exact: division by a power of two
  const r = t - q * TWO_POW_31; // in [0, 2^31)
  const floorQuot = 2 * ah * bh + q; // floor((a*b + nudge) / 2^31)
  return floorQuot < 0 && r !== 0 ? floorQuot + 1 : floorQuot;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite MultiplyByQuantizedMultiplier (the double-rounding reference form):
 * RoundingDivideByPOT(SRDHM(x * 2^leftShift, m), rightShift). The left shift wraps modulo 2^32
 * like the C twin's `(int32_t)((uint32_t)x << s)`.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(leftShift > 0 ? x << leftShift : x, multiplier), rightShift);
}

/** Wrap any integer-valued double to int32 (two's complement), like a C cast on gcc. */
export function toInt32(x: number): number {
  return x | 0;
}
