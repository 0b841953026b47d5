import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { DatasetState, balanceWarning, type ImportFile } from '../../src/state/dataset.svelte.ts';
import { ProjectsState } from '../../src/state/projects.svelte.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { encodeWav } from '../../src/core/audio/wav.ts';
import { isPcm16 } from '../../src/core/audio/pcm16.ts';
import { openDatasetState } from './dataset-fixtures.ts';
import { readArchive, writeArchive } from '../../src/core/dataset/archive.ts';
import { makeClip } from '../../src/core/dataset/clip.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { quantizePcm16 } from '../../src/core/audio/pcm16.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

const tone = (n: number, rateHz: number, hz: number, amp = 0.5) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rateHz));
const file = (path: string, bytes: Uint8Array): ImportFile => ({ name: path.split('/').pop()!, path: path.includes('/') ? path : undefined, size: bytes.length, bytes: async () => bytes.slice().buffer });

describe('DatasetState: import, edit, undo', () => {
  it('imports a folder (folder name → class, created on the way), reports each bad file, keeps the rest', async () => {
    const { store, ds } = await openDatasetState();
    await ds.addClass('noise');
    const before = await ds.addClip('noise', tone(16000, 16000, 100), 'mic');
    const report = await ds.importFiles([
      file('yes/a.wav', encodeWav(tone(44100, 44100, 440), 44100)),
      file('yes/bad.wav', new TextEncoder().encode('not audio at all')),
      file('dogs/b.wav', encodeWav(tone(8000, 8000, 300), 8000)),
      file('a"b/c.wav', encodeWav(tone(100, 16000, 300), 16000)),
      file('loose.wav', encodeWav(tone(16000, 16000, 300), 16000)),
    ]);
    expect(report.imported).toBe(3);
    expect(report.failures.map((f) => [f.name, f.message.match(/\[(.*)\]$/)?.[1]])).toEqual([
      ['yes/bad.wav', 'wav/not-riff'],
      ['a"b/c.wav', 'dataset/bad-label'],
    ]);
    expect(ds.classes).toEqual(['noise', 'yes', 'dogs']);
    expect(ds.clips.map((c) => [c.label, c.name])).toEqual([['noise', undefined], ['yes', 'a.wav'], ['dogs', 'b.wav'], ['noise', 'loose.wav']]);
    for (const c of ds.clips) expect(isPcm16(c.samples) && c.samples.length === 16000).toBe(true);
    expect((await store.listClips())[0].samples).toEqual(before.samples);
    expect(ds.progress).toBeNull();
  });

  it('refuses a too-large file before reading it', async () => {
    const { ds } = await openDatasetState();
    await ds.addClass('yes');
    let read = false;
    const r = await ds.importFiles([{ name: 'huge.wav', size: 2 ** 31, bytes: async () => ((read = true), new ArrayBuffer(0)) }]);
    expect(r.failures[0].message).toMatch(/wav\/too-large/);
    expect(read).toBe(false);
  });

  it('relabels, tags, deletes with undo, renames a class; all persisted', async () => {
    const { store, ds } = await openDatasetState();
    await ds.addClass('yes');
    await ds.addClass('no');
    const a = await ds.addClip('yes', tone(16000, 16000, 440), 'mic');
    await ds.relabel(a.id, 'no');
    await ds.setTags(a.id, { speaker: ' ana ', session: 'mon' });
    await expect(ds.setTags(a.id, { speaker: 'x'.repeat(65) })).rejects.toMatchObject({ code: 'dataset/bad-label' });
    await ds.setTags(a.id, { session: '' });
    await ds.renameClass('no', 'nope');
    const reopened = new DatasetState(store, DEFAULT_FEATURE_CONFIG);
    await reopened.load();
    expect(reopened.clips.map((c) => [c.label, c.speaker, c.session])).toEqual([['nope', 'ana', undefined]]);
    expect(reopened.classes).toEqual(['yes', 'nope']);
    await ds.deleteClip(a.id);
    expect(ds.clips).toEqual([]);
    await ds.undoDelete();
    expect(ds.clips.map((c) => c.id)).toEqual([a.id]);
    expect((await store.listClips()).map((c) => c.id)).toEqual([a.id]);
  });

  it('warns when classes are out of balance', () => {
    const counts: Record<string, number> = { yes: 10, no: 4, noise: 9 };
    expect(balanceWarning(['yes', 'no', 'noise'], (l) => counts[l])).toMatch(/“no” \(4\)/);
    expect(balanceWarning(['yes', 'noise'], (l) => counts[l])).toBeNull();
    expect(balanceWarning(['yes'], () => 0)).toBeNull();
  });
});

