/**
 * Project: one dataset with its class list and feature settings. Clips and the trained model
 * belong to exactly one project (the store keys them by `projectId`).
 */
import { EarshotError } from '../errors.ts';
import { DEFAULT_FEATURE_CONFIG, validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';

export interface Project {
  id: string;
  name: string;
  createdAtMs: number;
  /** Class labels in the user's order (a class may have no clips yet). */
  classes: string[];
  config: FeatureConfig;
}

export const MAX_PROJECT_NAME = 64;

/** Trim and check a project name: 1..64 characters, no control characters. Throws 'dataset/bad-project'. */
export function validateProjectName(raw: string): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > MAX_PROJECT_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new EarshotError('dataset/bad-project', `"${String(raw)}" is not a valid project name: use 1 to ${MAX_PROJECT_NAME} printable characters`);
  }
  return name;
}

/** `base`, or `base (2)`, `base (3)`… whichever is not in `taken`. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = ` (${i})`;
    const name = base.slice(0, MAX_PROJECT_NAME - suffix.length) + suffix;
    if (!set.has(name)) return name;
  }
}

export function makeProject(input: { id: string; name: string; createdAtMs?: number; classes?: string[]; config?: Partial<FeatureConfig> }): Project {
  return {
    id: input.id,
    name: validateProjectName(input.name),
    createdAtMs: input.createdAtMs ?? Date.now(),
    classes: [...(input.classes ?? [])],
    config: validateFeatureConfig(input.config ?? DEFAULT_FEATURE_CONFIG),
  };
}
