import { describe, expect, it } from 'vitest';
import { codeOf } from './error-code.ts';
import {
  createPostprocessor,
  DEFAULT_POSTPROCESSING,
  expNegF32,
  probabilitiesFromScores,
  suppressionWindows,
  validatePostprocessing,
} from '../../src/core/quant/postprocess.ts';

describe('post-processing', () => {
  it('expNegF32 is within 2 float32 ulps of e^x on [-87, 0], 0 below', () => {
    for (let i = 0; i <= 20000; i++) {
      const x = Math.fround(-87 * (i / 20000));
      const want = Math.exp(x);
      expect(Math.abs(expNegF32(x) - want) / want).toBeLessThan(2.5e-7);
    }
    expect(expNegF32(-88)).toBe(0);
    expect(expNegF32(0)).toBe(1);
  });

  it('probabilities from int8 scores sum to 1 and follow the logits', () => {
    const p = probabilitiesFromScores(new Int8Array([10, -20, 10, 127]), { scale: 0.05, zeroPoint: -3 });
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p[0]).toBe(p[2]);
    expect(p[3]! / p[0]!).toBeCloseTo(Math.exp(0.05 * 117), 3);
  });

  it('defaults, then validates each field', () => {
    expect(validatePostprocessing()).toEqual(DEFAULT_POSTPROCESSING);
    expect(suppressionWindows(validatePostprocessing({ suppressionMs: 1000, windowHopMs: 300 }))).toBe(4);
    expect(codeOf(() => validatePostprocessing({ averageWindows: 0 }))).toBe('postprocess/invalid');
    expect(codeOf(() => validatePostprocessing({ averageWindows: 2.5 }))).toBe('postprocess/invalid');
    expect(codeOf(() => validatePostprocessing({ threshold: 0 }))).toBe('postprocess/invalid');
    expect(codeOf(() => validatePostprocessing({ threshold: 1.5 }))).toBe('postprocess/invalid');
    expect(codeOf(() => validatePostprocessing({ suppressionMs: -1 }))).toBe('postprocess/invalid');
    expect(codeOf(() => validatePostprocessing({ windowHopMs: 0 }))).toBe('postprocess/invalid');
    expect(codeOf(() => validatePostprocessing({ threshold: Number.NaN }))).toBe('postprocess/invalid');
  });

  it('averages the last N windows, waits for N windows, then suppresses', () => {
    const pp = createPostprocessor({ averageWindows: 2, threshold: 0.6, suppressionMs: 500, windowHopMs: 250 });
    const hit = [0.9, 0.1];
    const miss = [0.2, 0.8];
    expect(pp.push(hit)).toBeNull(); // only one window so far
    expect(Array.from(pp.average)).toEqual([Math.fround(0.9), Math.fround(0.1)]);
    expect(pp.push(hit)).toEqual({ classIndex: 0, probability: Math.fround(0.9) });
    expect(pp.push(hit)).toBeNull(); // suppressed (2 windows)
    expect(pp.push(miss)).toBeNull(); // average 0.55 / 0.45: below threshold, suppression ends
    expect(pp.average[0]).toBeCloseTo(0.55, 6);
    expect(pp.push(miss)).toEqual({ classIndex: 1, probability: Math.fround(0.8) });
    pp.reset();
    expect(pp.push(miss)).toBeNull();
    expect(codeOf(() => pp.push([0.3, 0.3, 0.4]))).toBe('postprocess/invalid');
  });

  it('ties go to the lowest class', () => {
    const pp = createPostprocessor({ averageWindows: 1, threshold: 0.5, suppressionMs: 0 });
    expect(pp.push([0.5, 0.5])?.classIndex).toBe(0);
  });
});
