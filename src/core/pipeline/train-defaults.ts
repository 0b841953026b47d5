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

/**
 * The split when none is chosen ('auto'), from each clip's speaker: whole speakers held out when
 * two or more speakers have two clips or more, else random clips. A "speaker" of one clip is most
 * likely a file-name part that is no speaker (the demo's `no-02-en-us_f3.wav`), and holding it out
 * tests nothing new.
 */
export function autoSplit(speakerOfEachClip: readonly (string | undefined)[]): 'speaker' | 'random' {
  return speakersWithClips(speakerOfEachClip).length >= 2 ? 'speaker' : 'random';
}

/** The speakers with two clips or more, sorted. */
export function speakersWithClips(speakerOfEachClip: readonly (string | undefined)[]): string[] {
  const n = new Map<string, number>();
  for (const s of speakerOfEachClip) if (s) n.set(s, (n.get(s) ?? 0) + 1);
  return [...n].filter(([, k]) => k >= 2).map(([s]) => s).sort();
}
