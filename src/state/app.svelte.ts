/**
 * The page's state graph: one store, lazily started workers, one state object per screen.
 * Platform objects are injectable (tests pass fakes with real behaviour).
 */
import { DEFAULT_FEATURE_CONFIG, featureShape, type FeatureConfig } from '../core/dsp/feature-config.ts';
import type { ModelSpec } from '../core/model/spec.ts';
import { presetSpec } from '../core/model/presets.ts';
import { openClipStore, type ClipStoreOptions } from '../platform/clip-store.ts';
import { openMicrophone, type OpenMicrophone } from '../platform/microphone.ts';
import { downloadFile } from '../platform/download.ts';
import { createFeaturesClient, type FeaturesClient } from '../workers/features-bridge.ts';
import { createTrainClient, type TrainClient } from '../workers/train-bridge.ts';
import { DatasetState } from './dataset.svelte.ts';
import { RecorderState } from './recorder.svelte.ts';
import { FeatureCache } from './features.svelte.ts';
import { ModelState } from './model.svelte.ts';
import { ExportState, type SaveBytes, type SaveFile } from './export.svelte.ts';
import { FitState } from './fit.svelte.ts';
import { DesignState } from './design.svelte.ts';
import { LiveState } from './live.svelte.ts';
import { DemoState } from './demo.svelte.ts';
import { ProjectsState } from './projects.svelte.ts';
import { browserDecoder } from '../platform/decode-audio.ts';

export interface AppDeps {
  store?: ClipStoreOptions;
  openMicrophone?: OpenMicrophone;
  featuresClient?: () => FeaturesClient;
  trainClient?: () => TrainClient;
  save?: SaveFile;
  /** Binary downloads (.tflite, zips); default: the browser download. */
  saveBytes?: SaveBytes;
  config?: FeatureConfig;
  /** After another project was opened; default: reload the page. */
  onProjectSwitch?: () => void;
}

export interface AppState {
  config: FeatureConfig;
  dataset: DatasetState;
  recorder: RecorderState;
  features: FeatureCache;
  model: ModelState;
  fit: FitState;
  design: DesignState;
  live: LiveState;
  exporter: ExportState;
  demo: DemoState;
  projects: ProjectsState;
}

function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

export async function createAppState(deps: AppDeps = {}): Promise<AppState> {
  const config = deps.config ?? DEFAULT_FEATURE_CONFIG;
  const store = await openClipStore(deps.store);
  const features = lazy(deps.featuresClient ?? (() => createFeaturesClient()));
  const train = lazy(deps.trainClient ?? (() => createTrainClient()));
  const model = new ModelState(train, store, config);
  const dataset = new DatasetState(store, config, typeof OfflineAudioContext === 'undefined' ? undefined : browserDecoder(config.sampleRateHz));
  // Before training, the fit screen estimates the spec the chosen preset would build.
  const shape = featureShape(config);
  const presetDraft = (): ModelSpec | null => {
    try {
      return presetSpec(model.preset, [shape.frames, shape.bands, 1], Math.max(2, dataset.classes.length));
    } catch {
      return null;
    }
  };
  const app: AppState = {
    config,
    dataset,
    recorder: new RecorderState(deps.openMicrophone ?? openMicrophone, config),
    features: new FeatureCache(features, config),
    model,
    fit: new FitState(() => model.artifact?.spec ?? null, config, presetDraft),
    design: new DesignState([shape.frames, shape.bands, 1], Math.max(2, dataset.classes.length), 'ds-cnn-s'),
    live: new LiveState(train, deps.openMicrophone ?? openMicrophone, model, config),
    exporter: new ExportState(
      train,
      deps.save ?? ((name, text) => downloadFile(name, text, { mime: 'text/x-c' })),
      deps.saveBytes ?? ((name, bytes, mime) => downloadFile(name, bytes, { mime })),
    ),
    projects: new ProjectsState(store, deps.onProjectSwitch ?? (() => location.reload())),
    // "Try the demo" opens a new project: the screens reload from the store afterwards.
    demo: new DemoState({ store, config, afterSwitch: async () => void (await Promise.all([app.dataset.load(), app.model.load(), app.projects.load()])) }),
  };
  await Promise.all([app.dataset.load(), app.model.load(), app.projects.load()]);
  return app;
}
