/**
 * Least squares with non-negative coefficients for the small cost fits (a handful of unknowns):
 * ordinary least squares by normal equations, dropping any regressor whose coefficient comes out
 * negative and refitting (active-set NNLS for well-conditioned problems), plus fit statistics.
 * Used by scripts/fit-costs.ts on qemu instruction counts and by the calibration checks.
 */
import { EarshotError } from '../errors.ts';

/** Solve A x = b (n × n, partial pivoting); throws when singular. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-10) throw new EarshotError('mcu/bad-options', 'singular least-squares system (regressors not independent)');
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Coefficients x ≥ 0 minimizing Σ w_i (y_i − X_i·x)²; weights default to 1/y² (relative error). */
export function fitNonNegative(xIn: readonly (readonly number[])[], y: readonly number[], weights?: readonly number[]): number[] {
  let x = xIn;
  if (x.length !== y.length || x.length === 0) throw new EarshotError('mcu/bad-options', 'fit needs as many rows as targets, at least one');
  const k = x[0]!.length;
  const w0 = weights ?? y.map((v) => 1 / Math.max(1, v * v));
  const wMax = Math.max(...w0);
  const w = w0.map((v) => v / wMax);
  // Columns scaled to a unit maximum so that the pivot threshold is relative.
  const colScale = Array.from({ length: k }, (_, j) => Math.max(...x.map((row) => Math.abs(row[j]!))) || 1);
  x = x.map((row) => row.map((v, j) => v / colScale[j]!));
  const active = new Set(Array.from({ length: k }, (_, i) => i));
  for (;;) {
    const idx = [...active];
    const ata = idx.map((i) => idx.map((j) => x.reduce((s, row, r) => s + w[r]! * row[i]! * row[j]!, 0)));
    const atb = idx.map((i) => x.reduce((s, row, r) => s + w[r]! * row[i]! * y[r]!, 0));
    const sol = idx.length > 0 ? solve(ata, atb) : [];
    const neg = sol.findIndex((v) => v < 0);
    if (neg < 0) {
      const out = new Array<number>(k).fill(0);
      idx.forEach((i, j) => (out[i] = sol[j]! / colScale[i]!));
      return out;
    }
    // drop the most negative one
    let worst = 0;
    sol.forEach((v, j) => (v < sol[worst]! ? (worst = j) : 0));
    active.delete(idx[worst]!);
  }
}

export interface FitStats {
  /** Coefficient of determination on the rows given. */
  r2: number;
  /** max |predicted − measured| / measured. */
  maxRelError: number;
  /** median |predicted − measured| / measured. */
  medianRelError: number;
}

export function predict(x: readonly number[], coef: readonly number[]): number {
  return x.reduce((s, v, i) => s + v * coef[i]!, 0);
}

export function fitStats(x: readonly (readonly number[])[], y: readonly number[], coef: readonly number[]): FitStats {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let ssRes = 0;
  let ssTot = 0;
  const rel: number[] = [];
  x.forEach((row, i) => {
    const p = predict(row, coef);
    ssRes += (y[i]! - p) ** 2;
    ssTot += (y[i]! - mean) ** 2;
    rel.push(Math.abs(p - y[i]!) / Math.abs(y[i]!));
  });
  rel.sort((a, b) => a - b);
  return { r2: ssTot > 0 ? 1 - ssRes / ssTot : 1, maxRelError: rel[rel.length - 1] ?? 0, medianRelError: rel[Math.floor(rel.length / 2)] ?? 0 };
}
