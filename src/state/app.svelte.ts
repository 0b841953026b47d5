/**
 * The page's state graph: one store, lazily started workers, one state object per screen.
 * Platform objects are injectable (tests pass fakes with real behaviour).
 */
import { TRAIN_DEFAULTS } from '../core/pipeline/train-defaults.ts';
import { recommendedFeatureConfig } from '../core/dsp/feature-presets.ts';
import { featureConfigKey, featureShape, type FeatureConfig } from '../core/dsp/feature-config.ts';
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
import { SpeakersState } from './speakers.svelte.ts';
import { connectSearch, type SearchState } from './search.svelte.ts';
import { browserDecoder } from '../platform/decode-audio.ts';

export interface AppDeps {
  store?: ClipStoreOptions;
  openMicrophone?: OpenMicrophone;
  featuresClient?: () => FeaturesClient;
  trainClient?: () => TrainClient;
  save?: SaveFile;
  /** Binary downloads (.tflite, zips); default: the browser download. */
  saveBytes?: SaveBytes;
  /** Overrides the open project's stored FeatureConfig (which the page runs on otherwise). */
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
  speakers: SpeakersState;
  search: SearchState;
}

function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

export async function createAppState(deps: AppDeps = {}): Promise<AppState> {
  const store = await openClipStore(deps.store);
  // The open project's FeatureConfig is the page's (a project switch reloads the page).
  const config = deps.config ?? store.project().config;
  const onProjectSwitch = deps.onProjectSwitch ?? (() => location.reload());
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
    // Feature edits are saved into the open project; the other screens take them on the next load.
    features: new FeatureCache(features, config, { save: (c) => app.projects.saveConfig(c) }),
    model,
    fit: new FitState(() => model.artifact?.spec ?? null, config, presetDraft),
    // The network being designed is kept with the open project across reloads.
    design: new DesignState([shape.frames, shape.bands, 1], Math.max(2, dataset.classes.length), TRAIN_DEFAULTS.preset, {
      draft: store.project().designDraft,
      save: (d) => store.setDesignDraft(store.project().id, d),
    }),
    live: new LiveState(train, deps.openMicrophone ?? openMicrophone, model, config),
    exporter: new ExportState(
      train,
      deps.save ?? ((name, text) => downloadFile(name, text, { mime: 'text/x-c' })),
      deps.saveBytes ?? ((name, bytes, mime) => downloadFile(name, bytes, { mime })),
    ),
    projects: new ProjectsState(store, onProjectSwitch),
    // Speakers in bulk, and the recorder's speaker (remembered per project).
    speakers: new SpeakersState(dataset, () => app.projects.current.id),
    // "Find the best model that fits": in the train worker, for Fit's board; the pick goes to Design/Train.
    search: connectSearch({ train, store, config, dataset, model, get fit() { return app.fit; }, get design() { return app.design; }, get features() { return app.features; } }),
    // "Try the demo" opens a new project with the bundled model's features (the recommended ones,
    // npm run build:demo): the screens reload from the store afterwards, or the whole page when
    // the open project's features differ.
    demo: new DemoState({
      store,
      config: recommendedFeatureConfig(),
      afterSwitch: async () => {
        if (featureConfigKey(store.project().config) !== featureConfigKey(config)) return onProjectSwitch();
        await Promise.all([app.dataset.load(), app.model.load(), app.projects.load()]);
      },
    }),
  };
  await Promise.all([app.dataset.load(), app.model.load(), app.projects.load()]);
  // Training augments with what the Features step's preview is set to (its noise class included).
  model.useAugmentation(() => ({ options: app.features.augmentOptions, noiseLabel: app.features.noiseLabel }));
  return app;
}
