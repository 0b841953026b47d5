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

/** How clips are split between training and validation. */
export type SplitKind = 'random' | 'speaker' | 'session';
export const SPLIT_KINDS: readonly SplitKind[] = ['random', 'speaker', 'session'];

/** One fold of a cross-validation: the group held out and the clip indices on each side. */
export interface GroupFold extends TrainValSplit {
  group: string;
}

function distinctGroups(groups: readonly (string | undefined)[], what: string): string[] {
  if (!Array.isArray(groups)) throw new EarshotError('train/bad-options', `${what}: groups must be a list`);
  const names = [...new Set(groups.filter((g): g is string => typeof g === 'string' && g !== ''))].sort();
  if (names.length < 2) {
    throw new EarshotError('train/bad-options', `${what} needs clips from at least 2 different groups (speakers or sessions), found ${names.length}`);
  }
  return names;
}

/**
 * Split by group (speaker or session) so that no group is on both sides: groups are shuffled
 * (seeded) and moved to validation until it holds at least round(n · valFraction) clips, always
 * leaving at least one group for training. Clips without a group stay in training.
 */
export function splitByGroup(groups: readonly (string | undefined)[], valFraction: number, seed: number): TrainValSplit {
  if (typeof valFraction !== 'number' || !(valFraction > 0 && valFraction < 1)) {
    throw new EarshotError('train/bad-options', `valFraction must be in (0, 1) for a group split, got ${String(valFraction)}`);
  }
  if (!Number.isInteger(seed)) throw new EarshotError('train/bad-options', `seed must be an integer, got ${String(seed)}`);
  const names = distinctGroups(groups, 'a split by speaker or session');
  shuffleInPlace(names, mulberry32(mixSeed(seed, 0x9e0)));
  const count = new Map<string, number>();
  for (const g of groups) if (g) count.set(g, (count.get(g) ?? 0) + 1);
  const want = Math.max(1, Math.round(groups.length * valFraction));
  const held = new Set<string>();
  let n = 0;
  for (const g of names.slice(0, -1)) {
    if (n >= want) break;
    held.add(g);
    n += count.get(g)!;
  }
  const train: number[] = [];
  const val: number[] = [];
  groups.forEach((g, i) => (g && held.has(g) ? val : train).push(i));
  return { train, val };
}

/** Leave-one-group-out folds (e.g. leave one speaker out), one per group, in group name order. */
export function leaveOneGroupOut(groups: readonly (string | undefined)[]): GroupFold[] {
  return distinctGroups(groups, 'leave-one-out cross-validation').map((group) => {
    const train: number[] = [];
    const val: number[] = [];
    groups.forEach((g, i) => (g === group ? val : train).push(i));
    return { group, train, val };
  });
}

/**
 * The speaker a file name names, by the Speech Commands convention `<speaker>_nohash_<n>.wav`
 * (any `<speaker>_<rest>.wav`): the part before the first '_'; undefined when there is none.
 */
export function speakerFromName(path: string): string | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const i = base.indexOf('_');
  return i > 0 ? base.slice(0, i) : undefined;
}
