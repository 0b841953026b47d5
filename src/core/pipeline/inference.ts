/**
 * Classify and evaluate clips with a ModelArtifact, as float (tfjs) or int8 (reference engine).
 * Int8 "scores" are the quantized logits of the last dense layer; probabilities are a float
 * softmax of their dequantized values, so argmax is identical to the firmware's.
 */
import { EarshotError } from '../errors.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { createFloatPredictor } from '../model/train.ts';
import { evaluate, type Evaluation } from '../model/evaluate.ts';
import { quantizeFeatures } from '../dsp/log-mel.ts';
import { runInt8 } from '../quant/int8-engine.ts';
import { argmaxInt8 } from '../quant/argmax.ts';
import { featuresOf } from './train-pipeline.ts';
import { labelIndices, type LabeledClip } from './labeled-clips.ts';

export interface Prediction {
  labelIndex: number;
  label: string;
  probabilities: number[];
  /** Only for int8: the raw int8 scores, as the firmware's P_invoke writes them. */
  int8Scores?: number[];
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** A model ready to classify many batches (live inference keeps one); dispose() frees the float model. */
export interface Classifier {
  classify(samples: readonly Float32Array[]): Prediction[];
  dispose(): void;
}

/** Float (tfjs, built once) or int8 (reference engine) classification of raw clips at the model's rate. */
export function createClassifier(artifact: ModelArtifact, opts: { int8?: boolean } = {}): Classifier {
  const featuresFor = (samples: readonly Float32Array[]) => featuresOf(samples.map((s) => ({ samples: s })), artifact.featureConfig);
  if (opts.int8) {
    const q = artifact.quantized;
    if (!q) throw new EarshotError('model/not-quantized', 'this model has no int8 version yet: run quantize first');
    const one = (data: Float32Array): Prediction => {
      const frames = data.length / artifact.featureConfig.melBands;
      const input = quantizeFeatures({ frames, bands: artifact.featureConfig.melBands, data }, q.input);
      const scores = runInt8(q, input);
      const idx = argmaxInt8(scores);
      const probabilities = softmax(Array.from(scores, (s) => (s - q.output.zeroPoint) * q.output.scale));
      return { labelIndex: idx, label: artifact.labels[idx], probabilities, int8Scores: Array.from(scores) };
    };
    return { classify: (samples) => featuresFor(samples).map(one), dispose: () => undefined };
  }
  const model = createFloatPredictor(artifact.spec, artifact.weights);
  return {
    classify: (samples) =>
      model.predict(featuresFor(samples)).map((p) => {
        const probabilities = Array.from(p);
        const idx = argmax(probabilities);
        return { labelIndex: idx, label: artifact.labels[idx], probabilities };
      }),
    dispose: () => model.dispose(),
  };
}

export async function classifyClips(artifact: ModelArtifact, samples: readonly Float32Array[], opts: { int8?: boolean } = {}): Promise<Prediction[]> {
  const c = createClassifier(artifact, opts);
  try {
    return c.classify(samples);
  } finally {
    c.dispose();
  }
}

export async function evaluateClips(artifact: ModelArtifact, clips: readonly LabeledClip[], opts: { int8?: boolean } = {}): Promise<Evaluation> {
  const truth = labelIndices(clips, artifact.labels);
  const preds = await classifyClips(artifact, clips.map((c) => c.samples), opts);
  return evaluate(truth, preds.map((p) => p.labelIndex), artifact.labels);
}
