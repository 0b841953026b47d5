import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { leaveOneGroupOut, splitByGroup } from '../../src/core/model/split.ts';
import { codeOf } from './error-code.ts';

describe('splitByGroup', () => {
  it('never puts a group on both sides, leaves one group for training, is seeded', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.constantFrom('ann', 'bob', 'cy', 'dee', 'eve'), { nil: undefined }), { minLength: 2, maxLength: 50 }),
        fc.double({ min: 0.05, max: 0.9, noNaN: true }),
        fc.integer(),
        (groups, f, seed) => {
          fc.pre(new Set(groups.filter(Boolean)).size >= 2);
          const a = splitByGroup(groups, f, seed);
          expect(splitByGroup(groups, f, seed)).toEqual(a);
          expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(groups.map((_, i) => i));
          const valGroups = new Set(a.val.map((i) => groups[i]));
          for (const i of a.train) expect(valGroups.has(groups[i])).toBe(false);
          expect(valGroups.has(undefined)).toBe(false);
          expect(a.val.length).toBeGreaterThan(0);
          expect(new Set(a.train.map((i) => groups[i]).filter(Boolean)).size).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });

  it('holds out whole groups until the fraction is reached', () => {
    const groups = [...Array(10).fill('a'), ...Array(10).fill('b'), ...Array(10).fill('c'), ...Array(10).fill('d'), ...Array(10).fill('e')];
    const s = splitByGroup(groups, 0.2, 3);
    expect(s.val.length).toBe(10); // exactly one speaker of five
    expect(new Set(s.val.map((i) => groups[i])).size).toBe(1);
    expect(splitByGroup(groups, 0.3, 3).val.length).toBe(20); // two speakers: 10 < 15 → 20
  });

  it('refuses fewer than two groups and bad fractions', () => {
    expect(codeOf(() => splitByGroup(['a', 'a', undefined], 0.2, 1))).toBe('train/bad-options');
    expect(codeOf(() => splitByGroup(['a', 'b'], 0, 1))).toBe('train/bad-options');
    expect(codeOf(() => leaveOneGroupOut(['a']))).toBe('train/bad-options');
  });
});

describe('leaveOneGroupOut', () => {
  it('one fold per group, each holding out exactly that group', () => {
    const groups = ['b', 'a', 'b', undefined, 'c', 'a'];
    const folds = leaveOneGroupOut(groups);
    expect(folds.map((f) => f.group)).toEqual(['a', 'b', 'c']);
    expect(folds[0]).toEqual({ group: 'a', train: [0, 2, 3, 4], val: [1, 5] });
    expect(folds[2]).toEqual({ group: 'c', train: [0, 1, 2, 3, 5], val: [4] });
  });
});

describe('group splits refuse to leave a class with nothing to learn from', () => {
  // "three" is spoken by george only; the other classes by everyone.
  const rows: [string, string][] = [
    ['one', 'george'], ['one', 'lucas'], ['one', 'jack'],
    ['two', 'george'], ['two', 'lucas'], ['two', 'jack'],
    ['three', 'george'], ['three', 'george'],
  ];
  const labels = rows.map(([l]) => l);
  const groups = rows.map(([, g]) => g);

  it('splitByGroup passes over a speaker whose holding out would starve a class', () => {
    for (let seed = 0; seed < 20; seed++) {
      const s = splitByGroup(groups, 0.3, seed, { labels });
      expect(s.val.some((i) => groups[i] === 'george')).toBe(false);
      expect(new Set(s.train.map((i) => labels[i]))).toEqual(new Set(['one', 'two', 'three']));
    }
  });

  it('splitByGroup refuses when every speaker would starve a class, naming class and speaker', () => {
    const g = ['george', 'george', 'lucas', 'lucas'];
    const l = ['three', 'three', 'four', 'four'];
    expect(codeOf(() => splitByGroup(g, 0.5, 1, { labels: l }))).toBe('split/class-held-out');
    expect(() => splitByGroup(g, 0.5, 1, { labels: l })).toThrow(/^All clips of “(three|four)” are from (george|lucas): holding \2 out leaves nothing to learn “\1” from\. Record “\1” with another speaker\.$/);
  });

  it('says "session" for a session split', () => {
    expect(() => splitByGroup(['mon', 'tue'], 0.5, 1, { labels: ['a', 'b'], by: 'session' })).toThrow(/from session (mon|tue): holding session \1 out .* Record “[ab]” in another session\./);
  });

  it('leaveOneGroupOut refuses a fold that holds out the only speaker of a class', () => {
    expect(codeOf(() => leaveOneGroupOut(groups, { labels }))).toBe('split/class-held-out');
    expect(() => leaveOneGroupOut(groups, { labels })).toThrow('All clips of “three” are from george: holding george out leaves nothing to learn “three” from. Record “three” with another speaker.');
    expect(leaveOneGroupOut(groups.slice(0, 6), { labels: labels.slice(0, 6) }).map((f) => f.group)).toEqual(['george', 'jack', 'lucas']);
  });

  it('clips without a speaker stay in training and keep their class learnable', () => {
    const g = ['george', 'george', undefined, 'lucas'];
    const l = ['three', 'three', 'three', 'four'];
    expect(leaveOneGroupOut(g, { labels: ['three', 'three', 'three', 'three'] }).length).toBe(2);
    expect(codeOf(() => leaveOneGroupOut(g, { labels: l }))).toBe('split/class-held-out'); // holding lucas out starves "four"
  });

  it('refuses labels of the wrong length', () => {
    expect(codeOf(() => splitByGroup(['a', 'b'], 0.5, 1, { labels: ['x'] }))).toBe('train/bad-options');
  });
});
