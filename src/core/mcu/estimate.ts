/**
 * estimate(): ModelSpec analysis x Board x Runtime -> FitReport. It only sums the per-op cost
 * functions of cost.ts, the arena plan of arena.ts and the runtime overheads of runtimes.ts.
 * Cheap enough to run on every edit in the UI (tens of microseconds for a typical spec).
 */
import { EarshotError } from '../errors.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape as configShape, isNormalised, validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';
import type { SpecAnalysis } from '../model/spec.ts';
import { planSpecArena } from './arena.ts';
import { validateBoard } from './boards.ts';
import { cmsisScratchBytes, layerCycles, layerWeightBytes, quantChannels } from './cost.ts';
import { costEntry } from './cost-tables.ts';
import { lowerSpec } from './lower.ts';
import { getRuntime } from './runtimes.ts';
import { codeSizeOf } from './code-size.ts';
import { featureHopCost } from './earshot-costs.ts';
import type { BatteryId, Board, CoreId, Dtype, FeatureCost, FitReport, LayerCost, PowerEstimate, RuntimeId } from './types.ts';

export { getRuntime, listRuntimes } from './runtimes.ts';

export interface FeatureShapeInput {
  frames: number;
  bands: number;
  inputSamples: number;
  /** Analysis window in samples (default from DEFAULT_FEATURE_CONFIG: 480). */
  windowSamples?: number;
  /** FFT length (default 512). */
  fftSize?: number;
  /** Hop between frames in samples (default from DEFAULT_FEATURE_CONFIG: 320). */
  hopSamples?: number;
  /** Default 16000. */
  sampleRateHz?: number;
}

/**
 * Batteries for the battery-life estimate: usable energy = nominal capacity × nominal voltage, no
 * regulator losses, no self-discharge. CR2032: 225 mAh at 3.0 V (Energizer CR2032 datasheet,
 * 225 mAh to 2.0 V at 0.19 mA). 2×AA alkaline in series: 2500 mAh at 3.0 V (Energizer E91 gives
 * ~2500 mAh at 25 mA to 0.9 V).
 */
export const BATTERIES: ReadonlyArray<{ id: BatteryId; name: string; capacityMwh: number }> = [
  { id: 'cr2032', name: 'CR2032 coin cell (225 mAh, 3 V)', capacityMwh: 225 * 3 },
  { id: '2xaa', name: '2×AA alkaline (2500 mAh, 3 V)', capacityMwh: 2500 * 3 },
];

/** Sleep power between hops: assumed 10 µW (a few µA at 3 V with RAM retained; STM32L4 Stop 2, nRF52 System ON idle). */
export const DEFAULT_SLEEP_POWER_MW = 0.01;

export interface EstimateOptions {
  runtime?: RuntimeId;
  dtype?: Dtype;
  /**
   * The feature config the model was trained on: gives the frontend's shape and its exact per-hop
   * op counts (featureOpCounts). Give this or featureShape, not both; neither means
   * DEFAULT_FEATURE_CONFIG.
   */
  featureConfig?: Partial<FeatureConfig>;
  /**
   * Shape only (no band edges): the per-hop cost then assumes a config with these sizes and the
   * default band edges (fMaxHz capped at Nyquist), which the report's features note says.
   */
  featureShape?: FeatureShapeInput;
  /**
   * Inference every this many ms in streaming use; features are computed every hop regardless.
   * Default: once per clip length (non-overlapping windows, one decision per clip).
   */
  inferenceIntervalMs?: number;
  /** Power while sleeping between hops (default DEFAULT_SLEEP_POWER_MW). */
  sleepPowerMw?: number;
}

export const DEFAULT_RUNTIME: RuntimeId = 'earshot-c';

function badOptions(message: string): never {
  throw new EarshotError('mcu/bad-options', message);
}

const posInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** The frontend's sizes plus the config its per-hop cost is counted on. */
export interface ResolvedFeatures extends Required<FeatureShapeInput> {
  config: FeatureConfig;
  /** True when the config was made up from a shape (default band edges). */
  assumedConfig: boolean;
}

