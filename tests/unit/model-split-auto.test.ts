/**
 * ModelState with a stand-in train client (no tfjs): the 'auto' split sends 'speaker' once two
 * speakers are known, and a refused speaker split reads in plain words with its code kept aside.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { openClipStore } from '../../src/platform/clip-store.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { EarshotError } from '../../src/core/errors.ts';
import { ModelState } from '../../src/state/model.svelte.ts';
import type { TrainClient, TrainJob } from '../../src/workers/train-bridge.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

const clip = (id: string, label: string, speaker?: string): Clip => makeClip({ id, label, samples: new Float32Array(16000), sampleRateHz: 16000, source: 'mic', speaker });

/** A client that records the job and refuses it the way the speaker split does. */
function refusingClient(jobs: TrainJob[]): TrainClient {
  return {
    init: async () => ({ name: 'cpu', threads: false, workers: 1, simdKernels: false }),
    train: async (job) => {
      jobs.push(job);
      throw new EarshotError('split/class-held-out', 'all clips of “no” are from zed: holding zed out leaves nothing to learn “no” from. Record “no” with another speaker.');
    },
  } as Partial<TrainClient> as TrainClient;
}

describe('ModelState split', () => {
  it("'auto' trains by speaker with two known speakers, random without", async () => {
    const jobs: TrainJob[] = [];
    const m = new ModelState(() => refusingClient(jobs), await openClipStore(), DEFAULT_FEATURE_CONFIG);
    expect(m.split).toBe('auto');
    const voiced = [clip('a', 'yes', 'ann'), clip('b', 'yes', 'ann'), clip('c', 'no', 'zed'), clip('d', 'no', 'zed')];
    expect(m.trainOptions(voiced)?.split).toBe('speaker');
    expect(m.trainOptions(voiced.map((c) => ({ ...c, speaker: undefined })))?.split).toBe('random');
    m.split = 'random';
    expect(m.trainOptions(voiced)?.split).toBe('random');
  });

  it('a refused split is said in plain words, the code kept for the view', async () => {
    const jobs: TrainJob[] = [];
    const m = new ModelState(() => refusingClient(jobs), await openClipStore(), DEFAULT_FEATURE_CONFIG);
    await m.train([clip('a', 'yes', 'ann'), clip('b', 'yes', 'ann'), clip('c', 'no', 'zed'), clip('d', 'no', 'zed')]);
    expect(jobs[0]!.options?.split).toBe('speaker');
    expect(m.status).toBe('error');
    expect(m.errorCode).toBe('split/class-held-out');
    expect(m.error).toBe('All clips of “no” are from zed: holding zed out leaves nothing to learn “no” from. Record “no” with another speaker.');
  });
});
