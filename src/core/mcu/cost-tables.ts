/**
 * Cost constants per (runtime, core, dtype), each with its evidence. The per-op formulas that use
 * them are in cost.ts. Calibration data: /work/shared/calibration/measured-latency.csv (MLPerf Tiny
 * closed-division latencies) and models.md (layer tables of the four MLPerf Tiny models).
 *
 * How the fitted numbers were made: for each (stack, board) with all four MLPerf Tiny models
 * (KWS DS-CNN, VWW MobileNetV1-0.25, IC ResNet-8, AD FC-autoencoder) measured, cycles =
 * latencyMs * clockMhz * 1000 were fitted by non-negative least squares to
 *   a * (conv + depthwise MACs) + b * (dense MACs) + c * (conv/depthwise/dense output elements)
 *   + fixed terms (layer overhead per op, pool 2 c/elem, add 10 c/elem, softmax 60 c/elem).
 * Three unknowns from four models: each fit reproduces its four models within 11% (KWS is the
 * worst, +11%). The four models cannot separate depthwise from regular convolution cycles/MAC, so
 * both get `a`. Re-run the fit with the script described in README.md when data is added.
 */
import { earshotCEntry, earshotSimdEntry } from './earshot-costs.ts';
import { CORE_IDS, type CoreId, type CostEntry, type OpCostTable, type RuntimeId } from './types.ts';

/** One entry per core, from one function of the core. */
function perCore(entry: (core: CoreId) => CostEntry): Record<CoreId, CostEntry> {
  return Object.fromEntries(CORE_IDS.map((c) => [c, entry(c)])) as Record<CoreId, CostEntry>;
}

/** Fixed per-element costs (int8, DSP core) that the MLPerf models barely exercise: assumptions. */
const SMALL_INT8 = {
  // CMSIS-NN arm_avgpool_s8 / arm_max_pool_s8 use SIMD adds/compares: ~2 cycles per input byte (assumed).
  poolCyclesPerInput: 2,
  // arm_elementwise_add_s8: two input rescales + requantize per element, ~10 cycles (assumed).
  addCyclesPerElement: 10,
  // A stand-alone int8 ReLU/clamp or per-channel scale: ~4 cycles/element (assumed).
  elementwiseCyclesPerElement: 4,
  // arm_softmax_s8: max pass, exp via fixed-point polynomial, sum, divide: ~60 cycles/element (assumed).
  softmaxCyclesPerElement: 60,
} as const;

function table(
  convCyclesPerMac: number,
  denseCyclesPerMac: number,
  cyclesPerOutput: number,
  layerOverheadCycles: number,
): OpCostTable {
  return {
    convCyclesPerMac,
    depthwiseCyclesPerMac: convCyclesPerMac,
    denseCyclesPerMac,
    cyclesPerOutput,
    ...SMALL_INT8,
    layerOverheadCycles,
  };
}

/** Multiply every per-work cost (not the layer overhead) by `f`, or per-field factors. */
function scale(t: OpCostTable, f: number | { mac: number; dense: number; output: number; other: number }, layerOverheadCycles = t.layerOverheadCycles): OpCostTable {
  const g = typeof f === 'number' ? { mac: f, dense: f, output: f, other: f } : f;
  const opt = (v: number | undefined, k: number): number | undefined => (v === undefined ? undefined : v * k);
  return {
    convCyclesPerMac: t.convCyclesPerMac * g.mac,
    ...(t.convCyclesPerRow !== undefined ? { convCyclesPerRow: opt(t.convCyclesPerRow, g.mac) } : {}),
    ...(t.convCyclesPerTailByte !== undefined ? { convCyclesPerTailByte: opt(t.convCyclesPerTailByte, g.mac) } : {}),
    ...(t.depthwiseCyclesPerMacMultiplier !== undefined ? { depthwiseCyclesPerMacMultiplier: opt(t.depthwiseCyclesPerMacMultiplier, g.mac) } : {}),
    depthwiseCyclesPerMac: t.depthwiseCyclesPerMac * g.mac,
    denseCyclesPerMac: t.denseCyclesPerMac * g.dense,
    cyclesPerOutput: t.cyclesPerOutput * g.output,
    ...(t.depthwiseCyclesPerOutput !== undefined ? { depthwiseCyclesPerOutput: opt(t.depthwiseCyclesPerOutput, g.output) } : {}),
    ...(t.denseCyclesPerOutput !== undefined ? { denseCyclesPerOutput: opt(t.denseCyclesPerOutput, g.output) } : {}),
    ...(t.poolCyclesPerOutput !== undefined ? { poolCyclesPerOutput: opt(t.poolCyclesPerOutput, g.other) } : {}),
    poolCyclesPerInput: t.poolCyclesPerInput * g.other,
    addCyclesPerElement: t.addCyclesPerElement * g.other,
    elementwiseCyclesPerElement: t.elementwiseCyclesPerElement * g.other,
    softmaxCyclesPerElement: t.softmaxCyclesPerElement * g.other,
    layerOverheadCycles,
    ...(t.inBoundsTaps ? { inBoundsTaps: true as const } : {}),
  };
}

