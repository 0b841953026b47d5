import { describe, it, expect, beforeEach } from 'vitest';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB, type IDBPDatabase } from 'idb';
import { openClipStore, createV1, storeError, DB_VERSION, V1_PROJECT_ID, V1_PROJECT_NAME, type ClipStore, type OpenDBFn } from '../../src/platform/clip-store.ts';
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

/** Ids handed out in this order, then p100, p101, … (so a test can have 'p1' beside 'p10'). */
function ids(...first: string[]): () => string {
  let k = 100;
  return () => first.shift() ?? `p${k++}`;
}

/** Every record of every store, straight from the database (for "nothing changed" checks). */
async function snapshot(name = 'earshot'): Promise<Record<string, unknown[]>> {
  const raw = await openDB(name, DB_VERSION);
  const out: Record<string, unknown[]> = {};
  for (const s of Array.from(raw.objectStoreNames).sort()) out[s] = await raw.getAll(s);
  raw.close();
  return out;
}

type Op = 'put' | 'delete';

/**
 * openDB whose object stores throw (synchronously, like a DataCloneError would) on the write
 * `fails` picks; everything else is the real fake-indexeddb database.
 */
function failingOpenDB(fails: (store: string, op: Op, arg: unknown) => boolean): OpenDBFn {
  const bind = <T extends object>(target: T, prop: string | symbol): unknown => {
    const v = Reflect.get(target, prop, target) as unknown;
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  };
  const wrapStore = (name: string, st: object) =>
    new Proxy(st, {
      get(t, prop) {
        if (prop === 'put' || prop === 'delete') {
          const real = bind(t, prop) as (arg: unknown) => unknown;
          return (arg: unknown) => {
            if (fails(name, prop, arg)) throw new DOMException(`injected ${prop} failure in ${name}`, 'DataError');
            return real(arg);
          };
        }
        return bind(t, prop);
      },
    });
  const wrapTx = (tx: object) =>
    new Proxy(tx, {
      get(t, prop) {
        if (prop === 'objectStore') return (n: string) => wrapStore(n, (t as { objectStore(n: string): object }).objectStore(n));
        return bind(t, prop);
      },
    });
  return (async (...args: Parameters<OpenDBFn>) => {
    const db = await openDB(...args);
    return new Proxy(db, {
      get(t, prop) {
        if (prop === 'transaction') return (...a: unknown[]) => wrapTx((t.transaction as (...x: unknown[]) => object)(...a));
        return bind(t, prop);
      },
    }) as IDBPDatabase<unknown>;
  }) as OpenDBFn;
}

/** A store whose projects are `ids` (created in that order; a fresh database also has 'default'). */
async function withProjects(idList: string[], openDB?: OpenDBFn): Promise<ClipStore> {
  const s = await openClipStore({ newId: ids(...idList), openDB });
  for (const id of idList) expect((await s.createProject(`Project ${id}`)).id).toBe(id);
  return s;
}

/** Gives project `id` one clip, a current model and two named models (bytes from `tag`). */
async function fill(s: ClipStore, id: string, tag: number): Promise<void> {
  await s.useProject(id);
  await s.putClasses(['yes']);
  await s.putClip(clip(`c${tag}`, 'yes', tag));
  await s.saveModel({ m: new Uint8Array([tag]) });
  await s.saveNamedModel('first', { 'model.json': new Uint8Array([tag, 1]), 'model.bin': new Uint8Array([tag, 1, 255]) });
  await s.saveNamedModel('second', { 'model.json': new Uint8Array([tag, 2]) });
}

const namedBytes = async (s: ClipStore) =>
  (await s.listNamedModels()).map((m) => [m.name, Object.fromEntries(Object.entries(m.files).map(([k, v]) => [k, Array.from(v)]))]);

describe('named models follow their project (issue 5)', () => {
  it('deleting a project removes exactly its named models, not those of a project whose id it prefixes', async () => {
    const s = await withProjects(['p1', 'p10', 'p2']);
    await fill(s, 'p1', 1);
    await fill(s, 'p10', 10);
    await fill(s, 'p2', 2);
    await s.deleteProject('p1');
    const keys = (await snapshot()).models.map((r) => (r as { key: string }).key).sort();
    expect(keys).toEqual(['p10', 'p10/first', 'p10/second', 'p2', 'p2/first', 'p2/second']);
    await s.useProject('p10');
    expect(await namedBytes(s)).toEqual([
      ['first', { 'model.json': [10, 1], 'model.bin': [10, 1, 255] }],
      ['second', { 'model.json': [10, 2] }],
    ]);
    s.close();
  });

  it('lists only the open project\'s named models when another id starts with its id', async () => {
    const s = await withProjects(['p1', 'p10']);
    await fill(s, 'p1', 1);
    await s.useProject('p10');
    await s.saveNamedModel('only', { x: new Uint8Array([9]) });
    await s.useProject('p1');
    expect((await s.listNamedModels()).map((m) => m.name)).toEqual(['first', 'second']);
    s.close();
  });

  it('duplicating a project copies its named models under the new id with equal bytes', async () => {
    const s = await withProjects(['p1', 'p10']);
    await fill(s, 'p1', 1);
    await s.useProject('p10');
    await s.saveNamedModel('other', { x: new Uint8Array([9]) });
    await s.useProject('p1');
    const before = await namedBytes(s);
    const copy = await s.duplicateProject('p1');
    await s.useProject(copy.id);
    expect(await namedBytes(s)).toEqual(before);
    expect((await s.listNamedModels()).map((m) => m.savedAtMs)).toEqual((await snapshot()).models.filter((r) => /^p1\//.test((r as { key: string }).key)).map((r) => (r as { savedAtMs: number }).savedAtMs));
    // independent: deleting a copy's model leaves the source's
    await s.deleteNamedModel('first');
    await s.useProject('p1');
    expect(await namedBytes(s)).toEqual(before);
    s.close();
  });

  it('a delete that fails mid-transaction leaves every record as it was', async () => {
    const s = await withProjects(['p1', 'p2'], failingOpenDB((store, op, arg) => store === 'models' && op === 'delete' && arg === 'p1/second'));
    await fill(s, 'p1', 1);
    const before = await snapshot();
    await expect(s.deleteProject('p1')).rejects.toMatchObject({ code: 'store/failed' });
    expect(await snapshot()).toEqual(before);
    expect(before.models).toHaveLength(3);
    s.close();
  });

  it('a duplicate that fails mid-transaction writes nothing', async () => {
    const fails = (store: string, op: Op, arg: unknown) => store === 'models' && op === 'put' && (arg as { key?: string }).key === 'p100/second';
    const s = await withProjects(['p1'], failingOpenDB(fails));
    await fill(s, 'p1', 1);
    const before = await snapshot();
    await expect(s.duplicateProject('p1')).rejects.toMatchObject({ code: 'store/failed' });
    expect(await snapshot()).toEqual(before);
    expect((await s.listProjects()).map((p) => p.id).sort()).toEqual(['default', 'p1']);
    s.close();
  });
});
