/**
 * Seeded generated background noise for augmentation when a project has no noise clips:
 * white (flat), pink (−3 dB per octave) and brown (−6 dB per octave) Gaussian noise.
 *
 * Pink is white noise through a cascade of first-order pole–zero sections, one per octave: a pole
 * at p = 10·2^k Hz and a zero half an octave above it (p·√2), each section falling 6 dB/octave
 * over its half octave, so the cascade averages −3 dB/octave (ripple well under 0.5 dB) from
 * ~10 Hz to a quarter of the rate. Brown is one such pole at 10 Hz without a zero (a leaky
 * integrator: −6 dB/octave above 10 Hz, flattening by ~1 dB towards Nyquist). Poles and zeros map
 * to z = exp(−2πf/fs). The filters run 0.1 s before the kept samples so the output is stationary.
 * Levels are arbitrary: mixNoise scales the noise to the SNR.
 */
export const NOISE_COLOURS = ['white', 'pink', 'brown'] as const;
export type NoiseColour = (typeof NOISE_COLOURS)[number];

const LOWEST_POLE_HZ = 10;

/** Standard normal samples from a uniform generator (Box–Muller, both outputs used). */
export function gaussian(rand: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const a = 2 * Math.PI * rand();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** In place: y[i] = x[i] − b·x[i−1] + a·y[i−1] (pole a, zero b). */
function section(x: Float64Array, a: number, b: number): void {
  let xPrev = 0;
  let yPrev = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    yPrev = v - b * xPrev + a * yPrev;
    xPrev = v;
    x[i] = yPrev;
  }
}

const zOf = (hz: number, sampleRateHz: number) => Math.exp((-2 * Math.PI * hz) / sampleRateHz);

/** `n` samples of seeded noise of the given colour at `sampleRateHz`. */
export function generateNoise(colour: NoiseColour, n: number, sampleRateHz: number, rand: () => number): Float32Array {
  const warm = Math.round(sampleRateHz / 10);
  const x = gaussian(rand, n + warm);
  if (colour === 'brown') section(x, zOf(LOWEST_POLE_HZ, sampleRateHz), 0);
  if (colour === 'pink') {
    for (let p = LOWEST_POLE_HZ; p * Math.SQRT2 < sampleRateHz / 2; p *= 2) section(x, zOf(p, sampleRateHz), zOf(p * Math.SQRT2, sampleRateHz));
  }
  return Float32Array.from(x.subarray(warm));
}
