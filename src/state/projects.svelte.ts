/**
 * ProjectsState: the project list and the open project. Opening another project persists the
 * choice and then calls `onSwitch` (the page reloads, so every screen rebuilds from the store
 * for that project: nothing in memory can leak from one project into another). The open
 * project's FeatureConfig is the page's; `saveConfig` stores an edited one into it.
 */
import type { Project } from '../core/dataset/project.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import { describeError } from '../core/errors.ts';
import type { ClipStore } from '../platform/clip-store.ts';
import type { DatasetState } from './dataset.svelte.ts';

export class ProjectsState {
  list = $state.raw<Project[]>([]);
  current = $state.raw<Project>(undefined as unknown as Project);
  /** Dataset zip import: running, and the last refusal (typed code in brackets). */
  archiveBusy = $state(false);
  archiveError = $state<string | null>(null);
  /** Archive imports finished (ok or refused): lets a view tell one result from the next. */
  archiveAttempts = $state(0);
  readonly #store: ClipStore;
  readonly #onSwitch: () => void;

  constructor(store: ClipStore, onSwitch: () => void) {
    this.#store = store;
    this.#onSwitch = onSwitch;
    this.current = store.project();
  }

  async load(): Promise<void> {
    this.list = await this.#store.listProjects();
    this.current = this.#store.project();
  }

  async open(id: string): Promise<void> {
    if (id === this.current.id) return;
    await this.#store.useProject(id);
    this.#onSwitch();
  }

  async create(name: string): Promise<void> {
    const p = await this.#store.createProject(name);
    await this.open(p.id);
  }

  async rename(id: string, name: string): Promise<void> {
    await this.#store.renameProject(id, name);
    await this.load();
  }

  /** Save the open project's FeatureConfig (the features screen calls this on every change). */
  async saveConfig(config: FeatureConfig): Promise<void> {
    const p = await this.#store.setProjectConfig(this.#store.project().id, config);
    this.current = p;
    this.list = this.list.map((x) => (x.id === p.id ? p : x));
  }

  async duplicate(id: string): Promise<Project> {
    const p = await this.#store.duplicateProject(id);
    await this.load();
    return p;
  }

  async remove(id: string): Promise<void> {
    const wasOpen = id === this.current.id;
    await this.#store.deleteProject(id);
    if (wasOpen) this.#onSwitch();
    else await this.load();
  }

  /** Import a dataset zip as a new project and open it; a bad archive leaves everything as it was. */
  async importArchive(bytes: Uint8Array, dataset: DatasetState): Promise<boolean> {
    this.archiveBusy = true;
    this.archiveError = null;
    try {
      const p = await dataset.importArchive(bytes);
      await this.open(p.id);
      return true;
    } catch (e) {
      this.archiveError = describeError(e);
      return false;
    } finally {
      this.archiveBusy = false;
      this.archiveAttempts++;
    }
  }
}
