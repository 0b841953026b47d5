/** The search's candidate list: seeded and deterministic, every family early, feature variants spread over the base config. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG, validateFeatureConfig, type FeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { PRESET_NAMES } from '../../src/core/model/presets.ts';
import { candidateList, featureVariants } from '../../src/core/search/candidates.ts';

describe('search candidates', () => {
  it('the same seed gives the same list; another seed another order of the same set', () => {
    const a = candidateList(DEFAULT_FEATURE_CONFIG, 7);
    expect(candidateList(DEFAULT_FEATURE_CONFIG, 7)).toEqual(a);
    const b = candidateList(DEFAULT_FEATURE_CONFIG, 8);
    expect(b.map((c) => c.id)).not.toEqual(a.map((c) => c.id));
    expect([...b.map((c) => c.id)].sort()).toEqual([...a.map((c) => c.id)].sort());
    expect(new Set(a.map((c) => c.id)).size).toBe(a.length);
  });

  it('the presets take turns, so a short budget trains every family', () => {
    const a = candidateList(DEFAULT_FEATURE_CONFIG, 1);
    expect(a.slice(0, PRESET_NAMES.length).map((c) => c.preset)).toEqual([...PRESET_NAMES]);
    expect(new Set(a.map((c) => c.width)).size).toBeGreaterThan(3);
    expect(new Set(a.map((c) => c.depth)).size).toBeGreaterThan(2);
    expect(new Set(a.map((c) => c.dropout)).size).toBeGreaterThan(1);
  });

  it('feature variants change hop and mel bands only, are valid and distinct, and keep fields they do not know', () => {
    const base = { ...DEFAULT_FEATURE_CONFIG, futureField: 3 } as FeatureConfig;
    const v = featureVariants(base);
    expect(v.length).toBe(4);
    expect(v[0]!.config).toEqual(base);
    expect(new Set(v.map((x) => JSON.stringify(x.config))).size).toBe(4);
    for (const { config } of v) {
      expect(validateFeatureConfig(config)).toEqual(config);
      expect((config as unknown as { futureField: number }).futureField).toBe(3);
      const { hopMs: _h, melBands: _m, ...rest } = config;
      const { hopMs: _bh, melBands: _bm, ...baseRest } = base;
      expect(rest).toEqual(baseRest);
    }
    expect(v.map((x) => x.label)).toEqual(['hop 20 ms, 40 mels', 'hop 30 ms, 40 mels', 'hop 20 ms, 20 mels', 'hop 30 ms, 20 mels']);
  });

  it('a variant equal to another is left out (half of 8 mels is below the floor of 8)', () => {
    const base = validateFeatureConfig({ clipMs: 100, windowMs: 30, hopMs: 50, melBands: 8 });
    const v = featureVariants(base);
    expect(v.map((x) => x.label)).toEqual(['hop 50 ms, 8 mels', 'hop 75 ms, 8 mels']);
  });
});
