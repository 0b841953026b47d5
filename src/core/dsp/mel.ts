/**
 * Triangular mel filterbank on the HTK mel scale, mel(f) = 2595·log10(1 + f/700).
 * melBands + 2 points are equally spaced in mel from fMinHz to fMaxHz; band b rises linearly
 * (in Hz) from point b to point b+1 and falls to point b+2, peak weight 1, no area
 * normalisation. Weights are evaluated at the FFT bin frequencies k·sampleRate/fftSize,
 * k = 0..fftSize/2, in double and rounded to float32; each band keeps only its non-zero run
 * (start bin + weights), which is what the C header embeds.
 */

export interface MelFilterbank {
  bands: number;
  /** Number of power bins the filterbank reads (fftSize/2 + 1). */
  bins: number;
  /** First bin with a non-zero weight, per band (0 with length 0 for an empty band). */
  start: Uint16Array;
  /** Number of weights, per band. */
  length: Uint16Array;
  /** Offset of the band's first weight in `weights`. */
  offset: Uint32Array;
  /** All bands' weights, concatenated, float32. */
  weights: Float32Array;
}

export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Dense weight of band b at frequency hz (double), the definition the sparse table samples. */
function triangle(hz: number, lo: number, centre: number, hi: number): number {
  if (hz <= lo || hz >= hi) return 0;
  if (hz <= centre) return (hz - lo) / (centre - lo);
  return (hi - hz) / (hi - centre);
}

export interface MelParams {
  sampleRateHz: number;
  fftSize: number;
  melBands: number;
  fMinHz: number;
  fMaxHz: number;
}

export function melFilterbank(p: MelParams): MelFilterbank {
  const bins = p.fftSize / 2 + 1;
  const melLo = hzToMel(p.fMinHz);
  const melHi = hzToMel(p.fMaxHz);
  const points: number[] = [];
  for (let i = 0; i < p.melBands + 2; i++) points.push(melToHz(melLo + ((melHi - melLo) * i) / (p.melBands + 1)));
  const start = new Uint16Array(p.melBands);
  const length = new Uint16Array(p.melBands);
  const offset = new Uint32Array(p.melBands);
  const all: number[] = [];
  for (let b = 0; b < p.melBands; b++) {
    const row: number[] = [];
    let first = -1;
    for (let k = 0; k < bins; k++) {
      const w = Math.fround(triangle((k * p.sampleRateHz) / p.fftSize, points[b], points[b + 1], points[b + 2]));
      if (w > 0) {
        if (first < 0) first = k;
        // Fill any interior zero (cannot happen for a triangle, kept for exactness of the run).
        while (first + row.length < k) row.push(0);
        row.push(w);
      }
    }
    start[b] = first < 0 ? 0 : first;
    length[b] = row.length;
    offset[b] = all.length;
    all.push(...row);
  }
  return { bands: p.melBands, bins, start, length, offset, weights: Float32Array.from(all) };
}

/** Dense [bands × bins] matrix of the sparse filterbank (for tests and plots). */
export function melMatrix(fb: MelFilterbank): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let b = 0; b < fb.bands; b++) {
    const row = new Float32Array(fb.bins);
    for (let i = 0; i < fb.length[b]; i++) row[fb.start[b] + i] = fb.weights[fb.offset[b] + i];
    rows.push(row);
  }
  return rows;
}

/** Centre frequency in Hz of each mel band (its triangle's peak), low to high: for plot axes. */
export function melCentresHz(p: Pick<MelParams, 'melBands' | 'fMinHz' | 'fMaxHz'>): number[] {
  const lo = hzToMel(p.fMinHz);
  const hi = hzToMel(p.fMaxHz);
  return Array.from({ length: p.melBands }, (_, b) => melToHz(lo + ((hi - lo) * (b + 1)) / (p.melBands + 1)));
}

/** Centre time in ms of each frame (frame start + half a window), for plot axes. */
export function frameCentresMs(p: { sampleRateHz: number; windowSamples: number; hopSamples: number; frames: number }): number[] {
  return Array.from({ length: p.frames }, (_, f) => ((f * p.hopSamples + p.windowSamples / 2) * 1000) / p.sampleRateHz);
}
