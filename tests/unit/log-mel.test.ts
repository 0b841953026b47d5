import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG, featureShape, isNormalised } from '../../src/core/dsp/feature-config.ts';
import { logF32 } from '../../src/core/dsp/f32-math.ts';
import { computeLogMel, computeLogMelPcm16, inputInvScale, logMelTables, quantizeFeatures, toPcm16 } from '../../src/core/dsp/log-mel.ts';
import { EarshotError } from '../../src/core/errors.ts';
import { FEATURE_PRESET_NAMES, featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { loadGolden } from '../reference/fixtures.ts';
import { codeOf } from './error-code.ts';

const golden = loadGolden();
const U = 2 ** -24;

describe('log-mel vs the numpy float64 reference (tests/reference/logmel_reference.py)', () => {
  it('has >= 20 real and synthetic clips for every preset (and the odd "narrow" and "floor-only" configs)', () => {
    expect(Object.keys(golden.configs)).toEqual([...FEATURE_PRESET_NAMES, 'narrow', 'floor-only']);
    for (const name of FEATURE_PRESET_NAMES) {
      expect(golden.configs[name], name).toEqual(featurePreset(name).config);
      const clips = golden.clips.filter((c) => c.config === name);
      expect(clips.length).toBeGreaterThanOrEqual(20);
      // 8 spoken words (a word longer than the clip keeps its middle and has no `wav` to decode)
      expect(clips.filter((c) => c.name.startsWith('espeak-')).length).toBeGreaterThanOrEqual(8);
    }
    expect(golden.configs.earshot).toEqual(DEFAULT_FEATURE_CONFIG);
  });

  for (const clip of golden.clips) {
    it(`${clip.config}/${clip.name}`, () => {
      const config = golden.configs[clip.config];
      const ts = computeLogMelPcm16(clip.pcm, config);
      expect([ts.frames, ts.bands]).toEqual([clip.frames, clip.bands]);
      if (isNormalised(config)) {
        // After the per-clip floor and mean removal the values are no longer log energies (the
        // allowance below does not apply): every entry within 1e-4 of the reference.
        const worst = ts.data.reduce((w, v, i) => Math.max(w, Math.abs(v - clip.logMel[i])), 0);
        expect(worst).toBeLessThanOrEqual(1e-4);
        return;
      }
      // Float32 arithmetic has an absolute error floor relative to the frame's total energy:
      // an amplitude error ~u·√Etot perturbs a band of energy E by ~2u·√(Etot·E), i.e. a log
      // error ~2u·√(Etot/E). Entries more than 60 dB below their frame's total get that allowance;
      // everything else must be within 1e-4.
      let worstPlain = 0;
      const bad: string[] = [];
      for (let f = 0; f < clip.frames; f++) {
        let total = 0;
        for (let b = 0; b < clip.bands; b++) total += Math.exp(clip.logMel[f * clip.bands + b]);
        for (let b = 0; b < clip.bands; b++) {
          const i = f * clip.bands + b;
          const err = Math.abs(ts.data[i] - clip.logMel[i]);
          const e = Math.exp(clip.logMel[i]);
          const tol = 1e-4 + 8 * U * Math.sqrt(total / e);
          if (e > total * 1e-6) worstPlain = Math.max(worstPlain, err);
          if (!(err <= tol)) bad.push(`[${f},${b}] ts=${ts.data[i]} ref=${clip.logMel[i]} err=${err} tol=${tol}`);
        }
      }
      expect(bad.slice(0, 10)).toEqual([]);
      expect(worstPlain).toBeLessThanOrEqual(1e-4);
    });
  }

  it('silence gives exactly ln(logFloor) (float32) everywhere; with band means removed, 0 within float32 rounding', () => {
    for (const config of Object.values(golden.configs)) {
      const s = featureShape(config);
      const out = computeLogMel(new Float32Array(s.inputSamples), config);
      const floor = logF32(Math.fround(config.logFloor));
      expect(Math.abs(floor - Math.log(config.logFloor))).toBeLessThan(1e-5);
      if (config.bandMeanRemoval === 1) expect(out.data.every((v) => Math.abs(v) < 1e-5)).toBe(true);
      else expect(out.data.every((v) => v === floor)).toBe(true);
    }
  });
});

describe('computeLogMel', () => {
  const n = featureShape(DEFAULT_FEATURE_CONFIG).inputSamples;

  it('float input equals the PCM16 path after rounding, with clamping', () => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 1.3 * Math.sin(i * 0.07) + (i % 7) * 1e-5;
    const pcm = toPcm16(x);
    expect(pcm[Math.round(Math.PI / 2 / 0.07)]).toBe(32767);
    expect(Math.min(...pcm)).toBe(-32768);
    expect(computeLogMel(x, DEFAULT_FEATURE_CONFIG).data).toEqual(computeLogMelPcm16(pcm, DEFAULT_FEATURE_CONFIG).data);
  });

  it('rounds half up and maps NaN to 0 when converting to PCM', () => {
    expect(Array.from(toPcm16(Float32Array.of(0.5 / 32768, -0.5 / 32768, 1.5 / 32768, NaN, -2, 2)))).toEqual([1, 0, 2, 0, -32768, 32767]);
  });

  it('refuses wrong lengths and empty input with typed codes', () => {
    expect(codeOf(() => computeLogMel(new Float32Array(0), DEFAULT_FEATURE_CONFIG))).toBe('audio/empty');
    expect(codeOf(() => computeLogMel(new Float32Array(n - 1), DEFAULT_FEATURE_CONFIG))).toBe('audio/bad-length');
    expect(codeOf(() => computeLogMel(new Float32Array(n), { ...DEFAULT_FEATURE_CONFIG, fftSize: 300 }))).toBe('features/bad-config');
    expect(codeOf(() => computeLogMel(new Float32Array(n), { ...DEFAULT_FEATURE_CONFIG, logFloor: 1e-40 }))).toBe('features/bad-config');
  });

  it('defaults missing config fields and memoises tables per config', () => {
    expect(logMelTables({})).toBe(logMelTables({ ...DEFAULT_FEATURE_CONFIG }));
    expect(logMelTables({ melBands: 32 })).not.toBe(logMelTables({}));
    const t = logMelTables({});
    expect(t.window.length).toBe(480);
    expect(t.window[0]).toBe(0);
    expect(t.window[240]).toBe(1);
  });

  it('is deterministic across calls (no state leaks between clips)', () => {
    const a = golden.clips.find((c) => c.config === 'earshot' && c.name === 'chirp')!;
    const b = golden.clips.find((c) => c.config === 'earshot' && c.name === 'white-noise')!;
    const first = computeLogMelPcm16(a.pcm, DEFAULT_FEATURE_CONFIG).data;
    computeLogMelPcm16(b.pcm, DEFAULT_FEATURE_CONFIG);
    expect(computeLogMelPcm16(a.pcm, DEFAULT_FEATURE_CONFIG).data).toEqual(first);
  });
});

