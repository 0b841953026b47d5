/**
 * One sentence part saying what training's augmentation does, in the Features panel's words and
 * units (the Train step shows it under "Augment").
 */
import { DEFAULT_AUGMENT, snrRangeDb, type AugmentOptions } from './augment.ts';

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
const range = ([lo, hi]: readonly [number, number], unit: string) => (lo === hi ? `${lo} ${unit}` : `${lo}–${hi} ${unit}`);

/** `options` as training gets them (no SNR: no noise); `noiseLabel`: the noise class, if any. */
export function describeAugment(options: Partial<AugmentOptions>, noiseLabel: string | null): string {
  const o = { ...DEFAULT_AUGMENT, ...options };
  const snr = snrRangeDb(o);
  const parts: string[] = [];
  if (o.maxSpeedChange > 0) parts.push(`speed up to ±${pct(o.maxSpeedChange)}`);
  parts.push(`shift up to ${o.maxShiftMs} ms`, `gain up to ±${o.maxGainDb} dB`);
  if (o.reverbProbability > 0) parts.push(`a room echo (RT60 ${range([o.minRt60Ms, o.maxRt60Ms], 'ms')}) on ${pct(o.reverbProbability)} of draws`);
  if (snr === null || (o.noiseKind === 'project' && noiseLabel === null)) parts.push('no noise (choose a noise source there)');
  else parts.push(`${o.noiseKind === 'project' ? `noise from “${noiseLabel}”` : `generated ${o.noiseKind} noise`} at ${range(snr, 'dB')} SNR`);
  parts.push(`${o.timeMasks} time and ${o.freqMasks} frequency masks`);
  if (o.maxBandWarp > 0) parts.push(`voice warp up to ±${pct(o.maxBandWarp)}`);
  return parts.join(', ');
}
