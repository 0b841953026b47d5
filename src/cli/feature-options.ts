/**
 * The FeatureConfig of a command that trains (`train`, `search`): --features FILE (a FeatureConfig
 * JSON), --features-preset NAME, or the recommended preset a new project in the page starts from.
 */
import { EarshotError } from '../core/errors.ts';
import { validateFeatureConfig, type FeatureConfig } from '../core/dsp/feature-config.ts';
import { featurePreset, recommendedFeatureConfig } from '../core/dsp/feature-presets.ts';
import { str, type Values } from './args.ts';
import { readJson } from './files.ts';

export function featureConfigOption(values: Values): FeatureConfig {
  const path = str(values, 'features');
  const preset = str(values, 'features-preset');
  if (path && preset) throw new EarshotError('cli/usage', 'give either --features or --features-preset, not both');
  if (preset) return featurePreset(preset).config;
  return path ? validateFeatureConfig(readJson(path) as object) : recommendedFeatureConfig();
}
