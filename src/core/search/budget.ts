/**
 * Does a search candidate fit? Its preset spec is built for the features' shape and costed with
 * the same estimate() as `earshot fit` and the Fit screen (int8); latency per inference counts the
 * model plus the log-mel features of the whole window (FitReport.features.clipComputeMs). A
 * candidate fits when the board's own flash and RAM hold it (FitReport.fits.all) and it is within
 * every budget given.
 */
import { EarshotError } from '../errors.ts';
import { featureShape } from '../dsp/feature-config.ts';
import { analyzeSpec } from '../model/analyze.ts';
import { presetSpec } from '../model/presets.ts';
import type { ModelSpec } from '../model/spec.ts';
import { estimate } from '../mcu/estimate.ts';
import type { Board, FitReport, RuntimeId } from '../mcu/types.ts';
import type { SearchCandidate } from './candidates.ts';

export interface SearchBudget {
  /** Largest tensor arena (FitReport.arenaBytes); default: whatever the board's RAM holds. */
  arenaBytes?: number;
  /** Model + window features, per inference; default: the window length (clipMs). */
  latencyMs?: number;
  /** Largest flash use (FitReport.flashBytes); default: the board's flash. */
  flashBytes?: number;
}

export interface CandidateFit {
  /** Model latency plus feature extraction of the window. */
  latencyMs: number;
  modelLatencyMs: number;
  featuresMs: number;
  arenaBytes: number;
  ramBytes: number;
  flashBytes: number;
}

export interface CheckedCandidate {
  /** Absent when the preset cannot be built for these features (shapes shrink to nothing). */
  spec?: ModelSpec;
  fit?: CandidateFit;
  /** Why it does not fit; empty when it fits. */
  reasons: string[];
}

/** Bytes for messages: "512 B", "10.6 KB". */
export const kb = (bytes: number): string => (bytes < 1024 ? `${Math.round(bytes)} B` : `${(bytes / 1024).toFixed(1)} KB`);

/** Throws 'search/bad-options' unless every given budget is a positive finite number. */
export function validateBudget(b: SearchBudget): SearchBudget {
  if (b === null || typeof b !== 'object') throw new EarshotError('search/bad-options', 'budget must be an object');
  for (const k of ['arenaBytes', 'latencyMs', 'flashBytes'] as const) {
    const v = b[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new EarshotError('search/bad-options', `budget ${k} must be a positive number, got ${JSON.stringify(v)}`);
  }
  return b;
}

/** The figures the search compares, from one FitReport. */
export function fitOf(r: FitReport): CandidateFit {
  const featuresMs = r.features.clipComputeMs;
  return { latencyMs: r.latencyMs + featuresMs, modelLatencyMs: r.latencyMs, featuresMs, arenaBytes: r.arenaBytes, ramBytes: r.ramBytes, flashBytes: r.flashBytes };
}

/** Build the candidate's spec and check it against the board and the budget with estimate(). */
export function checkCandidate(c: SearchCandidate, numClasses: number, board: Board, runtime: RuntimeId, budget: SearchBudget): CheckedCandidate {
  const s = featureShape(c.features.config);
  let spec: ModelSpec;
  let report: FitReport;
  try {
    spec = presetSpec(c.preset, [s.frames, s.bands, 1], numClasses, { width: c.width, depth: c.depth, dropout: c.dropout });
    report = estimate(analyzeSpec(spec), board, { runtime, dtype: 'int8', featureConfig: c.features.config });
  } catch (e) {
    if (e instanceof EarshotError && (e.code === 'spec/invalid' || e.code === 'mcu/bad-options')) return { reasons: [`cannot be built: ${e.message}`] };
    throw e; // a bad board or runtime is the caller's error, not the candidate's
  }
  const fit = fitOf(report);
  const reasons: string[] = [];
  if (!report.fits.flash) reasons.push(`flash ${kb(report.flashBytes)} > board ${kb(board.flashBytes)}`);
  if (!report.fits.ram) reasons.push(`RAM ${kb(report.ramBytes)} > board ${kb(board.sramBytes)}`);
  if (budget.arenaBytes !== undefined && fit.arenaBytes > budget.arenaBytes) reasons.push(`arena ${kb(fit.arenaBytes)} > ${kb(budget.arenaBytes)}`);
  if (budget.flashBytes !== undefined && fit.flashBytes > budget.flashBytes) reasons.push(`flash ${kb(fit.flashBytes)} > ${kb(budget.flashBytes)}`);
  const latencyBudget = budget.latencyMs ?? c.features.config.clipMs;
  if (fit.latencyMs > latencyBudget) reasons.push(`latency ${fit.latencyMs.toFixed(1)} ms > ${latencyBudget} ms`);
  return { spec, fit, reasons };
}
