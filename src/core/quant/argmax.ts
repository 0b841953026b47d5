/**
 * The one tie rule for int8 scores, shared by the TS side and the generated C (P_classify):
 * the highest score wins; ties go to the lowest index.
 */
import { EarshotError } from '../errors.ts';

export function argmaxInt8(scores: ArrayLike<number>): number {
  if (scores.length === 0) throw new EarshotError('model/invalid', 'argmax of an empty score vector');
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
