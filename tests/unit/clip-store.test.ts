import { describe, it, expect, beforeEach } from 'vitest';
import 'fake-indexeddb/auto'; // idb needs the IDB* globals (IDBRequest, …)
import { IDBFactory } from 'fake-indexeddb';
import { openDB, type OpenDBCallbacks } from 'idb';
import { openClipStore, type OpenDBFn } from '../../src/platform/clip-store.ts';
import { makeClip } from '../../src/core/dataset/clip.ts';
import { EarshotError } from '../../src/core/errors.ts';

// idb's openDB reads the global indexedDB; each test gets a fresh fake factory.
beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

function clip(id: string, label: string, t: number, fill = 0.25) {
  return makeClip({ id, label, samples: new Float32Array(16000).fill(fill), sampleRateHz: 16000, source: 'mic', createdAtMs: t });
}

describe('clip store', () => {
  it('round-trips clips with their samples, in creation order, across reopen', async () => {
    const s1 = await openClipStore();
    await s1.putClip(clip('b', 'no', 2, -0.5));
    await s1.putClip(clip('a', 'yes', 1, 0.5));
    await s1.putClasses(['yes', 'no']);
    s1.close();
    const s2 = await openClipStore();
    const clips = await s2.listClips();
    expect(clips.map((c) => c.id)).toEqual(['a', 'b']);
    expect(clips[0].samples).toBeInstanceOf(Float32Array);
    expect(clips[0].samples.length).toBe(16000);
    expect(clips[0].samples[123]).toBe(0.5);
    expect(clips[1].samples[0]).toBe(-0.5);
    expect(await s2.listClasses()).toEqual(['yes', 'no']);
    s2.close();
  });

  it('deletes one clip, and a class with all its clips', async () => {
    const s = await openClipStore();
    await s.putClasses(['yes', 'no']);
    await s.putClip(clip('a', 'yes', 1));
    await s.putClip(clip('b', 'yes', 2));
    await s.putClip(clip('c', 'no', 3));
    await s.deleteClip('a');
    expect((await s.listClips()).map((c) => c.id)).toEqual(['b', 'c']);
    await s.deleteClass('yes', ['yes', 'no']);
    expect((await s.listClips()).map((c) => c.id)).toEqual(['c']);
    expect(await s.listClasses()).toEqual(['no']);
    s.close();
  });

  it('stores and deletes the model files', async () => {
    const s = await openClipStore();
    expect(await s.loadModel()).toBeUndefined();
    await s.saveModel({ 'model.json': new Uint8Array([1, 2, 3]), 'model.bin': new Uint8Array([9]) });
    const files = await s.loadModel();
    expect(Array.from(files!['model.json'])).toEqual([1, 2, 3]);
    await s.deleteModel();
    expect(await s.loadModel()).toBeUndefined();
    s.close();
  });

  it('maps a quota error to store/quota and other failures to store/failed', async () => {
    const quota: OpenDBFn = (() => {
      const e = new Error('full');
      e.name = 'QuotaExceededError';
      return Promise.reject(e);
    }) as unknown as OpenDBFn;
    await expect(openClipStore({ openDB: quota })).rejects.toMatchObject({ code: 'store/quota' });
    const broken: OpenDBFn = (() => Promise.reject(new Error('blocked'))) as unknown as OpenDBFn;
    const err = await openClipStore({ openDB: broken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EarshotError);
    expect((err as EarshotError).code).toBe('store/failed');
  });

  it('uses an injected openDB', async () => {
    let calls = 0;
    const counting = ((name: string, version: number, cb: OpenDBCallbacks<unknown>) => {
      calls++;
      return openDB(name, version, cb);
    }) as unknown as OpenDBFn;
    const s = await openClipStore({ openDB: counting, name: 'other' });
    expect(calls).toBe(1);
    await s.putClip(clip('x', 'yes', 1));
    expect((await s.listClips()).length).toBe(1);
    s.close();
  });

  it('saves many clips in one transaction (speakers set in bulk): all or nothing', async () => {
    const s = await openClipStore();
    await s.putClip(clip('a', 'yes', 1));
    await s.putClip(clip('b', 'yes', 2));
    const [a, b] = await s.listClips();
    await s.putClips([{ ...a!, speaker: 'alice' }, { ...b!, speaker: 'bob', session: 'mon' }]);
    expect((await s.listClips()).map((c) => [c.id, c.speaker, c.session])).toEqual([['a', 'alice', undefined], ['b', 'bob', 'mon']]);
    const bad = { ...b!, speaker: (() => 1) as unknown as string }; // not cloneable: the put throws
    await expect(s.putClips([{ ...a!, speaker: 'carol' }, bad])).rejects.toMatchObject({ code: 'store/failed' });
    expect((await s.listClips()).map((c) => c.speaker)).toEqual(['alice', 'bob']);
    await s.putClips([]);
    s.close();
  });

  it('rejects a bad label before it reaches the store', () => {
    expect(() => clip('z', '  ', 1)).toThrow(expect.objectContaining({ code: 'dataset/bad-label' }));
  });
});
