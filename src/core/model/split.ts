/**
 * Stratified, seeded train/validation split over clip indices. Each class with at least two clips
 * gives round(n * valFraction) clips to validation, at least one and never all of them; a class
 * with one clip stays in training. valFraction 0 means no validation set.
 */
import { EarshotError } from '../errors.ts';
import { mixSeed, mulberry32, shuffleInPlace } from './prng.ts';

export interface TrainValSplit {
  /** Clip indices, ascending. */
  train: number[];
  val: number[];
}

export function splitTrainVal(labels: readonly number[], valFraction: number, seed: number): TrainValSplit {
  if (!Array.isArray(labels)) throw new EarshotError('train/bad-options', 'labels must be a list of class indices');
  if (typeof valFraction !== 'number' || !(valFraction >= 0 && valFraction < 1)) {
    throw new EarshotError('train/bad-options', `valFraction must be in [0, 1), got ${String(valFraction)}`);
  }
  if (!Number.isInteger(seed)) throw new EarshotError('train/bad-options', `seed must be an integer, got ${String(seed)}`);
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0) throw new EarshotError('dataset/bad-label', `label of clip ${i} must be a class index >= 0, got ${String(l)}`);
    const list = byClass.get(l) ?? [];
    list.push(i);
    byClass.set(l, list);
  });
  const train: number[] = [];
  const val: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(cls)!;
    shuffleInPlace(idx, mulberry32(mixSeed(seed, cls)));
    const n = idx.length;
    const nVal = valFraction === 0 || n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * valFraction)));
    val.push(...idx.slice(0, nVal));
    train.push(...idx.slice(nVal));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}