// ---- Per-op dispatch overheads (assumptions; they are < 1% of the MLPerf models' cycles) ----
/** TFLM MicroInterpreter::Invoke per node: eval call, tensor lookups, profiling hooks. */
export const TFLM_LAYER_OVERHEAD_CYCLES = 1000;
/** Generated C (Earshot, microTVM AOT): one function call and loop setup per layer. */
export const C_LAYER_OVERHEAD_CYCLES = 200;
/** X-CUBE-AI runtime: per-layer dispatch through its network graph. */
export const VENDOR_LAYER_OVERHEAD_CYCLES = 300;

// ---- Fitted anchors -----------------------------------------------------------------------
/**
 * TFLM v2.3.1 + CMSIS-NN on NUCLEO-L4R5ZI (Cortex-M4F @ 120 MHz), MLPerf Tiny v0.5 reference
 * submission: KWS 181.917 ms, VWW 600.601, IC 704.225, AD 10.052. Fit errors +10.7/-1.0/-0.1/-0.4 %.
 * (That is a 2020 CMSIS-NN: microTVM with a newer CMSIS-NN on the same board is 1.8x faster on
 * KWS; the high per-output cost absorbs its slow depthwise and im2col paths.)
 */
const TFLM_CMSIS_M4 = table(5.928, 3.772, 116.37, TFLM_LAYER_OVERHEAD_CYCLES);
/**
 * TFLM + CMSIS-NN (Renesas) on EK-RA6M4 (Cortex-M33 @ 200 MHz), MLPerf Tiny v0.7:
 * KWS 50.571 ms, VWW 162.364, IC 246.184, AD 4.613. Fit errors +11.3/-1.0/-0.1/-0.3 %.
 */
const TFLM_CMSIS_M33 = table(3.803, 3.346, 15.6, TFLM_LAYER_OVERHEAD_CYCLES);
/**
 * microTVM AOT with its native (portable C, no CMSIS-NN) schedules on NUCLEO-L4R5ZI (M4F @ 120 MHz),
 * MLPerf Tiny v1.0 OctoML: KWS 144.03 ms, VWW 336.587, IC 389.257, AD 11.718. Fit errors
 * -19.4/+2.5/+0.2/+0.5 %. The closest public evidence for compiled portable C on an M4; Earshot's
 * own loops are untuned and may be slower: to be replaced by a fit to qemu instruction counts.
 */
const PORTABLE_C_M4 = table(3.205, 4.869, 75.02, C_LAYER_OVERHEAD_CYCLES);
/** X-CUBE-AI v7.3.0, MLPerf Tiny v1.0 ST: NUCLEO-L4R5ZI (M4F @ 120): KWS 75.058 ms, VWW 230.468, IC 226.912, AD 7.579. Fit +1.8/-0.2/0/0 %. */
const VENDOR_M4 = table(1.715, 3.027, 63.69, VENDOR_LAYER_OVERHEAD_CYCLES);
/** X-CUBE-AI v7.3.0 on NUCLEO-U575ZI-Q (M33 @ 160): KWS 44.232, VWW 133.404, IC 139.704, AD 4.849. Fit +0.7/-0.1/0/0 %. */
const VENDOR_M33 = table(1.454, 2.64, 45.03, VENDOR_LAYER_OVERHEAD_CYCLES);
/** X-CUBE-AI v7.3.0 on NUCLEO-H7A3ZI-Q (M7 @ 280): KWS 16.76, VWW 50.705, IC 54.345, AD 1.826. Fit +1.3/-0.1/0/0 %. */
const VENDOR_M7 = table(0.993, 1.74, 29.06, VENDOR_LAYER_OVERHEAD_CYCLES);

