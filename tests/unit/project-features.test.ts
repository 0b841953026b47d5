/**
 * The open project's FeatureConfig is the page's: the store saves it per project (and repairs a
 * project stored without one), FeaturesState saves every change into the open project, and
 * createAppState (the page's state graph, over fake-indexeddb) builds every screen from the
 * project it opens, so switching projects switches the config.
 */
import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { openClipStore, DB_VERSION } from '../../src/platform/clip-store.ts';
import { FeaturesState } from '../../src/state/features.svelte.ts';
import { ProjectsState } from '../../src/state/projects.svelte.ts';
import { createAppState, type AppState } from '../../src/state/app.svelte.ts';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { featurePreset, recommendedFeatureConfig } from '../../src/core/dsp/feature-presets.ts';
import type { FeaturesClient } from '../../src/workers/features-bridge.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

/** The features worker is never reached in these tests: a call fails the test. */
const noWorker = (): FeaturesClient => {
  throw new Error('no features worker in this test');
};

const low8k = () => featurePreset('low-power-8k').config;
const mfe = () => featurePreset('edge-impulse-mfe').config;

describe('ClipStore: a FeatureConfig per project', () => {
  it('saves each project\'s config apart, validated, and keeps it across a reopen', async () => {
    const s = await openClipStore();
    const a = s.project().id;
    const b = (await s.createProject('B')).id;
    expect((await s.setProjectConfig(a, low8k())).config).toEqual(low8k());
    expect(s.project().config).toEqual(low8k());
    await expect(s.setProjectConfig(b, { ...DEFAULT_FEATURE_CONFIG, fftSize: 100 })).rejects.toMatchObject({ code: 'features/bad-config' });
    await expect(s.setProjectConfig('nope', low8k())).rejects.toMatchObject({ code: 'store/not-found' });
    s.close();
    const again = await openClipStore();
    expect(again.project().config).toEqual(low8k());
    expect((await again.useProject(b)).config).toEqual(recommendedFeatureConfig()); // a new store's first project, which B copied
    again.close();
  });

  it('a project stored without a (valid) config opens with the default one, saved', async () => {
    const s = await openClipStore();
    const id = s.project().id;
    const other = (await s.createProject('Other')).id;
    s.close();
    const raw = await openDB('earshot', DB_VERSION);
    const rec = (await raw.get('projects', id)) as Record<string, unknown>;
    delete rec.config;
    await raw.put('projects', rec);
    const rec2 = (await raw.get('projects', other)) as Record<string, unknown>;
    await raw.put('projects', { ...rec2, config: { version: 1, melBands: 40 } }); // fields missing
    raw.close();
    const again = await openClipStore();
    expect(again.project().config).toEqual(DEFAULT_FEATURE_CONFIG);
    expect((await again.useProject(other)).config).toEqual(DEFAULT_FEATURE_CONFIG);
    again.close();
    const check = await openDB('earshot', DB_VERSION);
    expect(((await check.get('projects', id)) as { config: FeatureConfig }).config).toEqual(DEFAULT_FEATURE_CONFIG);
    expect(((await check.get('projects', other)) as { config: FeatureConfig }).config).toEqual(DEFAULT_FEATURE_CONFIG);
    check.close();
  });
});

describe('FeaturesState saves into the open project', () => {
  it('preset and valid field edits are saved in order; an invalid draft and an unchanged config save nothing', async () => {
    const store = await openClipStore();
    const projects = new ProjectsState(store, () => undefined);
    await projects.load();
    const saves: FeatureConfig[] = [];
    const f = new FeaturesState(noWorker, store.project().config, {
      save: async (c) => {
        saves.push(c);
        await projects.saveConfig(c);
      },
    });
    expect([f.reloadNeeded, f.savedKey === f.configKey]).toEqual([false, true]);
    f.setPreset('low-power-8k');
    f.setField('melBands', 24);
    f.setField('fftSize', 100); // invalid: not saved
    f.setField('fftSize', 256); // back to the valid value: config unchanged, not saved
    await f.saved();
    expect(saves.map((c) => c.melBands)).toEqual([20, 24]);
    expect(store.project().config).toEqual({ ...low8k(), melBands: 24 });
    expect(projects.current.config).toEqual({ ...low8k(), melBands: 24 });
    expect(projects.list.find((p) => p.id === store.project().id)?.config.melBands).toBe(24);
    expect([f.reloadNeeded, f.savedKey === f.configKey, f.saveError]).toEqual([true, true, null]);
    store.close();
    const reopened = await openClipStore();
    expect(reopened.project().config).toEqual({ ...low8k(), melBands: 24 });
    reopened.close();
  });

  it('a failed save shows its typed error and keeps the edit on screen', async () => {
    const f = new FeaturesState(noWorker, DEFAULT_FEATURE_CONFIG, { save: async () => Promise.reject(Object.assign(new Error('disk full'), { name: 'QuotaExceededError' })) });
    f.setPreset('low-power-8k');
    await f.saved();
    expect(f.saveError).toMatch(/disk full/);
    expect(f.config).toEqual(low8k());
    expect(f.savedKey === f.configKey).toBe(false);
  });

  it('useConfig takes a project\'s config without saving it', async () => {
    let saves = 0;
    const f = new FeaturesState(noWorker, DEFAULT_FEATURE_CONFIG, { save: async () => void saves++ });
    f.useConfig(mfe());
    await f.saved();
    expect([f.config, f.draft, f.pageConfig, f.presetName, f.reloadNeeded, saves]).toEqual([mfe(), mfe(), mfe(), 'edge-impulse-mfe', false, 0]);
  });
});

describe('createAppState: the page runs on the open project\'s config', () => {
  const configs = (app: AppState) => [app.config, app.dataset.config, app.features.config, app.features.pageConfig];

  it('switching projects switches the config; edits persist per project', async () => {
    let switched = 0;
    const open = () => createAppState({ onProjectSwitch: () => switched++ });
    let app = await open();
    const a = app.projects.current.id;
    expect(configs(app)).toEqual(Array(4).fill(recommendedFeatureConfig()));

    // Edit A's features: saved into A; the page (reloaded) runs on them.
    app.features.setPreset('low-power-8k');
    await app.features.saved();
    app = await open();
    expect(configs(app)).toEqual(Array(4).fill(low8k()));

    // A new project starts from the open one's config; edit it to another preset.
    await app.projects.create('B');
    expect(switched).toBe(1);
    app = await open();
    const b = app.projects.current.id;
    expect(b).not.toBe(a);
    expect(configs(app)).toEqual(Array(4).fill(low8k()));
    app.features.setPreset('edge-impulse-mfe');
    await app.features.saved();

    // Back to A: A's config, untouched by B's edit.
    await app.projects.open(a);
    expect(switched).toBe(2);
    app = await open();
    expect(configs(app)).toEqual(Array(4).fill(low8k()));
    await app.projects.open(b);
    app = await open();
    expect(configs(app)).toEqual(Array(4).fill(mfe()));
    expect(app.dataset.clipSamples).toBe(16000);
  });
});
