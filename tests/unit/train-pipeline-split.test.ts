/**
 * trainArtifact with a speaker split and augmentation, and leave-one-speaker-out
 * cross-validation, on synthetic tone clips from four "speakers" (cpu backend).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { crossValidate, trainArtifact, type TrainRequest } from '../../src/core/pipeline/train-pipeline.ts';
import type { LabeledClip } from '../../src/core/pipeline/labeled-clips.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

const speakers = ['ann', 'bob', 'cy', 'dee'];
function clips(): LabeledClip[] {
  const r = mulberry32(4);
  const out: LabeledClip[] = [];
  for (const [si, speaker] of speakers.entries()) {
    for (let k = 0; k < 4; k++) {
      for (const [label, hz] of [['low', 300], ['high', 2000]] as const) {
        const f = hz * (1 + 0.05 * si);
        const samples = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / 16000) + 0.02 * (r() - 0.5));
        out.push({ samples, label, speaker, session: `s${k % 2}` });
      }
    }
  }
  return out;
}
const req = (): TrainRequest => ({
  clips: clips(), featureConfig: DEFAULT_FEATURE_CONFIG, spec: undefined, preset: 'tiny-conv', epochs: 2, seed: 3, batchSize: 8, backend: 'cpu', learningRate: 0.01,
});

beforeAll(async () => {
  await initNodeTf('cpu');
});

describe('train pipeline: splits, augmentation, cross-validation', () => {
  it('split by speaker holds out whole speakers; by session too', async () => {
    const a = await trainArtifact({ ...req(), split: 'speaker', valFraction: 0.25 });
    expect(a.training!.split).toBe('speaker');
    expect(a.training!.valClips).toBe(8); // one speaker of four, 8 clips each
    expect(a.training!.trainClips).toBe(24);
    // the held-out speaker is named (the page says "Tested on voices it never heard: …")
    expect(a.training!.heldOut).toHaveLength(1);
    expect(speakers).toContain(a.training!.heldOut![0]);
    const s = await trainArtifact({ ...req(), split: 'session', valFraction: 0.25 });
    expect(s.training!.valClips).toBe(16); // two sessions of 16 clips
    expect(s.training!.heldOut).toHaveLength(1);
    expect((await trainArtifact({ ...req(), valFraction: 0.25 })).training!.heldOut).toBeUndefined(); // random: none
    await expect(trainArtifact({ ...req(), clips: req().clips.map((c) => ({ ...c, speaker: undefined })), split: 'speaker' })).rejects.toMatchObject({ code: 'train/bad-options' });
  });

  it('augmentation changes what the model sees (and stays seeded)', async () => {
    const plain = await trainArtifact(req());
    const aug1 = await trainArtifact({ ...req(), augment: { maxShiftMs: 100, maxGainDb: 6, timeMasks: 1, freqMasks: 1, seed: 5 } });
    const aug2 = await trainArtifact({ ...req(), augment: { maxShiftMs: 100, maxGainDb: 6, timeMasks: 1, freqMasks: 1, seed: 5 } });
    expect(aug1.training!.history.loss).toEqual(aug2.training!.history.loss);
    expect(aug1.training!.history.loss).not.toEqual(plain.training!.history.loss);
  });

  it('leave-one-speaker-out: one fold per speaker, pooled and mean accuracy', async () => {
    const seen: string[] = [];
    const cv = await crossValidate(req(), 'speaker', (k, n, g) => seen.push(`${k}/${n} ${g}`));
    expect(seen).toEqual(['1/4 ann', '2/4 bob', '3/4 cy', '4/4 dee']);
    expect(cv.folds.map((f) => [f.group, f.clips])).toEqual(speakers.map((s) => [s, 8]));
    for (const f of cv.folds) expect(f.accuracy).toBeGreaterThanOrEqual(0);
    expect(cv.meanAccuracy).toBeCloseTo(cv.folds.reduce((s, f) => s + f.accuracy, 0) / 4, 12);
    expect(cv.pooledAccuracy).toBeCloseTo(cv.meanAccuracy, 12); // equal fold sizes
  });
});
