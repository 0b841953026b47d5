/**
 * DatasetState: classes and clips of the open project, persisted through a ClipStore.
 * A clip appears in `clips` only after its IndexedDB transaction committed; samples are
 * snapped to the 16-bit grid on the way in (audio/pcm16.ts) so an exported archive gives
 * them back bit-exactly. Imports never stop at a bad file and never touch saved clips.
 */
import { makeClip, validateLabel, type Clip, type ClipSource } from '../core/dataset/clip.ts';
import { EarshotError, describeError } from '../core/errors.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape, type FeatureConfig } from '../core/dsp/feature-config.ts';
import { prepareSamples } from '../core/audio/prepare.ts';
import { quantizePcm16 } from '../core/audio/pcm16.ts';
import { decodeWav, toMono, MAX_WAV_BYTES, type DecodedAudio } from '../core/audio/wav.ts';
import { readArchive, validateTag, writeArchive } from '../core/dataset/archive.ts';
import { baseName, labelFromPath } from '../core/dataset/import-path.ts';
import type { Project } from '../core/dataset/project.ts';
import type { ClipStore } from '../platform/clip-store.ts';

export interface ImportFile {
  name: string;
  /** Relative path when it came from a folder (`yes/take1.wav`): the folder names the class. */
  path?: string;
  /** Size in bytes when known: too-large files are refused before they are read. */
  size?: number;
  bytes(): Promise<ArrayBuffer>;
}

export interface ImportReport {
  imported: number;
  /** One readable line per file that could not be imported. */
  failures: { name: string; message: string }[];
  /** The clips were marked training only (ImportOptions.trainOnly). */
  trainOnly?: true;
}

export interface ClipTags {
  speaker?: string;
  session?: string;
}

export interface ImportOptions {
  /** Mark every imported clip training only (Clip.trainOnly: extra voices, e.g. from `earshot voices`). */
  trainOnly?: boolean;
}

/** Decoder for non-WAV files (the browser's decodeAudioData); absent in Node. */
export type DecodeOther = (bytes: Uint8Array) => Promise<DecodedAudio>;

/** A class is out of balance when it has fewer than this share of the largest class's clips. */
export const BALANCE_RATIO = 0.5;

export function newId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Readable warning when classes are badly out of balance, or null. */
export function balanceWarning(classes: readonly string[], countFor: (label: string) => number): string | null {
  if (classes.length < 2) return null;
  const counts = classes.map((c) => [c, countFor(c)] as const);
  const max = Math.max(...counts.map(([, n]) => n));
  if (max === 0) return null;
  const low = counts.filter(([, n]) => n < max * BALANCE_RATIO).map(([c, n]) => `“${c}” (${n})`);
  return low.length ? `Unbalanced: ${low.join(', ')} ${low.length === 1 ? 'has' : 'have'} less than half the clips of the largest class (${max}). Record more, or the model will favour the big classes.` : null;
}

