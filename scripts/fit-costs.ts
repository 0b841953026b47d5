/**
 * Regenerates src/core/mcu/earshot-costs.generated.ts: per-op cost functions of Earshot's own C
 * (src/core/export/c/kernels.h and features.h), fitted to instruction counts measured under
 * qemu-system-arm with the insn-count TCG plugin (tools/qemu-insn), per core, over a sweep of
 * shapes, and converted to cycles with the per-instruction timings of the Arm TRMs applied to the
 * executed instruction mix (tools/qemu-insn/insn-count.ts cites them).
 *
 *   npx tsx scripts/fit-costs.ts            (about a minute; needs gcc, arm-none-eabi-gcc, qemu)
 *
 * Each op's cycles = a + b·x1 + c·x2 … (non-negative least squares, weighted for relative error;
 * conv and depthwise MACs count only in-bounds kernel taps, as the loops do);
 * every 4th shape is held out for a separate fit that reports the hold-out error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { featureShape, validateFeatureConfig, type FeatureConfig } from '../src/core/dsp/feature-config.ts';
import { featureOpCounts } from '../src/core/dsp/feature-cost.ts';
import { FEATURE_COST_TERMS, featureCostRegressors } from '../src/core/mcu/earshot-costs.ts';
import { featuresCSource } from '../src/core/export/c-features.ts';
import { hashFiles, renderTableModule } from './code-size.ts';
import { convLoopWork, inBoundsTaps, type ConvWindow } from '../src/core/mcu/kernel-taps.ts';
import { fitNonNegative, fitStats, type FitStats } from '../src/core/mcu/linear-fit.ts';
import {
  buildElf, buildPlugin, CORE_BUILDS, countInsns, diffHist, disassembly, histCycles, HERE, timingModelOf,
  type CoreBuild, type Insn,
} from '../tools/qemu-insn/insn-count.ts';

export const GENERATED = 'src/core/mcu/earshot-costs.generated.ts';

interface OpSweep {
  op: string;
  /** Regressor names (the first is always the constant 'call'). */
  terms: string[];
  shapes: number[][];
  regressors: (s: number[]) => number[];
}

const outDim = (n: number, k: number, s: number, same: number): number => (same ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);

const windowOf = (kh: number, kw: number, s: number, same: number): ConvWindow => ({ kernel: [kh, kw], strides: [s, s], padding: same ? 'same' : 'valid' });

/**
 * Work counts per shape. Conv and depthwise count the work kernels.h does (kernel-taps.ts): MACs
 * of the in-bounds kernel taps only (the loops skip SAME padding), not the nominal outputs·kh·kw of
 * LayerInfo.macs; conv also its row spans and their bytes left after the 4-byte loop
 * (convLoopWork), depthwise the MACs of multiplier > 1 apart. The estimator's earshot tables use the
 * same counts (OpCostTable.inBoundsTaps). Dense, pools and add: nominal counts (no padding).
 */
