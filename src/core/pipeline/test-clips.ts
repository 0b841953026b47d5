/**
 * The clips whose int8 scores are embedded in the firmware header as test vectors: one real
 * clip for each of the first classes when clips are at hand, else deterministic synthetic audio
 * (a chirp and seeded noise), so P_self_test always checks the whole PCM → scores path.
 */
import { featureShape } from '../dsp/feature-config.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { mulberry32 } from '../model/prng.ts';

export const DEFAULT_TEST_VECTORS = 2;

export function syntheticClips(inputSamples: number, sampleRateHz: number, count: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const s = new Float32Array(inputSamples);
    if (k % 2 === 0) {
      // Linear chirp 200 Hz → 0.4·fs, amplitude 0.5.
      const f0 = 200;
      const f1 = 0.4 * sampleRateHz;
      const dur = inputSamples / sampleRateHz;
      for (let i = 0; i < inputSamples; i++) {
        const t = i / sampleRateHz;
        s[i] = 0.5 * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * dur)));
      }
    } else {
      const rand = mulberry32(1000 + k);
      for (let i = 0; i < inputSamples; i++) s[i] = 0.3 * (rand() * 2 - 1);
    }
    out.push(s);
  }
  return out;
}

export function testClipsFor(
  artifact: ModelArtifact,
  clips: readonly { samples: Float32Array; label: string }[],
  count = DEFAULT_TEST_VECTORS,
): Float32Array[] {
  const picked: Float32Array[] = [];
  for (const label of artifact.labels) {
    const c = clips.find((x) => x.label === label);
    if (c && picked.length < count) picked.push(c.samples);
  }
  if (picked.length < count) {
    const shape = featureShape(artifact.featureConfig);
    picked.push(...syntheticClips(shape.inputSamples, artifact.featureConfig.sampleRateHz, count - picked.length));
  }
  return picked;
}
