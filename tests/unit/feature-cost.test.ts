import { describe, expect, it } from 'vitest';
import { featureCostPerHop, featureOpCounts } from '../../src/core/dsp/feature-cost.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { logMelTables } from '../../src/core/dsp/log-mel.ts';
import { EarshotError } from '../../src/core/errors.ts';

describe('featureCostPerHop', () => {
  it('counts the operations of one hop exactly', () => {
    const ops = featureOpCounts(featurePreset('earshot').config);
    expect(ops).toEqual({ windowSamples: 480, padSamples: 32, fftSize: 512, butterflies: 1024, melWeights: logMelTables({}).mel.weights.length, bands: 40 });
    expect(featureOpCounts(featurePreset('low-power-8k').config).butterflies).toBe(64 * 7);
  });

  it('gives the measured figure for the default preset (78 742 cycles/hop under qemu, see feature-cost.ts)', () => {
    const c = featureCostPerHop({});
    expect(Math.abs(c.cycles - 78742) / 78742).toBeLessThan(0.02);
    expect(c.hopsPerSecond).toBe(50);
    expect(c.cyclesPerSecondOfAudio).toBe(c.cycles * 50);
  });

  it('grows with the FFT, the bands and the mel weights', () => {
    const base = featureCostPerHop({}).cycles;
    expect(featureCostPerHop({ fftSize: 1024 }).cycles).toBeGreaterThan(base * 1.8);
    expect(featureCostPerHop({ melBands: 80 }).cycles).toBeGreaterThan(base);
    expect(featureCostPerHop(featurePreset('low-power-8k').config).cycles).toBeLessThan(base / 1.8);
  });

  it('validates the config first', () => {
    expect(() => featureCostPerHop({ fftSize: 100 })).toThrow(EarshotError);
  });
});