export const SWEEPS: OpSweep[] = [
  {
    op: 'conv',
    terms: ['call', 'validMacs', 'rows', 'tailBytes', 'outputs'],
    // in_h in_w in_c out_c kh kw stride same
    shapes: [
      [49, 10, 1, 16, 10, 4, 2, 1], [49, 10, 1, 8, 3, 3, 1, 1], [25, 5, 16, 16, 3, 3, 1, 1], [12, 12, 8, 16, 3, 3, 1, 1],
      [12, 12, 8, 16, 3, 3, 2, 1], [10, 10, 16, 32, 1, 1, 1, 0], [6, 6, 32, 32, 1, 1, 1, 0], [20, 8, 4, 8, 5, 5, 1, 0],
      [16, 16, 3, 8, 3, 3, 2, 0], [8, 8, 64, 16, 1, 1, 1, 0], [24, 10, 1, 4, 4, 4, 2, 1], [5, 5, 32, 64, 3, 3, 1, 1],
    ],
    regressors: ([h, w, c, oc, kh, kw, s, same]) => {
      const outputs = outDim(h!, kh!, s!, same!) * outDim(w!, kw!, s!, same!) * oc!;
      const work = convLoopWork(h!, w!, c!, oc!, windowOf(kh!, kw!, s!, same!));
      return [1, work.macs, work.rows, work.tailBytes, outputs];
    },
  },
  {
    op: 'depthwise',
    // depth multiplier > 1 runs the general 4-channel loop (no SIMD loads): its own per-MAC cost
    terms: ['call', 'validMacs', 'validMacsMultiplier', 'outputs'],
    // in_h in_w in_c mult kh kw stride same
    shapes: [
      [10, 10, 32, 1, 5, 5, 1, 1], [25, 5, 64, 1, 3, 3, 1, 1], [12, 12, 8, 1, 3, 3, 2, 1], [25, 5, 16, 1, 3, 3, 1, 1],
      [20, 8, 4, 2, 3, 3, 1, 0], [6, 6, 64, 1, 1, 1, 1, 0], [16, 16, 16, 1, 3, 3, 1, 1], [8, 8, 32, 2, 3, 3, 2, 1],
      [12, 10, 8, 1, 5, 3, 1, 1], [10, 10, 8, 2, 5, 5, 1, 1],
    ],
    regressors: ([h, w, c, m, kh, kw, s, same]) => {
      const outputs = outDim(h!, kh!, s!, same!) * outDim(w!, kw!, s!, same!) * c! * m!;
      const macs = inBoundsTaps(h!, w!, windowOf(kh!, kw!, s!, same!)) * c! * m!;
      return [1, m === 1 ? macs : 0, m === 1 ? 0 : macs, outputs];
    },
  },
  {
    op: 'dense',
    terms: ['call', 'macs', 'outputs'],
    shapes: [[64, 12], [256, 10], [1000, 4], [128, 64], [32, 128], [2000, 12], [400, 32], [16, 8]],
    regressors: ([d, u]) => [1, d! * u!, u!],
  },
  {
    op: 'maxpool',
    terms: ['call', 'reads', 'outputs'],
    shapes: [[24, 10, 16, 2, 2, 2], [12, 12, 32, 2, 2, 2], [25, 5, 64, 3, 3, 1], [8, 8, 8, 4, 4, 4], [49, 10, 4, 2, 2, 2], [10, 10, 16, 3, 3, 3]],
    regressors: ([h, w, c, ph, pw, s]) => {
      const outputs = outDim(h!, ph!, s!, 0) * outDim(w!, pw!, s!, 0) * c!;
      return [1, outputs * ph! * pw!, outputs];
    },
  },
  {
    op: 'avgpool',
    terms: ['call', 'reads', 'outputs'],
    shapes: [[24, 10, 16, 2, 2, 2], [12, 12, 32, 2, 2, 2], [25, 5, 64, 3, 3, 1], [8, 8, 8, 4, 4, 4], [49, 10, 4, 2, 2, 2], [10, 10, 16, 3, 3, 3]],
    regressors: ([h, w, c, ph, pw, s]) => {
      const outputs = outDim(h!, ph!, s!, 0) * outDim(w!, pw!, s!, 0) * c!;
      return [1, outputs * ph! * pw!, outputs];
    },
  },
  {
    op: 'add',
    terms: ['call', 'elements'],
    shapes: [[16], [64], [500], [2000], [8000]],
    regressors: ([n]) => [1, n!],
  },
];

const BENCH_OP: Record<string, string> = { conv: 'conv', depthwise: 'dw', dense: 'fc', maxpool: 'max', avgpool: 'avg', add: 'add' };

/**
 * Feature configs for the per-hop cost of `earshot_features` (features.h): the 4 presets and
 * variations of FFT size (128–2048), window (128–1920 samples), bands (16–80) and band edges (so
 * mel weights vary apart from bands), and the per-clip normalisation on and off. clipMs is cut to a few frames per config (the work per frame
 * does not depend on the clip length) to keep the qemu runs short.
 */
export const FEATURE_SWEEP: Array<Partial<FeatureConfig>> = [
  {},
  { fMinHz: 125, fMaxHz: 7500 },
  { windowMs: 20, hopMs: 10, fMinHz: 0, fMaxHz: 8000 },
  { sampleRateHz: 8000, windowMs: 32, hopMs: 32, fftSize: 256, melBands: 20, fMinHz: 60, fMaxHz: 4000 },
  { fftSize: 128, windowMs: 8, melBands: 16, fMinHz: 0 },
  { fftSize: 2048, windowMs: 120, melBands: 80 },
  { fftSize: 1024, windowMs: 40, melBands: 64 },
  { fftSize: 1024, windowMs: 64, melBands: 32, fMinHz: 300, fMaxHz: 4000 },
  { fftSize: 256, windowMs: 16, melBands: 40 },
  { fftSize: 512, windowMs: 20, melBands: 24, fMaxHz: 4000 },
  { fftSize: 512, windowMs: 32, melBands: 64 },
  { fftSize: 2048, windowMs: 64, melBands: 40, fMinHz: 100, fMaxHz: 6000 },
  { sampleRateHz: 8000, windowMs: 60, fftSize: 512, melBands: 40, fMaxHz: 4000 },
  { fftSize: 256, windowMs: 12, melBands: 20 },
  // the per-clip normalisation: relative floor and band mean removal, apart and together
  { sampleRateHz: 8000, windowMs: 32, hopMs: 24, fftSize: 256, melBands: 32, fMinHz: 60, fMaxHz: 4000, relativeFloorDb: 60, bandMeanRemoval: 1 },
  { fftSize: 512, windowMs: 20, melBands: 24, fMaxHz: 4000, relativeFloorDb: 50 },
  { fftSize: 1024, windowMs: 40, melBands: 64, bandMeanRemoval: 1 },
  { fftSize: 256, windowMs: 16, melBands: 48, relativeFloorDb: 70, bandMeanRemoval: 1 },
];
const SWEEP_FRAMES = 6;

