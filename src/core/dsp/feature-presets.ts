/**
 * Feature presets a user can pick, then edit field by field. Each is a plain FeatureConfig;
 * the model input shape follows from it (featureShape: frames × bands × 1).
 *
 * The "-like" presets take the framing of a peer tool, not its whole pipeline (every preset
 * uses Earshot's one extractor: periodic Hann, power spectrum, HTK mel, natural log):
 * - micro_speech (TensorFlow Lite Micro example): 30 ms window, 20 ms stride, 40 channels,
 *   125–7500 Hz, 1 s at 16 kHz → 49 × 40 (tflite-micro micro_speech micro_model_settings.h and
 *   the audio_preprocessor's FilterbankLowerBandLimit 125 / UpperBandLimit 7500).
 * - Edge Impulse MFE: frame length 0.02 s, stride 0.01 s, 40 filters, low frequency 0, high
 *   frequency Nyquist (Edge Impulse MFE block defaults). EI's 256-point FFT is shorter than a
 *   20 ms window at 16 kHz (320 samples); Earshot refuses that, so this preset uses 512.
 * - 8 kHz low-power: half the rate, a 256-point FFT and 20 bands, for M0+/M3 parts.
 * - speech-8k, the one new projects, the page and `earshot train` start from: 8 kHz, a 750 ms
 *   window of 32 ms frames every 24 ms, 32 bands 60–4000 Hz (30 × 32), a floor 60 dB below the
 *   clip's loudest value and band mean removal. Chosen by leave-one-speaker-out over
 *   spoken-digits-dev (`npm run bench -- quality`, conv1d width 64, int8, 2 seeds): 82.7 %
 *   against 77.7 % for a 1 s window and 60–70 % without the normalisation; without the band
 *   mean removal 62 %. With the default network it answers in 45 ms on a Cortex-M4F at 64 MHz.
 *   Band mean removal takes out what does not change over the window: steady sounds (a hum, a
 *   held whistle) are better told apart with the plain presets.
 */
import { EarshotError } from '../errors.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape, validateFeatureConfig, type FeatureConfig } from './feature-config.ts';

export const FEATURE_PRESET_NAMES = ['earshot', 'micro-speech', 'edge-impulse-mfe', 'low-power-8k', 'speech-8k'] as const;
export type FeaturePresetName = (typeof FEATURE_PRESET_NAMES)[number];

export interface FeaturePreset {
  name: FeaturePresetName;
  title: string;
  description: string;
  config: FeatureConfig;
}

const PRESETS: Record<FeaturePresetName, Omit<FeaturePreset, 'name'>> = {
  earshot: {
    title: 'Earshot 16 kHz, plain log-mel',
    description: '16 kHz, 1 s, 30 ms window, 20 ms hop, 512-point FFT, 40 mel bands (20–8000 Hz)',
    config: DEFAULT_FEATURE_CONFIG,
  },
  'micro-speech': {
    title: 'micro_speech-like',
    description: 'TFLite Micro micro_speech framing: 30 ms / 20 ms, 40 bands 125–7500 Hz, 49 × 40',
    config: { ...DEFAULT_FEATURE_CONFIG, fMinHz: 125, fMaxHz: 7500 },
  },
  'edge-impulse-mfe': {
    title: 'Edge Impulse MFE-like',
    description: 'Edge Impulse MFE framing: 20 ms window, 10 ms stride, 40 bands 0–8000 Hz, 99 × 40',
    config: { ...DEFAULT_FEATURE_CONFIG, windowMs: 20, hopMs: 10, fMinHz: 0, fMaxHz: 8000 },
  },
  'low-power-8k': {
    title: '8 kHz low-power',
    description: '8 kHz, 1 s, 32 ms window, 32 ms hop, 256-point FFT, 20 bands (60–4000 Hz): 31 × 20',
    config: { ...DEFAULT_FEATURE_CONFIG, sampleRateHz: 8000, windowMs: 32, hopMs: 32, fftSize: 256, melBands: 20, fMinHz: 60, fMaxHz: 4000 },
  },
  'speech-8k': {
    title: 'Speech, 8 kHz, normalised (recommended)',
    description: '8 kHz, 750 ms, 32 ms window, 24 ms hop, 32 bands (60–4000 Hz), floor 60 dB below the loudest, band means removed: 30 × 32',
    config: { ...DEFAULT_FEATURE_CONFIG, sampleRateHz: 8000, clipMs: 750, windowMs: 32, hopMs: 24, fftSize: 256, melBands: 32, fMinHz: 60, fMaxHz: 4000, relativeFloorDb: 60, bandMeanRemoval: 1 },
  },
};

/** The preset new projects, the page and `earshot train` start from. */
export const RECOMMENDED_FEATURE_PRESET: FeaturePresetName = 'speech-8k';

/** A fresh copy of the recommended preset's config. */
export function recommendedFeatureConfig(): FeatureConfig {
  return featurePreset(RECOMMENDED_FEATURE_PRESET).config;
}

/** A preset by name (a fresh copy the caller may edit); throws 'features/bad-config' for an unknown name. */
export function featurePreset(name: string): FeaturePreset {
  if (!(FEATURE_PRESET_NAMES as readonly string[]).includes(name)) {
    throw new EarshotError('features/bad-config', `unknown feature preset "${name}"; presets: ${FEATURE_PRESET_NAMES.join(', ')}`);
  }
  const p = PRESETS[name as FeaturePresetName];
  return { name: name as FeaturePresetName, title: p.title, description: p.description, config: validateFeatureConfig({ ...p.config }) };
}

/** The preset whose config equals `config` field for field, if any (the UI shows "custom" otherwise). */
export function presetNameOf(config: FeatureConfig): FeaturePresetName | undefined {
  return FEATURE_PRESET_NAMES.find((n) => {
    const p = PRESETS[n].config;
    return (Object.keys(p) as (keyof FeatureConfig)[]).every((k) => p[k] === config[k]);
  });
}

/** The model input shape [frames, bands, 1] a config gives. */
export function modelInputShape(config: FeatureConfig): [number, number, number] {
  const s = featureShape(config);
  return [s.frames, s.bands, 1];
}
