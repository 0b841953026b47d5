import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitTrainVal } from '../../src/core/model/split.ts';
import { codeOf } from './error-code.ts';

describe('splitTrainVal', () => {
  it('is stratified: round(n*f) per class, >= 1 when n >= 2, never all', () => {
    const labels = [...Array(10).fill(0), ...Array(5).fill(1), 2, ...Array(2).fill(3)];
    const s = splitTrainVal(labels, 0.2, 7);
    const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;
    expect([0, 1, 2, 3].map((c) => count(s.val, c))).toEqual([2, 1, 0, 1]);
    expect([0, 1, 2, 3].map((c) => count(s.train, c))).toEqual([8, 4, 1, 1]);
  });

  it('is a seeded partition', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.integer(), (labels, f, seed) => {
        const a = splitTrainVal(labels, f, seed);
        const b = splitTrainVal(labels, f, seed);
        expect(a).toEqual(b);
        expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(labels.map((_, i) => i));
        for (const c of new Set(labels)) {
          const n = labels.filter((l) => l === c).length;
          const v = a.val.filter((i) => labels[i] === c).length;
          if (f > 0 && n >= 2) expect(v).toBeGreaterThanOrEqual(1);
          expect(v).toBeLessThan(Math.max(n, 1));
        }
      }),
    );
  });

  it('depends on the seed', () => {
    const labels = Array.from({ length: 40 }, (_, i) => i % 2);
    expect(splitTrainVal(labels, 0.25, 1).val).not.toEqual(splitTrainVal(labels, 0.25, 2).val);
  });

  it('valFraction 0 means no validation', () => {
    expect(splitTrainVal([0, 0, 1, 1], 0, 1)).toEqual({ train: [0, 1, 2, 3], val: [] });
  });

  it('rejects bad arguments', () => {
    expect(codeOf(() => splitTrainVal([0, 1], 1, 1))).toBe('train/bad-options');
    expect(codeOf(() => splitTrainVal([0, 1], -0.1, 1))).toBe('train/bad-options');
    expect(codeOf(() => splitTrainVal([0, 1], 0.2, 1.5))).toBe('train/bad-options');
    expect(codeOf(() => splitTrainVal([0, -1], 0.2, 1))).toBe('dataset/bad-label');
  });
});
