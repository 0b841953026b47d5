/**
 * The CLI's reader of dataset archives (.zip written by the page's Export): the same
 * `readArchive` as the page, then each clip fitted to the command's FeatureConfig.
 * files.ts's readDataDir hands `--data x.zip` to this.
 */
import { readFileSync } from 'node:fs';
import { EarshotError } from '../core/errors.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import { featureShape } from '../core/dsp/feature-config.ts';
import { prepareSamples } from '../core/audio/prepare.ts';
import { readArchive } from '../core/dataset/archive.ts';
import type { LabeledClip } from '../core/pipeline/labeled-clips.ts';

export function isArchivePath(path: string): boolean {
  return path.toLowerCase().endsWith('.zip');
}

/** Every clip of a dataset zip at `config`'s rate and window; a bad archive throws (all or nothing). */
export function readDataArchive(path: string, config: FeatureConfig): LabeledClip[] {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new EarshotError('io/not-found', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let n = 0;
  const { manifest, clips } = readArchive(bytes, () => `clip${++n}`);
  const inputSamples = featureShape(config).inputSamples;
  const rate = manifest.project.config.sampleRateHz;
  const out = clips.map((c, i) => ({
    label: c.label,
    samples: rate === config.sampleRateHz && c.samples.length === inputSamples ? c.samples : prepareSamples(c.samples, rate, config),
    source: `${path}:${manifest.clips[i].file}`,
  }));
  if (out.length === 0) throw new EarshotError('dataset/not-found', `${path} holds no clips`);
  return out;
}
