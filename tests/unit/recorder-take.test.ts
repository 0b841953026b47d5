import { describe, it, expect } from 'vitest';
import { RecorderState, CLIP_LEVEL, trimToModel } from '../../src/state/recorder.svelte.ts';
import type { Microphone, OpenMicrophone } from '../../src/platform/microphone.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { SpectrumColumn } from '../../src/core/audio/spectrum-column.ts';

/**
 * A fake device that plays `signal` (looping) at `rateHz` in 2048-frame blocks, on timers
 * (`auto`) or when the test calls `pump` (deterministic phase); it can be unplugged.
 */
function fileMic(signal: Float32Array, rateHz: number, auto = true) {
  const ended = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<(b: Float32Array) => void>();
  let pos = 0;
  const emit = () => {
    const b = new Float32Array(2048);
    for (let i = 0; i < b.length; i++, pos++) b[i] = signal[pos % signal.length];
    for (const cb of [...listeners]) cb(b);
  };
  const open: OpenMicrophone = async (): Promise<Microphone> => {
    if (auto) timer = setInterval(emit, 1);
    return {
      sampleRateHz: rateHz,
      settings: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, sampleRate: rateHz },
      onBlock(cb) {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
      onEnded(cb) {
        ended.add(cb);
        return () => ended.delete(cb);
      },
      async close() {
        clearInterval(timer);
      },
    };
  };
  const pump = (blocks: number) => {
    for (let i = 0; i < blocks; i++) emit();
  };
  return { open, pump, unplug: () => { clearInterval(timer); for (const cb of ended) cb(); }, samplesSent: () => pos };
}

/** 48 kHz take: silence with a 200 ms 600 Hz burst every `everyMs`. */
function burstTake(seconds: number, everyMs: number, amp = 0.5): Float32Array {
  const rate = 48000;
  const x = new Float32Array(seconds * rate);
  for (let t = everyMs / 2; t + 200 < seconds * 1000; t += everyMs) {
    const a = Math.round((t * rate) / 1000);
    for (let i = 0; i < 0.2 * rate; i++) x[a + i] = amp * Math.sin((2 * Math.PI * 600 * i) / rate);
  }
  return x;
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
};

describe('RecorderState: settings, clipping, spectrogram', () => {
  it('shows the applied settings, flags clipping, fills the live spectrogram', async () => {
    const loud = Float32Array.from({ length: 4800 }, (_, i) => (i % 100 === 0 ? 1 : 0.3 * Math.sin(i / 3)));
    const mic = fileMic(loud, 48000);
    const rec = new RecorderState(mic.open, DEFAULT_FEATURE_CONFIG);
    await rec.start();
    expect(rec.settings).toMatchObject({ echoCancellation: false, autoGainControl: false, sampleRate: 48000 });
    await until(() => rec.spectroTick > 3);
    expect(rec.clipping).toBe(true);
    expect(Math.max(...rec.spectro)).toBeGreaterThan(-60);
    await rec.stop();
    expect(CLIP_LEVEL).toBe(32767 / 32768);
  });

  it('counts down, then records recordMs and centres the sound in the window', async () => {
    const take = burstTake(2, 2000); // one burst at 1.0–1.2 s
    const mic = fileMic(take, 48000, false);
    const rec = new RecorderState(mic.open, DEFAULT_FEATURE_CONFIG);
    rec.countdownS = 1;
    rec.recordMs = 2000;
    const seen: number[] = [];
    const p = rec.record();
    await until(() => rec.status === 'countdown');
    seen.push(rec.countdownLeft);
    await until(() => rec.status === 'recording');
    mic.pump(Math.ceil(96000 / 2048)); // 2 s from the start of the take
    const clip = await p;
    expect(seen).toEqual([1]);
    expect(clip.length).toBe(16000);
    let e = 0;
    let m = 0;
    for (let i = 0; i < clip.length; i++) {
      e += clip[i] ** 2;
      m += i * clip[i] ** 2;
    }
    expect(Math.abs(m / e - 8000)).toBeLessThan(160); // centroid within 10 ms of the middle
    await rec.stop();
  });
});

describe('RecorderState: continuous mode', () => {
  it('splits a take into one clip per sound for review', async () => {
    const mic = fileMic(burstTake(4, 800), 48000, false); // bursts at 0.4, 1.2, 2.0, 2.8, 3.6 s
    const rec = new RecorderState(mic.open, DEFAULT_FEATURE_CONFIG);
    const p = rec.takeContinuous();
    await until(() => rec.status === 'recording');
    mic.pump(Math.floor((4 * 48000) / 2048));
    rec.stopTake();
    const n = await p;
    expect(n).toBe(5);
    expect(rec.review.map((c) => Math.round(c.atS * 10) / 10)).toEqual([0.4, 1.2, 2, 2.8, 3.6]);
    for (const c of rec.review) expect(c.samples.length).toBe(16000);
    const first = rec.takeReview(rec.review[0].id);
    expect(first?.atS).toBeCloseTo(0.4, 1);
    expect(rec.review).toHaveLength(4);
    await rec.stop();
  });

  it('a device unplugged mid-take keeps what was recorded, with a clear message', async () => {
    const mic = fileMic(burstTake(4, 800), 48000, false);
    const rec = new RecorderState(mic.open, DEFAULT_FEATURE_CONFIG);
    const p = rec.takeContinuous();
    await until(() => rec.status === 'recording');
    mic.pump(Math.ceil((1.7 * 48000) / 2048));
    mic.unplug();
    const n = await p;
    expect(n).toBeGreaterThanOrEqual(2); // the bursts at 0.4 and 1.2 s
    expect(rec.status).toBe('error');
    expect(rec.error).toMatch(/mic\/ended/);
    expect(rec.error).toMatch(/everything saved is kept/);
  });

  it('a device unplugged during a single clip rejects with mic/ended', async () => {
    const mic = fileMic(burstTake(2, 1000), 48000, false);
    const rec = new RecorderState(mic.open, DEFAULT_FEATURE_CONFIG);
    rec.recordMs = 5000;
    const p = rec.record();
    await until(() => rec.status === 'recording');
    mic.pump(30);
    mic.unplug();
    await expect(p).rejects.toMatchObject({ code: 'mic/ended' });
    expect(rec.status).toBe('error');
  });
});

describe('helpers', () => {
  it('trimToModel refuses an empty recording', () => {
    expect(() => trimToModel(new Float32Array(0), 48000, DEFAULT_FEATURE_CONFIG, true)).toThrow(expect.objectContaining({ code: 'audio/empty' }));
  });

  it('SpectrumColumn puts a 1 kHz tone in the band that holds 1 kHz', () => {
    const col = new SpectrumColumn({ bands: 32 });
    const x = Float32Array.from({ length: 2048 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const out = col.compute(x, 16000, new Float32Array(32));
    const best = out.indexOf(Math.max(...out));
    const edgeHz = (b: number) => 60 * (8000 / 60) ** (b / 32);
    expect(edgeHz(best)).toBeLessThanOrEqual(1000 * 1.02);
    expect(edgeHz(best + 1)).toBeGreaterThanOrEqual(1000 * 0.98);
  });
});
