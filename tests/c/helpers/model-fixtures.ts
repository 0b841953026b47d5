/**
 * Seeded quantized models for the C tests: a spec (a test spec, a random one or a preset) gets
 * Glorot-ish random weights, is calibrated on synthetic clips (noise, tones, chirps) and quantized.
 * Labels are chosen to be awkward in C (quotes, comment closers, trigraphs, UTF-8, newlines).
 */
import { computeLogMel } from '../../../src/core/dsp/log-mel.ts';
import { featureShape, type FeatureConfig } from '../../../src/core/dsp/feature-config.ts';
import { analyzeSpec } from '../../../src/core/model/analyze.ts';
import type { ModelArtifact } from '../../../src/core/model/artifact.ts';
import type { ModelSpec } from '../../../src/core/model/spec.ts';
import { quantizeModel } from '../../../src/core/quant/quantize.ts';
import { mulberry32 } from '../../../src/core/model/prng.ts';
import { randomWeights } from '../../unit/quantize-fixtures.ts';

export const AWKWARD_LABELS = ['yes', 'no "quoted" */ \\ ??=', 'naïve', 'noise\n'];

/** A seeded synthetic clip: noise, a tone or a chirp plus noise, at a random level. */
export function synthClip(config: FeatureConfig, rand: () => number): Float32Array {
  const x = new Float32Array(featureShape(config).inputSamples);
  const kind = Math.floor(rand() * 3);
  const amp = 0.02 + 0.6 * rand();
  const f0 = 100 + 3000 * rand();
  for (let i = 0; i < x.length; i++) {
    const t = i / config.sampleRateHz;
    const tone = Math.sin(2 * Math.PI * f0 * t * (kind === 2 ? 1 + t : 1));
    x[i] = amp * (kind === 0 ? rand() * 2 - 1 : kind === 1 ? tone : 0.5 * tone + 0.3 * (rand() * 2 - 1));
  }
  return x;
}

export interface SeededModel {
  artifact: ModelArtifact;
  /** Other synthetic clips (not used for calibration). */
  clips: Float32Array[];
}

/** Random weights (seeded), calibration on `calibrationClips` synthetic clips, int8 quantization. */
export function seededQuantizedModel(spec: ModelSpec, config: FeatureConfig, seed: number, opts: { calibrationClips?: number; clips?: number } = {}): SeededModel {
  const shape = featureShape(config);
  const s: ModelSpec = { ...spec, input: { shape: [shape.frames, shape.bands, 1] } };
  const a = analyzeSpec(s);
  const weights = randomWeights(a, seed);
  const rand = mulberry32(seed * 31 + 5);
  const cal = Array.from({ length: opts.calibrationClips ?? 16 }, () => computeLogMel(synthClip(config, rand), config).data);
  const quantized = quantizeModel(a, weights, cal);
  const classes = a.outputShape[0]!;
  const labels = Array.from({ length: classes }, (_, i) => AWKWARD_LABELS[i % 4]! + (i >= 4 ? String(i) : ''));
  const clips = Array.from({ length: opts.clips ?? 3 }, () => synthClip(config, rand));
  return { artifact: { version: 1, labels, featureConfig: config, spec: s, weights, quantized }, clips };
}
