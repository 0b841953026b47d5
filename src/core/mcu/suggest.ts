/**
 * Suggestions the estimator can back with numbers: each one modifies the spec (or the deployment),
 * re-runs analyzeSpec + estimate, and reports the measured change. Only changes that help are
 * returned, best first. Pure; a few estimate() calls (well under a millisecond each).
 */
import type { ModelSpec, LayerSpec, SpecAnalysis } from '../model/spec.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { estimate, type EstimateOptions } from './estimate.ts';
import type { Board, FitReport } from './types.ts';

export interface Suggestion {
  id: string;
  /** e.g. "stride 2 in the first conv (conv1): −55% latency". */
  text: string;
  latencyMs: number;
  /** (after − before) / before. */
  latencyChange: number;
  ramChange: number;
  flashChange: number;
  /** Whether the change makes a model that did not fit, fit. */
  makesItFit: boolean;
  /** The modified spec (absent for deployment-only changes such as the runtime). */
  spec?: ModelSpec;
  options?: EstimateOptions;
}

const pct = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(Math.round(x * 100))}%`;

function withLayer(spec: ModelSpec, index: number, patch: Partial<LayerSpec> | LayerSpec, replace = false): ModelSpec {
  const layers = spec.layers.map((l, i) => (i === index ? ((replace ? patch : { ...l, ...patch }) as LayerSpec) : l));
  return { ...spec, layers };
}

function compare(id: string, what: string, base: FitReport, after: FitReport, spec?: ModelSpec, options?: EstimateOptions): Suggestion {
  const latencyChange = after.latencyMs / base.latencyMs - 1;
  const ramChange = after.ramBytes / base.ramBytes - 1;
  const flashChange = after.flashBytes / base.flashBytes - 1;
  const parts = [`${pct(latencyChange)} latency`];
  if (Math.abs(ramChange) >= 0.05) parts.push(`${pct(ramChange)} RAM`);
  if (Math.abs(flashChange) >= 0.05) parts.push(`${pct(flashChange)} flash`);
  return {
    id,
    text: `${what}: ${parts.join(', ')}`,
    latencyMs: after.latencyMs,
    latencyChange,
    ramChange,
    flashChange,
    makesItFit: !base.fits.all && after.fits.all,
    ...(spec ? { spec } : {}),
    ...(options ? { options } : {}),
  };
}

function tryEstimate(spec: ModelSpec, board: Board, opts: EstimateOptions): FitReport | undefined {
  try {
    return estimate(analyzeSpec(spec), board, opts);
  } catch {
    return undefined; // the modified spec is not valid (e.g. shapes shrink below the kernel)
  }
}

const pairOf = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0] as number, v[1] as number] : [(v as number) ?? 1, (v as number) ?? 1]);

/** Up to `max` numbered suggestions that reduce latency by ≥ 5% or make the model fit. */
export function suggest(analysis: SpecAnalysis, board: Board, opts: EstimateOptions = {}, max = 4): Suggestion[] {
  const base = estimate(analysis, board, opts);
  const spec = analysis.spec;
  const out: Suggestion[] = [];
  const convIdx = spec.layers.findIndex((l) => l.type === 'conv2d' || l.type === 'separableConv2d' || l.type === 'depthwiseConv2d');

  // 1. stride 2 in the first conv
  if (convIdx >= 0) {
    const l = spec.layers[convIdx] as { strides?: unknown; name?: string; type: string };
    const [sh, sw] = pairOf(l.strides ?? 1);
    if (sh === 1 && sw === 1) {
      const s = withLayer(spec, convIdx, { strides: 2 } as Partial<LayerSpec>);
      const r = tryEstimate(s, board, opts);
      if (r) out.push(compare('first-conv-stride-2', `stride 2 in the first conv (${l.name ?? l.type})`, base, r, s));
    }
  }

  // 2. halve the filters of the slowest conv2d / separable layer
  const slow = [...base.layers].filter((x) => x.type === 'conv2d' || x.type === 'separableConv2d').sort((a, b) => b.cycles - a.cycles)[0];
  if (slow) {
    const i = spec.layers.findIndex((l) => l.name === slow.name);
    const l = spec.layers[i] as { filters: number };
    if (i >= 0 && l.filters >= 4) {
      const s = withLayer(spec, i, { filters: Math.floor(l.filters / 2) } as Partial<LayerSpec>);
      const r = tryEstimate(s, board, opts);
      if (r) out.push(compare('halve-filters', `half the filters in ${slow.name} (${l.filters} → ${Math.floor(l.filters / 2)})`, base, r, s));
    }
    // 3. the slowest regular conv as a depthwise-separable conv
    const c = spec.layers[i] as { type: string; kernelSize: unknown };
    const [kh, kw] = pairOf(c.kernelSize);
    const inC = analysis.layers.find((x) => x.name === slow.name)?.inputShapes[0]?.[2] ?? 1;
    if (c.type === 'conv2d' && kh * kw > 1 && inC > 1) {
      const s = withLayer(spec, i, { ...(spec.layers[i] as object), type: 'separableConv2d' } as LayerSpec, true);
      const r = tryEstimate(s, board, opts);
      if (r) out.push(compare('separable', `${slow.name} as a depthwise-separable conv`, base, r, s));
    }
  }

  // 4. int8 instead of float32
  if ((opts.dtype ?? 'int8') === 'float32') {
    const o = { ...opts, dtype: 'int8' as const };
    out.push(compare('int8', 'quantize to int8', base, estimate(analysis, board, o), undefined, o));
  }

  // 5. a faster runtime on this core (evidence-backed tables only)
  for (const runtime of ['tflm-cmsis-nn', 'vendor'] as const) {
    if ((opts.runtime ?? 'earshot-c') === runtime) continue;
    const o = { ...opts, runtime };
    const r = estimate(analysis, board, o);
    if (r.costEvidence !== 'assumed') out.push(compare(`runtime-${runtime}`, `deploy with ${runtime}`, base, r, undefined, o));
  }

  return out
    .filter((s) => s.latencyChange <= -0.05 || s.makesItFit)
    .sort((a, b) => Number(b.makesItFit) - Number(a.makesItFit) || a.latencyChange - b.latencyChange)
    .slice(0, max);
}
