/**
 * The search's candidate list: preset networks (core/model/presets.ts) over their knobs (width,
 * depth, dropout) crossed with a few feature settings made from a base FeatureConfig. The order is
 * seeded and the same seed gives the same list: each preset's grid is shuffled, then the presets
 * take turns, so that the first candidates a short time budget trains cover every family.
 * Feature variants spread the base config (`{...base, hopMs}`), so fields added to FeatureConfig
 * carry over unchanged.
 */
import { validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';
import { mixSeed, mulberry32, shuffleInPlace } from '../model/prng.ts';
import { PRESET_DEFAULT_DEPTH, PRESET_DEFAULT_WIDTH, PRESET_NAMES, type PresetName } from '../model/presets.ts';

export interface FeatureVariant {
  /** e.g. "hop 30 ms, 20 mels". */
  label: string;
  config: FeatureConfig;
}

export interface SearchCandidate {
  /** e.g. "ds-cnn-s w32 d2 drop 0.2 | hop 20 ms, 40 mels": unique in a list. */
  id: string;
  preset: PresetName;
  width: number;
  depth: number;
  dropout: number;
  features: FeatureVariant;
}

/** Knob values per preset: widths around the preset's default, depths that still leave a map to classify. */
export const SEARCH_GRID: Record<PresetName, { widths: number[]; depths: number[]; dropouts: number[] }> = {
  'tiny-conv': { widths: [4, PRESET_DEFAULT_WIDTH['tiny-conv'], 16], depths: [PRESET_DEFAULT_DEPTH['tiny-conv'], 2], dropouts: [0.5, 0.25] },
  'ds-cnn-s': { widths: [16, 32, PRESET_DEFAULT_WIDTH['ds-cnn-s']], depths: [1, 2, PRESET_DEFAULT_DEPTH['ds-cnn-s']], dropouts: [0.4, 0.2] },
  'strided-ds': { widths: [16, 32, PRESET_DEFAULT_WIDTH['strided-ds']], depths: [2, 3, PRESET_DEFAULT_DEPTH['strided-ds']], dropouts: [0.4, 0.2] },
  conv1d: { widths: [16, 32, PRESET_DEFAULT_WIDTH.conv1d], depths: [2, PRESET_DEFAULT_DEPTH.conv1d, 4], dropouts: [0.4, 0.2] },
};

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * The base config and up to three variants: hop × 1.5 (fewer frames), half the mel bands (at
 * least 8), and both. Invalid variants (e.g. a hop past the window rules) and duplicates are left out.
 */
export function featureVariants(base: FeatureConfig): FeatureVariant[] {
  const hop = round1(base.hopMs * 1.5);
  const mels = Math.max(8, Math.round(base.melBands / 2));
  const raw: FeatureConfig[] = [base, { ...base, hopMs: hop }, { ...base, melBands: mels }, { ...base, hopMs: hop, melBands: mels }];
  const out: FeatureVariant[] = [];
  const seen = new Set<string>();
  for (const c of raw) {
    let config: FeatureConfig;
    try {
      config = validateFeatureConfig(c);
    } catch {
      continue; // this variant breaks a feature rule for this base (e.g. the hop is longer than allowed)
    }
    const key = JSON.stringify(config);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ label: `hop ${config.hopMs} ms, ${config.melBands} mels`, config });
  }
  return out;
}

/** The seeded candidate list for a base feature config (every preset × knob × feature variant). */
export function candidateList(base: FeatureConfig, seed: number): SearchCandidate[] {
  const variants = featureVariants(validateFeatureConfig(base));
  const perPreset = PRESET_NAMES.map((preset, p) => {
    const g = SEARCH_GRID[preset];
    const list: SearchCandidate[] = [];
    for (const width of g.widths) {
      for (const depth of g.depths) {
        for (const dropout of g.dropouts) {
          for (const features of variants) {
            list.push({ id: `${preset} w${width} d${depth} drop ${dropout} | ${features.label}`, preset, width, depth, dropout, features });
          }
        }
      }
    }
    return shuffleInPlace(list, mulberry32(mixSeed(seed, 0x5ea + p)));
  });
  const out: SearchCandidate[] = [];
  for (let i = 0; perPreset.some((l) => i < l.length); i++) {
    for (const l of perPreset) if (i < l.length) out.push(l[i]!);
  }
  return out;
}
