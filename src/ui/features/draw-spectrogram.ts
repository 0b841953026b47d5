/** Paint a [frames × bands] matrix on a canvas: time left→right, low bands at the bottom. */
import type { Features } from '../../core/dsp/feature-config.ts';

/** A small perceptual ramp (dark blue → teal → yellow), interpolated. */
const RAMP: [number, number, number][] = [
  [13, 8, 48],
  [40, 60, 130],
  [30, 130, 140],
  [90, 190, 100],
  [250, 230, 80],
];

function colour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export interface Matrix {
  frames: number;
  bands: number;
  data: ArrayLike<number>;
}

/**
 * Values map to colours over [min, max]; by default the top 60 dB-ish of a log-mel matrix
 * (natural-log units: 60 dB ≈ 13.8). Pass a range for int8 data (−128..127).
 */
export function drawSpectrogram(canvas: HTMLCanvasElement, f: Features | Matrix, range?: { min: number; max: number }): void {
  canvas.width = f.frames;
  canvas.height = f.bands;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  let max = range?.max ?? -Infinity;
  if (!range) for (let i = 0; i < f.data.length; i++) if (f.data[i] > max) max = f.data[i];
  const min = range?.min ?? max - 13.8;
  const img = ctx.createImageData(f.frames, f.bands);
  for (let t = 0; t < f.frames; t++) {
    for (let b = 0; b < f.bands; b++) {
      const v = (f.data[t * f.bands + b] - min) / (max - min || 1);
      const [r, g, bl] = colour(v);
      const o = ((f.bands - 1 - b) * f.frames + t) * 4;
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = bl;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}
