/**
 * Page training augments with the Features step's settings: ModelState sends the augmentation
 * options and the noise class's audio with the job (a real in-process training takes them), and
 * the page's state graph connects the Features step to training.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { openClipStore } from '../../src/platform/clip-store.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { DEFAULT_AUGMENT } from '../../src/core/dataset/augment.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { createTrainApi } from '../../src/workers/train-api.ts';
import { inProcessTrainClient, type TrainClient, type TrainJob } from '../../src/workers/train-bridge.ts';
import { ModelState } from '../../src/state/model.svelte.ts';
import { createAppState } from '../../src/state/app.svelte.ts';
import type { FeaturesClient } from '../../src/workers/features-bridge.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

function clips(): Clip[] {
  const rand = mulberry32(7);
  return ['tone', 'hum', 'noise'].flatMap((label, c) =>
    Array.from({ length: 4 }, (_, k) =>
      makeClip({ id: `${label}-${k}`, label, sampleRateHz: 16000, source: 'mic', createdAtMs: k, samples: Float32Array.from({ length: 16000 }, (_, i) => (c === 2 ? 0.3 * (rand() * 2 - 1) : 0.4 * Math.sin((i * (c + 1) * 0.1)))) }),
    ),
  );
}

describe('training augmentation from the Features step', () => {
  it("sends the Features step's options and the noise class's clips; a real training takes them", async () => {
    const inner = inProcessTrainClient(createTrainApi(() => initNodeTf('wasm')));
    const jobs: TrainJob[] = [];
    const client: TrainClient = { ...inner, train: (job, onEpoch, onBatch) => (jobs.push(job), inner.train(job, onEpoch, onBatch)) };
    const m = new ModelState(() => client, await openClipStore(), DEFAULT_FEATURE_CONFIG);
    m.backendChoice = 'wasm';
    m.epochs = 1;
    const options = { ...DEFAULT_AUGMENT, maxShiftMs: 40, noiseSnrDb: 5 };
    m.useAugmentation(() => ({ options, noiseLabel: 'noise' }));
    const all = clips();
    await m.train(all);
    expect(jobs[0]!.options?.augment).toBeUndefined(); // augmentation off
    m.augment = true;
    await m.train(all);
    expect(m.error).toBeNull();
    expect(m.status).toBe('done');
    expect(jobs[1]!.options?.augment).toEqual(options);
    const noise = jobs[1]!.options?.noiseClips ?? [];
    expect(noise.map((s) => Array.from(s.subarray(0, 5)))).toEqual(all.filter((c) => c.label === 'noise').map((c) => Array.from(c.samples.subarray(0, 5))));
  });

  it("the page's state graph feeds the Features step's augmentation to training", async () => {
    const noWorker = (): FeaturesClient => {
      throw new Error('no features worker in this test');
    };
    const app = await createAppState({ featuresClient: noWorker, onProjectSwitch: () => undefined });
    app.features.noiseLabel = 'noise';
    app.features.setAugment({ maxShiftMs: 25, noiseSnrDb: 12 });
    expect(app.model.augmentation).toEqual({ options: { ...app.features.augment, maxShiftMs: 25, noiseSnrDb: 12 }, noiseLabel: 'noise' });
    app.features.noiseLabel = null;
    expect(app.model.augmentation.options.noiseSnrDb).toBeNull();
  });

  it('generated noise reaches training without a noise class; project noise only with one', async () => {
    const noWorker = (): FeaturesClient => {
      throw new Error('no features worker in this test');
    };
    const app = await createAppState({ featuresClient: noWorker, onProjectSwitch: () => undefined });
    app.model.augment = true;
    const all = clips();
    app.features.setSnrRange(0, 15);
    app.features.setAugment({ maxSpeedChange: 0.1, reverbProbability: 0.5, maxBandWarp: 0.05 });
    app.features.setNoiseSource({ kind: 'pink' });
    const pink = app.model.trainOptions(all)!;
    expect(pink.augment).toMatchObject({ noiseKind: 'pink', minSnrDb: 0, maxSnrDb: 15, maxSpeedChange: 0.1, reverbProbability: 0.5, maxBandWarp: 0.05 });
    expect(pink.noiseClips).toBeUndefined();

    app.features.setNoiseSource({ kind: 'project', label: 'noise' });
    const project = app.model.trainOptions(all)!;
    expect(project.augment).toMatchObject({ noiseKind: 'project', minSnrDb: 0, maxSnrDb: 15 });
    expect(project.noiseClips).toHaveLength(4);

    app.features.setNoiseSource({ kind: 'none' });
    const none = app.model.trainOptions(all)!;
    expect(none.augment).toMatchObject({ noiseKind: 'project', noiseSnrDb: null, minSnrDb: null, maxSnrDb: null });
    expect(none.noiseClips).toBeUndefined();
  });
});