function resolveFeatures(opts: EstimateOptions): ResolvedFeatures {
  if (opts.featureConfig !== undefined && opts.featureShape !== undefined) badOptions('give featureConfig or featureShape, not both');
  if (opts.featureShape === undefined) {
    const config = validateFeatureConfig(opts.featureConfig ?? DEFAULT_FEATURE_CONFIG);
    const s = configShape(config);
    const { frames, bands, inputSamples, windowSamples, hopSamples } = s;
    return { frames, bands, inputSamples, windowSamples, hopSamples, fftSize: config.fftSize, sampleRateHz: config.sampleRateHz, config, assumedConfig: false };
  }
  const f = opts.featureShape;
  const d = configShape(DEFAULT_FEATURE_CONFIG);
  const r = {
    frames: f.frames ?? d.frames,
    bands: f.bands ?? d.bands,
    inputSamples: f.inputSamples ?? d.inputSamples,
    windowSamples: f.windowSamples ?? d.windowSamples,
    fftSize: f.fftSize ?? DEFAULT_FEATURE_CONFIG.fftSize,
    hopSamples: f.hopSamples ?? d.hopSamples,
    sampleRateHz: f.sampleRateHz ?? DEFAULT_FEATURE_CONFIG.sampleRateHz,
  };
  for (const [k, v] of Object.entries(r)) if (!posInt(v)) badOptions(`featureShape.${k} must be a positive integer, got ${JSON.stringify(v)}`);
  const ms = (samples: number): number => (samples * 1000) / r.sampleRateHz;
  const config: Partial<FeatureConfig> = {
    sampleRateHz: r.sampleRateHz,
    clipMs: ms(r.inputSamples),
    windowMs: ms(r.windowSamples),
    hopMs: ms(r.hopSamples),
    fftSize: r.fftSize,
    melBands: r.bands,
    fMaxHz: Math.min(DEFAULT_FEATURE_CONFIG.fMaxHz, r.sampleRateHz / 2),
  };
  try {
    return { ...r, config: validateFeatureConfig(config), assumedConfig: true };
  } catch (e) {
    return badOptions(`featureShape does not describe a valid feature config: ${(e as Error).message}`);
  }
}

/**
 * The log-mel frontend runs on the device whatever the runtime (the model's input is its output).
 * RAM: int16 PCM of one clip + an in-place float32 real FFT buffer + the float32 power spectrum,
 * + the float32 window of log-mel that the per-clip normalisation works on (when it is on).
 * Flash: float32 window, FFT twiddles (cos+sin per half bin), mel weights (each bin in at most two
 * triangles) and per-band bin ranges, plus the code of features.h measured per core
 * (code-size.generated.ts; soft-float library routines of FPU-less cores not included).
 */
export function featureFrontendBytes(f: ResolvedFeatures, core: CoreId = 'cortex-m4f'): { ramBytes: number; flashBytes: number } {
  const bins = f.fftSize / 2 + 1;
  return {
    ramBytes: f.inputSamples * 2 + f.fftSize * 4 + bins * 4 + (isNormalised(f.config) ? f.frames * f.bands * 4 : 0),
    flashBytes: codeSizeOf(core).featuresBytes + f.windowSamples * 4 + (f.fftSize / 2) * 8 + bins * 2 * 4 + f.bands * 4,
  };
}

/** features.h cost on the board per hop, from the qemu fits (featureHopCost in earshot-costs.ts). */
export function featureCost(f: ResolvedFeatures, board: Board): FeatureCost {
  const hop = featureHopCost(board.core, board.hasFpu, f.config);
  const hopComputeMs = hop.cycles / (board.clockMhz * 1000);
  return {
    hopMs: (f.hopSamples / f.sampleRateHz) * 1000,
    hopCycles: hop.cycles,
    hopComputeMs,
    clipComputeMs: hopComputeMs * f.frames,
    note: f.assumedConfig ? `${hop.note}; mel weights counted for band edges ${f.config.fMinHz}–${f.config.fMaxHz} Hz (assumed: pass featureConfig for the model's own)` : hop.note,
  };
}

/** Duty cycle, energy and battery life from the board's active power (undefined without one). */
export function powerEstimate(board: Board, latencyMs: number, features: FeatureCost, intervalMs: number, sleepPowerMw: number): PowerEstimate | undefined {
  const p = board.activePowerMw;
  if (p === undefined) return undefined;
  const duty = features.hopComputeMs / features.hopMs + latencyMs / intervalMs;
  const busy = Math.min(1, duty);
  const averagePowerMw = p * busy + sleepPowerMw * (1 - busy);
  return {
    activePowerMw: p,
    sleepPowerMw,
    dutyCycle: duty,
    inferenceIntervalMs: intervalMs,
    energyPerInferenceUj: p * latencyMs,
    energyPerHopUj: p * features.hopComputeMs,
    averagePowerMw,
    batteries: BATTERIES.map((b) => ({ ...b, hours: b.capacityMwh / averagePowerMw })),
    assumptions: [
      `active power ${p} mW while computing (board figure), ${sleepPowerMw} mW asleep between hops`,
      'microphone, radio and regulator losses not included; battery energy = nominal mAh × 3 V',
    ],
  };
}

function checkAnalysis(a: SpecAnalysis): void {
  if (a === null || typeof a !== 'object' || !Array.isArray(a.layers) || a.layers.length === 0 || !a.spec || !Array.isArray(a.spec.layers)) {
    throw new EarshotError('spec/invalid', 'estimate needs the SpecAnalysis of a valid ModelSpec (see analyzeSpec)');
  }
}

