/** Pareto front and best point of the model search on hand-made points. */
import { describe, expect, it } from 'vitest';
import { bestPoint, dominates, paretoFront, type ParetoPoint } from '../../src/core/search/pareto.ts';

const p = (accuracy: number, latencyMs: number, arenaBytes: number): ParetoPoint => ({ accuracy, latencyMs, arenaBytes });

describe('search pareto', () => {
  it('dominates: no worse everywhere and better somewhere', () => {
    expect(dominates(p(0.9, 10, 100), p(0.8, 10, 100))).toBe(true);
    expect(dominates(p(0.9, 10, 100), p(0.9, 12, 100))).toBe(true);
    expect(dominates(p(0.9, 10, 100), p(0.9, 10, 101))).toBe(true);
    expect(dominates(p(0.9, 10, 100), p(0.9, 10, 100))).toBe(false); // equal
    expect(dominates(p(0.9, 10, 100), p(0.95, 20, 50))).toBe(false); // a trade-off
    expect(dominates(p(0.95, 20, 50), p(0.9, 10, 100))).toBe(false);
  });

  it('keeps exactly the non-dominated points, by latency', () => {
    const pts = [
      p(0.70, 5, 400), // 0: fastest, front
      p(0.80, 10, 800), // 1: front
      p(0.75, 12, 900), // 2: dominated by 1
      p(0.90, 30, 2000), // 3: most accurate, front
      p(0.80, 10, 600), // 4: dominates 1 (less arena)
      p(0.60, 40, 100), // 5: least arena, front
      p(0.90, 35, 2000), // 6: dominated by 3
    ];
    expect(paretoFront(pts)).toEqual([0, 4, 3, 5]);
  });

  it('equal points are both kept; NaN accuracy is never on the front; empty in, empty out', () => {
    expect(paretoFront([p(0.5, 1, 1), p(0.5, 1, 1)])).toEqual([0, 1]);
    expect(paretoFront([p(Number.NaN, 1, 1), p(0.1, 9, 9)])).toEqual([1]);
    expect(paretoFront([])).toEqual([]);
  });

  it('every point off the front is dominated by one on it (brute force on a grid)', () => {
    const pts: ParetoPoint[] = [];
    for (let i = 0; i < 60; i++) pts.push(p(((i * 37) % 11) / 10, (i * 13) % 17, ((i * 7) % 5) * 100));
    const front = new Set(paretoFront(pts));
    pts.forEach((q, i) => {
      if (front.has(i)) expect(pts.some((r) => dominates(r, q))).toBe(false);
      else expect([...front].some((j) => dominates(pts[j]!, q))).toBe(true);
    });
  });

  it('best point: highest accuracy, ties to lower latency, then arena, then first', () => {
    expect(bestPoint([p(0.8, 10, 100), p(0.9, 50, 100), p(0.9, 20, 300), p(0.9, 20, 200), p(0.9, 20, 200)])).toBe(3);
    expect(bestPoint([p(Number.NaN, 1, 1)])).toBe(-1);
    expect(bestPoint([])).toBe(-1);
  });
});
