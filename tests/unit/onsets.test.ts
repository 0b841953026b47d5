import { describe, it, expect } from 'vitest';
import { detectSounds, splitTake, centreOnEnergy } from '../../src/core/audio/onsets.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

const RATE = 16000;

/** A take with seeded background noise at `noiseDb` and tone bursts at known times. */
function take(seconds: number, bursts: Array<{ atMs: number; ms: number; amp?: number; hz?: number }>, noiseDb = -60, seed = 1): Float32Array {
  const r = mulberry32(seed);
  const x = new Float32Array(seconds * RATE);
  const n = 10 ** (noiseDb / 20) * Math.sqrt(3);
  for (let i = 0; i < x.length; i++) x[i] = (r() * 2 - 1) * n;
  for (const b of bursts) {
    const a = Math.round((b.atMs * RATE) / 1000);
    const len = Math.round((b.ms * RATE) / 1000);
    for (let i = 0; i < len; i++) x[a + i] += (b.amp ?? 0.4) * Math.sin((2 * Math.PI * (b.hz ?? 440) * i) / RATE) * Math.sin((Math.PI * i) / len) ** 0.25;
  }
  return x;
}

describe('onset detection on synthetic takes', () => {
  it('finds each burst within one frame (10 ms) of its true onset and end', () => {
    const truth = [
      { atMs: 500, ms: 300 },
      { atMs: 1700, ms: 250, amp: 0.05 },
      { atMs: 3000, ms: 400, hz: 1200 },
      { atMs: 4100, ms: 200, amp: 0.9 },
    ];
    const sounds = detectSounds(take(5, truth), RATE);
    expect(sounds).toHaveLength(truth.length);
    sounds.forEach((s, i) => {
      expect(Math.abs(s.startSample / RATE - truth[i].atMs / 1000)).toBeLessThanOrEqual(0.011);
      expect(Math.abs(s.endSample / RATE - (truth[i].atMs + truth[i].ms) / 1000)).toBeLessThanOrEqual(0.021);
    });
  });

  it('merges a short gap inside a word, drops clicks, finds nothing in noise alone', () => {
    const s = detectSounds(take(3, [{ atMs: 500, ms: 150 }, { atMs: 700, ms: 150 }, { atMs: 2000, ms: 20 }]), RATE);
    expect(s).toHaveLength(1);
    expect(s[0].startSample).toBe(8000);
    expect(detectSounds(take(3, [], -40, 7), RATE)).toEqual([]);
    expect(detectSounds(new Float32Array(0), RATE)).toEqual([]);
  });

  it('works at a native device rate too (48 kHz)', () => {
    const x = take(2, [{ atMs: 900, ms: 300 }]);
    const up = new Float32Array(x.length * 3);
    for (let i = 0; i < up.length; i++) up[i] = x[Math.floor(i / 3)];
    const s = detectSounds(up, 48000);
    expect(s).toHaveLength(1);
    expect(Math.abs(s[0].startSample / 48000 - 0.9)).toBeLessThanOrEqual(0.011);
  });

  it('splits a take into one window per sound, centred on the sound', () => {
    const clips = splitTake(take(4, [{ atMs: 400, ms: 200 }, { atMs: 2000, ms: 200 }, { atMs: 3850, ms: 100 }]), RATE, RATE);
    expect(clips).toHaveLength(3);
    for (const c of clips) expect(c.samples.length).toBe(RATE);
    // the middle burst (2.0–2.2 s) sits in the middle of its 1 s window: 0.4–0.6 s
    const mid = clips[1].samples;
    let e = 0;
    let m = 0;
    for (let i = 0; i < mid.length; i++) {
      e += mid[i] ** 2;
      m += i * mid[i] ** 2;
    }
    expect(Math.abs(m / e / RATE - 0.5)).toBeLessThan(0.01);
    // the first and last windows are clamped inside the take
    expect(clips[0].sound.startSample).toBe(6400);
  });

  it('centreOnEnergy pads short takes and rejects a bad length', () => {
    const out = centreOnEnergy(new Float32Array([1, 1]), 6);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => centreOnEnergy(new Float32Array(4), 0)).toThrow(expect.objectContaining({ code: 'audio/bad-length' }));
    expect(() => detectSounds(new Float32Array(4), 0)).toThrow(expect.objectContaining({ code: 'audio/bad-rate' }));
  });
});
