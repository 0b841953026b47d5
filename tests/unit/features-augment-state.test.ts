/**
 * The augmentation preview's state: every option the panel sets is validated and reaches
 * `augmentOptions` (what training reads): generated noise without a class, project noise only with
 * one; the preview's audio is exactly augmentSamples of the fitted clip for the current draw, and
 * Play hands that audio to the playback adapter (a fake AudioContext at the platform edge).
 */
import { describe, expect, it } from 'vitest';
import { FeaturesState } from '../../src/state/features.svelte.ts';
import type { FeaturesClient } from '../../src/workers/features-bridge.ts';
import { augmentFeatures, augmentSamples, DEFAULT_AUGMENT } from '../../src/core/dataset/augment.ts';
import { prepareSamples } from '../../src/core/audio/prepare.ts';
import { computeLogMel } from '../../src/core/dsp/log-mel.ts';
import { featureShape, validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { describeAugment } from '../../src/core/dataset/augment-summary.ts';
import { codeOf } from './error-code.ts';

const noWorker = (): FeaturesClient => {
  throw new Error('no features worker in this test');
};
const config = validateFeatureConfig({});
const state = (options: ConstructorParameters<typeof FeaturesState>[2] = {}) => new FeaturesState(noWorker, config, options);

const rand = mulberry32(3);
const word: Clip = makeClip({ id: 'w', label: 'yes', sampleRateHz: 16000, source: 'file', createdAtMs: 0, samples: Float32Array.from({ length: 16000 }, (_, i) => 0.4 * Math.sin(i * 0.07) * Math.exp(-(((i - 8000) / 3000) ** 2))) });
const hiss: Clip = makeClip({ id: 'n', label: 'noise', sampleRateHz: 16000, source: 'file', createdAtMs: 1, samples: Float32Array.from({ length: 16000 }, () => 0.2 * (rand() * 2 - 1)) });

/** A fake AudioContext recording the buffers it is given; a source ends when stopped (or by `end()`). */
function fakeAudio() {
  const played: { samples: Float32Array; sampleRateHz: number }[] = [];
  const sources: { stopped: boolean; end: () => void }[] = [];
  const ctx = {
    state: 'running',
    destination: {},
    resume: async () => undefined,
    createBuffer: (_channels: number, length: number, sampleRateHz: number) => ({
      copyToChannel: (data: Float32Array) => played.push({ samples: Float32Array.from(data.subarray(0, length)), sampleRateHz }),
    }),
    createBufferSource: () => {
      const src = {
        buffer: null as unknown,
        onended: null as null | (() => void),
        stopped: false,
        connect: () => undefined,
        disconnect: () => undefined,
        start: () => undefined,
        stop: () => {
          src.stopped = true;
          queueMicrotask(() => src.onended?.());
        },
        end: () => src.onended?.(),
      };
      sources.push(src);
      return src;
    },
  };
  return { played, sources, createAudioContext: () => ctx as unknown as AudioContext };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('augmentation preview state', () => {
  it('the panel options validate: refused edits keep the last valid options and say why', () => {
    const f = state();
    f.editAugment({ maxSpeedChange: 0.1, maxBandWarp: 0.08, reverbProbability: 0.5, minRt60Ms: 300, maxRt60Ms: 900 });
    expect(f.augmentProblem).toBeNull();
    const good = { ...f.augment };
    // In the panel's words and units.
    f.editAugment({ maxSpeedChange: 0.8 });
    expect(f.augmentProblem).toBe('The speed change must be from 0 to 50 %');
    f.editAugment({ reverbProbability: 1.2 });
    expect(f.augmentProblem).toBe('The room echo chance must be from 0 to 100 %');
    f.editAugment({ minRt60Ms: 1000 }); // above maxRt60Ms
    expect(f.augmentProblem).toBe('The shortest RT60 must not exceed the longest RT60');
    f.editSnrRange(20, 5);
    expect(f.augmentProblem).toBe('The lowest SNR must not exceed the highest SNR');
    f.editAugment({ maxBandWarp: Number.NaN }); // an emptied field
    expect(f.augmentProblem).toBe('The voice warp must be from 0 to 30 %');
    f.editAugment({ timeMasks: 1.5 });
    expect(f.augmentProblem).toBe('The number of time masks must be an integer from 0 to 100');
    expect(f.augment).toEqual(good);
    expect(codeOf(() => f.setAugment({ reverbProbability: 1.5 }))).toBe('features/bad-augment');
    f.editAugment({ maxShiftMs: 50 });
    expect(f.augmentProblem).toBeNull();
  });

  it('an SNR range: from = to is a fixed SNR, otherwise a range', () => {
    const f = state();
    expect(f.snrRange).toEqual([10, 10]);
    f.setSnrRange(0, 15);
    expect(f.augment).toMatchObject({ noiseSnrDb: null, minSnrDb: 0, maxSnrDb: 15 });
    expect(f.snrRange).toEqual([0, 15]);
    f.setSnrRange(6, 6);
    expect(f.augment).toMatchObject({ noiseSnrDb: 6, minSnrDb: null, maxSnrDb: null });
  });

  it('augmentOptions: generated noise needs no class, project noise only with a class, none is none', () => {
    const f = state();
    f.setAugment({ maxSpeedChange: 0.1, maxBandWarp: 0.1, reverbProbability: 0.3, minRt60Ms: 250, maxRt60Ms: 700 });
    f.setSnrRange(0, 20);
    expect(f.noiseSource).toEqual({ kind: 'none' });
    expect(f.augmentOptions).toMatchObject({ noiseSnrDb: null, minSnrDb: null, maxSnrDb: null, maxSpeedChange: 0.1, maxBandWarp: 0.1, reverbProbability: 0.3, minRt60Ms: 250, maxRt60Ms: 700 });

    f.setNoiseSource({ kind: 'pink' });
    expect(f.noiseLabel).toBeNull();
    expect(f.augmentOptions).toEqual({ ...f.augment, noiseKind: 'pink', minSnrDb: 0, maxSnrDb: 20, noiseSnrDb: null });

    f.setNoiseSource({ kind: 'project', label: 'noise' });
    expect(f.noiseSource).toEqual({ kind: 'project', label: 'noise' });
    expect(f.augmentOptions).toMatchObject({ noiseKind: 'project', minSnrDb: 0, maxSnrDb: 20 });

    // A generated kind drops the class (training then sends no noise clips); choosing a class selects 'project'.
    f.setAugment({ noiseKind: 'brown' });
    expect(f.noiseLabel).toBeNull();
    expect(f.augmentOptions.minSnrDb).toBe(0);
    f.noiseLabel = 'noise';
    expect(f.augment.noiseKind).toBe('project');

    f.setNoiseSource({ kind: 'none' });
    expect(f.augmentOptions).toMatchObject({ noiseKind: 'project', noiseSnrDb: null, minSnrDb: null, maxSnrDb: null });
    expect(f.snrRange).toEqual([0, 20]); // kept for when noise comes back
    expect(f.augmentPreview(word).ok).toBe(true); // no noise clips needed
  });

  it('the preview audio is exactly augmentSamples(fitted clip, augmentOptions, variant) and its picture the same draw', () => {
    const f = state();
    f.setAugment({ maxSpeedChange: 0.12, maxBandWarp: 0.1, reverbProbability: 1, seed: 9 });
    f.setSnrRange(5, 15);
    const shape = featureShape(config);
    const x = prepareSamples(word.samples, word.sampleRateHz, config);
    const ctx = { sampleRateHz: config.sampleRateHz, frames: shape.frames, bands: shape.bands };

    f.setNoiseSource({ kind: 'white' });
    f.augmentVariant = 3;
    const white = f.previewAudio(word, [hiss]); // a generated kind ignores the class's clips
    expect(white.sampleRateHz).toBe(config.sampleRateHz);
    expect(white.original).toEqual(x);
    expect(white.augmented).toEqual(augmentSamples(x, { ...f.augment, noiseKind: 'white' }, 3, ctx));

    f.setNoiseSource({ kind: 'project', label: 'noise' });
    const noise = [prepareSamples(hiss.samples, hiss.sampleRateHz, config)];
    const p = f.augmentPreview(word, [hiss]);
    if (!p.ok) throw new Error(p.message);
    const expected = augmentSamples(x, f.augmentOptions, 3, { ...ctx, noiseClips: noise });
    expect(p.augmented).toEqual(expected);
    expect(p.features.data).toEqual(augmentFeatures(computeLogMel(expected, config), f.augmentOptions, 3, { samples: x.length, sampleRateHz: config.sampleRateHz }).data);
    expect(p.augmented).not.toEqual(white.augmented);

    f.augmentVariant = 4;
    expect(f.previewAudio(word, [hiss]).augmented).toEqual(augmentSamples(x, f.augmentOptions, 4, { ...ctx, noiseClips: noise }));
    // A noise class without clips: the preview says so instead of throwing.
    expect(f.augmentPreview(word, [])).toMatchObject({ ok: false, message: expect.stringMatching(/noise clip/) });
  });

  it('Play hands the preview audio to WebAudio at the model rate; again stops; the other button replaces it', async () => {
    const audio = fakeAudio();
    const f = state({ playback: { createAudioContext: audio.createAudioContext } });
    f.setAugment({ ...DEFAULT_AUGMENT, maxSpeedChange: 0.1, reverbProbability: 1, seed: 4 });
    f.setNoiseSource({ kind: 'pink' });
    f.setSnrRange(0, 10);
    f.augmentVariant = 2;
    const want = f.previewAudio(word);

    const first = f.playPreview('augmented', word);
    expect(f.playing).toBe('augmented');
    await tick();
    expect(audio.played).toHaveLength(1);
    expect(audio.played[0]!.sampleRateHz).toBe(config.sampleRateHz);
    expect(audio.played[0]!.samples).toEqual(want.augmented);

    await f.playPreview('augmented', word); // played again: stops
    await first;
    expect(audio.sources[0]!.stopped).toBe(true);
    expect(f.playing).toBeNull();

    const orig = f.playPreview('original', word);
    await tick();
    expect(audio.played[1]!.samples).toEqual(want.original);
    const aug = f.playPreview('augmented', word); // the other one replaces it
    await orig;
    expect(audio.sources[1]!.stopped).toBe(true);
    expect(f.playing).toBe('augmented');
    await tick();
    expect(audio.played[2]!.samples).toEqual(want.augmented);
    audio.sources[2]!.end(); // the sound ran out
    await aug;
    expect(f.playing).toBeNull();
    expect(f.playError).toBeNull();
  });

  it('Play with options the preview cannot compute reports it and plays nothing', async () => {
    const audio = fakeAudio();
    const f = state({ playback: { createAudioContext: audio.createAudioContext } });
    f.noiseLabel = 'noise';
    await f.playPreview('augmented', word, []);
    expect(f.playError).toMatch(/noise clip/);
    expect(f.playing).toBeNull();
    expect(audio.played).toHaveLength(0);
  });

  it("the Train step's summary names what augmentOptions will do", () => {
    const f = state();
    const say = () => describeAugment(f.augmentOptions, f.noiseLabel);
    expect(say()).toBe('shift up to 100 ms, gain up to ±6 dB, no noise (choose a noise source there), 1 time and 1 frequency masks');
    f.setAugment({ maxSpeedChange: 0.1, reverbProbability: 0.25, minRt60Ms: 300, maxRt60Ms: 800, maxBandWarp: 0.07 });
    f.setNoiseSource({ kind: 'pink' });
    f.setSnrRange(0, 20);
    expect(say()).toBe('speed up to ±10 %, shift up to 100 ms, gain up to ±6 dB, a room echo (RT60 300–800 ms) on 25 % of draws, generated pink noise at 0–20 dB SNR, 1 time and 1 frequency masks, voice warp up to ±7 %');
    f.setNoiseSource({ kind: 'project', label: 'noise' });
    f.setSnrRange(12, 12);
    expect(say()).toMatch(/noise from “noise” at 12 dB SNR/);
  });
});