/** A sweep entry as a full config with a clip of SWEEP_FRAMES frames. */
export function sweepConfig(f: Partial<FeatureConfig>): FeatureConfig {
  const c = validateFeatureConfig(f);
  return validateFeatureConfig({ ...c, clipMs: Math.max(100, c.windowMs + (SWEEP_FRAMES - 1) * c.hopMs) });
}

interface Point {
  x: number[];
  insns: number;
  cycles: number;
}

export interface OpFit {
  terms: string[];
  /** Instructions per unit of each term (qemu counts). */
  insns: number[];
  /** Cycles per unit of each term (instruction mix × TRM timings). */
  cycles: number[];
  /** cycles / instructions over the sweep (the per-core, per-op CPI factor). */
  cpi: number;
  fit: FitStats;
  holdout: FitStats;
  points: number;
}

function fitPoints(terms: string[], pts: Point[]): OpFit {
  const xs = pts.map((p) => p.x);
  const ci = fitNonNegative(xs, pts.map((p) => p.insns));
  const cc = fitNonNegative(xs, pts.map((p) => p.cycles));
  const train = pts.filter((_, i) => i % 4 !== 3);
  const test = pts.filter((_, i) => i % 4 === 3);
  const ct = fitNonNegative(train.map((p) => p.x), train.map((p) => p.cycles));
  const round = (v: number): number => Number(v.toPrecision(5));
  return {
    terms,
    insns: ci.map(round),
    cycles: cc.map(round),
    cpi: round(pts.reduce((s, p) => s + p.cycles, 0) / pts.reduce((s, p) => s + p.insns, 0)),
    fit: roundStats(fitStats(xs, pts.map((p) => p.cycles), cc)),
    holdout: roundStats(fitStats(test.map((p) => p.x), test.map((p) => p.cycles), ct)),
    points: pts.length,
  };
}

const roundStats = (s: FitStats): FitStats => ({ r2: Number(s.r2.toFixed(5)), maxRelError: Number(s.maxRelError.toFixed(4)), medianRelError: Number(s.medianRelError.toFixed(4)) });

function measure(elf: string, build: CoreBuild, dis: Map<number, Insn>, plugin: string, args: string, core: string): { insns: number; cycles: number } {
  const dry = countInsns(elf, build, `0 ${args}`, plugin, { hist: true });
  const run = countInsns(elf, build, `1 ${args}`, plugin, { hist: true });
  const d = diffHist(run.hist, dry.hist);
  return { insns: run.insns - dry.insns, cycles: histCycles(d, dis, timingModelOf(core)) };
}

function featuresProgram(config: FeatureConfig): string {
  return `#include <stdio.h>
#include <stdlib.h>
${featuresCSource(config, { scale: 0.1, zeroPoint: 0 })}
static int16_t pcm[EARSHOT_INPUT_SAMPLES];
static int8_t feat[EARSHOT_FEATURE_COUNT];
int main(int argc, char **argv) {
  uint32_t s = 1u;
  int i;
  if (argc < 2) return 2;
  for (i = 0; i < EARSHOT_INPUT_SAMPLES; i++) { s = s * 1664525u + 1013904223u; pcm[i] = (int16_t)(s >> 16); }
  if (atoi(argv[1])) earshot_features(pcm, feat);
  printf("%08lx\\n", (unsigned long)(feat[3] == 99));
  return 0;
}
`;
}

export interface CoreFits {
  machine: string;
  cflags: string[];
  /** The portable loops (built with -DEARSHOT_NO_SIMD): the earshot-c runtime. */
  ops: Record<string, OpFit>;
  /** Cores with the DSP extension: the same sweep with the ACLE SIMD kernels on (earshot-simd). */
  simdOps?: Record<string, OpFit>;
  featuresPerHop: OpFit;
}

/** Cores whose builds define __ARM_FEATURE_DSP, so kernels.h compiles its SIMD dot products. */
export const DSP_CORES = ['cortex-m4', 'cortex-m4f', 'cortex-m7', 'cortex-m33', 'cortex-m55'];

