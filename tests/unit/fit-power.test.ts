/**
 * Feature extraction per hop, duty cycle, energy and battery life in the FitReport; custom and
 * partially known boards (Alif E7).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG, featureShape } from '../../src/core/dsp/feature-config.ts';
import { EarshotError } from '../../src/core/errors.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { BOARD_TEMPLATES, customBoard, getBoard } from '../../src/core/mcu/boards.ts';
import { BATTERIES, estimate } from '../../src/core/mcu/estimate.ts';
import { EARSHOT_COST_FITS } from '../../src/core/mcu/earshot-costs.generated.ts';
import { featureHopCost } from '../../src/core/mcu/earshot-costs.ts';
import { featureOpCounts } from '../../src/core/dsp/feature-cost.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';

const kws = analyzeSpec(JSON.parse(readFileSync(new URL('../fixtures/specs/mlperf-kws-ds-cnn.json', import.meta.url), 'utf8')));
const fs = featureShape(DEFAULT_FEATURE_CONFIG);

describe('features per hop, duty cycle, energy, battery', () => {
  it('features cost = the features.h fit of the core over the op counts, at the board clock; soft-float M0+ pays more per hop than an M4F', () => {
    const m4f = estimate(kws, customBoard({ core: 'cortex-m4f', clockMhz: 100, sramKb: 512, flashKb: 1024 }), { featureShape: fs });
    const f = EARSHOT_COST_FITS['cortex-m4f']!.featuresPerHop;
    const ops = featureOpCounts(DEFAULT_FEATURE_CONFIG) as unknown as Record<string, number>;
    const expected = f.terms.reduce((acc, t, i) => acc + f.cycles[i]! * (t === 'hop' ? 1 : ops[t]!), 0);
    expect(m4f.features.hopCycles).toBeCloseTo(expected, 6);
    expect(m4f.features.hopMs).toBe(20);
    expect(m4f.features.hopComputeMs).toBeCloseTo(expected / 100_000, 9);
    expect(m4f.features.clipComputeMs).toBeCloseTo(m4f.features.hopComputeMs * fs.frames, 9);
    const m0 = estimate(kws, customBoard({ core: 'cortex-m0plus', clockMhz: 100, sramKb: 512, flashKb: 1024 }), { featureShape: fs });
    expect(m0.features.hopCycles).toBeGreaterThan(3 * m4f.features.hopCycles);
  });

  it('featureConfig: the model\'s own config sets the frontend shape and the per-hop cost (featureHopCost)', () => {
    const board = customBoard({ core: 'cortex-m33', clockMhz: 100, sramKb: 512, flashKb: 1024 });
    const lp = featurePreset('low-power-8k').config;
    const r = estimate(kws, board, { featureConfig: lp });
    expect(r.features.hopCycles).toBeCloseTo(featureHopCost('cortex-m33', true, lp).cycles, 6);
    expect(r.features.hopMs).toBe(32);
    expect(r.features.clipComputeMs).toBeCloseTo(r.features.hopComputeMs * featureShape(lp).frames, 9);
    // band edges change the mel weights, so the cost: a shape alone cannot know them
    const ms = featurePreset('micro-speech').config;
    const own = estimate(kws, board, { featureConfig: ms }).features;
    expect(own.hopCycles).toBeCloseTo(featureHopCost('cortex-m33', true, ms).cycles, 6);
    const shapeOnly = estimate(kws, board, { featureShape: featureShape(ms) }).features;
    expect(shapeOnly.hopCycles).not.toBeCloseTo(own.hopCycles, 0);
    expect(shapeOnly.note).toMatch(/assumed/);
    // the default config and its shape agree
    expect(estimate(kws, board, { featureShape: fs }).features.hopCycles).toBeCloseTo(estimate(kws, board).features.hopCycles, 9);
    for (const o of [{ featureConfig: lp, featureShape: fs }]) {
      try {
        estimate(kws, board, o);
        throw new Error('accepted');
      } catch (e) {
        expect((e as EarshotError).code).toBe('mcu/bad-options');
      }
    }
    expect(() => estimate(kws, board, { featureConfig: { fftSize: 100 } })).toThrow(EarshotError);
  });

  it('duty cycle = features per hop + inference per interval; a longer interval lowers it', () => {
    const b = getBoard('nucleo-l4r5zi');
    const r = estimate(kws, b, { runtime: 'vendor', inferenceIntervalMs: 250 });
    expect(r.dutyCycle).toBeCloseTo(r.features.hopComputeMs / 20 + r.latencyMs / 250, 12);
    const slower = estimate(kws, b, { runtime: 'vendor', inferenceIntervalMs: 1000 });
    expect(slower.dutyCycle).toBeLessThan(r.dutyCycle);
    // default interval: one clip (1000 ms)
    expect(estimate(kws, b, { runtime: 'vendor' }).dutyCycle).toBeCloseTo(slower.dutyCycle, 12);
  });

  it('energy and battery life follow from the board power figure (hand-computed)', () => {
    const b = getBoard('nucleo-l4r5zi'); // 48.7 mW measured (MLPerf energy mode)
    const r = estimate(kws, b, { runtime: 'vendor', sleepPowerMw: 0.01 });
    const p = r.power!;
    expect(p.activePowerMw).toBe(48.7);
    expect(p.energyPerInferenceUj).toBeCloseTo(48.7 * r.latencyMs, 9);
    const avg = 48.7 * r.dutyCycle + 0.01 * (1 - r.dutyCycle);
    expect(p.averagePowerMw).toBeCloseTo(avg, 9);
    const cr = p.batteries.find((x) => x.id === 'cr2032')!;
    expect(cr.hours).toBeCloseTo(675 / avg, 9);
    expect(p.batteries.find((x) => x.id === '2xaa')!.hours).toBeGreaterThan(cr.hours);
    expect(BATTERIES.map((x) => x.capacityMwh)).toEqual([675, 7500]);
  });

  it('no power figure: no energy, and a note says so; a custom board may bring one', () => {
    const r = estimate(kws, getBoard('nano33ble'));
    expect(r.power).toBeUndefined();
    expect(r.notes.join(' ')).toMatch(/no power figure/);
    const c = estimate(kws, customBoard({ core: 'cortex-m4f', clockMhz: 64, sramKb: 256, flashKb: 1024, activePowerMw: 15 }));
    expect(c.power?.activePowerMw).toBe(15);
    expect(() => customBoard({ core: 'cortex-m4f', clockMhz: 64, sramKb: 256, flashKb: 1024, activePowerMw: -1 })).toThrow(EarshotError);
  });

  it('bad options are refused with mcu/bad-options', () => {
    const b = getBoard('pico');
    for (const o of [{ inferenceIntervalMs: 0 }, { inferenceIntervalMs: Number.NaN }, { sleepPowerMw: -1 }]) {
      try {
        estimate(kws, b, o);
        throw new Error('accepted');
      } catch (e) {
        expect((e as EarshotError).code).toBe('mcu/bad-options');
      }
    }
  });
});

describe('boards known in part', () => {
  it('Alif E7: memory unknown, so not a board; getBoard says so and how to describe it', () => {
    const t = BOARD_TEMPLATES.find((x) => x.id === 'alif-e7')!;
    expect(t.core).toBe('cortex-m55');
    expect(t.unknown).toEqual(['sramKb', 'flashKb']);
    try {
      getBoard('alif-e7');
      throw new Error('accepted');
    } catch (e) {
      expect((e as EarshotError).code).toBe('mcu/unknown-board');
      expect((e as Error).message).toMatch(/sramKb and flashKb unknown.*--core cortex-m55 --clock-mhz 400/);
    }
    const r = estimate(kws, customBoard({ core: t.core, clockMhz: t.clockMhz, sramKb: 2048, flashKb: 4096 }), { runtime: 'tflm-cmsis-nn' });
    expect(r.costEvidence).toBe('assumed');
  });
});
