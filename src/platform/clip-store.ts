/**
 * ClipStore: the page's persistence (IndexedDB via idb). Clips, the class list and the
 * current trained model (as the serializeModel files map). Every write resolves only after
 * its transaction committed, so the UI can show "saved" truthfully.
 * `openDB` is injectable (tests pass one bound to fake-indexeddb or one that fails).
 */
import { openDB as idbOpenDB, type DBSchema, type IDBPDatabase } from 'idb';
import { EarshotError } from '../core/errors.ts';
import type { Clip } from '../core/dataset/clip.ts';
import type { ModelFiles } from '../core/model/artifact.ts';

interface EarshotDB extends DBSchema {
  clips: { key: string; value: Clip; indexes: { byLabel: string } };
  meta: { key: string; value: { key: string; value: unknown } };
  models: { key: string; value: { key: string; files: ModelFiles; savedAtMs: number } };
}

export type OpenDBFn = typeof idbOpenDB;

export interface ClipStoreOptions {
  openDB?: OpenDBFn;
  /** Database name; default 'earshot'. */
  name?: string;
}

export interface ClipStore {
  listClips(): Promise<Clip[]>;
  putClip(clip: Clip): Promise<void>;
  deleteClip(id: string): Promise<void>;
  /** Removes the class and all its clips in one transaction. */
  deleteClass(label: string, classes: string[]): Promise<void>;
  listClasses(): Promise<string[]>;
  putClasses(labels: string[]): Promise<void>;
  saveModel(files: ModelFiles): Promise<void>;
  loadModel(): Promise<ModelFiles | undefined>;
  deleteModel(): Promise<void>;
  close(): void;
}

const DB_VERSION = 1;
const CLASSES_KEY = 'classes';
const MODEL_KEY = 'current';

/** Map a storage failure to a typed error (quota gets its own code). */
export function storeError(e: unknown, what: string): EarshotError {
  if (e instanceof EarshotError) return e;
  const name = (e as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError') {
    return new EarshotError('store/quota', `browser storage is full: could not ${what}`, { cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new EarshotError('store/failed', `could not ${what}: ${msg}`, { cause: e });
}

async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw storeError(e, what);
  }
}

export async function openClipStore(options: ClipStoreOptions = {}): Promise<ClipStore> {
  const open = options.openDB ?? idbOpenDB;
  const name = options.name ?? 'earshot';
  const db: IDBPDatabase<EarshotDB> = await guard('open the clip database', () =>
    open<EarshotDB>(name, DB_VERSION, {
      upgrade(d) {
        const clips = d.createObjectStore('clips', { keyPath: 'id' });
        clips.createIndex('byLabel', 'label');
        d.createObjectStore('meta', { keyPath: 'key' });
        d.createObjectStore('models', { keyPath: 'key' });
      },
    }),
  );

  return {
    listClips: () =>
      guard('read clips', async () => {
        const all = await db.getAll('clips');
        return all.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
      }),
    putClip: (clip) =>
      guard('save the clip', async () => {
        const tx = db.transaction('clips', 'readwrite');
        await Promise.all([tx.store.put(clip), tx.done]);
      }),
    deleteClip: (id) =>
      guard('delete the clip', async () => {
        const tx = db.transaction('clips', 'readwrite');
        await Promise.all([tx.store.delete(id), tx.done]);
      }),
    deleteClass: (label, classes) =>
      guard(`delete class ${label}`, async () => {
        const tx = db.transaction(['clips', 'meta'], 'readwrite');
        const clips = tx.objectStore('clips');
        const keys = await clips.index('byLabel').getAllKeys(label);
        await Promise.all([
          ...keys.map((k) => clips.delete(k)),
          tx.objectStore('meta').put({ key: CLASSES_KEY, value: classes.filter((c) => c !== label) }),
          tx.done,
        ]);
      }),
    listClasses: () =>
      guard('read classes', async () => {
        const rec = await db.get('meta', CLASSES_KEY);
        const v = rec?.value;
        return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      }),
    putClasses: (labels) =>
      guard('save classes', async () => {
        const tx = db.transaction('meta', 'readwrite');
        await Promise.all([tx.store.put({ key: CLASSES_KEY, value: [...labels] }), tx.done]);
      }),
    saveModel: (files) =>
      guard('save the model', async () => {
        const tx = db.transaction('models', 'readwrite');
        await Promise.all([tx.store.put({ key: MODEL_KEY, files, savedAtMs: Date.now() }), tx.done]);
      }),
    loadModel: () =>
      guard('read the model', async () => (await db.get('models', MODEL_KEY))?.files),
    deleteModel: () =>
      guard('delete the model', async () => {
        const tx = db.transaction('models', 'readwrite');
        await Promise.all([tx.store.delete(MODEL_KEY), tx.done]);
      }),
    close: () => db.close(),
  };
}
