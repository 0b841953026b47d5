/** Min/max envelope of the samples, one pair per pixel column. */
export function drawWaveform(canvas: HTMLCanvasElement, samples: Float32Array): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#3a8f7a';
  const per = Math.max(1, Math.floor(samples.length / width));
  const mid = height / 2;
  for (let x = 0; x < width; x++) {
    let lo = 0;
    let hi = 0;
    for (let i = x * per, e = Math.min(samples.length, i + per); i < e; i++) {
      const v = samples[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const top = mid - hi * mid;
    ctx.fillRect(x, top, 1, Math.max(1, (hi - lo) * mid));
  }
}
