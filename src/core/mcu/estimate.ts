/**
 * estimate(): ModelSpec analysis x Board x Runtime -> FitReport. It only sums the per-op cost
 * functions of cost.ts, the arena plan of arena.ts and the runtime overheads of runtimes.ts.
 * Cheap enough to run on every edit in the UI (tens of microseconds for a typical spec).
 */
import { EarshotError } from '../errors.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape as defaultFeatureShape } from '../dsp/feature-config.ts';
import type { SpecAnalysis } from '../model/spec.ts';
import { planSpecArena } from './arena.ts';
import { validateBoard } from './boards.ts';
import { cmsisScratchBytes, layerCycles, layerWeightBytes, quantChannels } from './cost.ts';
import { costEntry } from './cost-tables.ts';
import { lowerSpec } from './lower.ts';
import { getRuntime } from './runtimes.ts';
import type { Board, Dtype, FitReport, LayerCost, RuntimeId } from './types.ts';

export { getRuntime, listRuntimes } from './runtimes.ts';

export interface FeatureShapeInput {
  frames: number;
  bands: number;
  inputSamples: number;
  /** Analysis window in samples (default from DEFAULT_FEATURE_CONFIG: 480). */
  windowSamples?: number;
  /** FFT length (default 512). */
  fftSize?: number;
}

export interface EstimateOptions {
  runtime?: RuntimeId;
  dtype?: Dtype;
  featureShape?: FeatureShapeInput;
}

export const DEFAULT_RUNTIME: RuntimeId = 'earshot-c';

function badOptions(message: string): never {
  throw new EarshotError('mcu/bad-options', message);
}

const posInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

function resolveFeatures(f: FeatureShapeInput | undefined): Required<FeatureShapeInput> {
  const d = defaultFeatureShape(DEFAULT_FEATURE_CONFIG);
  const r = {
    frames: f?.frames ?? d.frames,
    bands: f?.bands ?? d.bands,
    inputSamples: f?.inputSamples ?? d.inputSamples,
    windowSamples: f?.windowSamples ?? d.windowSamples,
    fftSize: f?.fftSize ?? DEFAULT_FEATURE_CONFIG.fftSize,
  };
  for (const [k, v] of Object.entries(r)) if (!posInt(v)) badOptions(`featureShape.${k} must be a positive integer, got ${JSON.stringify(v)}`);
  return r;
}

/**
 * The log-mel frontend runs on the device whatever the runtime (the model's input is its output).
 * RAM: int16 PCM of one clip + an in-place float32 real FFT buffer + the float32 power spectrum.
 * Flash: float32 window, FFT twiddles (cos+sin per half bin), mel weights (each bin in at most two
 * triangles) and per-band bin ranges, plus ~3 KB of code (assumed until measured).
 */
export function featureFrontendBytes(f: Required<FeatureShapeInput>): { ramBytes: number; flashBytes: number } {
  const bins = f.fftSize / 2 + 1;
  return {
    ramBytes: f.inputSamples * 2 + f.fftSize * 4 + bins * 4,
    flashBytes: 3072 + f.windowSamples * 4 + (f.fftSize / 2) * 8 + bins * 2 * 4 + f.bands * 4,
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
  const features = resolveFeatures(opts.featureShape);

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
  const frontend = featureFrontendBytes(features);
  const runtimeRamBytes =
    runtime.arenaOverheadBytes + runtime.ramBytesPerOp * ops + (dtype === 'int8' ? runtime.ramBytesPerChannel * channels : 0) + scratchBytes;
  const ramBytes = plan.arenaBytes + frontend.ramBytes + runtimeRamBytes;
  const runtimeFlashBytes =
    runtime.codeFlashBytes(board.core, opKinds.size) + runtime.modelFormatFlashBytes(ops, dtype === 'int8' ? channels : 0) + frontend.flashBytes;
  const flashBytes = weightBytes + runtimeFlashBytes;
  const latencyMs = cycles / cyclesPerMs;
  const fitsFlash = flashBytes <= board.flashBytes;
  const fitsRam = ramBytes <= board.sramBytes;

  const notes = [`${runtime.name} on ${board.core}: ${entry.note}`];
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
    costEvidence: entry.evidence,
    notes,
  };
}
