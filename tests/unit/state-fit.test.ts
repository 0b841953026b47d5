/**
 * FitState: draft spec before training (setDraftSpec and the preset draft), custom board, runtime
 * and dtype, boards side by side, int8 vs float32, suggestions that re-estimate.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG, featureShape } from '../../src/core/dsp/feature-config.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { customBoard, getBoard } from '../../src/core/mcu/boards.ts';
import { estimate } from '../../src/core/mcu/estimate.ts';
import { FitState } from '../../src/state/fit.svelte.ts';

const config = DEFAULT_FEATURE_CONFIG;
const fs = featureShape(config);
const kws = JSON.parse(readFileSync(new URL('../fixtures/specs/mlperf-kws-ds-cnn.json', import.meta.url), 'utf8')) as ModelSpec;
const tiny = presetSpec('tiny-conv', [fs.frames, fs.bands, 1], 3);

describe('FitState', () => {
  it('estimates the preset before training, then the trained spec, and a draft from the editor over both', () => {
    let trained: ModelSpec | null = null;
    const fit = new FitState(() => trained, config, () => tiny);
    expect(fit.source).toBe('preset');
    const board = getBoard('nano33ble');
    expect(fit.view.report!.cycles).toBe(estimate(analyzeSpec(tiny), board, { featureShape: fs }).cycles);
    trained = kws;
    const fit2 = new FitState(() => trained, config, () => tiny);
    expect(fit2.source).toBe('trained');
    expect(fit2.view.report!.layers.length).toBe(analyzeSpec(kws).layers.length);
    fit2.setDraftSpec(tiny);
    expect(fit2.source).toBe('draft');
    expect(fit2.view.report!.layers.length).toBe(analyzeSpec(tiny).layers.length);
    fit2.setDraftSpec(null);
    expect(fit2.source).toBe('trained');
  });

  it('a bad draft shows its error; nothing at all shows nothing', () => {
    const fit = new FitState(() => null, config);
    expect(fit.source).toBeNull();
    expect(fit.view).toEqual({ report: null, error: null });
    fit.setDraftSpec({ ...tiny, layers: [{ type: 'dense', units: 0 }] } as ModelSpec);
    expect(fit.view.error).toMatch(/spec\//);
  });

  it('custom board, runtime, dtype and interval reach the estimate', () => {
    const fit = new FitState(() => kws, config);
    fit.boardId = 'custom';
    fit.custom = { core: 'cortex-m33', clockMhz: 200, sramKb: 256, flashKb: 1024, powerMw: 70 };
    fit.runtime = 'tflm-cmsis-nn';
    fit.intervalMs = 500;
    const r = fit.view.report!;
    const want = estimate(analyzeSpec(kws), customBoard({ core: 'cortex-m33', clockMhz: 200, sramKb: 256, flashKb: 1024, activePowerMw: 70 }), { runtime: 'tflm-cmsis-nn', featureShape: fs, inferenceIntervalMs: 500 });
    expect(r.cycles).toBe(want.cycles);
    expect(r.power!.batteries[0]!.hours).toBeCloseTo(want.power!.batteries[0]!.hours, 9);
    fit.dtype = 'float32';
    expect(fit.view.report!.dtype).toBe('float32');
    fit.custom = { ...fit.custom, clockMhz: 0 };
    expect(fit.view.error).toMatch(/mcu\/bad-board/);
    fit.useTemplate('alif-e7');
    expect(fit.custom.core).toBe('cortex-m55');
    expect(fit.custom.clockMhz).toBe(400);
  });

  it('boards side by side and int8 vs float32 are the same estimates as one by one', () => {
    const fit = new FitState(() => kws, config);
    fit.compareIds = ['pico', 'nucleo-h743zi'];
    expect(fit.compare.map((c) => c.board.id)).toEqual(['pico', 'nucleo-h743zi']);
    for (const c of fit.compare) expect(c.report!.cycles).toBe(estimate(analyzeSpec(kws), c.board, { featureShape: fs }).cycles);
    fit.toggleCompare('pico');
    expect(fit.compare.map((c) => c.board.id)).toEqual(['nucleo-h743zi']);
    const d = fit.dtypes!;
    expect(d.float32.report!.weightBytes).toBeGreaterThan(3 * d.int8.report!.weightBytes);
  });

  it('suggestions carry re-estimated numbers', () => {
    const fit = new FitState(() => tiny, config);
    expect(fit.suggestions.length).toBeGreaterThan(0);
    const base = fit.view.report!;
    for (const s of fit.suggestions) {
      expect(s.latencyChange).toBeLessThanOrEqual(-0.05);
      const after = s.spec ? estimate(analyzeSpec(s.spec), base.board, { ...fit.options, ...s.options }) : estimate(analyzeSpec(tiny), base.board, { ...fit.options, ...s.options });
      expect(s.latencyMs).toBeCloseTo(after.latencyMs, 9);
      expect(s.latencyChange).toBeCloseTo(after.latencyMs / base.latencyMs - 1, 9);
      expect(s.text).toMatch(/−\d+% latency/);
    }
  });
});
