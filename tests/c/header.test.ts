/**
 * Compile-and-compare: generated headers built with host gcc give int8 scores identical to the
 * TypeScript int8 engine (features in) and to the whole TS pipeline (PCM in); P_self_test()
 * returns 0; the header also builds for Cortex-M4 with arm-none-eabi-gcc.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateFeatureConfig, featureShape, type FeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { computeLogMelPcm16, quantizeFeatures, toPcm16 } from '../../src/core/dsp/log-mel.ts';
import { generateCHeader } from '../../src/core/export/c-header.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';
import { argmaxInt8 } from '../../src/core/quant/argmax.ts';
import { runInt8 } from '../../src/core/quant/int8-engine.ts';
import { PRESET_NAMES, presetSpec } from '../../src/core/model/presets.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS, randomSpec } from '../unit/quantize-fixtures.ts';
import { requireTool } from './helpers/gcc.ts';
import { seededQuantizedModel, type SeededModel } from './helpers/model-fixtures.ts';

const STRICT = ['-std=c99', '-Wall', '-Wextra', '-Wdouble-promotion', '-Wfloat-conversion', '-Werror'];
const ARM = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os', '-Wall', '-Wextra', '-Werror', '-std=c99', '-Wdouble-promotion', '-Wfloat-conversion', '-c'];

const HAVE_GCC = requireTool('gcc');
const HAVE_ARM = requireTool('arm-none-eabi-gcc');

const work = mkdtempSync(join(tmpdir(), 'earshot-header-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A small feature config keeps the networks quick: 12 frames x 12 bands, with the per-clip
// normalisation on (the PCM-in comparisons then cover earshot_normalize in the whole header;
// tests/c/cli-flow.test.ts covers the plain path).
const CONFIG: FeatureConfig = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12, relativeFloorDb: 50, bandMeanRemoval: 1 });
const SHAPE = featureShape(CONFIG);
const IN_SHAPE: [number, number, number] = [SHAPE.frames, SHAPE.bands, 1];

function makeArtifact(spec: ModelSpec, seed: number): SeededModel {
  return seededQuantizedModel(spec, CONFIG, seed);
}

const DRIVER = (p: string) => {
  const P = p.toUpperCase();
  return `#include <stdio.h>
#include "model.h"
/* argv[1]: int8 feature vectors; argv[2]: int16 PCM clips. Prints F/P/T lines. */
int main(int argc, char **argv) {
  static int8_t features[${P}_FEATURE_COUNT];
  static int16_t pcm[${P}_INPUT_SAMPLES];
  int8_t scores[${P}_NUM_CLASSES];
  FILE *f;
  int i, top;
  if (argc < 3) return 2;
  f = fopen(argv[1], "rb");
  if (!f) return 3;
  while (fread(features, 1, ${P}_FEATURE_COUNT, f) == ${P}_FEATURE_COUNT) {
    if (${p}_invoke(features, scores) != 0) return 4;
    printf("F");
    for (i = 0; i < ${P}_NUM_CLASSES; i++) printf(" %d", scores[i]);
    printf("\\n");
  }
  fclose(f);
  f = fopen(argv[2], "rb");
  if (!f) return 3;
  while (fread(pcm, sizeof(int16_t), ${P}_INPUT_SAMPLES, f) == ${P}_INPUT_SAMPLES) {
    top = ${p}_classify(pcm, scores);
    printf("P %d", top);
    for (i = 0; i < ${P}_NUM_CLASSES; i++) printf(" %d", scores[i]);
    printf("\\n");
  }
  fclose(f);
  printf("T %d\\n", ${p}_self_test());
  printf("L %s\\n", ${p}_labels[0]);
  return 0;
}
`;
};

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`.slice(0, 6000));
  return r.stdout;
}

/** Lists every differing index with both values. */
function diffReport(what: string, expected: ArrayLike<number>, got: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    if (expected[i] !== got[i]) out.push(`${what}[${i}]: TS ${expected[i]} C ${got[i]}`);
  }
  return out;
}

// Odd shapes: valid/same padding, strides, depth multipliers, residual and 3-way adds (TEST_SPECS),
// random stacks, and both presets; many vectors go through one compiled binary per model.
const CASES: { name: string; spec: ModelSpec; vectors: number }[] = [
  ...Object.entries(TEST_SPECS).map(([name, spec]) => ({ name, spec, vectors: 150 })),
  ...[3, 4, 6, 8].map((s) => ({ name: `random-${s}`, spec: randomSpec(s, IN_SHAPE), vectors: 60 })),
  ...PRESET_NAMES.map((name) => ({ name, spec: presetSpec(name, IN_SHAPE, 3, { width: name === 'ds-cnn-s' ? 24 : 8 }), vectors: 100 })),
];

