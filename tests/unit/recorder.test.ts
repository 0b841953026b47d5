import { describe, it, expect } from 'vitest';
import { ClipAccumulator, RecorderState, levelOf, toModelClip } from '../../src/state/recorder.svelte.ts';
import type { Microphone, OpenMicrophone } from '../../src/platform/microphone.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { EarshotError } from '../../src/core/errors.ts';

/** A microphone whose blocks are a sine at `toneHz`, sampled at `rateHz`, delivered on timers. */
function toneMic(rateHz: number, toneHz: number, amp = 0.5, blockSize = 2048): OpenMicrophone & { closed: () => boolean } {
  let closed = false;
  const open = (async (): Promise<Microphone> => {
    const listeners = new Set<(b: Float32Array) => void>();
    let n = 0;
    const timer = setInterval(() => {
      const b = new Float32Array(blockSize);
      for (let i = 0; i < blockSize; i++, n++) b[i] = amp * Math.sin((2 * Math.PI * toneHz * n) / rateHz);
      for (const cb of [...listeners]) cb(b);
    }, 1);
    return {
      sampleRateHz: rateHz,
      onBlock(cb) {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
      async close() {
        clearInterval(timer);
        closed = true;
      },
    };
  }) as OpenMicrophone & { closed: () => boolean };
  open.closed = () => closed;
  return open;
}

function zeroCrossings(x: Float32Array, from = 0, to = x.length): number {
  let c = 0;
  for (let i = from + 1; i < to; i++) if ((x[i - 1] < 0) !== (x[i] < 0)) c++;
  return c;
}

describe('levelOf', () => {
  it('is 0 for silence, ~0.95 for a full-scale sine (-3 dBFS), monotone in amplitude', () => {
    expect(levelOf(new Float32Array(512))).toBe(0);
    const sine = (a: number) => Float32Array.from({ length: 4800 }, (_, i) => a * Math.sin((2 * Math.PI * 440 * i) / 48000));
    expect(levelOf(sine(1))).toBeCloseTo((60 - 3.0103) / 60, 3);
    expect(levelOf(sine(0.1))).toBeCloseTo((60 - 23.0103) / 60, 3);
    expect(levelOf(sine(0.0001))).toBe(0); // -83 dB is below the meter's floor
  });
});

describe('ClipAccumulator', () => {
  it('keeps exactly the first `length` samples across blocks', () => {
    const acc = new ClipAccumulator(5);
    expect(acc.push(Float32Array.of(1, 2))).toBe(false);
    expect(acc.push(Float32Array.of(3, 4, 5, 6))).toBe(true);
    expect(acc.push(Float32Array.of(7))).toBe(true);
    expect(Array.from(acc.result())).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('RecorderState', () => {
  it('records one second at 48 kHz and delivers 16000 samples of the same tone', async () => {
    const open = toneMic(48000, 1000);
    const rec = new RecorderState(open, DEFAULT_FEATURE_CONFIG);
    const clip = await rec.record();
    expect(clip.length).toBe(16000);
    // A 1 kHz tone crosses zero 2000 times a second; allow the resampler's edge.
    const zc = zeroCrossings(clip, 100, 15900);
    expect(zc).toBeGreaterThan(1950 * (15800 / 16000) - 5);
    expect(zc).toBeLessThan(2050 * (15800 / 16000) + 5);
    let peak = 0;
    for (let i = 200; i < 15800; i++) peak = Math.max(peak, Math.abs(clip[i]));
    expect(peak).toBeGreaterThan(0.45);
    expect(peak).toBeLessThan(0.55);
    expect(rec.status).toBe('ready');
    expect(rec.nativeRateHz).toBe(48000);
    expect(rec.level).toBeGreaterThan(0.8);
    await rec.stop();
    expect(open.closed()).toBe(true);
    expect(rec.status).toBe('off');
  });

  it('passes a 16 kHz capture through unchanged apart from fitting', async () => {
    const rec = new RecorderState(toneMic(16000, 500, 0.25, 1000), DEFAULT_FEATURE_CONFIG);
    const clip = await rec.record();
    expect(clip.length).toBe(16000);
    expect(clip[4]).toBeCloseTo(0.25 * Math.sin((2 * Math.PI * 500 * 4) / 16000), 6);
    await rec.stop();
  });

  it('toModelClip resamples 44.1 kHz to exactly inputSamples', () => {
    const x = Float32Array.from({ length: 44100 }, (_, i) => Math.sin((2 * Math.PI * 300 * i) / 44100));
    expect(toModelClip(x, 44100, DEFAULT_FEATURE_CONFIG).length).toBe(16000);
  });

  it('reports a denied microphone with its code and stays usable for a retry', async () => {
    let calls = 0;
    const denied: OpenMicrophone = async () => {
      calls++;
      throw new EarshotError('mic/denied', 'microphone permission was denied');
    };
    const rec = new RecorderState(denied, DEFAULT_FEATURE_CONFIG);
    await expect(rec.record()).rejects.toMatchObject({ code: 'mic/denied' });
    expect(rec.status).toBe('error');
    expect(rec.error).toContain('mic/denied');
    await expect(rec.start()).rejects.toMatchObject({ code: 'mic/denied' });
    expect(calls).toBe(2);
  });
});
