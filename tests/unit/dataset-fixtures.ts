/** Test helper: a DatasetState over a clip store in the current (fake) IndexedDB, loaded. */
import { openClipStore } from '../../src/platform/clip-store.ts';
import { DatasetState } from '../../src/state/dataset.svelte.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';

export async function openDatasetState() {
  const store = await openClipStore();
  // These tests record 16 kHz clips: the project runs on the 16 kHz base config, not the recommended one.
  await store.setProjectConfig(store.project().id, DEFAULT_FEATURE_CONFIG);
  const ds = new DatasetState(store, DEFAULT_FEATURE_CONFIG);
  await ds.load();
  return { store, ds };
}
