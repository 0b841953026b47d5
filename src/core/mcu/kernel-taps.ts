/**
 * In-bounds kernel taps of a conv / depthwise window: the taps kernels.h actually multiplies.
 * Per output position it computes the valid kernel rows [ky0, ky1) and columns [kx0, kx1) and
 * skips the rest (SAME padding), so its work is the sum over output positions of rows × columns,
 * not outputs × kh × kw (LayerInfo.macs, the nominal count that other runtimes' fits use).
 * SAME padding is split as tfjs and TFLite split it: before = floor(total / 2), the odd one after.
 * convLoopWork also counts the row spans and the leftover bytes of conv's inner loop.
 */
import { convOutputLength } from '../model/analyze.ts';
import type { Padding } from '../model/spec.ts';

/** Kernel size, strides and padding of one conv-like layer ([h, w] pairs). */
export interface ConvWindow {
  kernel: readonly [number, number];
  strides: readonly [number, number];
  padding: Padding;
}

/** Padding before the first input element (top or left) along one axis. */
export function padBefore(inLen: number, k: number, stride: number, padding: Padding): number {
  if (padding === 'valid') return 0;
  const out = convOutputLength(inLen, k, padding, stride);
  return Math.floor(Math.max(0, (out - 1) * stride + k - inLen) / 2);
}

/** Along one axis, per output position: the kernel taps that fall inside the input. */
export function inBoundsSpans(inLen: number, k: number, stride: number, padding: Padding): number[] {
  const out = Math.max(0, convOutputLength(inLen, k, padding, stride));
  const pad = padBefore(inLen, k, stride, padding);
  const spans: number[] = [];
  for (let o = 0; o < out; o++) {
    const start = o * stride - pad;
    spans.push(Math.max(0, Math.min(k, inLen - start) - Math.max(0, -start)));
  }
  return spans;
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

/** Along one axis: the sum over output positions of the kernel taps that fall inside the input. */
export function inBoundsTaps1d(inLen: number, k: number, stride: number, padding: Padding): number {
  return sum(inBoundsSpans(inLen, k, stride, padding));
}

/**
 * Sum over all output positions (out_h × out_w) of the in-bounds kernel taps. The valid region is
 * a rectangle (rows × columns), so the sum is separable: row taps summed over output rows times
 * column taps summed over output columns. Per channel: multiply by the channels that share a tap.
 */
export function inBoundsTaps(inH: number, inW: number, w: ConvWindow): number {
  return inBoundsTaps1d(inH, w.kernel[0], w.strides[0], w.padding) * inBoundsTaps1d(inW, w.kernel[1], w.strides[1], w.padding);
}

/** The inner-loop work of kernels.h's earshot_conv2d_s8 for one layer. */
export interface ConvLoopWork {
  /** In-bounds MACs: in-bounds taps × in_c × out_c. */
  macs: number;
  /**
   * Row spans: earshot_mac2_rows_s8 runs once per output position and pair of output channels
   * (⌈out_c / 2⌉) over the valid kernel rows, each row one contiguous span of valid columns × in_c bytes.
   */
  rows: number;
  /** Bytes of those spans left after the 4-bytes-at-a-time loop ((columns × in_c) mod 4), per row and pair. */
  tailBytes: number;
}

export function convLoopWork(inH: number, inW: number, inC: number, outC: number, w: ConvWindow): ConvLoopWork {
  const r = inBoundsSpans(inH, w.kernel[0], w.strides[0], w.padding);
  const c = inBoundsSpans(inW, w.kernel[1], w.strides[1], w.padding);
  const pairs = Math.ceil(outC / 2);
  return {
    macs: sum(r) * sum(c) * inC * outC,
    rows: sum(r) * c.length * pairs,
    tailBytes: sum(r) * sum(c.map((n) => (n * inC) % 4)) * pairs,
  };
}
