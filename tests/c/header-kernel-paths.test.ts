/**
 * The specialised paths of kernels.h against the TypeScript int8 engine: conv and pointwise conv
 * with odd channel counts (output channels in pairs with an odd last one; spans whose length is not
 * a multiple of 4, the SIMD tail), depthwise with multiplier 1 over channel counts that are not a
 * multiple of 4 (groups of 4 plus single channels), stride 2 and kernels wider than the padding at
 * the borders, depthwise multipliers 2 and 3, dense with odd units. Host gcc (portable loops) on
 * random feature vectors, and under QEMU on the Cortex-M4 (ACLE SIMD on and off) and M33 (SIMD)
 * through P_self_test() over embedded test vectors whose expected scores come from the TS engine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { featureShape, validateFeatureConfig, type FeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { generateCHeader } from '../../src/core/export/c-header.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { runInt8 } from '../../src/core/quant/int8-engine.ts';
import { requireTool, STRICT_C_FLAGS } from './helpers/gcc.ts';
import { seededQuantizedModel } from './helpers/model-fixtures.ts';
import { ARM_CC, compileArm, QEMU_ARM, runQemu, type ArmBoardName } from './helpers/qemu.ts';

const CONFIG: FeatureConfig = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12 });
const SHAPE = featureShape(CONFIG);
const IN: [number, number, number] = [SHAPE.frames, SHAPE.bands, 1];

const SPECS: Record<string, ModelSpec> = {
  // conv 3x3 stride 2 with 5 filters (odd last channel; spans of 2 and 3 taps at the borders),
  // pointwise 5 -> 7 and 7 -> 9 (span 5 and 7: SIMD tails), 3x3 over 9 channels (spans 18 / 27),
  // a 1x1 with stride 2, then dense with 3 units (a pair and an odd one)
  convOdd: {
    version: 1,
    input: { shape: IN },
    layers: [
      { type: 'conv2d', filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 7, kernelSize: 1, padding: 'valid', activation: 'relu' },
      { type: 'conv2d', filters: 9, kernelSize: 1, padding: 'same' },
      { type: 'batchNormalization' },
      { type: 'activation', activation: 'relu6' },
      { type: 'conv2d', filters: 6, kernelSize: [3, 3], padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 11, kernelSize: 1, strides: 2, padding: 'valid', activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
  },
  // depthwise multiplier 1 over 6 channels (a group of 4 and 2 single channels) with stride 2 and
  // SAME borders, over 8 channels with a 5x3 kernel (two groups, wide borders), multiplier 3 with
  // stride 2, a 2x3 VALID depthwise with column stride 2, then a 5-unit dense
  depthwiseBorders: {
    version: 1,
    input: { shape: IN },
    layers: [
      { type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'depthwiseConv2d', kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 8, kernelSize: 1, padding: 'valid', activation: 'relu' },
      { type: 'depthwiseConv2d', kernelSize: [5, 3], padding: 'same' },
      { type: 'batchNormalization' },
      { type: 'activation', activation: 'relu' },
      { type: 'depthwiseConv2d', kernelSize: 2, depthMultiplier: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'depthwiseConv2d', kernelSize: [2, 3], strides: [1, 2], padding: 'valid' },
      { type: 'globalAveragePooling2d' },
      { type: 'dense', units: 5 },
    ],
  },
  // 12 channels with stride 2 VALID (three groups, no padding), a 4-wide kernel over 3 columns
  // (every position a border), dense 13 units over an odd depth
  depthwiseWide: {
    version: 1,
    input: { shape: IN },
    layers: [
      { type: 'conv2d', filters: 12, kernelSize: [4, 2], strides: 2, padding: 'valid', activation: 'relu' },
      { type: 'depthwiseConv2d', kernelSize: [3, 4], padding: 'same', activation: 'relu6' },
      { type: 'depthwiseConv2d', kernelSize: 2, depthMultiplier: 2, padding: 'valid' },
      { type: 'flatten' },
      { type: 'dense', units: 13, activation: 'relu' },
      { type: 'dense', units: 4 },
    ],
  },
};

const work = mkdtempSync(join(tmpdir(), 'earshot-kernel-paths-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const VECTORS = 80;

const DRIVER = (p: string) => `#include <stdio.h>
#include "model.h"
int main(int argc, char **argv) {
  static int8_t features[${p.toUpperCase()}_FEATURE_COUNT];
  int8_t scores[${p.toUpperCase()}_NUM_CLASSES];
  FILE *f;
  int i;
  if (argc < 2) return 2;
  f = fopen(argv[1], "rb");
  if (!f) return 3;
  while (fread(features, 1, sizeof features, f) == sizeof features) {
    if (${p}_invoke(features, scores) != 0) return 4;
    for (i = 0; i < ${p.toUpperCase()}_NUM_CLASSES; i++) printf("%d ", scores[i]);
    printf("\\n");
  }
  fclose(f);
  printf("T %d\\n", ${p}_self_test());
  return 0;
}
`;

const QEMU_MAIN = (p: string) => `#include <stdio.h>
#include "model.h"
int main(void) {
  int r = ${p}_self_test();
  printf("self_test %d simd %d\\n", r, ${p.toUpperCase()}_SIMD);
  return r;
}
`;

const models = Object.entries(SPECS).map(([name, spec], i) => {
  const { artifact } = seededQuantizedModel(spec, CONFIG, 41 + i, { calibrationClips: 8, clips: 0 });
  return { name, artifact, header: generateCHeader(artifact, { prefix: 'kp', maxTestVectors: 6, generator: 'earshot kernel-paths test' }) };
});

describe.skipIf(!requireTool('gcc'))('kernels.h specialised paths vs the TS int8 engine (host gcc, portable loops)', () => {
  for (const m of models) {
    it(`${m.name}: ${VECTORS} random feature vectors give identical int8 scores; self-test 0`, () => {
      const q = m.artifact.quantized!;
      const dir = mkdtempSync(join(work, `${m.name}-`));
      writeFileSync(join(dir, 'model.h'), m.header);
      writeFileSync(join(dir, 'main.c'), DRIVER('kp'));
      const rand = mulberry32(7);
      const feats = Array.from({ length: VECTORS }, (_, v) => Int8Array.from({ length: SHAPE.featureCount }, () => (v === 0 ? -128 : v === 1 ? 127 : Math.floor(rand() * 256) - 128)));
      const bytes = new Uint8Array(VECTORS * SHAPE.featureCount);
      feats.forEach((f, v) => bytes.set(new Uint8Array(f.buffer), v * SHAPE.featureCount));
      writeFileSync(join(dir, 'features.bin'), bytes);
      const cc = spawnSync('gcc', [...STRICT_C_FLAGS, '-O2', '-o', 'main', 'main.c', '-lm'], { cwd: dir, encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      expect(cc.status).toBe(0);
      const out = spawnSync(join(dir, 'main'), ['features.bin'], { cwd: dir, encoding: 'utf8' });
      const lines = out.stdout.trim().split('\n');
      const diffs: string[] = [];
      feats.forEach((x, v) => {
        const expected = runInt8(q, x);
        const got = lines[v]!.trim().split(' ').map(Number);
        for (let i = 0; i < expected.length; i++) if (expected[i] !== got[i]) diffs.push(`vector ${v} score[${i}]: TS ${expected[i]} C ${got[i]}`);
      });
      expect(diffs).toEqual([]);
      expect(lines[VECTORS]).toBe('T 0');
    });
  }
});

const CORES: { cpu: string; flags: string[]; board: ArmBoardName; simd: boolean[] }[] = [
  { cpu: 'cortex-m4', flags: ['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'], board: 'mps2-an386', simd: [true, false] },
  { cpu: 'cortex-m33', flags: ['-mcpu=cortex-m33', '-mfloat-abi=hard', '-mfpu=fpv5-sp-d16'], board: 'mps2-an505', simd: [true] },
];

describe.skipIf(!requireTool(ARM_CC) || !requireTool(QEMU_ARM))('kernels.h specialised paths on Cortex-M (QEMU, self-test vectors from the TS engine)', () => {
  for (const m of models) {
    for (const core of CORES) {
      it(`${m.name} on ${core.cpu}: self-test 0 with SIMD ${core.simd.map((s) => (s ? 'on' : 'off')).join(' and ')}`, () => {
        for (const simd of core.simd) {
          const built = compileArm(QEMU_MAIN('kp'), {
            board: core.board,
            flags: [...core.flags, '-mthumb', '-Os', ...STRICT_C_FLAGS, ...(simd ? [] : ['-DKP_NO_SIMD'])],
            files: { 'model.h': m.header },
          });
          try {
            expect(built.stderr).toBe('');
            const run = runQemu(built.exe, { board: core.board, timeoutMs: 60_000 });
            expect(run.stdout.trim()).toBe(`self_test 0 simd ${simd ? 1 : 0}`);
          } finally {
            built.cleanup();
          }
        }
      });
    }
  }
});