export function estimate(analysis: SpecAnalysis, board: Board, opts: EstimateOptions = {}): FitReport {
  checkAnalysis(analysis);
  validateBoard(board);
  if (opts === null || typeof opts !== 'object') badOptions('options must be an object');
  const runtime = getRuntime(opts.runtime ?? DEFAULT_RUNTIME);
  const dtype = opts.dtype ?? 'int8';
  if (dtype !== 'int8' && dtype !== 'float32') badOptions(`dtype must be 'int8' or 'float32', got ${JSON.stringify(dtype)}`);
  const features = resolveFeatures(opts);
  const sleepPowerMw = opts.sleepPowerMw ?? DEFAULT_SLEEP_POWER_MW;
  if (typeof sleepPowerMw !== 'number' || !(sleepPowerMw >= 0) || !Number.isFinite(sleepPowerMw)) badOptions(`sleepPowerMw must be a number >= 0, got ${JSON.stringify(sleepPowerMw)}`);
  const interval = opts.inferenceIntervalMs;
  if (interval !== undefined && (typeof interval !== 'number' || !(interval > 0) || !Number.isFinite(interval))) badOptions(`inferenceIntervalMs must be a positive number, got ${JSON.stringify(interval)}`);

  const deployed = lowerSpec(analysis);
  const entry = costEntry(runtime.id, board.core, dtype, board.hasFpu);
  const t = entry.table;
  const cyclesPerMs = board.clockMhz * 1000;
  const quantBytes = dtype === 'int8' ? runtime.quantParamBytesPerChannel : 0;

  const layers: LayerCost[] = [];
  const opKinds = new Set<string>();
  let cycles = runtime.perInvokeOverheadCycles;
  let weightBytes = 0;
  let ops = 0;
  let channels = 0;
  let scratchBytes = 0;
  const bpe = dtype === 'int8' ? 1 : 4;
  for (const d of deployed) {
    const c = layerCycles(d, t);
    const w = layerWeightBytes(d, dtype, quantBytes);
    cycles += c;
    weightBytes += w;
    if (d.role === 'compute') {
      const kind = d.info.type === 'activation' && d.softmax ? 'softmax' : d.info.type;
      opKinds.add(kind);
      if (d.softmax && kind !== 'softmax') opKinds.add('softmax');
      ops += (d.info.type === 'separableConv2d' ? 2 : 1) + (d.softmax && kind !== 'softmax' ? 1 : 0);
      channels += quantChannels(d);
      if (runtime.usesCmsisScratch && dtype === 'int8') scratchBytes = Math.max(scratchBytes, cmsisScratchBytes(d));
    }
    layers.push({
      name: d.info.name,
      type: d.info.type,
      macs: d.info.macs,
      cycles: c,
      latencyMs: c / cyclesPerMs,
      weightBytes: w,
      outputBytes: d.role === 'compute' ? d.info.outputShape.reduce((a, b) => a * b, 1) * bpe : 0,
      role: d.role,
    });
  }

  const plan = planSpecArena(analysis, dtype, deployed);
  const frontend = featureFrontendBytes(features, board.core);
  const runtimeRamBytes =
    runtime.arenaOverheadBytes + runtime.ramBytesPerOp * ops + (dtype === 'int8' ? runtime.ramBytesPerChannel * channels : 0) + scratchBytes;
  const ramBytes = plan.arenaBytes + frontend.ramBytes + runtimeRamBytes;
  const runtimeFlashBytes =
    runtime.codeFlashBytes(board.core, opKinds, ops) + runtime.modelFormatFlashBytes(ops, dtype === 'int8' ? channels : 0) + frontend.flashBytes;
  const flashBytes = weightBytes + runtimeFlashBytes;
  const latencyMs = cycles / cyclesPerMs;
  const fitsFlash = flashBytes <= board.flashBytes;
  const fitsRam = ramBytes <= board.sramBytes;

  const fc = featureCost(features, board);
  const intervalMs = interval ?? (features.inputSamples / features.sampleRateHz) * 1000;
  const dutyCycle = fc.hopComputeMs / fc.hopMs + latencyMs / intervalMs;
  const power = powerEstimate(board, latencyMs, fc, intervalMs, sleepPowerMw);

  const notes = [`${runtime.name} on ${board.core}: ${entry.note}`];
  if (!power) notes.push(`no power figure for ${board.name}: no energy or battery estimate`);
  if (runtime.status === 'planned') notes.push(`${runtime.id} is planned: Earshot cannot export it yet`);
  if (entry.evidence === 'assumed') notes.push('no measured evidence for this core/runtime/dtype: the latency is an assumption-based estimate');

  return {
    board,
    runtime: runtime.id,
    dtype,
    cycles,
    latencyMs,
    ...(board.activePowerMw !== undefined ? { energyUj: board.activePowerMw * latencyMs } : {}),
    arenaBytes: plan.arenaBytes,
    featureBufferBytes: frontend.ramBytes,
    runtimeRamBytes,
    ramBytes,
    weightBytes,
    runtimeFlashBytes,
    flashBytes,
    fits: { flash: fitsFlash, ram: fitsRam, all: fitsFlash && fitsRam },
    layers,
    features: fc,
    dutyCycle,
    ...(power ? { power } : {}),
    costEvidence: entry.evidence,
    notes,
  };
}
