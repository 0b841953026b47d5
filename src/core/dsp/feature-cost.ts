/**
 * What one hop of the feature extractor does: exact operation counts of `earshot_logmel_frame` +
 * the int8 quantization in `earshot_features` (src/core/export/c/features.h) for a config, and
 * the per-clip normalisation (`earshot_normalize`, once per window) spread over its frames. Pure dsp
 * knowledge; the board cost per hop (instructions, cycles per core) is fitted to these counts from
 * qemu measurements in scripts/fit-costs.ts and priced by featureHopCost in
 * src/core/mcu/earshot-costs.ts.
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
  /** Values per hop raised to the relative floor (its two passes over the window, per frame): bands when on, else 0. */
  floorValues: number;
  /** Values per hop whose band mean is removed (two passes over the window, per frame): bands when on, else 0. */
  meanValues: number;
}

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
    floorValues: c.relativeFloorDb > 0 ? c.melBands : 0,
    meanValues: c.bandMeanRemoval === 1 ? c.melBands : 0,
  };
}
