/**
 * Starting from a pretrained model: transferFloatWeights takes every layer whose name and shapes
 * match (the feature layers of the same preset) and leaves the classifier for other labels alone;
 * trainModel's startFrom begins there (its first-epoch loss is lower than from scratch on data
 * the pretrained model already separates).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { buildTfModel, getFloatWeights, transferFloatWeights } from '../../src/core/model/tf-model.ts';
import { trainModel } from '../../src/core/model/train.ts';

describe('transferFloatWeights / trainModel startFrom', () => {
  beforeAll(async () => {
    await initNodeTf('cpu');
  });

  it('takes the layers of the same name and shape, not the classifier for other labels', () => {
    const pre = analyzeSpec(presetSpec('conv1d', [12, 8, 1], 5, { width: 6 }));
    const mine = analyzeSpec(presetSpec('conv1d', [12, 8, 1], 3, { width: 6 }));
    const pretrained = getFloatWeights(buildTfModel(pre.spec, 1), pre);
    const model = buildTfModel(mine.spec, 2);
    const before = getFloatWeights(model, mine);
    const taken = transferFloatWeights(model, pretrained);
    const after = getFloatWeights(model, mine);
    expect(taken).toEqual(Object.keys(pretrained).filter((n) => n !== 'logits'));
    for (const name of taken) expect(after[name]!.map((w) => Array.from(w.data))).toEqual(pretrained[name]!.map((w) => Array.from(w.data)));
    expect(Array.from(after.logits![0]!.data)).toEqual(Array.from(before.logits![0]!.data));
    // another width: nothing fits, nothing changes
    const wide = analyzeSpec(presetSpec('conv1d', [12, 8, 1], 3, { width: 7 }));
    expect(transferFloatWeights(buildTfModel(wide.spec, 1), pretrained)).toEqual([]);
  });

  it('trainModel starts from the given weights', async () => {
    const spec = presetSpec('conv1d', [12, 8, 1], 2, { width: 6 });
    const r = mulberry32(3);
    const x = Array.from({ length: 40 }, (_, i) => Float32Array.from({ length: 96 }, (_, j) => (j % 8 < 4 ? (i % 2 ? 1 : -1) : 0) + 0.3 * (r() - 0.5)));
    const y = x.map((_, i) => i % 2);
    const first = await trainModel({ spec, x, y, epochs: 15, seed: 1 });
    const again = await trainModel({ spec, x, y, epochs: 1, seed: 1, startFrom: first.weights });
    const scratch = await trainModel({ spec, x, y, epochs: 1, seed: 1 });
    expect(again.history.loss[0]!).toBeLessThan(scratch.history.loss[0]!);
  }, 60_000);
});
