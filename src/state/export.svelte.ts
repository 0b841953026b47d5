/** ExportState: the C header prefix and the download. */
import { EarshotError, describeError } from '../core/errors.ts';
import type { Clip } from '../core/dataset/clip.ts';
import type { ModelArtifact } from '../core/model/artifact.ts';
import type { TrainClient } from '../workers/train-bridge.ts';
import { toLabeled } from './model.svelte.ts';

/** Same rule the C generator enforces: a lower-case C identifier. Checked here for instant feedback. */
export const PREFIX_RE = /^[a-z_][a-z0-9_]{0,30}$/;

export type SaveFile = (name: string, text: string) => void;

export class ExportState {
  prefix = $state('model');
  busy = $state(false);
  error = $state<string | null>(null);
  lastBytes = $state<number | null>(null);
  prefixError = $derived(PREFIX_RE.test(this.prefix) ? null : 'use a lower-case C name: a–z, 0–9, _ (not starting with a digit)');
  readonly #client: () => TrainClient;
  readonly #save: SaveFile;

  constructor(client: () => TrainClient, save: SaveFile) {
    this.#client = client;
    this.#save = save;
  }

  async downloadHeader(artifact: ModelArtifact | null, clips: readonly Clip[]): Promise<void> {
    this.error = null;
    this.busy = true;
    try {
      if (!artifact?.quantized) throw new EarshotError('model/not-quantized', 'train and quantize a model first');
      const header = await this.#client().exportHeader(artifact, this.prefix, toLabeled(clips.filter((c) => artifact.labels.includes(c.label))));
      this.#save(`${this.prefix}.h`, header);
      this.lastBytes = header.length;
    } catch (e) {
      this.error = describeError(e);
    } finally {
      this.busy = false;
    }
  }
}
