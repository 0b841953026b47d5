/**
 * A C test program around the feature extractor: embeds PCM clips, runs earshot_logmel and
 * earshot_features on each, prints "Q <hex int8…>" and "F <hex float bits…>" lines per frame.
 * Shared by the host (gcc) and ARM (qemu) feature tests.
 */
import type { FeatureConfig } from '../../../src/core/dsp/feature-config.ts';
import { featureShape } from '../../../src/core/dsp/feature-config.ts';
import { computeLogMelPcm16, quantizeFeatures, type InputQuantization } from '../../../src/core/dsp/log-mel.ts';
import { featuresCSource } from '../../../src/core/export/c-features.ts';
import { cIntList } from './gcc.ts';

export function featuresProgram(config: FeatureConfig, input: InputQuantization, clips: Int16Array[]): string {
  const parts = ['#include <stdio.h>', featuresCSource(config, input)];
  clips.forEach((pcm, i) => parts.push(`static const int16_t clip_${i}[EARSHOT_INPUT_SAMPLES] = {\n${cIntList(pcm)}\n};`));
  parts.push(`static const int16_t *const clips[${clips.length}] = {${clips.map((_, i) => `clip_${i}`).join(', ')}};`);
  parts.push(`
static float logmel_out[EARSHOT_FEATURE_COUNT];
static int8_t features_out[EARSHOT_FEATURE_COUNT];

int main(void)
{
    int c, f, b;
    for (c = 0; c < ${clips.length}; c++) {
        if (earshot_logmel(clips[c], logmel_out) != 0) return 2;
        if (earshot_features(clips[c], features_out) != 0) return 3;
        printf("clip %d\\n", c);
        for (f = 0; f < EARSHOT_FRAMES; f++) {
            printf("Q");
            for (b = 0; b < EARSHOT_MEL_BANDS; b++) printf(" %02x", (unsigned)(uint8_t)features_out[f * EARSHOT_MEL_BANDS + b]);
            printf("\\nF");
            for (b = 0; b < EARSHOT_MEL_BANDS; b++) {
                uint32_t bits;
                memcpy(&bits, &logmel_out[f * EARSHOT_MEL_BANDS + b], sizeof bits);
                printf(" %08lx", (unsigned long)bits);
            }
            printf("\\n");
        }
    }
    printf("done\\n");
    return 0;
}
`);
  return parts.join('\n');
}

export interface ClipOutputs {
  features: Int8Array;
  logMel: Float32Array;
}

/** Parse the program's stdout into per-clip outputs. */
export function parseFeaturesOutput(stdout: string, config: FeatureConfig, clipCount: number): ClipOutputs[] {
  const { featureCount } = featureShape(config);
  const out: ClipOutputs[] = [];
  let cur: ClipOutputs | undefined;
  let qAt = 0;
  let fAt = 0;
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('clip ')) {
      cur = { features: new Int8Array(featureCount), logMel: new Float32Array(featureCount) };
      out.push(cur);
      qAt = 0;
      fAt = 0;
    } else if (line.startsWith('Q') && cur) {
      for (const h of line.slice(1).trim().split(' ')) cur.features[qAt++] = (parseInt(h, 16) << 24) >> 24;
    } else if (line.startsWith('F') && cur) {
      for (const h of line.slice(1).trim().split(' ')) {
        bits[0] = parseInt(h, 16);
        cur.logMel[fAt++] = asFloat[0];
      }
    }
  }
  if (out.length !== clipCount || !stdout.includes('done')) {
    throw new Error(`C program printed ${out.length} of ${clipCount} clips${stdout.includes('done') ? '' : ' and never finished'}:\n${stdout.slice(-500)}`);
  }
  return out;
}

/** TypeScript outputs for the same clips. */
export function tsOutputs(config: FeatureConfig, input: InputQuantization, clips: Int16Array[]): ClipOutputs[] {
  return clips.map((pcm) => {
    const lm = computeLogMelPcm16(pcm, config);
    return { logMel: lm.data, features: quantizeFeatures(lm, input) };
  });
}

/** Indices where two arrays differ (bitwise for floats), formatted, at most `max`. */
export function differences(a: ArrayLike<number>, b: ArrayLike<number>, max = 20): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`length ${a.length} vs ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length) && out.length < max; i++) {
    if (!Object.is(a[i], b[i])) out.push(`[${i}] C=${a[i]} TS=${b[i]}`);
  }
  return out;
}
