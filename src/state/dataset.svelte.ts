/**
 * DatasetState: classes and clips, persisted through a ClipStore. A clip appears in `clips`
 * only after its IndexedDB transaction committed.
 */
import { makeClip, validateLabel, type Clip, type ClipSource } from '../core/dataset/clip.ts';
import { EarshotError, describeError } from '../core/errors.ts';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../core/dsp/feature-config.ts';
import { decodeForModel } from '../core/audio/prepare.ts';
import type { ClipStore } from '../platform/clip-store.ts';

export interface ImportFile {
  name: string;
  bytes(): Promise<ArrayBuffer>;
}

export interface ImportReport {
  imported: number;
  /** One readable line per file that could not be imported. */
  failures: { name: string; message: string }[];
}

export function newId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export class DatasetState {
  classes = $state<string[]>([]);
  clips = $state.raw<Clip[]>([]);
  selected = $state<string | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  readonly config: FeatureConfig;
  readonly #store: ClipStore;

  counts = $derived.by(() => {
    const m = new Map<string, number>();
    for (const c of this.clips) m.set(c.label, (m.get(c.label) ?? 0) + 1);
    return m;
  });

  constructor(store: ClipStore, config: FeatureConfig = DEFAULT_FEATURE_CONFIG) {
    this.#store = store;
    this.config = config;
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
    const next = [...this.classes, label];
    await this.#store.putClasses(next);
    this.classes = next;
    this.selected = label;
  }

  async removeClass(label: string): Promise<void> {
    await this.#store.deleteClass(label, this.classes);
    this.classes = this.classes.filter((c) => c !== label);
    this.clips = this.clips.filter((c) => c.label !== label);
    if (this.selected === label) this.selected = this.classes[0] ?? null;
  }

  select(label: string): void {
    if (this.classes.includes(label)) this.selected = label;
  }

  /** Save a clip (samples already at config rate and length); resolves once committed. */
  async addClip(label: string, samples: Float32Array, source: ClipSource, name?: string): Promise<Clip> {
    if (!this.classes.includes(label)) throw new EarshotError('dataset/bad-label', `no class "${label}": add it first`);
    const clip = makeClip({ id: newId(), label, samples, sampleRateHz: this.config.sampleRateHz, source, name });
    await this.#store.putClip(clip);
    this.clips = [...this.clips, clip];
    return clip;
  }

  async deleteClip(id: string): Promise<void> {
    await this.#store.deleteClip(id);
    this.clips = this.clips.filter((c) => c.id !== id);
  }

  /** Import WAV files into `label`; every bad file gets a message, the others still import. */
  async importFiles(files: readonly ImportFile[], label = this.selected): Promise<ImportReport> {
    const report: ImportReport = { imported: 0, failures: [] };
    if (!label) {
      report.failures.push(...files.map((f) => ({ name: f.name, message: 'select or add a class first' })));
      return report;
    }
    for (const f of files) {
      try {
        const bytes = new Uint8Array(await f.bytes());
        const samples = decodeForModel(bytes, this.config);
        await this.addClip(label, samples, 'file', f.name);
        report.imported++;
      } catch (e) {
        report.failures.push({ name: f.name, message: describeError(e) });
      }
    }
    return report;
  }
}
