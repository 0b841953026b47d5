import { describe, expect, it } from 'vitest';
import { clipFeatures, extractFeatures, FeatureCache, type ClipAudio } from '../../src/core/dsp/feature-cache.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { computeLogMel } from '../../src/core/dsp/log-mel.ts';
import { prepareSamples } from '../../src/core/audio/prepare.ts';
import { EarshotError } from '../../src/core/errors.ts';

const clips: ClipAudio[] = Array.from({ length: 10 }, (_, k) => ({
  id: `c${k}`,
  sampleRateHz: 16000,
  samples: Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i * (0.01 + k * 0.003))),
}));

describe('extractFeatures with a FeatureCache', () => {
  it('computes each (clip, config) once; a second run with the same config is all cache', async () => {
    const cache = new FeatureCache();
    const config = featurePreset('earshot').config;
    const seen: number[] = [];
    const first = await extractFeatures(clips, config, cache, { onProgress: (_d, _t, computed) => seen.push(computed) });
    expect(seen.at(-1)).toBe(10);
    const again: number[] = [];
    const second = await extractFeatures(clips, config, cache, { onProgress: (_d, _t, computed) => again.push(computed) });
    expect(again.at(-1)).toBe(0);
    second.forEach((f, i) => expect(f).toBe(first[i]));
    // Another config is another entry, and equals the direct computation (resampled to 8 kHz).
    const low = featurePreset('low-power-8k').config;
    const lowF = await extractFeatures(clips.slice(0, 2), low, cache);
    expect(lowF[0].data).toEqual(computeLogMel(prepareSamples(clips[0].samples, 16000, low), low).data);
    expect(cache.size).toBe(12);
    expect(lowF[1]).toEqual(clipFeatures(clips[1], low));
  });

  it('forgets a clip under every config and evicts least recently used entries past its byte budget', async () => {
    const one = 49 * 40 * 4;
    const cache = new FeatureCache(3 * one);
    const config = featurePreset('earshot').config;
    await extractFeatures(clips.slice(0, 3), config, cache);
    cache.get('c0', config); // c0 is now the most recent
    await extractFeatures([clips[3]], config, cache);
    expect(cache.get('c1', config)).toBeUndefined();
    expect(cache.get('c0', config)).toBeDefined();
    expect(cache.bytes).toBe(3 * one);
    cache.forget('c0');
    expect(cache.get('c0', config)).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('stops between clips with features/cancelled when the signal aborts, yielding to the host', async () => {
    const ctrl = new AbortController();
    let yields = 0;
    const run = extractFeatures(clips, {}, new FeatureCache(), {
      signal: ctrl.signal,
      yieldEvery: 2,
      yieldToHost: async () => {
        yields++;
        if (yields === 2) ctrl.abort();
      },
    });
    await expect(run).rejects.toSatisfy((e) => e instanceof EarshotError && e.code === 'features/cancelled');
    expect(yields).toBe(2);
  });
});
