import { describe, expect, it } from 'vitest';
import { featureOpCounts } from '../../src/core/dsp/feature-cost.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { logMelTables } from '../../src/core/dsp/log-mel.ts';
import { EarshotError } from '../../src/core/errors.ts';
import { FEATURE_COST_TERMS, featureCostRegressors, featureHopCost } from '../../src/core/mcu/earshot-costs.ts';
import { EARSHOT_COST_FITS } from '../../src/core/mcu/earshot-costs.generated.ts';
import type { CoreId } from '../../src/core/mcu/types.ts';

describe('featureOpCounts', () => {
  it('counts the operations of one hop exactly', () => {
    const ops = featureOpCounts(featurePreset('earshot').config);
    expect(ops).toEqual({ windowSamples: 480, padSamples: 32, fftSize: 512, butterflies: 1024, melWeights: logMelTables({}).mel.weights.length, bands: 40, floorValues: 0, meanValues: 0 });
    expect(featureOpCounts(featurePreset('low-power-8k').config).butterflies).toBe(64 * 7);
    // the per-clip normalisation: one value per band per hop for each pass that is on
    expect(featureOpCounts(featurePreset('speech-8k').config)).toMatchObject({ bands: 32, floorValues: 32, meanValues: 32 });
    expect(featureOpCounts({ relativeFloorDb: 40 })).toMatchObject({ floorValues: 40, meanValues: 0 });
  });

  it('the fitted terms are its fields (one definition of the op counts)', () => {
    const ops = featureOpCounts({});
    expect(featureCostRegressors(ops)).toEqual([1, 480, 512, 1024, ops.melWeights, 40, 0, 0]);
    for (const core of Object.keys(EARSHOT_COST_FITS)) expect(EARSHOT_COST_FITS[core]!.featuresPerHop.terms).toEqual([...FEATURE_COST_TERMS]);
  });
});

describe('featureHopCost', () => {
  it('gives the measured figure for the default preset on a Cortex-M4F (78 742 cycles/hop of earshot_features under qemu, tests/c/feature-cost.test.ts)', () => {
    const c = featureHopCost('cortex-m4f', true, {});
    expect(Math.abs(c.cycles - 78742) / 78742).toBeLessThan(0.02);
    expect(c.hopsPerSecond).toBe(50);
    expect(c.cyclesPerSecondOfAudio).toBeCloseTo(c.cycles * 50, 6);
    expect(c.instructions).toBeLessThan(c.cycles);
    expect(c.note).toMatch(/cortex-m4f build/);
  });

  it('grows with the FFT, the bands and the mel weights', () => {
    const at = (config: Parameters<typeof featureHopCost>[2]) => featureHopCost('cortex-m4f', true, config).cycles;
    const base = at({});
    expect(at({ fftSize: 1024 })).toBeGreaterThan(base * 1.8);
    expect(at({ melBands: 80 })).toBeGreaterThan(base);
    expect(at(featurePreset('low-power-8k').config)).toBeLessThan(base / 1.8);
  });

  it('per core: soft-float cores pay more; the M4F without its FPU uses the soft-float M4 build; M85 is the M55 build scaled', () => {
    const cfg = featurePreset('earshot').config;
    const m4f = featureHopCost('cortex-m4f', true, cfg);
    expect(featureHopCost('cortex-m0plus', false, cfg).cycles).toBeGreaterThan(3 * m4f.cycles);
    const soft = featureHopCost('cortex-m4f', false, cfg);
    expect(soft.cycles).toBeCloseTo(featureHopCost('cortex-m4', false, cfg).cycles, 6);
    expect(soft.cycles).toBeGreaterThan(2 * m4f.cycles);
    const m55 = featureHopCost('cortex-m55', true, cfg);
    const m85 = featureHopCost('cortex-m85', true, cfg);
    expect(m85.instructions).toBe(m55.instructions);
    expect(m85.cycles / m55.cycles).toBeCloseTo(4.2 / 6.28, 9);
  });

  it('validates the config and the core first', () => {
    expect(() => featureHopCost('cortex-m4f', true, { fftSize: 100 })).toThrow(EarshotError);
    try {
      featureHopCost('cortex-m9' as CoreId, true, {});
      throw new Error('accepted');
    } catch (e) {
      expect((e as EarshotError).code).toBe('mcu/unknown-core');
    }
  });
});
