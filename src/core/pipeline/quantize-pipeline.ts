/**
 * Float ModelArtifact + representative clips → the same artifact with its QuantizedModel.
 */
import { EarshotError } from '../errors.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { DEFAULT_CALIBRATION_SIZE, layerErrors, quantizeModel, type LayerError } from '../quant/quantize.ts';
import type { Evaluation } from '../model/evaluate.ts';
import { evaluateClips } from './inference.ts';
import { labelIndices, type LabeledClip } from './labeled-clips.ts';
import { fineTuneQuantAware } from '../quant/qat.ts';
import { featuresOf } from './train-pipeline.ts';
import { mulberry32, shuffleInPlace } from '../model/prng.ts';

export { DEFAULT_CALIBRATION_SIZE };

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

export interface QatOutcome extends QuantizationScore {
  /** int8 accuracy on the same clips before fine-tuning (the current int8 model). */
  int8Before: number;
  floatBefore: number;
  /** Mean fake-quant training loss per epoch. */
  losses: number[];
}

/**
 * Quantization-aware fine-tuning (quant/qat.ts) of a quantized artifact on labelled clips, then
 * post-training quantization again; reports int8 accuracy before and after on the same clips.
 */
export async function fineTuneAndRequantize(
  artifact: ModelArtifact,
  clips: readonly LabeledClip[],
  opts: { epochs?: number; learningRate?: number; calibrationSize?: number; seed?: number; signal?: { aborted: boolean } } = {},
): Promise<QatOutcome> {
  if (!artifact.quantized) throw new EarshotError('model/not-quantized', 'quantize the model before fine-tuning it for int8');
  if (clips.length === 0) throw new EarshotError('quant/bad-calibration', 'fine-tuning needs labelled clips');
  const before = await evaluateClips(artifact, clips, { int8: true });
  const floatBefore = await evaluateClips(artifact, clips);
  const losses: number[] = [];
  const weights = await fineTuneQuantAware(artifact.spec, artifact.weights, featuresOf(clips, artifact.featureConfig), labelIndices(clips, artifact.labels), {
    epochs: opts.epochs,
    learningRate: opts.learningRate,
    seed: opts.seed,
    signal: opts.signal,
    onEpoch: (_, loss) => losses.push(loss),
  });
  const { quantized: _old, ...float } = artifact;
  void _old;
  const after = await quantizeAndScore({ ...float, weights }, clips, { calibrationSize: opts.calibrationSize, seed: opts.seed });
  return { ...after, int8Before: before.accuracy, floatBefore: floatBefore.accuracy, losses };
}
