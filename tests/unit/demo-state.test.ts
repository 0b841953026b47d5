import { describe, it, expect, beforeEach } from 'vitest';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openClipStore } from '../../src/platform/clip-store.ts';
import { recommendedFeatureConfig } from '../../src/core/dsp/feature-presets.ts';
import { deserializeModel } from '../../src/core/model/artifact.ts';
import { bundledDemoAssets, DemoState, DEMO_PROJECT_NAME } from '../../src/state/demo.svelte.ts';

const ROOT = resolve(import.meta.dirname, '../..');

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

/** Serves the asset URLs (in tests Vite gives root-relative paths) from the working tree. */
async function diskFetch(url: string): Promise<Response> {
  const path = join(ROOT, url.split('?')[0]);
  try {
    return new Response(readFileSync(path));
  } catch {
    return new Response('missing', { status: 404 });
  }
}

describe('DemoState', () => {
  it('bundles every demo training clip and both model files', () => {
    const a = bundledDemoAssets();
    expect(a.clips.length).toBe(36);
    expect(new Set(a.clips.map((c) => c.label))).toEqual(new Set(['yes', 'no', 'noise']));
    expect(Object.keys(a.model).sort()).toEqual(['model.bin', 'model.json']);
  });

  it('loads the demo as a new open project with its clips and model', async () => {
    const store = await openClipStore();
    let switched = 0;
    const demo = new DemoState({ store, config: recommendedFeatureConfig(), afterSwitch: async () => void switched++, fetch: diskFetch });
    await demo.load();
    expect(demo.error).toBeNull();
    expect(demo.status).toBe('done');
    expect(demo.done).toBe(demo.total);
    expect(switched).toBe(1);
    expect(store.project().name).toBe(DEMO_PROJECT_NAME);
    const clips = await store.listClips();
    expect(clips.length).toBe(36);
    expect(clips.every((c) => c.samples.length === 6000 && c.sampleRateHz === 8000)).toBe(true); // the 16 kHz files, decoded for the model's 750 ms at 8 kHz
    expect((await store.listClasses()).sort()).toEqual(['no', 'noise', 'yes']);
    const files = await store.loadModel();
    expect(files).toBeDefined();
    const model = deserializeModel(files!);
    expect(model.quantized).toBeDefined();
    expect(model.labels).toEqual(['no', 'noise', 'yes']);
  });

  it('reports a missing file and writes nothing', async () => {
    const store = await openClipStore();
    const before = (await store.listProjects()).length;
    const assets = bundledDemoAssets();
    assets.clips[3].url = '/static-models/demo/data/nope.wav';
    const demo = new DemoState({ store, config: recommendedFeatureConfig(), afterSwitch: async () => {}, fetch: diskFetch, assets: () => assets });
    await demo.load();
    expect(demo.status).toBe('error');
    expect(demo.error).toMatch(/nope\.wav.*404/);
    expect((await store.listProjects()).length).toBe(before);
  });

  it('refuses a demo model made for other features', async () => {
    const store = await openClipStore();
    const demo = new DemoState({ store, config: { ...recommendedFeatureConfig(), melBands: 24 }, afterSwitch: async () => {}, fetch: diskFetch });
    await demo.load();
    expect(demo.status).toBe('error');
    expect(demo.error).toMatch(/other features/);
  });
});
