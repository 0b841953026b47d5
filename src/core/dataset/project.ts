/**
 * Project: one dataset with its class list and feature settings. Clips and the trained model
 * belong to exactly one project (the store keys them by `projectId`).
 */
import { EarshotError } from '../errors.ts';
import { validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';
import { recommendedFeatureConfig } from '../dsp/feature-presets.ts';
import type { LayerSpec } from '../model/spec.ts';

export interface Project {
  id: string;
  name: string;
  createdAtMs: number;
  /** Class labels in the user's order (a class may have no clips yet). */
  classes: string[];
  config: FeatureConfig;
  /** The model editor's draft (name and layers as typed, valid or not), kept across reloads. */
  designDraft?: DesignDraft;
}

/** A network being designed: the layers as the editor holds them; the input comes from the features. */
export interface DesignDraft {
  name: string;
  layers: LayerSpec[];
}

/** A stored draft if it has the right shape (a name and a list of layer objects with a type), else undefined. */
export function checkDesignDraft(raw: unknown): DesignDraft | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const d = raw as { name?: unknown; layers?: unknown };
  if (typeof d.name !== 'string' || !Array.isArray(d.layers)) return undefined;
  if (!d.layers.every((l) => l !== null && typeof l === 'object' && typeof (l as { type?: unknown }).type === 'string')) return undefined;
  return { name: d.name, layers: JSON.parse(JSON.stringify(d.layers)) as LayerSpec[] };
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

export function makeProject(input: { id: string; name: string; createdAtMs?: number; classes?: string[]; config?: Partial<FeatureConfig>; designDraft?: DesignDraft }): Project {
  const draft = checkDesignDraft(input.designDraft);
  return {
    id: input.id,
    name: validateProjectName(input.name),
    createdAtMs: input.createdAtMs ?? Date.now(),
    classes: [...(input.classes ?? [])],
    config: validateFeatureConfig(input.config ?? recommendedFeatureConfig()),
    ...(draft ? { designDraft: draft } : {}),
  };
}
