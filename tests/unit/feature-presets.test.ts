import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG, featureConfigProblems, featureShape, validateFeatureConfig, type FeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { FEATURE_PRESET_NAMES, featurePreset, modelInputShape, presetNameOf } from '../../src/core/dsp/feature-presets.ts';
import { computeLogMel } from '../../src/core/dsp/log-mel.ts';
import { codeOf } from './error-code.ts';


describe('feature presets', () => {
  it('has the four presets of the issue with the shapes they promise', () => {
    expect(FEATURE_PRESET_NAMES).toEqual(['earshot', 'micro-speech', 'edge-impulse-mfe', 'low-power-8k', 'speech-8k']);
    const shapes = Object.fromEntries(FEATURE_PRESET_NAMES.map((n) => [n, modelInputShape(featurePreset(n).config)]));
    expect(shapes).toEqual({
      earshot: [49, 40, 1],
      'micro-speech': [49, 40, 1],
      'edge-impulse-mfe': [99, 40, 1],
      'low-power-8k': [31, 20, 1],
      'speech-8k': [30, 32, 1],
    });
    expect(featurePreset('earshot').config).toEqual(DEFAULT_FEATURE_CONFIG);
    const ei = featureShape(featurePreset('edge-impulse-mfe').config);
    expect([ei.windowSamples, ei.hopSamples]).toEqual([320, 160]);
    expect(featurePreset('low-power-8k').config.sampleRateHz).toBe(8000);
  });

  it('every preset validates, computes features of its shape, and is recognised by presetNameOf', () => {
    for (const n of FEATURE_PRESET_NAMES) {
      const c = featurePreset(n).config;
      expect(validateFeatureConfig(c)).toEqual(c);
      const s = featureShape(c);
      const x = new Float32Array(s.inputSamples).map((_, i) => 0.3 * Math.sin(i * 0.05));
      const f = computeLogMel(x, c);
      expect([f.frames, f.bands]).toEqual([s.frames, s.bands]);
      // earshot and micro-speech differ only in fMin/fMax, so the name is unambiguous.
      expect(presetNameOf(c)).toBe(n);
    }
    expect(presetNameOf({ ...DEFAULT_FEATURE_CONFIG, melBands: 33 })).toBeUndefined();
  });

  it('returns a fresh copy the caller may edit', () => {
    const a = featurePreset('earshot');
    a.config.melBands = 10;
    expect(featurePreset('earshot').config.melBands).toBe(40);
    expect(DEFAULT_FEATURE_CONFIG.melBands).toBe(40);
  });

  it('refuses an unknown preset with a typed error', () => {
    expect(codeOf(() => featurePreset('mfcc'))).toBe('features/bad-config');
  });
});

describe('feature config validation (typed errors, one test per rule)', () => {
  const cases: Array<[string, Partial<FeatureConfig>, string, RegExp]> = [
    ['window longer than the FFT', { windowMs: 40 }, 'windowMs', /longer than fftSize 512/],
    ['fMax above Nyquist', { sampleRateHz: 8000, fftSize: 256, windowMs: 25 }, 'fMaxHz', /above the Nyquist frequency 4000/],
    ['fMax not above fMin', { fMinHz: 500, fMaxHz: 400 }, 'fMaxHz', /above fMinHz/],
    ['FFT not a power of two', { fftSize: 500 }, 'fftSize', /power of two/],
    ['too many bands', { melBands: 200 }, 'melBands', /from 4 to 128/],
    ['odd sample rate', { sampleRateHz: 16000.5 }, 'sampleRateHz', /integer/],
    ['clip too short', { clipMs: 10 }, 'clipMs', /from 100/],
    ['negative hop', { hopMs: -1 }, 'hopMs', /positive/],
    ['hop under a sample', { hopMs: 0.01 }, 'hopMs', /shorter than one sample/],
    ['log floor not positive', { logFloor: 0 }, 'logFloor', /positive/],
    ['log floor subnormal in float32', { logFloor: 1e-40 }, 'logFloor', /smallest normal float32/],
    ['not a number', { melBands: Number.NaN }, 'melBands', /finite/],
    ['unknown version', { version: 2 as 1 }, 'version', /version 2/],
    ['negative fMin', { fMinHz: -5 }, 'fMinHz', />= 0/],
  ];
  for (const [what, patch, field, message] of cases) {
    it(what, () => {
      const problems = featureConfigProblems(patch);
      expect(problems.map((p) => p.field)).toContain(field);
      expect(problems.find((p) => p.field === field)!.message).toMatch(message);
      expect(codeOf(() => validateFeatureConfig(patch))).toBe('features/bad-config');
      expect(() => validateFeatureConfig(patch)).toThrow(problems[0].message);
    });
  }
  it('a valid config has no problems', () => {
    expect(featureConfigProblems({})).toEqual([]);
  });
});