// ---- Cross-core factors ---------------------------------------------------------------------
/**
 * CoreMark/MHz as published by Arm per core (M0+ 2.46, M3 3.34, M4 3.42, M7 5.01, M33 4.02,
 * M55 4.2, M85 6.28; boards.csv quotes 4.07 for the STM32U585's M33). Portable integer C scales
 * with it: cycles(core) = cycles(M4) * 3.42 / CoreMark(core).
 */
export const COREMARK_PER_MHZ: Record<CoreId, number> = {
  'cortex-m0plus': 2.46,
  'cortex-m3': 3.34,
  'cortex-m4': 3.42,
  'cortex-m4f': 3.42,
  'cortex-m7': 5.01,
  'cortex-m33': 4.02,
  'cortex-m55': 4.2,
  'cortex-m85': 6.28,
};
const portableFactor = (core: CoreId): number => COREMARK_PER_MHZ['cortex-m4'] / COREMARK_PER_MHZ[core];

/** M7 / M33 per-term ratios from the same stack (X-CUBE-AI v7.3) on both cores: 0.683, 0.659, 0.645. */
const M7_OVER_M33 = {
  mac: VENDOR_M7.convCyclesPerMac / VENDOR_M33.convCyclesPerMac,
  dense: VENDOR_M7.denseCyclesPerMac / VENDOR_M33.denseCyclesPerMac,
  output: VENDOR_M7.cyclesPerOutput / VENDOR_M33.cyclesPerOutput,
  other: VENDOR_M7.cyclesPerOutput / VENDOR_M33.cyclesPerOutput,
};
/**
 * Helium (MVE) on M55/M85 vs the M33's DSP extension: NO measured data in the calibration set.
 * Assumption: CMSIS-NN's MVE kernels do 8 int8 MACs per cycle on the dual-beat M55 against 2 per
 * SMLAD on the M33 (peak 4x); loads and requantization limit that, so MAC terms 2.5x faster,
 * per-output and element terms 1.5x. The M85 adds a faster pipeline: a further 1.25x (assumed).
 */
const HELIUM_OVER_M33 = { mac: 1 / 2.5, dense: 1 / 2.5, output: 1 / 1.5, other: 1 / 1.5 };
const M85_OVER_M55 = 1 / 1.25;
/**
 * CMSIS-NN vs plain reference kernels: 4.6x runtime (Lai, Suda, Chandra 2018, "CMSIS-NN: Efficient
 * Neural Network Kernels for Arm Cortex-M CPUs", arXiv:1801.06601). Used for tflm-reference on DSP cores.
 */
const CMSIS_NN_SPEEDUP = 4.6;
/**
 * On cores without the DSP extension CMSIS-NN runs its portable C path; the only remaining gain over
 * reference kernels is loop structure: assumed 1.5x.
 */
const CMSIS_NN_SPEEDUP_NO_DSP = 1.5;

// ---- portable compiled C (microTVM native schedules), CoreMark-scaled per core -----------------
// Stands in for CMSIS-NN's portable path (M0+/M3 under TFLM and vendor) and for float32 loops.
const portableC = (core: CoreId): CostEntry => ({
  table: scale(PORTABLE_C_M4, portableFactor(core), C_LAYER_OVERHEAD_CYCLES),
  evidence: core === 'cortex-m4' || core === 'cortex-m4f' ? 'fitted' : 'derived',
  note:
    core === 'cortex-m4' || core === 'cortex-m4f'
      ? 'portable C: fitted on microTVM native schedules, NUCLEO-L4R5ZI (MLPerf Tiny v1.0)'
      : `portable C: M4 fit (microTVM native, NUCLEO-L4R5ZI) scaled by CoreMark/MHz 3.42/${COREMARK_PER_MHZ[core]}`,
});

