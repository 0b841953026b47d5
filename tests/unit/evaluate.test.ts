import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/core/model/evaluate.ts';
import { EarshotError } from '../../src/core/errors.ts';

describe('evaluate', () => {
  it('computes accuracy, confusion [true][pred], precision, recall, support by hand', () => {
    // true: a a a b b c ; pred: a b a b a a
    const e = evaluate([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 0, 0], ['a', 'b', 'c']);
    expect(e.accuracy).toBeCloseTo(3 / 6, 12);
    expect(e.confusion).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(e.perClass).toEqual([
      { label: 'a', precision: 2 / 4, recall: 2 / 3, support: 3 },
      { label: 'b', precision: 1 / 2, recall: 1 / 2, support: 2 },
      { label: 'c', precision: 0, recall: 0, support: 1 },
    ]);
  });

  it('empty input gives NaN accuracy and zero matrix', () => {
    const e = evaluate([], [], ['x', 'y']);
    expect(e.accuracy).toBeNaN();
    expect(e.confusion).toEqual([[0, 0], [0, 0]]);
  });

  it('rejects length mismatch and out-of-range classes', () => {
    for (const f of [() => evaluate([0], [], ['a']), () => evaluate([0, 2], [0, 1], ['a', 'b']), () => evaluate([0], [-1], ['a', 'b']), () => evaluate([], [], [])]) {
      try {
        f();
        throw new Error('no throw');
      } catch (e) {
        expect(e).toBeInstanceOf(EarshotError);
        expect((e as EarshotError).code).toBe('model/label-mismatch');
      }
    }
  });
});
