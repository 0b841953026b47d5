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

/** What a group split knows of the clips beyond their groups: their classes, and what the groups are (for messages). */
export interface GroupSplitOptions {
  /** Class of each clip (same length as groups): a split that leaves a class with no training clips is refused. */
  labels?: readonly string[];
  /** What a group is, in messages (default 'speaker'). */
  by?: 'speaker' | 'session';
}

function distinctGroups(groups: readonly (string | undefined)[], what: string): string[] {
  if (!Array.isArray(groups)) throw new EarshotError('train/bad-options', `${what}: groups must be a list`);
  const names = [...new Set(groups.filter((g): g is string => typeof g === 'string' && g !== ''))].sort();
  if (names.length < 2) {
    throw new EarshotError('train/bad-options', `${what} needs clips from at least 2 different groups (speakers or sessions), found ${names.length}`);
  }
  return names;
}

const quoted = (s: string) => `“${s}”`;
const andList = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/**
 * The classes that holding out `held` leaves without a training clip (clips without a group stay
 * in training), each with the groups its clips come from.
 */
function starvedClasses(groups: readonly (string | undefined)[], labels: readonly string[], held: ReadonlySet<string>): { label: string; from: string[] }[] {
  const trained = new Set<string>();
  const from = new Map<string, Set<string>>();
  groups.forEach((g, i) => {
    const l = labels[i]!;
    if (!g || !held.has(g)) trained.add(l);
    else from.set(l, (from.get(l) ?? new Set()).add(g));
  });
  return [...from.keys()].filter((l) => !trained.has(l)).sort().map((label) => ({ label, from: [...from.get(label)!].sort() }));
}

/** The refusal for a class that a held-out group set would leave with nothing to learn from, in plain words. */
function classHeldOut(starved: { label: string; from: string[] }, by: 'speaker' | 'session'): EarshotError {
  const { label, from } = starved;
  const who = andList(from);
  const them = from.length === 1 ? from[0]! : 'them';
  const another = by === 'speaker' ? 'with another speaker' : 'in another session';
  return new EarshotError(
    'split/class-held-out',
    `All clips of ${quoted(label)} are from ${by === 'session' ? `session ${who}` : who}: holding ${by === 'session' && from.length === 1 ? `session ${them}` : them} out leaves nothing to learn ${quoted(label)} from. Record ${quoted(label)} ${another}.`,
  );
}

function checkLabels(groups: readonly (string | undefined)[], labels: readonly string[] | undefined): void {
  if (labels !== undefined && (!Array.isArray(labels) || labels.length !== groups.length)) {
    throw new EarshotError('train/bad-options', `a group split needs one label per clip (${groups.length}), got ${Array.isArray(labels) ? labels.length : String(labels)}`);
  }
}

/**
 * Split by group (speaker or session) so that no group is on both sides: groups are shuffled
 * (seeded) and moved to validation until it holds at least round(n · valFraction) clips, always
 * leaving at least one group for training. Clips without a group stay in training. With `labels`,
 * a group whose holding out would leave a class without training clips is passed over; when
 * every group would, the split is refused ('split/class-held-out', naming the class and group).
 */
export function splitByGroup(groups: readonly (string | undefined)[], valFraction: number, seed: number, opts: GroupSplitOptions = {}): TrainValSplit {
  if (typeof valFraction !== 'number' || !(valFraction > 0 && valFraction < 1)) {
    throw new EarshotError('train/bad-options', `valFraction must be in (0, 1) for a group split, got ${String(valFraction)}`);
  }
  if (!Number.isInteger(seed)) throw new EarshotError('train/bad-options', `seed must be an integer, got ${String(seed)}`);
  const names = distinctGroups(groups, 'a split by speaker or session');
  checkLabels(groups, opts.labels);
  shuffleInPlace(names, mulberry32(mixSeed(seed, 0x9e0)));
  const count = new Map<string, number>();
  for (const g of groups) if (g) count.set(g, (count.get(g) ?? 0) + 1);
  const want = Math.max(1, Math.round(groups.length * valFraction));
  const held = new Set<string>();
  let n = 0;
  let firstRefusal: { label: string; from: string[] } | undefined;
  for (const g of names) {
    if (n >= want || held.size === names.length - 1) break;
    if (opts.labels) {
      const starved = starvedClasses(groups, opts.labels, new Set([...held, g]));
      if (starved.length > 0) {
        firstRefusal ??= starved[0];
        continue;
      }
    }
    held.add(g);
    n += count.get(g)!;
  }
  if (held.size === 0 && firstRefusal) throw classHeldOut(firstRefusal, opts.by ?? 'speaker');
  const train: number[] = [];
  const val: number[] = [];
  groups.forEach((g, i) => (g && held.has(g) ? val : train).push(i));
  return { train, val };
}

/**
 * Leave-one-group-out folds (e.g. leave one speaker out), one per group, in group name order.
 * With `labels`, a fold that would leave a class without training clips refuses the whole
 * cross-validation ('split/class-held-out').
 */
export function leaveOneGroupOut(groups: readonly (string | undefined)[], opts: GroupSplitOptions = {}): GroupFold[] {
  const names = distinctGroups(groups, 'leave-one-out cross-validation');
  checkLabels(groups, opts.labels);
  return names.map((group) => {
    if (opts.labels) {
      const starved = starvedClasses(groups, opts.labels, new Set([group]));
      if (starved.length > 0) throw classHeldOut(starved[0]!, opts.by ?? 'speaker');
    }
    const train: number[] = [];
    const val: number[] = [];
    groups.forEach((g, i) => (g === group ? val : train).push(i));
    return { group, train, val };
  });
}
