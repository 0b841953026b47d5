/**
 * In-bounds kernel taps (src/core/mcu/kernel-taps.ts) against brute force: every (output position,
 * kernel tap) pair of a conv window, counted when it lands inside the input, with the output length
 * and SAME pad split taken from the float engine's tfPadding (an independent implementation);
 * convLoopWork against a walk of earshot_conv2d_s8's loops (kernels.h) that counts what they do.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convLoopWork, inBoundsTaps, inBoundsTaps1d, padBefore, type ConvWindow } from '../../src/core/mcu/kernel-taps.ts';
import type { Padding } from '../../src/core/model/spec.ts';
import { tfPadding } from '../../src/core/quant/float-engine.ts';

function bruteForce(inH: number, inW: number, w: ConvWindow): number {
  const ph = tfPadding(inH, w.kernel[0], w.strides[0], w.padding);
  const pw = tfPadding(inW, w.kernel[1], w.strides[1], w.padding);
  let n = 0;
  for (let oy = 0; oy < ph.out; oy++)
    for (let ox = 0; ox < pw.out; ox++)
      for (let ky = 0; ky < w.kernel[0]; ky++)
        for (let kx = 0; kx < w.kernel[1]; kx++) {
          const y = oy * w.strides[0] - ph.padBefore + ky;
          const x = ox * w.strides[1] - pw.padBefore + kx;
          if (y >= 0 && y < inH && x >= 0 && x < inW) n++;
        }
  return n;
}

const win = (kh: number, kw: number, sh: number, sw: number, padding: Padding): ConvWindow => ({ kernel: [kh, kw], strides: [sh, sw], padding });

describe('inBoundsTaps', () => {
  it('equals brute force over random geometries (strides 1–3, kernels up to larger than the input, SAME and VALID)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom<Padding>('same', 'valid'),
        (inH, inW, kh, kw, sh, sw, padding) => {
          // VALID needs the kernel inside the input (analyzeSpec refuses it otherwise)
          fc.pre(padding === 'same' || (kh <= inH && kw <= inW));
          const w = win(kh, kw, sh, sw, padding);
          expect(inBoundsTaps(inH, inW, w)).toBe(bruteForce(inH, inW, w));
        },
      ),
      { seed: 20240611, numRuns: 600 },
    );
  });

  it('named cases: stride 2, kernel larger than the input, 1×1, the KWS first conv', () => {
    for (const [inH, inW, w] of [
      [12, 12, win(3, 3, 2, 2, 'same')],
      [12, 11, win(4, 3, 2, 2, 'same')],
      [3, 2, win(5, 7, 1, 1, 'same')],
      [3, 2, win(5, 7, 2, 3, 'same')],
      [10, 10, win(1, 1, 1, 1, 'same')],
      [10, 10, win(1, 1, 2, 2, 'valid')],
      [49, 10, win(10, 4, 2, 2, 'same')],
    ] as const) {
      expect(inBoundsTaps(inH, inW, w), `${inH}x${inW} ${JSON.stringify(w)}`).toBe(bruteForce(inH, inW, w));
    }
    // 1×1 and VALID windows never touch padding: taps = outputs × kh × kw
    expect(inBoundsTaps(10, 7, win(1, 1, 1, 1, 'same'))).toBe(70);
    expect(inBoundsTaps(20, 8, win(5, 5, 1, 1, 'valid'))).toBe(16 * 4 * 25);
    // 3×3 SAME stride 1 on 5×5: each axis 2+3+3+3+2 = 13 row taps
    expect(inBoundsTaps(5, 5, win(3, 3, 1, 1, 'same'))).toBe(13 * 13);
  });

  it('splits SAME padding as TFLite: the odd pad goes after (bottom/right)', () => {
    // in 12, k 4, stride 2: out 6, total pad (6-1)*2+4-12 = 2 → 1 before; in 12, k 3, stride 2: total 1 → 0 before
    expect(padBefore(12, 4, 2, 'same')).toBe(1);
    expect(padBefore(12, 3, 2, 'same')).toBe(0);
    expect(padBefore(12, 3, 2, 'valid')).toBe(0);
    for (let n = 1; n <= 16; n++) for (let k = 1; k <= 8; k++) for (let s = 1; s <= 3; s++) expect(padBefore(n, k, s, 'same')).toBe(tfPadding(n, k, s, 'same').padBefore);
    // the split matters: pad 0 before / 1 after leaves the last output with 2 of 3 taps
    expect(inBoundsTaps1d(4, 3, 2, 'same')).toBe(3 + 2);
  });
});

/** earshot_conv2d_s8's loop nest, counting: per position and channel pair, rows of n = cols·in_c bytes. */
function walkConvLoops(inH: number, inW: number, inC: number, outC: number, w: ConvWindow): { macs: number; rows: number; tailBytes: number } {
  const ph = tfPadding(inH, w.kernel[0], w.strides[0], w.padding);
  const pw = tfPadding(inW, w.kernel[1], w.strides[1], w.padding);
  let macs = 0;
  let rows = 0;
  let tailBytes = 0;
  for (let oy = 0; oy < ph.out; oy++) {
    const y0 = oy * w.strides[0] - ph.padBefore;
    const ky0 = y0 < 0 ? -y0 : 0;
    const ky1 = Math.min(w.kernel[0], inH - y0);
    const nRows = ky1 > ky0 ? ky1 - ky0 : 0;
    for (let ox = 0; ox < pw.out; ox++) {
      const x0 = ox * w.strides[1] - pw.padBefore;
      const kx0 = x0 < 0 ? -x0 : 0;
      const kx1 = Math.min(w.kernel[1], inW - x0);
      const n = kx1 > kx0 ? (kx1 - kx0) * inC : 0;
      for (let oc = 0; oc < outC; oc += 2) {
        const chans = oc + 1 < outC ? 2 : 1;
        for (let r = 0; r < nRows; r++) {
          rows++;
          macs += n * chans;
          tailBytes += n % 4;
        }
      }
    }
  }
  return { macs, rows, tailBytes };
}

describe('convLoopWork', () => {
  it("equals a walk of kernels.h's conv loops over random geometries (odd and even out_c, in_c 1–9)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom<Padding>('same', 'valid'),
        (inH, inW, inC, outC, kh, kw, s, padding) => {
          fc.pre(padding === 'same' || (kh <= inH && kw <= inW));
          const w = win(kh, kw, s, s, padding);
          expect(convLoopWork(inH, inW, inC, outC, w)).toEqual(walkConvLoops(inH, inW, inC, outC, w));
          expect(convLoopWork(inH, inW, inC, outC, w).macs).toBe(bruteForce(inH, inW, w) * inC * outC);
        },
      ),
      { seed: 7, numRuns: 400 },
    );
  });
});