export function measureAll(log: (s: string) => void = console.log): Record<string, CoreFits> {
  const plugin = buildPlugin();
  const dir = mkdtempSync(join(tmpdir(), 'earshot-fit-'));
  const kernelsDir = join(HERE, '..', '..', 'src', 'core', 'export', 'c');
  const out: Record<string, CoreFits> = {};
  try {
    for (const [core, build] of Object.entries(CORE_BUILDS)) {
      const sweep = (variant: string, defines: string[]): Record<string, OpFit> => {
        const elf = buildElf(join(dir, core, variant), 'kernel-bench', [join(HERE, 'kernel-bench.c')], build, [`-I${kernelsDir}`, ...defines]);
        const dis = disassembly(elf);
        const ops: Record<string, OpFit> = {};
        for (const sw of SWEEPS) {
          const pts = sw.shapes.map((s) => ({ x: sw.regressors(s), ...measure(elf, build, dis, plugin, `${BENCH_OP[sw.op]} ${s.join(' ')}`, core) }));
          ops[sw.op] = fitPoints(sw.terms, pts);
          log(`${core} ${variant} ${sw.op}: R² ${ops[sw.op]!.fit.r2}, max err ${(ops[sw.op]!.fit.maxRelError * 100).toFixed(1)}%, hold-out max ${(ops[sw.op]!.holdout.maxRelError * 100).toFixed(1)}%, CPI ${ops[sw.op]!.cpi}`);
        }
        return ops;
      };
      const ops = sweep('portable', ['-DEARSHOT_NO_SIMD']);
      const simdOps = DSP_CORES.includes(core) ? sweep('simd', []) : undefined;
      // earshot_features over a whole clip, per frame: the per-hop work including the int8 quantization.
      const fpts: Point[] = FEATURE_SWEEP.map((f, i) => {
        const config = sweepConfig(f);
        const frames = featureShape(config).frames;
        const src = join(dir, core, `features-${i}.c`);
        writeFileSync(src, featuresProgram(config));
        const felf = buildElf(join(dir, core), `features-${i}`, [src], build);
        const m = measure(felf, build, disassembly(felf), plugin, '', core);
        return { x: featureCostRegressors(featureOpCounts(config)), insns: m.insns / frames, cycles: m.cycles / frames };
      });
      const featuresPerHop = fitPoints([...FEATURE_COST_TERMS], fpts);
      log(`${core} features/hop: R² ${featuresPerHop.fit.r2}, max err ${(featuresPerHop.fit.maxRelError * 100).toFixed(1)}%, hold-out max ${(featuresPerHop.holdout.maxRelError * 100).toFixed(1)}%, CPI ${featuresPerHop.cpi}`);
      out[core] = { machine: build.machine, cflags: build.cflags, ops, ...(simdOps ? { simdOps } : {}), featuresPerHop };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * The files whose text determines the measured counts and the regressors they are fitted to (this
 * script's sweeps, the in-bounds taps of src/core/mcu/kernel-taps.ts, the feature op counts of
 * src/core/dsp/feature-cost.ts); the generated table records their hash.
 */
export const MEASURED_SOURCES = [
  'src/core/export/c/kernels.h', 'src/core/export/c/features.h', 'src/core/dsp/feature-cost.ts', 'src/core/mcu/kernel-taps.ts', 'scripts/fit-costs.ts',
  'tools/qemu-insn/kernel-bench.c', 'tools/qemu-insn/insn-count.ts', 'tools/arm/cortex-m.ts',
];

export function sourcesHash(root: string): string {
  return hashFiles(root, MEASURED_SOURCES);
}

export function renderGenerated(fits: Record<string, CoreFits>, hash: string): string {
  return renderTableModule({
    comment: [
      'Generated by scripts/fit-costs.ts from qemu-system-arm instruction counts of src/core/export/c',
      '(kernels.h with -DEARSHOT_NO_SIMD as ops, with its SIMD kernels as simdOps; earshot_features of features.h per hop) at -Os; cycles from the executed instruction mix and the Arm TRM timings',
      'cited in tools/qemu-insn/insn-count.ts. Do not edit: run `npx tsx scripts/fit-costs.ts`.',
    ],
    typeImport: "import type { EarshotCostFits } from './earshot-costs.ts';",
    files: MEASURED_SOURCES,
    hashName: 'EARSHOT_COST_SOURCES_HASH',
    hash,
    name: 'EARSHOT_COST_FITS',
    type: 'EarshotCostFits',
    value: fits,
  });
}

if (process.argv[1]?.endsWith('fit-costs.ts')) {
  const fits = measureAll();
  writeFileSync(join(process.cwd(), GENERATED), renderGenerated(fits, sourcesHash(process.cwd())));
  console.log(`wrote ${GENERATED}`);
}