/** The clip with these tags ('' clears, undefined keeps), checked like archive tags ('dataset/bad-label'). */
export function withTags(clip: Clip, tags: ClipTags): Clip {
  const next: Clip = { ...clip };
  for (const k of ['speaker', 'session'] as const) {
    const raw = tags[k];
    if (raw === undefined) continue;
    const v = validateTag(raw, k);
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  return next;
}

/** The clip marked training only, or not (the field is absent on a regular clip). */
export function withTrainOnly(clip: Clip, on: boolean): Clip {
  const { trainOnly: _old, ...rest } = clip;
  return on ? { ...rest, trainOnly: true } : rest;
}

export class DatasetState {
  classes = $state<string[]>([]);
  clips = $state.raw<Clip[]>([]);
  selected = $state<string | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** Files done / total of the running import (null when none runs). */
  progress = $state<{ done: number; total: number } | null>(null);
  /** The last deleted clip, for undo. */
  lastDeleted = $state.raw<Clip | null>(null);
  readonly config: FeatureConfig;
  readonly #store: ClipStore;
  readonly #decodeOther: DecodeOther | undefined;

  counts = $derived.by(() => {
    const m = new Map<string, number>();
    for (const c of this.clips) m.set(c.label, (m.get(c.label) ?? 0) + 1);
    return m;
  });

  balance = $derived(balanceWarning(this.classes, (l) => this.counts.get(l) ?? 0));

  constructor(store: ClipStore, config: FeatureConfig = DEFAULT_FEATURE_CONFIG, decodeOther?: DecodeOther) {
    this.#store = store;
    this.config = config;
    this.#decodeOther = decodeOther;
  }

  get project(): Project {
    return this.#store.project();
  }

  async load(): Promise<void> {
    const [classes, clips] = await Promise.all([this.#store.listClasses(), this.#store.listClips()]);
    // Classes named by clips but missing from the list (older data) are kept too.
    const all = [...classes];
    for (const c of clips) if (!all.includes(c.label)) all.push(c.label);
    this.classes = all;
    this.clips = clips;
    this.selected = all[0] ?? null;
    this.loaded = true;
  }

  countFor(label: string): number {
    return this.counts.get(label) ?? 0;
  }

  clipsFor(label: string): Clip[] {
    return this.clips.filter((c) => c.label === label);
  }

  async addClass(raw: string): Promise<void> {
    const label = validateLabel(raw);
    if (this.classes.includes(label)) throw new EarshotError('dataset/bad-label', `class "${label}" already exists`);
    await this.#ensureClass(label);
    this.selected = label;
  }

  async #ensureClass(label: string): Promise<void> {
    if (this.classes.includes(label)) return;
    const next = [...this.classes, label];
    await this.#store.putClasses(next);
    this.classes = next;
    this.selected ??= label;
  }

  async removeClass(label: string): Promise<void> {
    await this.#store.deleteClass(label, this.classes);
    this.classes = this.classes.filter((c) => c !== label);
    this.clips = this.clips.filter((c) => c.label !== label);
    if (this.selected === label) this.selected = this.classes[0] ?? null;
  }

  async renameClass(from: string, raw: string): Promise<void> {
    const to = validateLabel(raw);
    if (to === from) return;
    if (this.classes.includes(to)) throw new EarshotError('dataset/bad-label', `class "${to}" already exists`);
    const next = this.classes.map((c) => (c === from ? to : c));
    await this.#store.renameClass(from, to, next);
    this.classes = next;
    this.clips = this.clips.map((c) => (c.label === from ? { ...c, label: to } : c));
    if (this.selected === from) this.selected = to;
  }

  select(label: string): void {
    if (this.classes.includes(label)) this.selected = label;
  }

  /** Save a clip (samples already at config rate and length); resolves once committed. */
  async addClip(label: string, samples: Float32Array, source: ClipSource, name?: string, tags: ClipTags = {}, trainOnly = false): Promise<Clip> {
    if (!this.classes.includes(label)) throw new EarshotError('dataset/bad-label', `no class "${label}": add it first`);
    const clip = makeClip({ id: newId(), label, samples: quantizePcm16(samples), sampleRateHz: this.config.sampleRateHz, source, name, ...tags, trainOnly });
    await this.#store.putClip(clip);
    this.clips = [...this.clips, clip];
    return clip;
  }

  async #replace(clip: Clip): Promise<void> {
    await this.#store.putClip(clip);
    this.clips = this.clips.map((c) => (c.id === clip.id ? clip : c));
  }

  #find(id: string): Clip {
    const clip = this.clips.find((c) => c.id === id);
    if (!clip) throw new EarshotError('dataset/not-found', `no clip ${id}`);
    return clip;
  }

  async relabel(id: string, label: string): Promise<void> {
    if (!this.classes.includes(label)) throw new EarshotError('dataset/bad-label', `no class "${label}"`);
    await this.#replace({ ...this.#find(id), label });
  }

  /** Set speaker/session ('' clears); values are checked like archive tags. */
  async setTags(id: string, tags: ClipTags): Promise<void> {
    await this.#replace(withTags(this.#find(id), tags));
  }

  /**
   * Set speaker/session of many clips (clip id → tags; '' clears, undefined keeps) in one
   * transaction: every value is checked first, then all are saved or none. Resolves to the count.
   */
  async setTagsMany(changes: ReadonlyMap<string, ClipTags>): Promise<number> {
    const next = [...changes].map(([id, tags]) => withTags(this.#find(id), tags));
    await this.#store.putClips(next);
    const byId = new Map(next.map((c) => [c.id, c]));
    this.clips = this.clips.map((c) => byId.get(c.id) ?? c);
    return next.length;
  }

  /** Mark (or unmark) these clips training only, in one transaction; resolves to the count changed. */
  async setTrainOnlyMany(ids: readonly string[], on: boolean): Promise<number> {
    const next = ids.map((id) => this.#find(id)).filter((c) => (c.trainOnly === true) !== on).map((c) => withTrainOnly(c, on));
    await this.#store.putClips(next);
    const byId = new Map(next.map((c) => [c.id, c]));
    this.clips = this.clips.map((c) => byId.get(c.id) ?? c);
    return next.length;
  }

  async deleteClip(id: string): Promise<void> {
    const clip = this.clips.find((c) => c.id === id) ?? null;
    await this.#store.deleteClip(id);
    this.clips = this.clips.filter((c) => c.id !== id);
    this.lastDeleted = clip;
  }

  /** Put the last deleted clip back (same id, same samples). */
  async undoDelete(): Promise<void> {
    const clip = this.lastDeleted;
    if (!clip) return;
    await this.#ensureClass(clip.label);
    await this.#store.putClip(clip);
    this.clips = [...this.clips, clip].sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
    this.lastDeleted = null;
  }

  async #decode(bytes: Uint8Array): Promise<DecodedAudio> {
    try {
      return decodeWav(bytes);
    } catch (e) {
      if (e instanceof EarshotError && e.code === 'wav/not-riff' && this.#decodeOther) return this.#decodeOther(bytes);
      throw e;
    }
  }

  async #importOne(f: ImportFile, fallback: string | null, trainOnly: boolean): Promise<void> {
    const label = labelFromPath(f.path) ?? fallback;
    if (!label) throw new EarshotError('dataset/bad-label', 'select or add a class first (or drop a folder named after the class)');
    validateLabel(label);
    if (f.size !== undefined && f.size > MAX_WAV_BYTES) throw new EarshotError('wav/too-large', `${f.size} bytes is more than the ${MAX_WAV_BYTES} bytes a file may have here`);
    const audio = await this.#decode(new Uint8Array(await f.bytes()));
    const samples = prepareSamples(toMono(audio.channels), audio.sampleRateHz, this.config);
    await this.#ensureClass(label);
    await this.addClip(label, samples, 'file', baseName(f.path ?? f.name), {}, trainOnly);
  }

  /**
   * Import audio files: a file from a folder goes to the class named by its folder (created
   * if needed), a bare file to `label`. Every bad file gets a message; the others import.
   * With `trainOnly` every clip is marked training only (extra voices: never held out or scored).
   */
  async importFiles(files: readonly ImportFile[], label = this.selected, options: ImportOptions = {}): Promise<ImportReport> {
    const report: ImportReport = options.trainOnly === true ? { imported: 0, failures: [], trainOnly: true } : { imported: 0, failures: [] };
    this.progress = { done: 0, total: files.length };
    try {
      for (const f of files) {
        try {
          await this.#importOne(f, label, options.trainOnly === true);
          report.imported++;
        } catch (e) {
          report.failures.push({ name: f.path ?? f.name, message: describeError(e) });
        }
        this.progress = { done: report.imported + report.failures.length, total: files.length };
      }
    } finally {
      this.progress = null;
    }
    return report;
  }

  /**
   * The open project as a dataset zip (see core/dataset/archive.ts) with the project's stored
   * FeatureConfig. Clips are stored at the rate and length the page had when they were made; one
   * that differs from the project's config now (its features were edited since) is resampled and
   * fitted to it, the others go out bit-exactly.
   */
  exportArchive(): Uint8Array {
    const p = this.#store.project();
    const config = p.config;
    const inputSamples = featureShape(config).inputSamples;
    const clips = this.clips.map((c) =>
      c.sampleRateHz === config.sampleRateHz && c.samples.length === inputSamples ? c : { ...c, samples: quantizePcm16(prepareSamples(c.samples, c.sampleRateHz, config)), sampleRateHz: config.sampleRateHz },
    );
    return writeArchive({ name: p.name, config, classes: this.classes }, clips);
  }

  /**
   * Read a dataset zip into a NEW project (all or nothing; the open project is not touched) whose
   * FeatureConfig is the archive's (readArchive gives the clips at that config's rate and length).
   * Resolves to the new project; throws a typed error for a bad archive.
   */
  async importArchive(bytes: Uint8Array): Promise<Project> {
    const { manifest, clips } = readArchive(bytes, newId);
    return this.#store.importProject(manifest.project.name, manifest.labels, clips, manifest.project.config);
  }

  get clipSamples(): number {
    return featureShape(this.config).inputSamples;
  }
}
