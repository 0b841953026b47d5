/**
 * SpeakersState: who speaks in which clip, set many clips at a time. Three ways: the clips ticked
 * in the clip table, a whole class, or a file-name pattern (prefilled with the guessed one) with a
 * live preview of what it would give. Every bulk change is one transaction (DatasetState.setTagsMany).
 * The recorder's "Speaker" field is remembered per project in localStorage (injectable) and saved
 * on every recorded clip. Messages are plain words; error codes are kept beside them for tests.
 */
import { SvelteSet } from 'svelte/reactivity';
import { plainError, type Problem } from './plain-error.ts';
import { validateTag } from '../core/dataset/archive.ts';
import { guessNamePattern } from '../core/dataset/name-pattern.ts';
import { previewNameTags, type NamePreview } from '../core/dataset/name-preview.ts';
import type { ClipTags, DatasetState } from './dataset.svelte.ts';

export type { Problem };

/** What the page remembers between visits (localStorage in the browser). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export type PreviewResult = { ok: true; preview: NamePreview } | ({ ok: false } & Problem);

export const SPEAKER_KEY_PREFIX = 'earshot:recording-speaker:';

function defaultStorage(): KeyValueStore | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled by the browser: the field is then remembered until reload only
  }
}

/** "3 clips" / "1 clip". */
export const clipsText = (n: number) => `${n} clip${n === 1 ? '' : 's'}`;

export class SpeakersState {
  /** Ids of the clips ticked in the clip table. */
  readonly ticked = new SvelteSet<string>();
  busy = $state(false);
  /** What the last bulk change did, or why it was refused (plain words). */
  done = $state<string | null>(null);
  problem = $state.raw<Problem | null>(null);

  readonly #dataset: DatasetState;
  readonly #projectId: () => string;
  readonly #storage: KeyValueStore | null;
  /** The pattern as typed (null: the guess for the current clips). */
  #pattern = $state<string | null>(null);
  /** The recorder's speaker per project id, as typed. */
  #recording = $state<Record<string, string>>({});

  constructor(dataset: DatasetState, projectId: () => string, storage: KeyValueStore | null = defaultStorage()) {
    this.#dataset = dataset;
    this.#projectId = projectId;
    this.#storage = storage;
  }

  /** The clips speakers are for: training-only ones (synthetic voices) are no speaker's, and their `<voice>_1.wav` names would spoil the guess. */
  #regular = $derived.by(() => this.#dataset.clips.filter((c) => c.trainOnly !== true));