const PORTABLE_C = perCore(portableC);

/** A runtime without DSP kernels on a core without DSP: portable C on that core plus the runtime's per-layer overhead. */
const onPortableC = (core: 'cortex-m0plus' | 'cortex-m3', layerOverheadCycles: number, note: string): CostEntry => ({
  table: scale(PORTABLE_C[core].table, 1, layerOverheadCycles),
  evidence: 'derived',
  note,
});
const TFLM_NO_DSP_NOTE = 'no DSP: CMSIS-NN portable C path, modelled as portable C on this core (CoreMark-scaled M4 fit) + TFLM overhead';
const VENDOR_NO_DSP_NOTE = 'no DSP and no vendor data: portable C on this core (CoreMark-scaled M4 fit)';

// ---- earshot-c: Earshot's own C, fitted to qemu instruction counts (earshot-costs.ts) ----------
const EARSHOT_C = perCore(earshotCEntry);

// ---- tflm-cmsis-nn ----------------------------------------------------------------------------
const TFLM_CMSIS_M7 = scale(TFLM_CMSIS_M33, M7_OVER_M33);
const TFLM_CMSIS_M55 = scale(TFLM_CMSIS_M33, HELIUM_OVER_M33);
const TFLM_CMSIS: Record<CoreId, CostEntry> = {
  'cortex-m0plus': onPortableC('cortex-m0plus', TFLM_LAYER_OVERHEAD_CYCLES, TFLM_NO_DSP_NOTE),
  'cortex-m3': onPortableC('cortex-m3', TFLM_LAYER_OVERHEAD_CYCLES, TFLM_NO_DSP_NOTE),
  'cortex-m4': { table: TFLM_CMSIS_M4, evidence: 'fitted', note: 'fitted: TFLM v2.3.1 + CMSIS-NN, NUCLEO-L4R5ZI, MLPerf Tiny v0.5' },
  'cortex-m4f': { table: TFLM_CMSIS_M4, evidence: 'fitted', note: 'fitted: TFLM v2.3.1 + CMSIS-NN, NUCLEO-L4R5ZI, MLPerf Tiny v0.5' },
  'cortex-m7': { table: TFLM_CMSIS_M7, evidence: 'derived', note: 'M33 fit (EK-RA6M4) x M7/M33 ratio of X-CUBE-AI v7.3 on H7A3 vs U575' },
  'cortex-m33': { table: TFLM_CMSIS_M33, evidence: 'fitted', note: 'fitted: TFLM + CMSIS-NN (Renesas), EK-RA6M4, MLPerf Tiny v0.7' },
  'cortex-m55': { table: TFLM_CMSIS_M55, evidence: 'assumed', note: 'no Helium data: M33 fit with assumed MVE speed-up (2.5x MACs, 1.5x other)' },
  'cortex-m85': { table: scale(TFLM_CMSIS_M55, M85_OVER_M55), evidence: 'assumed', note: 'no Helium data: assumed M55 estimate / 1.25' },
};

// ---- tflm-reference -----------------------------------------------------------------------------
const reference = (core: CoreId, hasDspPath: boolean): CostEntry => {
  const base = TFLM_CMSIS[core].table;
  const f = hasDspPath ? CMSIS_NN_SPEEDUP : CMSIS_NN_SPEEDUP_NO_DSP;
  return {
    table: scale(base, f),
    evidence: 'derived',
    note: hasDspPath
      ? 'tflm-cmsis-nn estimate x 4.6 (CMSIS-NN speed-up over reference kernels, Lai et al. 2018)'
      : 'tflm-cmsis-nn (portable path) estimate x 1.5 (assumed loop-structure gain of CMSIS-NN without DSP)',
  };
};
const TFLM_REFERENCE = perCore((core) => reference(core, core !== 'cortex-m0plus' && core !== 'cortex-m3'));

