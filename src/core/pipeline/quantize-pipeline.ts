/**
 * Float ModelArtifact + representative clips → the same artifact with its QuantizedModel.
 */
import { EarshotError } from '../errors.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { layerErrors, quantizeModel, type LayerError } from '../quant/quantize.ts';
import type { Evaluation } from '../model/evaluate.ts';
import { evaluateClips } from './inference.ts';
import type { LabeledClip } from './labeled-clips.ts';
import { featuresOf } from './train-pipeline.ts';
import { mulberry32, shuffleInPlace } from '../model/prng.ts';

export const DEFAULT_CALIBRATION_SIZE = 100;

/** A seeded, label-interleaved subset of at most `size` clips (the representative set). */
export function pickCalibration<T extends { label: string }>(clips: readonly T[], size: number, seed = 1): T[] {
  if (!Number.isInteger(size) || size < 1) throw new EarshotError('quant/bad-calibration', 'calibration size must be a positive integer');
  const byLabel = new Map<string, T[]>();
  for (const c of clips) byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), c]);
  const rand = mulberry32(seed);
  const queues = [...byLabel.keys()].sort().map((k) => shuffleInPlace([...byLabel.get(k)!], rand));
  const out: T[] = [];
  for (let round = 0; out.length < size && queues.some((q) => round < q.length); round++) {
    for (const q of queues) if (round < q.length && out.length < size) out.push(q[round]);
  }
  return out;
}

export function quantizeArtifact(
  artifact: ModelArtifact,
  calibration: readonly { samples: Float32Array; label: string }[],
  opts: { size?: number; seed?: number } = {},
): ModelArtifact {
  if (calibration.length === 0) throw new EarshotError('quant/bad-calibration', 'quantization needs at least one calibration clip');
  const picked = pickCalibration(calibration, opts.size ?? DEFAULT_CALIBRATION_SIZE, opts.seed ?? 1);
  const analysis = analyzeSpec(artifact.spec);
  const quantized = quantizeModel(analysis, artifact.weights, featuresOf(picked, artifact.featureConfig));
  return { ...artifact, quantized };
}

/** At most this many clips go into the per-layer error report (a float + an int8 run each). */
export const REPORT_CLIPS = 8;

export interface QuantizationScore {
  artifact: ModelArtifact;
  float: Evaluation;
  int8: Evaluation;
  /** Calibration clips actually used. */
  calibrationCount: number;
  /** Per-layer quantization error (SQNR) over up to REPORT_CLIPS clips, in execution order. */
  layers: LayerError[];
}

/**
 * Quantize with a representative set of `calibrationSize` clips, score float and int8 on all
 * clips, and measure each layer's quantization error: what the page's quantize screen shows.
 */
export async function quantizeAndScore(
  artifact: ModelArtifact,
  clips: readonly LabeledClip[],
  opts: { calibrationSize?: number; seed?: number } = {},
): Promise<QuantizationScore> {
  const quantized = quantizeArtifact(artifact, clips, { size: opts.calibrationSize, seed: opts.seed });
  const float = await evaluateClips(quantized, clips);
  const int8 = await evaluateClips(quantized, clips, { int8: true });
  const sample = pickCalibration(clips, REPORT_CLIPS, (opts.seed ?? 1) + 1);
  const layers = layerErrors(analyzeSpec(quantized.spec), quantized.weights, quantized.quantized!, featuresOf(sample, quantized.featureConfig));
  return { artifact: quantized, float, int8, calibrationCount: quantized.quantized!.calibrationCount, layers };
}
