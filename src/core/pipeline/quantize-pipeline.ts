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
  /** What float and int8 were scored on: the clips training held out, or all (none were held out). */
  scoredOn: 'held-out' | 'all';
  scoredClips: number;
}

/**
 * The clips training held out (TrainingSummary.valSources, by clip source) and the others. With
 * none held out (or none of them among `clips`), both are all the clips.
 */
export function heldOutSplit<T extends { source?: string }>(artifact: ModelArtifact, clips: readonly T[]): { train: T[]; heldOut: T[]; scoredOn: 'held-out' | 'all' } {
  const val = new Set(artifact.training?.valSources ?? []);
  const heldOut = clips.filter((c) => c.source !== undefined && val.has(c.source));
  const train = clips.filter((c) => !(c.source !== undefined && val.has(c.source)));
  if (heldOut.length === 0 || train.length === 0) return { train: [...clips], heldOut: [...clips], scoredOn: 'all' };
  return { train, heldOut, scoredOn: 'held-out' };
}

/**
 * Quantize with a representative set of `calibrationSize` training clips, score float and int8
 * on the clips training held out (the speakers it never heard, with a speaker split; all clips
 * when none were held out), and measure each layer's quantization error: what the page's
 * quantize screen shows.
 */
export async function quantizeAndScore(
  artifact: ModelArtifact,
  clips: readonly LabeledClip[],
  opts: { calibrationSize?: number; seed?: number } = {},
): Promise<QuantizationScore> {
  const { train, heldOut, scoredOn } = heldOutSplit(artifact, clips);
  const quantized = quantizeArtifact(artifact, train, { size: opts.calibrationSize, seed: opts.seed });
  const float = await evaluateClips(quantized, heldOut);
  const int8 = await evaluateClips(quantized, heldOut, { int8: true });
  const sample = pickCalibration(train, REPORT_CLIPS, (opts.seed ?? 1) + 1);
  const layers = layerErrors(analyzeSpec(quantized.spec), quantized.weights, quantized.quantized!, featuresOf(sample, quantized.featureConfig));
  return { artifact: quantized, float, int8, calibrationCount: quantized.quantized!.calibrationCount, layers, scoredOn, scoredClips: heldOut.length };
}

export interface QatOutcome extends QuantizationScore {
  /** int8 accuracy on the same clips before fine-tuning (the current int8 model). */
  int8Before: number;
  floatBefore: number;
  /** Mean fake-quant training loss per epoch. */
  losses: number[];
}

/**
 * Quantization-aware fine-tuning (quant/qat.ts) of a quantized artifact on the training clips,
 * then post-training quantization again; reports int8 accuracy before and after on the clips
 * training held out (all clips when none were).
 */
export async function fineTuneAndRequantize(
  artifact: ModelArtifact,
  clips: readonly LabeledClip[],
  opts: { epochs?: number; learningRate?: number; calibrationSize?: number; seed?: number; signal?: { aborted: boolean } } = {},
): Promise<QatOutcome> {
  if (!artifact.quantized) throw new EarshotError('model/not-quantized', 'quantize the model before fine-tuning it for int8');
  if (clips.length === 0) throw new EarshotError('quant/bad-calibration', 'fine-tuning needs labelled clips');
  const { train, heldOut } = heldOutSplit(artifact, clips);
  const before = await evaluateClips(artifact, heldOut, { int8: true });
  const floatBefore = await evaluateClips(artifact, heldOut);
  const losses: number[] = [];
  const weights = await fineTuneQuantAware(artifact.spec, artifact.weights, featuresOf(train, artifact.featureConfig), labelIndices(train, artifact.labels), {
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
