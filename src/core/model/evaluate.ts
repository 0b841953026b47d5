/**
 * Classification metrics from true and predicted class indices: accuracy, confusion matrix
 * ([true][pred]) and per-class precision, recall and support. A class never predicted has
 * precision 0; a class with no clips has recall 0; no clips at all gives accuracy NaN.
 */
import { EarshotError } from '../errors.ts';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  support: number;
}

export interface Evaluation {
  accuracy: number;
  confusion: number[][];
  perClass: ClassMetrics[];
}

export function evaluate(trueIdx: readonly number[], predIdx: readonly number[], labels: readonly string[]): Evaluation {
  if (trueIdx.length !== predIdx.length) {
    throw new EarshotError('model/label-mismatch', `${trueIdx.length} true labels but ${predIdx.length} predictions`);
  }
  const k = labels.length;
  if (k < 1) throw new EarshotError('model/label-mismatch', 'evaluate needs at least one label');
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < trueIdx.length; i++) {
    const t = trueIdx[i]!;
    const p = predIdx[i]!;
    for (const [what, v] of [['true', t], ['predicted', p]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= k) {
        throw new EarshotError('model/label-mismatch', `${what} class ${String(v)} of clip ${i} is not one of the ${k} labels`);
      }
    }
    confusion[t]![p]!++;
    if (t === p) correct++;
  }
  const perClass = labels.map((label, c) => {
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const tp = confusion[c]![c]!;
    return { label, precision: predicted > 0 ? tp / predicted : 0, recall: support > 0 ? tp / support : 0, support };
  });
  return { accuracy: trueIdx.length > 0 ? correct / trueIdx.length : NaN, confusion, perClass };
}
