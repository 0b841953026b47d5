/**
 * The Pareto front of searched models: higher accuracy, lower latency and lower arena are better;
 * a point is on the front when no other point is at least as good on all three and better on one.
 * Pure, O(n²) (a search trains tens of models, not thousands).
 */

export interface ParetoPoint {
  accuracy: number;
  latencyMs: number;
  arenaBytes: number;
}

/** Whether `a` dominates `b`: no worse on every axis and strictly better on at least one. */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  const noWorse = a.accuracy >= b.accuracy && a.latencyMs <= b.latencyMs && a.arenaBytes <= b.arenaBytes;
  const better = a.accuracy > b.accuracy || a.latencyMs < b.latencyMs || a.arenaBytes < b.arenaBytes;
  return noWorse && better;
}

/**
 * The indices of the points on the front, ordered by latency (then arena, then index). Points with
 * a NaN accuracy are never on it. Equal points are all kept (neither dominates the other).
 */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  const ok = (p: ParetoPoint): boolean => !Number.isNaN(p.accuracy);
  const front: number[] = [];
  points.forEach((p, i) => {
    if (ok(p) && !points.some((q) => ok(q) && dominates(q, p))) front.push(i);
  });
  return front.sort((i, j) => points[i]!.latencyMs - points[j]!.latencyMs || points[i]!.arenaBytes - points[j]!.arenaBytes || i - j);
}

/** The best point: highest accuracy, ties to lower latency, then lower arena, then lower index; -1 when none has an accuracy. */
export function bestPoint(points: readonly ParetoPoint[]): number {
  let best = -1;
  points.forEach((p, i) => {
    if (Number.isNaN(p.accuracy)) return;
    const b = best >= 0 ? points[best]! : undefined;
    if (!b || p.accuracy > b.accuracy || (p.accuracy === b.accuracy && (p.latencyMs < b.latencyMs || (p.latencyMs === b.latencyMs && p.arenaBytes < b.arenaBytes)))) best = i;
  });
  return best;
}
