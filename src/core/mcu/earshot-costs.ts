/**
 * Earshot's own C (earshot-c): cost tables built from the qemu instruction-count fits in
 * earshot-costs.generated.ts (scripts/fit-costs.ts). Per core, per op:
 *   cycles = call + perMac·MACs (+ perRow·row spans + perTailByte·tail bytes for conv) + perOutput·outputs
 * where conv and depthwise MACs are the in-bounds ones and conv's row spans and tail bytes those of
 * its inner loop (kernel-taps.ts); depthwise MACs with multiplier > 1 have their own cost. The
 * tables set OpCostTable.inBoundsTaps.
 * where cycles are the executed instruction mix timed with the Arm TRM tables (M0+, M3, M4; the
 * M33 build uses the M4 table). Cores without a per-instruction timing table and with a different
 * pipeline (M7 dual-issue, M55, M85) are scaled by Arm's CoreMark/MHz against the M4 (derived).
 * The M85 has no QEMU model: it uses the M55 build (same ARMv8.1-M ISA).
 */
import { EarshotError } from '../errors.ts';
import { featureShape, validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';
import { featureOpCounts, type FeatureOpCounts } from '../dsp/feature-cost.ts';
import type { CoreId, CostEntry, OpCostTable } from './types.ts';
import { EARSHOT_COST_FITS } from './earshot-costs.generated.ts';

export interface FitStatsJson {
  r2: number;
  maxRelError: number;
  medianRelError: number;
}

export interface OpFitJson {
  terms: string[];
  insns: number[];
  cycles: number[];
  cpi: number;
  fit: FitStatsJson;
  holdout: FitStatsJson;
  points: number;
}

export interface CoreFitsJson {
  machine: string;
  cflags: string[];
  /** Portable loops (-DEARSHOT_NO_SIMD): earshot-c. */
  ops: Record<string, OpFitJson>;
  /** DSP-extension cores only: the ACLE SIMD kernels (earshot-simd). */
  simdOps?: Record<string, OpFitJson>;
  featuresPerHop: OpFitJson;
}

/** Which measured kernels: the portable loops (earshot-c) or the SIMD ones (earshot-simd). */
export type EarshotVariant = 'ops' | 'simdOps';

export type EarshotCostFits = Record<string, CoreFitsJson>;

/** CoreMark/MHz published by Arm (M4 3.42, M7 5.01, M55 4.2, M85 6.28): pipeline factor vs the M4 timings. */
const PIPELINE_SCALE: Partial<Record<CoreId, { build: string; factor: number; why: string }>> = {
  'cortex-m7': { build: 'cortex-m7', factor: 3.42 / 5.01, why: 'dual-issue M7: M4 TRM timings × CoreMark/MHz 3.42/5.01' },
  'cortex-m55': { build: 'cortex-m55', factor: 3.42 / 4.2, why: 'M55: M4 TRM timings × CoreMark/MHz 3.42/4.2' },
  'cortex-m85': { build: 'cortex-m55', factor: 3.42 / 6.28, why: 'M85 (no QEMU model): M55 build, M4 TRM timings × CoreMark/MHz 3.42/6.28' },
};

/** Which measured build and scale a core's earshot-c costs come from. */
export function earshotBuildOf(core: CoreId): { build: string; factor: number; why: string } {
  return PIPELINE_SCALE[core] ?? {
    build: core,
    factor: 1,
    why: core === 'cortex-m33' ? 'M33 build timed with the M4 TRM table (same 3-stage class pipeline)' : `Arm ${core.replace('cortex-', 'Cortex-').toUpperCase().replace('CORTEX-', 'Cortex-')} TRM timings`,
  };
}

function op(core: string, name: string, variant: EarshotVariant = 'ops'): OpFitJson {
  const f = EARSHOT_COST_FITS[core]?.[variant]?.[name];
  if (!f) throw new Error(`earshot-costs.generated.ts has no ${variant} ${name} fit for ${core} (run scripts/fit-costs.ts)`);
  return f;
}

/** True when the core's measured build has the SIMD kernels (cores with the DSP extension). */
export function hasSimdFits(core: CoreId): boolean {
  return EARSHOT_COST_FITS[earshotBuildOf(core).build]?.simdOps !== undefined;
}

const term = (f: OpFitJson, name: string): number => {
  const i = f.terms.indexOf(name);
  if (i < 0) throw new Error(`earshot-costs.generated.ts: a fit has no term ${name} (terms ${f.terms.join(', ')}; run npm run gen:costs)`);
  return f.cycles[i]!;
};

/**
 * Stand-alone int8 relu/clamp: no Earshot kernel measured (relu is fused into requantization), assumed
 * 4 cycles/element. Earshot's C ends in argmax, not softmax: assumed 5 cycles/element.
 */
const ELEMENTWISE_CYCLES = 4;
const ARGMAX_CYCLES = 5;

export function earshotCTable(core: CoreId, variant: EarshotVariant = 'ops'): OpCostTable {
  const { build, factor } = earshotBuildOf(core);
  const conv = op(build, 'conv', variant);
  const dw = op(build, 'depthwise', variant);
  const fc = op(build, 'dense', variant);
  const maxp = op(build, 'maxpool', variant);
  const avgp = op(build, 'avgpool', variant);
  const add = op(build, 'add', variant);
  const s = (v: number): number => v * factor;
  return {
    // conv and depthwise were fitted on in-bounds kernel taps (the loops skip SAME padding)
    convCyclesPerMac: s(term(conv, 'validMacs')),
    convCyclesPerRow: s(term(conv, 'rows')),
    convCyclesPerTailByte: s(term(conv, 'tailBytes')),
    depthwiseCyclesPerMac: s(term(dw, 'validMacs')),
    depthwiseCyclesPerMacMultiplier: s(term(dw, 'validMacsMultiplier')),
    denseCyclesPerMac: s(term(fc, 'macs')),
    cyclesPerOutput: s(term(conv, 'outputs')),
    depthwiseCyclesPerOutput: s(term(dw, 'outputs')),
    denseCyclesPerOutput: s(term(fc, 'outputs')),
    poolCyclesPerInput: s((term(maxp, 'reads') + term(avgp, 'reads')) / 2),
    poolCyclesPerOutput: s((term(maxp, 'outputs') + term(avgp, 'outputs')) / 2),
    addCyclesPerElement: s(term(add, 'elements')),
    elementwiseCyclesPerElement: s(ELEMENTWISE_CYCLES),
    softmaxCyclesPerElement: s(ARGMAX_CYCLES),
    layerOverheadCycles: s(Math.max(...[conv, dw, fc, maxp, avgp, add].map((f) => term(f, 'call')))),
    inBoundsTaps: true,
  };
}

export function earshotCEntry(core: CoreId, variant: EarshotVariant = 'ops'): CostEntry {
  const b = earshotBuildOf(core);
  const conv = op(b.build, 'conv', variant);
  const kernels = variant === 'simdOps' ? 'its ACLE SIMD kernels (__smlad)' : 'its portable loops (-DEARSHOT_NO_SIMD)';
  return {
    table: earshotCTable(core, variant),
    evidence: b.factor === 1 ? 'fitted' : 'derived',
    note: `Earshot's C at -Os with ${kernels}: qemu instruction counts (${EARSHOT_COST_FITS[b.build]!.machine}) fitted per op, ${b.why}; conv fit R² ${conv.fit.r2}, max error ${(conv.fit.maxRelError * 100).toFixed(0)}%`,
  };
}

/**
 * earshot-simd: the SIMD kernels where the core has the DSP extension; elsewhere kernels.h compiles
 * its portable loops, so the cost is earshot-c's.
 */
export function earshotSimdEntry(core: CoreId): CostEntry {
  if (hasSimdFits(core)) return earshotCEntry(core, 'simdOps');
  const c = earshotCEntry(core);
  return { ...c, note: `no DSP extension on ${core}: kernels.h compiles its portable loops. ${c.note}` };
}

/**
 * Regressors of the per-hop feature cost, named after the fields of FeatureOpCounts (dsp's exact
 * operation counts of one hop of `earshot_features`); 'hop' is the constant term. padSamples is
 * left out: it is fftSize − windowSamples, so it would make the fit singular.
 */
export const FEATURE_COST_TERMS = ['hop', 'windowSamples', 'fftSize', 'butterflies', 'melWeights', 'bands', 'floorValues', 'meanValues'] as const;

export function featureCostRegressors(ops: FeatureOpCounts): number[] {
  return FEATURE_COST_TERMS.map((t) => (t === 'hop' ? 1 : ops[t]));
}

export interface FeatureHopCost {
  /** Exact operation counts of one hop (featureOpCounts). */
  ops: FeatureOpCounts;
  /** Instructions per hop executed by the core's measured build (qemu fit; not pipeline-scaled). */
  instructions: number;
  /** Cycles per hop on this core. */
  cycles: number;
  /** Hops per second of audio (sampleRateHz / hopSamples). */
  hopsPerSecond: number;
  /** cycles × hops per second: the extractor's share of the clock when streaming. */
  cyclesPerSecondOfAudio: number;
  /** Where the figure comes from (build, timing model, fit error). */
  note: string;
}

/**
 * One hop of `earshot_features` (features.h) on `core`: window, FFT, power, mel, log and the int8
 * quantization of the frame, from the qemu fits of scripts/fit-costs.ts (featuresPerHop in
 * earshot-costs.generated.ts) over featureOpCounts(config). Without an FPU the soft-float build of
 * the core's class is used. `config` is filled with defaults and validated ('features/bad-config').
 */
export function featureHopCost(core: CoreId, hasFpu: boolean, config: Partial<FeatureConfig>): FeatureHopCost {
  const c = validateFeatureConfig(config);
  if (EARSHOT_COST_FITS[earshotBuildOf(core).build] === undefined) throw new EarshotError('mcu/unknown-core', `no feature cost fit for core ${JSON.stringify(core)}`);
  let { build, factor, why } = earshotBuildOf(core);
  if (!hasFpu && build !== 'cortex-m0plus' && build !== 'cortex-m3') {
    build = 'cortex-m4';
    why = `no FPU: soft-float M4 build${factor !== 1 ? ' × CoreMark/MHz ratio' : ''}`;
  }
  const f = EARSHOT_COST_FITS[build]!.featuresPerHop;
  const ops = featureOpCounts(c);
  const x = f.terms.map((t) => {
    if (t === 'hop') return 1;
    const v = (ops as unknown as Record<string, number>)[t];
    if (v === undefined) throw new Error(`featuresPerHop term ${t} is not a FeatureOpCounts field (rerun npm run gen:costs)`);
    return v;
  });
  const dot = (w: number[]): number => x.reduce((acc, v, i) => acc + v * w[i]!, 0);
  const cycles = dot(f.cycles) * factor;
  const hopsPerSecond = c.sampleRateHz / featureShape(c).hopSamples;
  return {
    ops,
    instructions: dot(f.insns),
    cycles,
    hopsPerSecond,
    cyclesPerSecondOfAudio: cycles * hopsPerSecond,
    note: `features.h per hop (earshot_features incl. int8 quantization): qemu instruction counts (${build} build), ${why}; fit max error ${(f.fit.maxRelError * 100).toFixed(1)}%, hold-out max ${(f.holdout.maxRelError * 100).toFixed(1)}%`,
  };
}
