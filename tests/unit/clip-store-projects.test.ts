import { describe, it, expect, beforeEach } from 'vitest';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { openClipStore, createV1, storeError, DB_VERSION, V1_PROJECT_ID, V1_PROJECT_NAME } from '../../src/platform/clip-store.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

function clip(id: string, label: string, t: number, fill = 0.25): Clip {
  return makeClip({ id, label, samples: new Float32Array(100).fill(fill), sampleRateHz: 16000, source: 'mic', createdAtMs: t });
}

let n = 0;
const newId = () => `p${++n}`;

/** A database exactly as the walking skeleton (schema v1) left it. */
async function makeV1(name = 'earshot') {
  const db = await openDB(name, 1, { upgrade: (d) => createV1(d) });
  await db.put('clips', clip('a', 'yes', 1, 0.5));
  await db.put('clips', clip('b', 'noise', 2, -0.5));
  await db.put('clips', clip('c', 'orphan', 3));
  await db.put('meta', { key: 'classes', value: ['yes', 'noise', 'empty'] });
  await db.put('models', { key: 'current', files: { 'model.json': new Uint8Array([7]) }, savedAtMs: 5 });
  db.close();
}

describe('schema migration v1 → v2', () => {
  it('keeps every clip, the class list and the model in a project named after v1', async () => {
    await makeV1();
    const s = await openClipStore({ newId });
    expect(s.project()).toMatchObject({ id: V1_PROJECT_ID, name: V1_PROJECT_NAME });
    expect(s.project().config).toEqual(DEFAULT_FEATURE_CONFIG);
    const clips = await s.listClips();
    expect(clips.map((c) => [c.id, c.label, c.samples[0]])).toEqual([['a', 'yes', 0.5], ['b', 'noise', -0.5], ['c', 'orphan', 0.25]]);
    expect(clips[0]).not.toHaveProperty('projectId');
    // the listed classes first, then labels only clips named
    expect(await s.listClasses()).toEqual(['yes', 'noise', 'empty', 'orphan']);
    expect(Array.from((await s.loadModel())!['model.json'])).toEqual([7]);
    s.close();
    const raw = await openDB('earshot', DB_VERSION);
    expect(raw.objectStoreNames.contains('projects')).toBe(true);
    expect(await raw.get('meta', 'classes')).toBeUndefined();
    expect(await raw.get('models', 'current')).toBeUndefined();
    expect(Array.from(raw.transaction('clips').store.indexNames).sort()).toEqual(['byProject', 'byProjectLabel']);
    raw.close();
  });

  it('a fresh database starts with one empty project', async () => {
    const s = await openClipStore({ newId });
    expect((await s.listProjects()).map((p) => p.name)).toEqual([V1_PROJECT_NAME]);
    expect(await s.listClips()).toEqual([]);
    s.close();
  });
});

describe('projects', () => {
  it('keeps clips, classes and models apart; the open project survives a reopen', async () => {
    const s = await openClipStore({ newId });
    const first = s.project().id;
    await s.putClasses(['yes']);
    await s.putClip(clip('a', 'yes', 1));
    await s.saveModel({ m: new Uint8Array([1]) });
    const other = await s.createProject('Second');
    await s.useProject(other.id);
    expect(await s.listClips()).toEqual([]);
    expect(await s.listClasses()).toEqual([]);
    expect(await s.loadModel()).toBeUndefined();
    await s.putClasses(['dog']);
    await s.putClip(clip('b', 'dog', 2));
    s.close();
    const s2 = await openClipStore({ newId });
    expect(s2.project().id).toBe(other.id);
    expect((await s2.listClips()).map((c) => c.id)).toEqual(['b']);
    await s2.useProject(first);
    expect((await s2.listClips()).map((c) => c.id)).toEqual(['a']);
    s2.close();
  });

  it('renames, refuses bad names, de-duplicates names', async () => {
    const s = await openClipStore({ newId });
    const p = await s.createProject('Birds');
    expect((await s.renameProject(p.id, '  Owls ')).name).toBe('Owls');
    await expect(s.renameProject(p.id, '   ')).rejects.toMatchObject({ code: 'dataset/bad-project' });
    await expect(s.renameProject('nope', 'x')).rejects.toMatchObject({ code: 'store/not-found' });
    expect((await s.createProject('Owls')).name).toBe('Owls (2)');
    s.close();
  });

  it('duplicates clips (new ids), classes and the model; the copy is independent', async () => {
    const s = await openClipStore({ newId });
    const src = s.project();
    await s.putClasses(['yes', 'no']);
    await s.putClip(clip('a', 'yes', 1, 0.125));
    await s.saveModel({ m: new Uint8Array([3]) });
    const copy = await s.duplicateProject(src.id);
    expect(copy.name).toBe(`${src.name} copy`);
    await s.useProject(copy.id);
    const clips = await s.listClips();
    expect(clips).toHaveLength(1);
    expect(clips[0].id).not.toBe('a');
    expect(clips[0].samples[5]).toBe(0.125);
    expect(await s.listClasses()).toEqual(['yes', 'no']);
    expect(Array.from((await s.loadModel())!.m)).toEqual([3]);
    await s.deleteClip(clips[0].id);
    await s.useProject(src.id);
    expect((await s.listClips()).map((c) => c.id)).toEqual(['a']);
    s.close();
  });

  it('deletes a project with its clips and model; deleting the last one leaves an empty project', async () => {
    const s = await openClipStore({ newId });
    const a = s.project();
    await s.putClip(clip('a', 'yes', 1));
    const b = await s.createProject('B');
    await s.deleteProject(a.id);
    expect(s.project().id).toBe(b.id);
    expect((await s.listProjects()).map((p) => p.id)).toEqual([b.id]);
    await s.deleteProject(b.id);
    const left = await s.listProjects();
    expect(left).toHaveLength(1);
    expect(left[0].id).not.toBe(b.id);
    expect(await s.listClips()).toEqual([]);
    s.close();
  });

  it('renames a class by moving its clips in one transaction', async () => {
    const s = await openClipStore({ newId });
    await s.putClasses(['yes', 'no']);
    await s.putClip(clip('a', 'yes', 1));
    await s.putClip(clip('b', 'no', 2));
    await s.renameClass('yes', 'yeah', ['yeah', 'no']);
    expect((await s.listClips()).map((c) => c.label)).toEqual(['yeah', 'no']);
    expect(await s.listClasses()).toEqual(['yeah', 'no']);
    s.close();
  });
});

describe('no data loss', () => {
  it('an import that fails half-way writes nothing, and what was saved stays', async () => {
    const s = await openClipStore({ newId });
    await s.putClip(clip('keep', 'yes', 1));
    const before = await s.listProjects();
    const bad = { ...clip('x', 'yes', 2), speaker: (() => 1) as unknown as string }; // not cloneable: the put throws
    await expect(s.importProject('Imported', ['yes'], [clip('ok', 'yes', 3), bad], DEFAULT_FEATURE_CONFIG)).rejects.toMatchObject({ code: 'store/failed' });
    expect(await s.listProjects()).toEqual(before);
    expect((await s.listClips()).map((c) => c.id)).toEqual(['keep']);
    s.close();
  });

  it('a quota error says what to do', () => {
    const e = storeError(Object.assign(new Error('full'), { name: 'QuotaExceededError' }), 'save the clip');
    expect(e.code).toBe('store/quota');
    expect(e.message).toMatch(/export this project as a dataset zip/);
    expect(e.message).toMatch(/delete clips or projects/);
  });
});
