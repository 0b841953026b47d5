/** Loader for the golden log-mel fixtures written by tests/reference/logmel_reference.py (Node only). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { FeatureConfig } from '../../src/core/dsp/feature-config.ts';

export interface GoldenClip {
  name: string;
  config: string;
  frames: number;
  bands: number;
  pcm: Int16Array;
  logMel: Float32Array;
  floorFraction: number;
  wav?: string;
}

export interface GoldenFixtures {
  configs: Record<string, FeatureConfig>;
  clips: GoldenClip[];
}

export const FIXTURES_PATH = join(import.meta.dirname, 'logmel-fixtures.json');

function unpack(b64: string): Uint8Array {
  const raw = inflateSync(Buffer.from(b64, 'base64'));
  // Copy into a fresh, aligned buffer.
  return new Uint8Array(raw);
}

let cached: GoldenFixtures | undefined;

export function loadGolden(): GoldenFixtures {
  if (cached) return cached;
  const doc = JSON.parse(readFileSync(FIXTURES_PATH, 'utf8')) as {
    configs: Record<string, FeatureConfig>;
    pcms: Record<string, string>;
    clips: Array<Omit<GoldenClip, 'pcm' | 'logMel'> & { pcm: string; logMel: string }>;
  };
  const clips = doc.clips.map((c) => {
    const pcm = unpack(doc.pcms[c.pcm]);
    const lm = unpack(c.logMel);
    return { ...c, pcm: new Int16Array(pcm.buffer, 0, pcm.length / 2), logMel: new Float32Array(lm.buffer, 0, lm.length / 4) };
  });
  cached = { configs: doc.configs, clips };
  return cached;
}

/** The golden clips of one config. */
export function goldenClips(config: string): GoldenClip[] {
  return loadGolden().clips.filter((c) => c.config === config);
}