// ---- earshot-simd: Earshot's C with its ACLE SIMD kernels (qemu-measured, earshot-costs.ts) ------
const EARSHOT_SIMD = perCore(earshotSimdEntry);

// ---- vendor (X-CUBE-AI-class optimizing code generators) ---------------------------------------
const VENDOR_M55 = scale(VENDOR_M33, HELIUM_OVER_M33);
const VENDOR: Record<CoreId, CostEntry> = {
  'cortex-m0plus': onPortableC('cortex-m0plus', VENDOR_LAYER_OVERHEAD_CYCLES, VENDOR_NO_DSP_NOTE),
  'cortex-m3': onPortableC('cortex-m3', VENDOR_LAYER_OVERHEAD_CYCLES, VENDOR_NO_DSP_NOTE),
  'cortex-m4': { table: VENDOR_M4, evidence: 'fitted', note: 'fitted: X-CUBE-AI v7.3, NUCLEO-L4R5ZI, MLPerf Tiny v1.0' },
  'cortex-m4f': { table: VENDOR_M4, evidence: 'fitted', note: 'fitted: X-CUBE-AI v7.3, NUCLEO-L4R5ZI, MLPerf Tiny v1.0' },
  'cortex-m7': { table: VENDOR_M7, evidence: 'fitted', note: 'fitted: X-CUBE-AI v7.3, NUCLEO-H7A3ZI-Q, MLPerf Tiny v1.0' },
  'cortex-m33': { table: VENDOR_M33, evidence: 'fitted', note: 'fitted: X-CUBE-AI v7.3, NUCLEO-U575ZI-Q, MLPerf Tiny v1.0' },
  'cortex-m55': { table: VENDOR_M55, evidence: 'assumed', note: 'no Helium data: M33 fit with assumed MVE speed-up' },
  'cortex-m85': { table: scale(VENDOR_M55, M85_OVER_M55), evidence: 'assumed', note: 'no Helium data: assumed M55 estimate / 1.25' },
};

export const INT8_COSTS: Record<RuntimeId, Record<CoreId, CostEntry>> = {
  'earshot-c': EARSHOT_C,
  'earshot-simd': EARSHOT_SIMD,
  'tflm-cmsis-nn': TFLM_CMSIS,
  'tflm-reference': TFLM_REFERENCE,
  vendor: VENDOR,
};

// ---- float32 --------------------------------------------------------------------------------------
/**
 * No float32 measurements in the calibration set. CMSIS-NN and int8-only vendor paths have no
 * float kernels, so every runtime runs float32 as portable C loops (TFLM reference float kernels).
 * Assumptions: with a single-precision FPU a float MAC in portable C (VLDR + VFMA) costs about what an
 * int8 MAC (LDRSB + MLA) costs; without one, libgcc soft-float __aeabi_fmul + __aeabi_fadd cost
 * roughly 10x that on M0+ (no long multiply, 2-cycle loads) and 6x on M3/M4 (UMULL and CLZ help).
 */
export const SOFT_FLOAT_FACTOR: Record<CoreId, number> = {
  'cortex-m0plus': 10,
  'cortex-m3': 6,
  'cortex-m4': 6,
  'cortex-m4f': 6,
  'cortex-m7': 6,
  'cortex-m33': 6,
  'cortex-m55': 6,
  'cortex-m85': 6,
};

export function costEntry(runtime: RuntimeId, core: CoreId, dtype: 'int8' | 'float32', hasFpu: boolean): CostEntry {
  const int8 = INT8_COSTS[runtime][core];
  if (dtype === 'int8') return int8;
  // Earshot's float loops are its int8 loops with float arithmetic; other runtimes: portable C.
  const portable = (runtime === 'earshot-c' ? EARSHOT_C : PORTABLE_C)[core].table;
  const f = hasFpu ? 1 : SOFT_FLOAT_FACTOR[core];
  return {
    table: scale(portable, f, int8.table.layerOverheadCycles),
    evidence: 'assumed',
    note: hasFpu
      ? 'float32: portable C float loops, assumed as costly per MAC as int8 portable C (no float evidence)'
      : `float32 without FPU: soft-float, assumed ${f}x portable int8 C (no float evidence)`,
  };
}
