/**
 * The model editor's draft is kept with its project: the store saves it (refusing a malformed
 * one), duplicates copy it, and the page's state graph (createAppState over fake-indexeddb)
 * opens the editor on the draft it left, per project.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { openClipStore } from '../../src/platform/clip-store.ts';
import { createAppState } from '../../src/state/app.svelte.ts';
import { DesignState } from '../../src/state/design.svelte.ts';
import type { DesignDraft } from '../../src/core/dataset/project.ts';
import type { FeaturesClient } from '../../src/workers/features-bridge.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

const noWorker = (): FeaturesClient => {
  throw new Error('no features worker in this test');
};

describe('design drafts', () => {
  it('DesignState saves after every change, in order, and starts from a given draft', async () => {
    const saved: DesignDraft[] = [];
    const d = new DesignState([49, 40, 1], 3, 'tiny-conv', { save: async (x) => void saved.push(x) });
    d.setField(0, 'filters', 'int', '12');
    d.setField(0, 'filters', 'int', 'many'); // a parse error changes nothing, saves nothing
    d.add('dense');
    d.remove(d.layers.length - 1);
    await d.saved();
    expect(saved).toHaveLength(3);
    expect(saved[0]!.layers[0]).toMatchObject({ filters: 12 });
    const again = new DesignState([49, 40, 1], 3, 'ds-cnn-s', { draft: saved[2]! });
    expect(again.spec.layers).toEqual(d.spec.layers);
    expect(again.check.layers[0]!.outputShape).toEqual([25, 20, 12]);
  });

  it('a failing save is reported and the draft stays in the page', async () => {
    const d = new DesignState([49, 40, 1], 3, 'tiny-conv', { save: () => Promise.reject(new Error('quota')) });
    d.add('dense');
    await d.saved();
    expect(d.saveError).toMatch(/could not be saved: quota/);
    expect(d.layers.at(-1)!.type).toBe('dense');
  });

  it('the store keeps a draft per project, copies it on duplicate and refuses a malformed one', async () => {
    const s = await openClipStore();
    const a = s.project().id;
    const draft: DesignDraft = { name: 'mine', layers: [{ type: 'flatten', name: 'f' }, { type: 'dense', name: 'out', units: 2, activation: 'softmax' }] };
    await s.setDesignDraft(a, draft);
    expect(s.project().designDraft).toEqual(draft);
    const b = await s.duplicateProject(a);
    expect((await s.useProject(b.id)).designDraft).toEqual(draft);
    await expect(s.setDesignDraft(a, { name: 'x', layers: [{ units: 3 }] } as unknown as DesignDraft)).rejects.toMatchObject({ code: 'spec/invalid' });
    await s.setDesignDraft(b.id, null);
    expect(s.project().designDraft).toBeUndefined();
    expect((await s.useProject(a)).designDraft).toEqual(draft);
    s.close();
  });

  it('the page opens the editor on the draft its project left', async () => {
    const app = await createAppState({ featuresClient: noWorker, onProjectSwitch: () => undefined });
    app.design.loadPreset('conv1d', 2, { width: 8, depth: 2 });
    app.design.setField(1, 'filters', 'int', '16');
    expect(app.design.fieldErrors).toEqual({});
    await app.design.saved();
    const layers = app.design.spec.layers;
    const reloaded = await createAppState({ featuresClient: noWorker, onProjectSwitch: () => undefined });
    expect(reloaded.design.name).toBe('conv1d');
    expect(reloaded.design.spec.layers).toEqual(layers);
    expect(reloaded.design.check.analysis).not.toBeNull();
  });
});
