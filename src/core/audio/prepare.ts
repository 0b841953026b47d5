/**
 * Audio → the model's input: decode → mono → resample to config.sampleRateHz → fitClip to
 * featureShape(config).inputSamples. The page's microphone path calls prepareSamples.
 */
import { EarshotError } from '../errors.ts';
import { featureShape, validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';
import { fitClip } from './fit-clip.ts';
import { resample } from './resample.ts';
import { decodeWav, toMono } from './wav.ts';

/** Already-decoded mono samples at rateHz → exactly inputSamples samples at config's rate. */
export function prepareSamples(samples: Float32Array, rateHz: number, config: Partial<FeatureConfig>): Float32Array {
  const c = validateFeatureConfig(config);
  if (samples.length === 0) throw new EarshotError('audio/empty', 'the clip has no samples');
  const atRate = resample(samples, rateHz, c.sampleRateHz);
  if (atRate.length === 0) throw new EarshotError('audio/empty', 'the clip is shorter than one sample at the model rate');
  return fitClip(atRate, featureShape(c).inputSamples);
}

/** WAV bytes → exactly inputSamples mono samples at config.sampleRateHz. */
export function decodeForModel(bytes: Uint8Array, config: Partial<FeatureConfig>): Float32Array {
  const audio = decodeWav(bytes);
  return prepareSamples(toMono(audio.channels), audio.sampleRateHz, config);
}
