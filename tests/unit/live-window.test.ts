import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../src/core/pipeline/live-window.ts';

describe('SlidingWindow', () => {
  it('hands out the last clip every hop once full, in order, whatever the block sizes', () => {
    const w = new SlidingWindow({ inputRateHz: 16000, modelRateHz: 16000, clipMs: 100, hopMs: 25 });
    const stream = Float32Array.from({ length: 4000 }, (_, i) => i);
    const got: Float32Array[] = [];
    for (let s = 0; s < stream.length; s += 333) got.push(...w.push(stream.subarray(s, s + 333)));
    // 1600-sample clip, 400-sample hop: windows end at 1600, 2000, ..., 4000
    expect(got.length).toBe(7);
    got.forEach((win, k) => {
      expect(win.length).toBe(1600);
      expect(win[0]).toBe(k * 400);
      expect(win[1599]).toBe(1599 + k * 400);
    });
  });

  it('resamples from the microphone rate to the model rate and keeps the clip length', () => {
    const w = new SlidingWindow({ inputRateHz: 48000, modelRateHz: 16000, clipMs: 1000, hopMs: 250 });
    const tone = Float32Array.from({ length: 48000 + 12000 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48000));
    const wins = w.push(tone);
    expect(wins.length).toBe(2);
    expect(wins[0]!.length).toBe(16000);
    const rms = Math.sqrt(wins[1]!.reduce((s, v) => s + v * v, 0) / 16000);
    expect(rms).toBeGreaterThan(0.6);
    expect(() => new SlidingWindow({ inputRateHz: 48000, modelRateHz: 16000, clipMs: 1000, hopMs: 0 })).toThrow();
  });
});
