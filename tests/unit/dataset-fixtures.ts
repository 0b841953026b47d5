/** Test helper: a DatasetState over a clip store in the current (fake) IndexedDB, loaded. */
import { openClipStore } from '../../src/platform/clip-store.ts';
import { DatasetState } from '../../src/state/dataset.svelte.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';

export async function openDatasetState() {
  const store = await openClipStore();
  const ds = new DatasetState(store, DEFAULT_FEATURE_CONFIG);
  await ds.load();
  return { store, ds };
}
