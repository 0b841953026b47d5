/**
 * ClipStore: the page's persistence (IndexedDB via idb), with a versioned schema and one
 * migration per version (MIGRATIONS[v] upgrades v−1 → v inside the versionchange transaction,
 * so a failed upgrade leaves the old database untouched).
 *
 *   v1  clips{id, index byLabel}, meta{key} ('classes' = class list), models{key} ('current')
 *   v2  projects{id}; every clip gets a projectId (indexes byProject, byProjectLabel), the
 *       class list moves into its project, the model is keyed by project id, meta
 *       'currentProject' names the open project. v1 data becomes the project "My project".
 *
 * Clip, class and model calls act on the current project (`useProject` switches). Every
 * write resolves only after its transaction committed, so the UI can show "saved" truthfully;
 * multi-record writes (import, duplicate, delete class/project) are one transaction each:
 * all or nothing. `openDB` is injectable (tests pass one bound to fake-indexeddb or one that fails).
 */
import { openDB as idbOpenDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { EarshotError } from '../core/errors.ts';
import type { Clip } from '../core/dataset/clip.ts';
import { checkDesignDraft, makeProject, uniqueName, validateProjectName, type DesignDraft, type Project } from '../core/dataset/project.ts';
import { DEFAULT_FEATURE_CONFIG, FIRST_FEATURE_FIELDS, featureConfigProblems, validateFeatureConfig, type FeatureConfig } from '../core/dsp/feature-config.ts';
import type { ModelFiles } from '../core/model/artifact.ts';

type StoredClip = Clip & { projectId: string };
type ModelRecord = { key: string; files: ModelFiles; savedAtMs: number };

interface EarshotDB extends DBSchema {
  clips: { key: string; value: StoredClip; indexes: { byLabel: string; byProject: string; byProjectLabel: [string, string] } };
  meta: { key: string; value: { key: string; value: unknown } };
  models: { key: string; value: ModelRecord };
  projects: { key: string; value: Project };
}

export type OpenDBFn = typeof idbOpenDB;

export interface ClipStoreOptions {
  openDB?: OpenDBFn;
  /** Database name; default 'earshot'. */
  name?: string;
  /** Id maker for new projects (tests pass a counter); default crypto.randomUUID. */
  newId?: () => string;
}

export interface ClipStore {
  /** The open project (a copy). */
  project(): Project;
  listProjects(): Promise<Project[]>;
  createProject(name: string, config?: FeatureConfig): Promise<Project>;
  renameProject(id: string, name: string): Promise<Project>;
  /** Saves the project's FeatureConfig (validated: 'features/bad-config'); the page runs on the open project's. */
  setProjectConfig(id: string, config: FeatureConfig): Promise<Project>;
  /** Keep the model editor's draft with the project (null forgets it); a draft of the wrong shape is refused ('spec/invalid'). */
  setDesignDraft(id: string, draft: DesignDraft | null): Promise<void>;
  /** Copies classes, clips (new ids), the model and the named models in one transaction. */
  duplicateProject(id: string, name?: string): Promise<Project>;
  /** Deletes a project with its clips, model and named models in one transaction; the last project is replaced by an empty one. */
  deleteProject(id: string): Promise<void>;
  /** Makes `id` the open project (remembered across reloads); one stored without a valid FeatureConfig gets the default, saved. */
  useProject(id: string): Promise<Project>;
  /** A new project holding `clips`, written in one transaction (nothing is written on failure). */
  importProject(name: string, classes: string[], clips: Clip[], config: FeatureConfig): Promise<Project>;
  listClips(): Promise<Clip[]>;
  putClip(clip: Clip): Promise<void>;
  /** Saves several clips (new or changed, e.g. speakers set in bulk) in one transaction: all or nothing. */
  putClips(clips: readonly Clip[]): Promise<void>;
  deleteClip(id: string): Promise<void>;
  /** Removes the class and all its clips in one transaction. */
  deleteClass(label: string, classes: string[]): Promise<void>;
  /** Moves every clip of `from` to `to` and saves the class list, in one transaction. */
  renameClass(from: string, to: string, classes: string[]): Promise<void>;
  listClasses(): Promise<string[]>;
  putClasses(labels: string[]): Promise<void>;
  saveModel(files: ModelFiles): Promise<void>;
  loadModel(): Promise<ModelFiles | undefined>;
  deleteModel(): Promise<void>;
  /** Named models of the current project, kept beside the current one for comparison (issue 5). */
  saveNamedModel(name: string, files: ModelFiles): Promise<void>;
  listNamedModels(): Promise<{ name: string; files: ModelFiles; savedAtMs: number }[]>;
  deleteNamedModel(name: string): Promise<void>;
  close(): void;
}

export const DB_VERSION = 2;
const CURRENT_KEY = 'currentProject';
export const V1_PROJECT_ID = 'default';
export const V1_PROJECT_NAME = 'My project';

/** What to do when the browser's storage is full (shown with every store/quota error). */
export const QUOTA_ADVICE =
  'Free space: export this project as a dataset zip (it keeps everything), then delete clips or projects you no longer need, or allow this site more storage in the browser settings.';

/** Map a storage failure to a typed error (quota gets its own code and advice). */
export function storeError(e: unknown, what: string): EarshotError {
  if (e instanceof EarshotError) return e;
  const err = e as { name?: string; inner?: { name?: string } } | null;
  if (err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError') {
    return new EarshotError('store/quota', `browser storage is full: could not ${what}. ${QUOTA_ADVICE}`, { cause: e });
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

type UpgradeTx = IDBPTransaction<EarshotDB, StoreNames<EarshotDB>[], 'versionchange'>;
type Migration = (db: IDBPDatabase<EarshotDB>, tx: UpgradeTx) => Promise<void> | void;

/** v1 as shipped by the walking skeleton (kept verbatim so old databases and tests agree). */
export function createV1(db: IDBPDatabase<unknown>): void {
  const clips = db.createObjectStore('clips', { keyPath: 'id' });
  clips.createIndex('byLabel', 'label');
  db.createObjectStore('meta', { keyPath: 'key' });
  db.createObjectStore('models', { keyPath: 'key' });
}

async function migrateV2(db: IDBPDatabase<EarshotDB>, tx: UpgradeTx): Promise<void> {
  db.createObjectStore('projects', { keyPath: 'id' });
  const clips = tx.objectStore('clips');
  clips.createIndex('byProject', 'projectId');
  clips.createIndex('byProjectLabel', ['projectId', 'label']);
  const meta = tx.objectStore('meta');
  const oldClasses = (await meta.get('classes'))?.value;
  const classes = Array.isArray(oldClasses) ? oldClasses.filter((x): x is string => typeof x === 'string') : [];
  let v1Clips = 0;
  for (let cur = await clips.openCursor(); cur; cur = await cur.continue()) {
    const c = cur.value as StoredClip;
    if (!classes.includes(c.label)) classes.push(c.label);
    await cur.update({ ...c, projectId: V1_PROJECT_ID });
    v1Clips++;
  }
  // A v1 page recorded with the features of its day; a new database starts from the recommended ones.
  const config = v1Clips > 0 || classes.length > 0 ? DEFAULT_FEATURE_CONFIG : undefined;
  await tx.objectStore('projects').put(makeProject({ id: V1_PROJECT_ID, name: V1_PROJECT_NAME, classes, config }));
  await meta.delete('classes');
  await meta.put({ key: CURRENT_KEY, value: V1_PROJECT_ID });
  const models = tx.objectStore('models');
  const old = await models.get('current');
  if (old) {
    await models.put({ ...old, key: V1_PROJECT_ID });
    await models.delete('current');
  }
  clips.deleteIndex('byLabel');
}

/** MIGRATIONS[v] upgrades a v−1 database to v (MIGRATIONS[1] creates v1 from nothing). */
const MIGRATIONS: Record<number, Migration> = {
  1: (db) => createV1(db as IDBPDatabase<unknown>),
  2: migrateV2,
};

/**
 * Queue writes on `tx` and wait for the commit. A write that throws synchronously (e.g. a
 * DataCloneError) aborts the whole transaction, so earlier writes of it are undone too.
 */
async function commit<T extends { abort(): void; done: Promise<void> }>(tx: T, writes: (tx: T, queue: (p: Promise<unknown>) => void) => void): Promise<void> {
  const pending: Array<Promise<unknown>> = [];
  try {
    writes(tx, (p) => {
      p.catch(() => undefined); // an abort rejects the queued writes; the caller gets the first error
      pending.push(p);
    });
  } catch (e) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw e;
  }
  await Promise.all([...pending, tx.done]);
}

/** Key of a named model: `${projectId}/${name}` (shares the models store with the current model, keyed by project id). */
function namedKey(projectId: string, name: string): string {
  return `${projectId}/${name}`;
}

/**
 * Every named-model key of one project and nothing else: [`id/`, `id0`) — '0' is the code unit
 * after '/', so any name fits below the upper bound, and 'p10/…' is outside the range of 'p1'.
 */
function namedRange(projectId: string): IDBKeyRange {
  return IDBKeyRange.bound(`${projectId}/`, `${projectId}0`, false, true);
}

function strip(rec: StoredClip): Clip {
  const { projectId: _p, ...clip } = rec;
  return clip;
}

function defaultId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export async function openClipStore(options: ClipStoreOptions = {}): Promise<ClipStore> {
  const open = options.openDB ?? idbOpenDB;
  const name = options.name ?? 'earshot';
  const newId = options.newId ?? defaultId;
  let db!: IDBPDatabase<EarshotDB>;
  db = await guard('open the clip database', () =>
    open<EarshotDB>(name, DB_VERSION, {
      async upgrade(d, oldVersion, newVersion, tx) {
        for (let v = oldVersion + 1; v <= (newVersion ?? DB_VERSION); v++) await MIGRATIONS[v](d, tx);
      },
      // Another tab wants a newer schema: let it have the database.
      blocking() {
        db?.close();
      },
    }),
  );

  /** A project record without a usable FeatureConfig (hand-made or damaged) gets the default one, saved. */
  async function withConfig(p: Project): Promise<Project> {
    const config = (p as { config?: unknown }).config;
    // Fields added later (LATER_FEATURE_FIELDS) may be absent from a project saved before them: off.
    const complete = typeof config === 'object' && config !== null && FIRST_FEATURE_FIELDS.every((k) => k in config) && 'version' in config;
    if (complete && featureConfigProblems(config as Partial<FeatureConfig>).length === 0) return { ...p, config: validateFeatureConfig(config as Partial<FeatureConfig>) };
    const fixed = { ...p, config: validateFeatureConfig(DEFAULT_FEATURE_CONFIG) };
    const tx = db.transaction('projects', 'readwrite');
    await Promise.all([tx.store.put(fixed), tx.done]);
    return fixed;
  }

  async function firstProject(): Promise<Project> {
    const all = await db.getAll('projects');
    const remembered = (await db.get('meta', CURRENT_KEY))?.value;
    const found = all.find((p) => p.id === remembered) ?? all.sort((a, b) => a.createdAtMs - b.createdAtMs)[0];
    if (found) return withConfig(found);
    const p = makeProject({ id: newId(), name: V1_PROJECT_NAME });
    const tx = db.transaction(['projects', 'meta'], 'readwrite');
    await Promise.all([tx.objectStore('projects').put(p), tx.objectStore('meta').put({ key: CURRENT_KEY, value: p.id }), tx.done]);
    return p;
  }

  let current: Project = await guard('open the project', firstProject);

  async function getProject(id: string): Promise<Project> {
    const p = await db.get('projects', id);
    if (!p) throw new EarshotError('store/not-found', `no project with id ${id}`);
    return p;
  }

  async function putProject(p: Project): Promise<void> {
    const tx = db.transaction('projects', 'readwrite');
    await Promise.all([tx.store.put(p), tx.done]);
    if (p.id === current.id) current = p;
  }

  async function names(): Promise<string[]> {
    return (await db.getAll('projects')).map((p) => p.name);
  }

  const store: ClipStore = {
    project: () => structuredClone(current),
    listProjects: () =>
      guard('read projects', async () => (await db.getAll('projects')).sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id))),
    createProject: (raw, config) =>
      guard('create the project', async () => {
        const p = makeProject({ id: newId(), name: uniqueName(validateProjectName(raw), await names()), config: config ?? current.config });
        await putProject(p);
        return p;
      }),
    renameProject: (id, raw) =>
      guard('rename the project', async () => {
        const nameOk = validateProjectName(raw);
        const p = { ...(await getProject(id)), name: nameOk };
        await putProject(p);
        return p;
      }),
    setProjectConfig: (id, raw) =>
      guard('save the feature settings', async () => {
        const config = validateFeatureConfig(raw);
        const p = { ...(await getProject(id)), config };
        await putProject(p);
        return structuredClone(p);
      }),
    setDesignDraft: (id, draft) =>
      guard('save the network draft', async () => {
        const checked = draft === null ? undefined : checkDesignDraft(draft);
        if (draft !== null && !checked) throw new EarshotError('spec/invalid', 'a design draft needs a name and a list of layers with a type');
        const { designDraft: _old, ...rest } = await getProject(id);
        const p: Project = checked ? { ...rest, designDraft: checked } : rest;
        await putProject(p);
      }),
    duplicateProject: (id, raw) =>
      guard('duplicate the project', async () => {
        const src = await getProject(id);
        const p = makeProject({
          id: newId(),
          name: uniqueName(validateProjectName(raw ?? `${src.name} copy`), await names()),
          classes: src.classes,
          config: src.config,
          designDraft: src.designDraft,
        });
        const tx = db.transaction(['projects', 'clips', 'models'], 'readwrite');
        const clips = await tx.objectStore('clips').index('byProject').getAll(id);
        const model = await tx.objectStore('models').get(id);
        const named = await tx.objectStore('models').getAll(namedRange(id));
        await commit(tx, (t, q) => {
          q(t.objectStore('projects').put(p));
          for (const c of clips) q(t.objectStore('clips').put({ ...c, id: newId(), projectId: p.id }));
          if (model) q(t.objectStore('models').put({ ...model, key: p.id }));
          for (const m of named) q(t.objectStore('models').put({ ...m, key: namedKey(p.id, m.key.slice(id.length + 1)) }));
        });
        return p;
      }),
    deleteProject: (id) =>
      guard('delete the project', async () => {
        await getProject(id);
        const tx = db.transaction(['projects', 'clips', 'models', 'meta'], 'readwrite');
        const keys = await tx.objectStore('clips').index('byProject').getAllKeys(id);
        const named = await tx.objectStore('models').getAllKeys(namedRange(id));
        await commit(tx, (t, q) => {
          for (const k of keys) q(t.objectStore('clips').delete(k));
          q(t.objectStore('models').delete(id));
          for (const k of named) q(t.objectStore('models').delete(k));
          q(t.objectStore('projects').delete(id));
        });
        if (current.id === id) {
          const meta = db.transaction('meta', 'readwrite');
          await Promise.all([meta.store.delete(CURRENT_KEY), meta.done]);
          current = await firstProject();
          await store.useProject(current.id);
        }
      }),
    useProject: (id) =>
      guard('open the project', async () => {
        const p = await withConfig(await getProject(id));
        const tx = db.transaction('meta', 'readwrite');
        await Promise.all([tx.store.put({ key: CURRENT_KEY, value: id }), tx.done]);
        current = p;
        return structuredClone(p);
      }),
    importProject: (raw, classes, clips, config) =>
      guard('import the project', async () => {
        const p = makeProject({ id: newId(), name: uniqueName(validateProjectName(raw), await names()), classes, config });
        await commit(db.transaction(['projects', 'clips'], 'readwrite'), (t, q) => {
          q(t.objectStore('projects').put(p));
          for (const c of clips) q(t.objectStore('clips').put({ ...c, projectId: p.id }));
        });
        return p;
      }),
    listClips: () =>
      guard('read clips', async () => {
        const all = await db.getAllFromIndex('clips', 'byProject', current.id);
        return all.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id)).map(strip);
      }),
    putClip: (clip) =>
      guard('save the clip', async () => {
        await commit(db.transaction('clips', 'readwrite'), (t, q) => q(t.store.put({ ...clip, projectId: current.id })));
      }),
    putClips: (clips) =>
      guard('save the clips', async () => {
        if (clips.length === 0) return;
        await commit(db.transaction('clips', 'readwrite'), (t, q) => {
          for (const c of clips) q(t.store.put({ ...c, projectId: current.id }));
        });
      }),
    deleteClip: (id) =>
      guard('delete the clip', async () => {
        const tx = db.transaction('clips', 'readwrite');
        await Promise.all([tx.store.delete(id), tx.done]);
      }),
    deleteClass: (label, classes) =>
      guard(`delete class ${label}`, async () => {
        const p = { ...current, classes: classes.filter((c) => c !== label) };
        const tx = db.transaction(['clips', 'projects'], 'readwrite');
        const clips = tx.objectStore('clips');
        const keys = await clips.index('byProjectLabel').getAllKeys([current.id, label]);
        await Promise.all([...keys.map((k) => clips.delete(k)), tx.objectStore('projects').put(p), tx.done]);
        current = p;
      }),
    renameClass: (from, to, classes) =>
      guard(`rename class ${from}`, async () => {
        const p = { ...current, classes: [...classes] };
        const tx = db.transaction(['clips', 'projects'], 'readwrite');
        const clips = tx.objectStore('clips');
        const recs = await clips.index('byProjectLabel').getAll([current.id, from]);
        await commit(tx, (t, q) => {
          for (const c of recs) q(t.objectStore('clips').put({ ...c, label: to }));
          q(t.objectStore('projects').put(p));
        });
        current = p;
      }),
    listClasses: () => guard('read classes', async () => [...(await getProject(current.id)).classes]),
    putClasses: (labels) => guard('save classes', () => putProject({ ...current, classes: [...labels] })),
    saveModel: (files) =>
      guard('save the model', async () => {
        const tx = db.transaction('models', 'readwrite');
        await Promise.all([tx.store.put({ key: current.id, files, savedAtMs: Date.now() }), tx.done]);
      }),
    loadModel: () => guard('read the model', async () => (await db.get('models', current.id))?.files),
    deleteModel: () =>
      guard('delete the model', async () => {
        const tx = db.transaction('models', 'readwrite');
        await Promise.all([tx.store.delete(current.id), tx.done]);
      }),
    // Named models share the models store, keyed `${projectId}/${name}` (no schema change).
    saveNamedModel: (name, files) =>
      guard('save the model', async () => {
        const tx = db.transaction('models', 'readwrite');
        await Promise.all([tx.store.put({ key: namedKey(current.id, name), files, savedAtMs: Date.now() }), tx.done]);
      }),
    listNamedModels: () =>
      guard('read the models', async () => {
        const all = await db.getAll('models', namedRange(current.id));
        return all.map((r) => ({ name: r.key.slice(current.id.length + 1), files: r.files, savedAtMs: r.savedAtMs }));
      }),
    deleteNamedModel: (name) =>
      guard('delete the model', async () => {
        const tx = db.transaction('models', 'readwrite');
        await Promise.all([tx.store.delete(namedKey(current.id, name)), tx.done]);
      }),
    close: () => db.close(),
  };
  return store;
}
