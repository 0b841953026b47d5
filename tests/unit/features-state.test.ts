/**
 * The features worker API (batch with progress, cancel between clips, results transferable)
 * and FeaturesState driven by an in-process client over that same API: preset and field
 * edits, typed problems, the per-(clip, config) cache, batch status.
 */
import { describe, expect, it } from 'vitest';
import { createFeaturesApi } from '../../src/workers/features-api.ts';
import { unwrap } from '../../src/workers/result.ts';
import type { FeaturesClient } from '../../src/workers/features-bridge.ts';
import { FeaturesState } from '../../src/state/features.svelte.ts';
import { clipFeatures, type ClipAudio } from '../../src/core/dsp/feature-cache.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { EarshotError } from '../../src/core/errors.ts';
import type { Clip } from '../../src/core/dataset/clip.ts';

const clips: Clip[] = Array.from({ length: 6 }, (_, k) => ({
  id: `c${k}`,
  label: k % 2 ? 'a' : 'b',
  sampleRateHz: 16000,
  createdAtMs: k,
  source: 'file',
  samples: Float32Array.from({ length: 16000 }, (_, i) => 0.2 * Math.sin(i * (0.02 + 0.01 * k))),
}));
const audio = (c: Clip): ClipAudio => ({ id: c.id, samples: c.samples, sampleRateHz: c.sampleRateHz });

/** A client running the worker API in this process, counting clips computed. */
function inProcess(api = createFeaturesApi(() => Promise.resolve())): FeaturesClient & { computed: number } {
  const client = {
    computed: 0,
    logMel: async (s: Float32Array, c = {}) => unwrap(await api.logMel(s, c)),
    clip: async (c: ClipAudio, config: object) => {
      client.computed++;
      return unwrap(await api.clip(c, config));
    },
    batch: async (cs: readonly ClipAudio[], config: object, onProgress?: (d: number, t: number) => void) => {
      client.computed += cs.length;
      return unwrap(await api.batch([...cs], config, onProgress));
    },
    cancel: () => api.cancel(),
    terminate: () => undefined,
  };
  return client;
}

describe('features worker API', () => {
  it('batch reports progress after every clip and returns the core features', async () => {
    const api = createFeaturesApi(() => Promise.resolve());
    const seen: number[] = [];
    const r = unwrap(await api.batch(clips.map(audio), {}, (d) => seen.push(d)));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.ids).toEqual(clips.map((c) => c.id));
    expect(r.features[3].data).toEqual(clipFeatures(audio(clips[3]), DEFAULT_FEATURE_CONFIG).data);
  });

  it('cancel() stops a batch between clips with features/cancelled', async () => {
    let api: ReturnType<typeof createFeaturesApi>;
    api = createFeaturesApi(async () => api.cancel());
    const r = await api.batch(clips.map(audio), {});
    expect(r).toMatchObject({ ok: false, code: 'features/cancelled' });
  });
});

describe('FeaturesState', () => {
  it('follows presets and valid field edits; an invalid draft shows the problem and keeps the last valid config', () => {
    const s = new FeaturesState(() => inProcess(), DEFAULT_FEATURE_CONFIG);
    expect(s.presetName).toBe('earshot');
    s.setPreset('edge-impulse-mfe');
    expect(s.config).toEqual(featurePreset('edge-impulse-mfe').config);
    expect(s.draft.windowMs).toBe(20);
    s.setField('melBands', 24);
    expect([s.config.melBands, s.presetName]).toEqual([24, 'custom']);
    s.setField('fMaxHz', 9000);
    expect(s.problemFor('fMaxHz')).toMatch(/Nyquist/);
    expect(s.config.fMaxHz).toBe(8000);
    expect(() => s.setPreset('nope')).toThrow(EarshotError);
  });

  it('caches per (clip, config): switching back does not recompute; extractAll sends only missing clips', async () => {
    const client = inProcess();
    const s = new FeaturesState(() => client, DEFAULT_FEATURE_CONFIG);
    s.request(clips[0]);
    await expect.poll(() => s.get('c0')).toBeDefined();
    expect(client.computed).toBe(1);
    s.setPreset('low-power-8k');
    expect(s.get('c0')).toBeUndefined();
    await s.extractAll(clips);
    expect([s.batchStatus, s.batchDone, client.computed]).toEqual(['done', 6, 7]);
    expect(s.get('c0')!.bands).toBe(20);
    s.setPreset('earshot');
    expect(s.get('c0')!.bands).toBe(40);
    s.request(clips[0]);
    await s.extractAll(clips);
    expect(client.computed).toBe(12); // 5 new for earshot (c0 was cached), none for the request
    s.forget('c0');
    expect(s.get('c0')).toBeUndefined();
  });

  it('a cancelled batch says so', async () => {
    let api: ReturnType<typeof createFeaturesApi>;
    api = createFeaturesApi(async () => api.cancel());
    const s = new FeaturesState(() => inProcess(api), DEFAULT_FEATURE_CONFIG);
    await s.extractAll(clips);
    expect([s.batchStatus, s.batchError]).toEqual(['cancelled', null]);
  });
});
