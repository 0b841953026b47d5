/**
 * DemoState: "Try the demo" without a microphone and without network. The demo clips and the
 * demo model (static-models/demo, made by `npm run build:demo`) are bundled as same-origin
 * asset URLs; loading fetches them, decodes the WAVs for the app's FeatureConfig, writes them
 * as a new project in one transaction, opens it, saves the model into it, then lets the app
 * reload its screens (`afterSwitch`).
 */
import { makeClip, type Clip } from '../core/dataset/clip.ts';
import { decodeForModel } from '../core/audio/prepare.ts';
import { EarshotError, describeError } from '../core/errors.ts';
import { featureConfigKey, type FeatureConfig } from '../core/dsp/feature-config.ts';
import { deserializeModel, type ModelFiles } from '../core/model/artifact.ts';
import type { ClipStore } from '../platform/clip-store.ts';
import { newId } from './dataset.svelte.ts';

export const DEMO_PROJECT_NAME = 'Demo: yes / no / noise';

export interface DemoAssets {
  /** Training clips: label, file name, same-origin URL. */
  clips: Array<{ label: string; name: string; url: string }>;
  /** Model files by name (model.json, model.bin) → URL. */
  model: Record<string, string>;
}

/** The bundled demo (Vite turns every file into a hashed same-origin asset URL). */
export function bundledDemoAssets(): DemoAssets {
  const wavs = import.meta.glob<string>('/static-models/demo/data/*/*.wav', { query: '?url', import: 'default', eager: true });
  const files = import.meta.glob<string>('/static-models/demo/model/*', { query: '?url', import: 'default', eager: true });
  const clips = Object.entries(wavs)
    .map(([path, url]) => {
      const [label, name] = path.split('/').slice(-2);
      return { label, name, url };
    })
    .sort((a, b) => a.label.localeCompare(b.label) || a.name.localeCompare(b.name));
  const model: Record<string, string> = {};
  for (const [path, url] of Object.entries(files)) model[path.split('/').pop() ?? path] = url;
  return { clips, model };
}

export type DemoStatus = 'idle' | 'loading' | 'done' | 'error';

export interface DemoDeps {
  store: ClipStore;
  config: FeatureConfig;
  /** Reload the screens from the (now open) demo project. */
  afterSwitch: () => Promise<void>;
  fetch?: (url: string) => Promise<Response>;
  assets?: () => DemoAssets;
}

export class DemoState {
  status = $state<DemoStatus>('idle');
  error = $state<string | null>(null);
  /** Files fetched so far, and in all (clips + model files). */
  done = $state(0);
  total = $state(0);
  readonly #deps: DemoDeps;

  constructor(deps: DemoDeps) {
    this.#deps = deps;
  }

  async #bytes(url: string): Promise<Uint8Array> {
    const get = this.#deps.fetch ?? ((u: string) => fetch(u));
    const res = await get(url);
    if (!res.ok) throw new EarshotError('io/not-found', `the demo file ${url} could not be loaded (HTTP ${res.status})`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.done++;
    return bytes;
  }

  /** Fetch, check and store the demo as a new project, then open it. */
  async load(): Promise<void> {
    if (this.status === 'loading') return;
    const { store, config } = this.#deps;
    this.status = 'loading';
    this.error = null;
    this.done = 0;
    try {
      const assets = (this.#deps.assets ?? bundledDemoAssets)();
      if (assets.clips.length === 0 || !assets.model['model.json']) {
        throw new EarshotError('io/not-found', 'this build has no demo: run npm run build:demo, then build again');
      }
      this.total = assets.clips.length + Object.keys(assets.model).length;
      const files: ModelFiles = {};
      for (const [name, url] of Object.entries(assets.model)) files[name] = await this.#bytes(url);
      const model = deserializeModel(files);
      if (featureConfigKey(model.featureConfig) !== featureConfigKey(config)) {
        throw new EarshotError('model/invalid', 'the demo model was trained with other features than this page uses');
      }
      const clips: Clip[] = [];
      const t0 = Date.now();
      for (const c of assets.clips) {
        const samples = decodeForModel(await this.#bytes(c.url), config);
        clips.push(makeClip({ id: newId(), label: c.label, samples, sampleRateHz: config.sampleRateHz, source: 'file', name: c.name, createdAtMs: t0 + clips.length }));
      }
      const classes = model.labels.filter((l) => clips.some((c) => c.label === l));
      const project = await store.importProject(DEMO_PROJECT_NAME, classes, clips, config);
      await store.useProject(project.id);
      await store.saveModel(files);
      await this.#deps.afterSwitch();
      this.status = 'done';
    } catch (e) {
      this.status = 'error';
      this.error = describeError(e);
    }
  }
}
