/**
 * Float ModelArtifact + representative clips → the same artifact with its QuantizedModel.
 */
import { EarshotError } from '../errors.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { quantizeModel } from '../quant/quantize.ts';
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
