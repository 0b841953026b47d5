/**
 * What one hop of the feature extractor costs on the board: exact operation counts of
 * `earshot_logmel_frame` + the int8 quantization in `earshot_features` (src/core/export/c/features.h)
 * for a config, and the instructions and Cortex-M4F cycles they take.
 *
 * The per-term coefficients are a least-squares fit of qemu-system-arm instruction counts (exact,
 * insn-count TCG plugin of tools/qemu-insn) and cycles (the executed instruction mix priced with the
 * Cortex-M4 TRM timings of tools/qemu-insn/insn-count.ts) of `earshot_features` built with
 * arm-none-eabi-gcc 12.2 -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os, per hop, on 14
 * configs (the 4 presets and 10 variations: FFT 128–2048, window 128–1920 samples, 16–80 bands,
 * 118–1998 mel weights). Fit error: instructions max 1.3% (leave-one-out max 3.0%), cycles max
 * 1.0% (leave-one-out 2.3%). tests/c/feature-cost.test.ts re-measures presets under qemu.
 * Refit when features.h changes.
 */
import { featureShape, validateFeatureConfig, type FeatureConfig } from './feature-config.ts';
import { logMelTables } from './log-mel.ts';

export interface FeatureOpCounts {
  /** PCM samples windowed per hop (windowSamples). */
  windowSamples: number;
  /** Zero-padding stores (fftSize − windowSamples). */
  padSamples: number;
  /** fftSize: drives the packing, bit reversal and split step (fftSize/2 each). */
  fftSize: number;
  /** Radix-2 butterflies of the half-size complex FFT: (fftSize/4)·log2(fftSize/2). */
  butterflies: number;
  /** Mel multiply-adds per hop (non-zero filterbank weights). */
  melWeights: number;
  /** Bands: one float32 log and one int8 quantization each. */
  bands: number;
}

export interface FeatureCost {
  ops: FeatureOpCounts;
  /** Estimated instructions executed per hop on a Cortex-M4F (-Os). */
  instructions: number;
  /** Estimated Cortex-M4F cycles per hop (zero-wait-state memory). */
  cycles: number;
  /** Hops per second of audio (1000 / hopMs, at the sample rate's rounding). */
  hopsPerSecond: number;
  /** cycles × hops per second: the extractor's share of the clock when streaming. */
  cyclesPerSecondOfAudio: number;
}

// [per hop, per window sample, per fftSize, per butterfly, per mel weight, per band], see above.
const INSNS = [465.97, 8.087, 21.834, 25.011, 6.882, 76.296] as const;
const CYCLES = [864.89, 12.688, 29.041, 43.811, 14.965, 116.66] as const;

export function featureOpCounts(config: Partial<FeatureConfig>): FeatureOpCounts {
  const c = validateFeatureConfig(config);
  const s = featureShape(c);
  const half = c.fftSize / 2;
  return {
    windowSamples: s.windowSamples,
    padSamples: c.fftSize - s.windowSamples,
    fftSize: c.fftSize,
    butterflies: (half / 2) * Math.log2(half),
    melWeights: logMelTables(c).mel.weights.length,
    bands: c.melBands,
  };
}

/** Board cost of one hop of the extractor for `config` (defaults filled, then validated). */
export function featureCostPerHop(config: Partial<FeatureConfig>): FeatureCost {
  const c = validateFeatureConfig(config);
  const ops = featureOpCounts(c);
  const x = [1, ops.windowSamples, ops.fftSize, ops.butterflies, ops.melWeights, ops.bands];
  const dot = (w: readonly number[]) => Math.round(x.reduce((a, v, i) => a + v * w[i], 0));
  const s = featureShape(c);
  const hopsPerSecond = c.sampleRateHz / s.hopSamples;
  const cycles = dot(CYCLES);
  return { ops, instructions: dot(INSNS), cycles, hopsPerSecond, cyclesPerSecondOfAudio: Math.round(cycles * hopsPerSecond) };
}
