/**
 * Float32 maths that C can reproduce bit for bit. Every + − × ÷ goes through Math.fround, which
 * rounds a double to the nearest float32; a correctly rounded double op followed by fround equals
 * the float32 op (double has more than 2·24+2 bits), so these functions give exactly what C
 * `float` arithmetic gives without contraction. The C twin is `earshot_logf` in
 * src/core/export/c/features.h: keep the two in step, op for op.
 */

const f = Math.fround;

const bitsBuf = new ArrayBuffer(4);
const bitsF32 = new Float32Array(bitsBuf);
const bitsI32 = new Int32Array(bitsBuf);

/** Smallest positive normal float32 (2^-126). logF32 needs inputs at or above it. */
export const F32_MIN_NORMAL = 2 ** -126;

// ln 2 split so that k·LN2_HI is exact for |k| < 2^9 (LN2_HI has 10 significant bits).
const LN2_HI = f(0.693359375);
const LN2_LO = f(Math.LN2 - 0.693359375);
// 2·atanh(s) = 2s + s·(2/3·s² + 2/5·s⁴ + 2/7·s⁶ + 2/9·s⁸ + 2/11·s¹⁰), |s| ≤ 0.1716.
const C1 = f(2 / 3);
const C2 = f(2 / 5);
const C3 = f(2 / 7);
const C4 = f(2 / 9);
const C5 = f(2 / 11);

/**
 * Natural log of a positive normal float32, in float32 arithmetic.
 * Range reduction: x = m·2^k with m in [√½, √2); s = (m−1)/(m+1); ln m = 2·atanh(s) by a short
 * odd polynomial; ln x = k·ln2 + ln m. Zero → −Infinity, negatives and NaN → NaN,
 * +Infinity → +Infinity, subnormals are scaled up by 2^23 first.
 */
export function logF32(xIn: number): number {
  let x = f(xIn);
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return Infinity;
  let kBias = 0;
  if (x < F32_MIN_NORMAL) {
    x = f(x * 8388608); // 2^23, exact
    kBias = -23;
  }
  bitsF32[0] = x;
  const bits = bitsI32[0];
  let k = ((bits >>> 23) & 0xff) - 127 + kBias;
  let mant = bits & 0x7fffff;
  // m = 1.mant in [1, 2); above √2 (0x3504f3 is √2's mantissa), use m/2 and k+1.
  if (mant > 0x3504f3) {
    bitsI32[0] = mant | 0x3f000000; // exponent of 0.5
    k += 1;
  } else {
    bitsI32[0] = mant | 0x3f800000; // exponent of 1
  }
  const m = bitsF32[0];
  const num = f(m - 1); // exact (Sterbenz)
  const den = f(m + 1);
  const s = f(num / den);
  const z = f(s * s);
  const poly = f(z * f(C1 + f(z * f(C2 + f(z * f(C3 + f(z * f(C4 + f(z * C5)))))))));
  const lnm = f(f(s + s) + f(s * poly));
  const kf = f(k);
  return f(f(kf * LN2_HI) + f(f(kf * LN2_LO) + lnm));
}

/** Float32 constants of logF32, for the C generator (same values as the C literals). */
export const LOG_F32_CONSTANTS = { LN2_HI, LN2_LO, C1, C2, C3, C4, C5 } as const;