  guess = $derived.by(() => guessNamePattern(this.#regular));

  get pattern(): string {
    return this.#pattern ?? this.guess;
  }

  set pattern(v: string) {
    this.#pattern = v;
  }

  preview = $derived.by((): PreviewResult => {
    try {
      return { ok: true, preview: previewNameTags(this.#regular, this.pattern) };
    } catch (e) {
      return { ok: false, ...plainError(e) };
    }
  });

  /** Speakers with their clip counts (name order), how many clips have none, and how many are training only (no speaker's). */
  known = $derived.by(() => {
    const m = new Map<string, number>();
    let none = 0;
    let trainOnly = 0;
    for (const c of this.#dataset.clips) {
      if (c.trainOnly === true) trainOnly++;
      else if (c.speaker === undefined) none++;
      else m.set(c.speaker, (m.get(c.speaker) ?? 0) + 1);
    }
    return { speakers: [...m].sort(([a], [b]) => a.localeCompare(b)).map(([speaker, clips]) => ({ speaker, clips })), none, trainOnly };
  });

  /** The ticked clips that still exist. */
  tickedIds = $derived.by(() => this.#dataset.clips.filter((c) => this.ticked.has(c.id)).map((c) => c.id));

  tick(id: string, on: boolean): void {
    if (on) this.ticked.add(id);
    else this.ticked.delete(id);
  }

  tickAll(on: boolean): void {
    if (!on) this.ticked.clear();
    else for (const c of this.#dataset.clips) this.ticked.add(c.id);
  }

  /** Save what the pattern gives into every clip whose file name fits it. */
  async applyPattern(): Promise<void> {
    const r = this.preview;
    if (!r.ok) {
      this.problem = { message: r.message, code: r.code };
      return;
    }
    const p = r.preview;
    await this.#run(new Map(p.tags), (n) => `Saved ${[p.setsSpeaker ? 'speakers' : '', p.setsSession ? 'sessions' : ''].filter(Boolean).join(' and ')} for ${clipsText(n)} from their file names.`);
  }

  /** Set speaker and/or session ('' or absent: keep) of the ticked clips. */
  async applyToTicked(tags: ClipTags): Promise<void> {
    await this.#applyTo(this.tickedIds, tags, 'Tick some clips in the table first.', (n) => `${clipsText(n)} ticked`);
  }

  /** Set speaker and/or session ('' or absent: keep) of every clip of a class. */
  async applyToClass(label: string, tags: ClipTags): Promise<void> {
    await this.#applyTo(this.#dataset.clipsFor(label).map((c) => c.id), tags, `Class “${label}” has no clips yet.`, (n) => `the ${clipsText(n)} of “${label}”`);
  }

  /** Mark the ticked clips training only (extra voices: never held out, scored or a speaker), or unmark them. */
  async markTicked(on: boolean): Promise<void> {
    const ids = this.tickedIds;
    this.done = null;
    this.problem = null;
    if (ids.length === 0) {
      this.problem = { message: 'Tick some clips in the table first.', code: undefined };
      return;
    }
    await this.#save(() => this.#dataset.setTrainOnlyMany(ids, on), (n) => (on ? `Marked ${clipsText(n)} training only.` : `${clipsText(n)} no longer training only.`));
  }

  async #applyTo(ids: string[], raw: ClipTags, none: string, which: (n: number) => string): Promise<void> {
    const tags: ClipTags = {};
    if (raw.speaker?.trim()) tags.speaker = raw.speaker;
    if (raw.session?.trim()) tags.session = raw.session;
    if (ids.length === 0 || (tags.speaker === undefined && tags.session === undefined)) {
      this.done = null;
      this.problem = { message: ids.length === 0 ? none : 'Type a speaker or a session first.', code: undefined };
      return;
    }
    const said = [tags.speaker !== undefined ? `speaker “${tags.speaker.trim()}”` : '', tags.session !== undefined ? `session “${tags.session.trim()}”` : ''].filter(Boolean).join(' and ');
    await this.#run(new Map(ids.map((id) => [id, tags])), (n) => `Set ${said} for ${which(n)}.`);
  }

  async #run(changes: Map<string, ClipTags>, say: (n: number) => string): Promise<void> {
    this.done = null;
    this.problem = null;
    if (changes.size === 0) {
      this.problem = { message: 'No clip fits: nothing was changed.', code: undefined };
      return;
    }
    await this.#save(() => this.#dataset.setTagsMany(changes), say);
  }

  /** Run a store change of n clips with `busy` set; `done` or `problem` says how it went. */
  async #save(change: () => Promise<number>, say: (n: number) => string): Promise<void> {
    this.busy = true;
    try {
      this.done = say(await change());
    } catch (e) {
      this.problem = plainError(e);
    } finally {
      this.busy = false;
    }
  }

  /** The recorder's "Speaker" field for the open project (remembered across reloads). */
  get recordingSpeaker(): string {
    const id = this.#projectId();
    return this.#recording[id] ?? this.#read(id);
  }

  set recordingSpeaker(v: string) {
    const id = this.#projectId();
    this.#recording[id] = v;
    try {
      this.#storage?.setItem(SPEAKER_KEY_PREFIX + id, v);
    } catch {
      // storage full or disabled: remembered until reload
    }
  }

  #read(id: string): string {
    try {
      return this.#storage?.getItem(SPEAKER_KEY_PREFIX + id) ?? '';
    } catch {
      return '';
    }
  }

  /** Why the recorder's speaker would be refused (plain words), or null. */
  get recordingProblem(): Problem | null {
    try {
      this.recordingTags();
      return null;
    } catch (e) {
      return plainError(e);
    }
  }

  /** Tags for a clip recorded now: the speaker field, checked ('dataset/bad-label'); none when empty. */
  recordingTags(): ClipTags {
    const speaker = validateTag(this.recordingSpeaker, 'speaker');
    return speaker === undefined ? {} : { speaker };
  }
}