describe('archive through the app state', () => {
  it('export → delete everything → import gives a new project with bit-identical clips and tags', async () => {
    const { store, ds } = await openDatasetState();
    let switched = 0;
    const projects = new ProjectsState(store, () => switched++);
    await ds.addClass('yes');
    await ds.addClass('no');
    await ds.addClip('yes', tone(16000, 16000, 440, 0.9), 'mic', undefined, { speaker: 'ana' });
    await ds.addClip('no', tone(16000, 16000, 200, 0.3), 'mic');
    const zip = ds.exportArchive();
    const original = ds.clips;
    await ds.removeClass('yes');
    await ds.removeClass('no');
    const p = await ds.importArchive(zip);
    await projects.open(p.id);
    expect(switched).toBe(1);
    const back = new DatasetState(store, DEFAULT_FEATURE_CONFIG);
    await back.load();
    expect(back.classes).toEqual(['yes', 'no']);
    expect(back.clips.map((c) => [c.label, c.speaker])).toEqual([['yes', 'ana'], ['no', undefined]]);
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    back.clips.forEach((c, i) => {
      expect(c.samples.length).toBe(original[i].samples.length);
      expect(bytes(c.samples).equals(bytes(original[i].samples))).toBe(true);
    });
    // a bad archive changes nothing
    const count = (await store.listProjects()).length;
    await expect(ds.importArchive(zip.slice(0, 100))).rejects.toMatchObject({ code: expect.stringMatching(/^archive\//) });
    expect((await store.listProjects()).length).toBe(count);
  });

  it('an imported zip\'s FeatureConfig becomes the new project\'s, its clips kept at that rate bit-exactly', async () => {
    const { store, ds } = await openDatasetState();
    const low = featurePreset('low-power-8k').config;
    const clips = [0, 1].map((k) => makeClip({ id: `x${k}`, label: k ? 'no' : 'yes', samples: quantizePcm16(tone(8000, 8000, 300 + 200 * k)), sampleRateHz: 8000, source: 'mic', createdAtMs: k }));
    const p = await ds.importArchive(writeArchive({ name: 'Eight', config: low, classes: ['yes', 'no'] }, clips));
    expect(p.config).toEqual(low);
    expect(ds.project.config).toEqual(DEFAULT_FEATURE_CONFIG); // the open project is not touched
    await store.useProject(p.id);
    expect(store.project().config).toEqual(low);
    const back = await store.listClips();
    expect(back.map((c) => [c.label, c.sampleRateHz, c.samples.length])).toEqual([['yes', 8000, 8000], ['no', 8000, 8000]]);
    back.forEach((c, i) => expect(c.samples).toEqual(clips[i].samples));
  });

  it('export writes the project\'s stored config; clips made under other features are fitted to it', async () => {
    const { store, ds } = await openDatasetState();
    await ds.addClass('yes');
    await ds.addClip('yes', tone(16000, 16000, 440), 'mic');
    const low = featurePreset('low-power-8k').config;
    await store.setProjectConfig(ds.project.id, low);
    const { manifest, clips } = readArchive(ds.exportArchive(), () => 'id');
    expect(manifest.project.config).toEqual(low);
    expect(clips.map((c) => [c.sampleRateHz, c.samples.length, isPcm16(c.samples)])).toEqual([[8000, 8000, true]]);
  });

  it('projects: create, rename, duplicate, delete', async () => {
    const { store } = await openDatasetState();
    let switched = 0;
    const projects = new ProjectsState(store, () => switched++);
    await projects.load();
    const first = projects.current.id;
    await projects.rename(first, 'Birds');
    expect(projects.list.map((p) => p.name)).toEqual(['Birds']);
    const copy = await projects.duplicate(first);
    expect(projects.list.map((p) => p.name)).toEqual(['Birds', 'Birds copy']);
    await projects.remove(copy.id);
    expect(switched).toBe(0);
    await projects.create('Cats');
    expect(switched).toBe(1);
    expect(store.project().name).toBe('Cats');
  });
});