let totalVectors = 0;

describe.skipIf(!HAVE_GCC)('generated C header vs TypeScript int8 engine (host gcc)', () => {
  for (const c of CASES) {
    it(`${c.name}: C scores identical on ${c.vectors} random feature vectors and on PCM clips; self-test 0`, () => {
      const { artifact, clips } = makeArtifact(c.spec, 17);
      const q = artifact.quantized!;
      const prefix = c.name.startsWith('random') ? 'kws' : 'model';
      const header = generateCHeader(artifact, { prefix, testClips: clips.slice(0, 2), generator: 'earshot test' });
      expect(generateCHeader(artifact, { prefix, testClips: clips.slice(0, 2), generator: 'earshot test' })).toBe(header);
      const dir = mkdtempSync(join(work, `${c.name}-`));
      writeFileSync(join(dir, 'model.h'), header);
      writeFileSync(join(dir, 'main.c'), DRIVER(prefix));
      const rand = mulberry32(99);
      const feats = Array.from({ length: c.vectors }, (_, v) => {
        const x = new Int8Array(SHAPE.featureCount);
        // random bytes, plus two extreme vectors
        for (let i = 0; i < x.length; i++) x[i] = v === 0 ? -128 : v === 1 ? 127 : Math.floor(rand() * 256) - 128;
        return x;
      });
      const featBytes = new Uint8Array(feats.length * SHAPE.featureCount);
      feats.forEach((f, v) => featBytes.set(new Uint8Array(f.buffer), v * SHAPE.featureCount));
      writeFileSync(join(dir, 'features.bin'), featBytes);
      const pcms = clips.map((x) => toPcm16(x));
      const pcmAll = new Int16Array(pcms.length * SHAPE.inputSamples);
      pcms.forEach((p, k) => pcmAll.set(p, k * SHAPE.inputSamples));
      writeFileSync(join(dir, 'pcm.bin'), new Uint8Array(pcmAll.buffer));

      run('gcc', [...STRICT, '-O2', '-o', 'main', 'main.c', '-lm'], dir);
      const lines = run(join(dir, 'main'), ['features.bin', 'pcm.bin'], dir).trim().split('\n');
      const F = lines.filter((l) => l.startsWith('F ')).map((l) => l.slice(2).split(' ').map(Number));
      const Pl = lines.filter((l) => l.startsWith('P ')).map((l) => l.slice(2).split(' ').map(Number));
      const T = lines.find((l) => l.startsWith('T '));
      expect(F.length).toBe(c.vectors);
      const diffs: string[] = [];
      feats.forEach((x, v) => diffs.push(...diffReport(`vector ${v} score`, runInt8(q, x), F[v]!)));
      pcms.forEach((p, k) => {
        const expected = runInt8(q, quantizeFeatures(computeLogMelPcm16(p, CONFIG), q.input));
        diffs.push(...diffReport(`clip ${k} score`, expected, Pl[k]!.slice(1)));
        if (Pl[k]![0] !== argmaxInt8(expected)) diffs.push(`clip ${k} top: TS ${argmaxInt8(expected)} C ${Pl[k]![0]}`);
      });
      if (diffs.length > 0) console.error(`${c.name}: ${diffs.length} differences\n${diffs.slice(0, 200).join('\n')}`);
      expect(diffs).toEqual([]);
      expect(T).toBe('T 0');
      expect(lines).toContain('L yes');
      totalVectors += c.vectors + pcms.length;

      if (HAVE_ARM) {
        writeFileSync(join(dir, 'arm.c'), `#include "model.h"\nint run(const int16_t *pcm, int8_t *scores);\nint run(const int16_t *pcm, int8_t *scores) { return ${prefix}_self_test() + ${prefix}_classify(pcm, scores); }\n`);
        run('arm-none-eabi-gcc', [...ARM, '-o', 'arm.o', 'arm.c'], dir);
      }
    });
  }

  it('covered at least 1000 compared vectors', () => {
    console.log(`host gcc compile-and-compare: ${totalVectors} vectors bit-exact over ${CASES.length} models`);
    expect(totalVectors).toBeGreaterThanOrEqual(1000);
  });
});
