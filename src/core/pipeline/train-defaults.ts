/**
 * What a training run uses when the user sets nothing: the page's Design, Train and Fit screens
 * and `earshot train` all start from these, so they agree on one network. Chosen by
 * leave-one-speaker-out on real speech (`npm run bench -- quality`) among networks that the
 * estimator fits on a Nano 33 BLE Sense (Cortex-M4F, 64 MHz) in real time with the recommended
 * features (feature-presets.ts).
 */
import type { PresetName } from '../model/presets.ts';
import type { LrSchedule } from '../model/train.ts';

export const TRAIN_DEFAULTS: Readonly<{ preset: PresetName; epochs: number; lrSchedule: LrSchedule }> = Object.freeze({
  preset: 'conv1d',
  epochs: 30,
  lrSchedule: { kind: 'cosine' } as LrSchedule,
});

/** The split when none is chosen ('auto'): whole speakers held out when two or more are known, else random clips. */
export function autoSplit(speakers: readonly (string | undefined)[]): 'speaker' | 'random' {
  return new Set(speakers.filter((s) => s !== undefined && s !== '')).size >= 2 ? 'speaker' : 'random';
}