describe('quantizeFeatures', () => {
  it('follows q = clamp(floor(f32(f32(x·inv) + 0.5)) + zp) and stays within scale/2 inside the range', () => {
    const scale = 0.1;
    const zp = -20;
    const data = Float32Array.from([-20, -10.4, -0.05, 0, 0.049, 0.05, 0.15, 3.333, 10, 14.7, 30]);
    const q = quantizeFeatures({ frames: 1, bands: data.length, data }, { scale, zeroPoint: zp });
    expect(Array.from(q)).toEqual([-128, -124, -20, -20, -20, -19, -18, 13, 80, 127, 127]);
    for (let i = 0; i < data.length; i++) {
      const deq = (q[i] - zp) * scale;
      if (q[i] > -128 && q[i] < 127) expect(Math.abs(deq - data[i])).toBeLessThanOrEqual(scale / 2 + 1e-6);
    }
    expect(inputInvScale(scale)).toBe(Math.fround(10));
  });

  it('rejects bad quantization parameters', () => {
    const f = { frames: 1, bands: 1, data: Float32Array.of(1) };
    expect(() => quantizeFeatures(f, { scale: 0, zeroPoint: 0 })).toThrow(EarshotError);
    expect(() => quantizeFeatures(f, { scale: 1, zeroPoint: 200 })).toThrow(EarshotError);
    expect(() => quantizeFeatures(f, { scale: 1, zeroPoint: 0.5 })).toThrow(EarshotError);
  });
});
