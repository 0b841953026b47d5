/**
 * Labeled clips: the input of every pipeline step (page and CLI alike). Samples are mono
 * Float32 at the FeatureConfig's rate, already fitted to its input length.
 */
import { EarshotError } from '../errors.ts';

export interface LabeledClip {
  samples: Float32Array;
  label: string;
  /** Where it came from (file path or clip id), for messages. */
  source?: string;
  /** Who recorded it and in which session: for splits that keep a person out of training. */
  speaker?: string;
  session?: string;
}

/** Sorted unique labels; at least two classes, each with at least one clip. */
export function collectLabels(clips: readonly LabeledClip[]): string[] {
  const labels = [...new Set(clips.map((c) => c.label))].sort();
  if (labels.length < 2) {
    throw new EarshotError('dataset/too-few-classes', `training needs at least 2 classes, found ${labels.length}${labels.length ? ` (${labels.join(', ')})` : ''}`);
  }
  return labels;
}

/** Index of each clip's label in `labels`; a label the model does not know is an error. */
export function labelIndices(clips: readonly LabeledClip[], labels: readonly string[]): number[] {
  return clips.map((c) => {
    const i = labels.indexOf(c.label);
    if (i < 0) throw new EarshotError('model/label-mismatch', `label "${c.label}" is not one of the model's labels (${labels.join(', ')})`);
    return i;
  });
}
