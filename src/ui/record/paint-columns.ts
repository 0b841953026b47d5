/** Paint a ring of dB columns (newest at `newest`) scrolling right to left; −90..−10 dB grey ramp to amber. */
export function paintColumns(canvas: HTMLCanvasElement, ring: Float32Array, bands: number, columns: number, newest: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(columns, bands);
  for (let x = 0; x < columns; x++) {
    const col = (newest + 1 + x) % columns;
    for (let b = 0; b < bands; b++) {
      const t = Math.min(1, Math.max(0, (ring[col * bands + b] + 90) / 80));
      const o = ((bands - 1 - b) * columns + x) * 4;
      img.data[o] = 20 + 235 * t;
      img.data[o + 1] = 20 + 170 * t * t;
      img.data[o + 2] = 40 + 20 * t;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}
