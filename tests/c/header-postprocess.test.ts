/**
 * Post-processing, one definition: P_pp_push in the generated header (host gcc; Cortex-M4F hard
 * float and Cortex-M0+ soft float under QEMU) gives the same detections and bit-identical averaged
 * float32 probabilities as createPostprocessor in TypeScript, on a long stream of int8 scores.
 */
import { describe, expect, it } from 'vitest';
import { validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { generateCHeader } from '../../src/core/export/c-header.ts';
import { createPostprocessor, type PostprocessingSettings } from '../../src/core/quant/postprocess.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS } from '../unit/quantize-fixtures.ts';
import { compileAndRun, requireTool, STRICT_C_FLAGS } from './helpers/gcc.ts';
import { seededQuantizedModel } from './helpers/model-fixtures.ts';
import { ARM_CC, compileArm, QEMU_ARM, runQemu } from './helpers/qemu.ts';

const CONFIG = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12 });
const SETTINGS: PostprocessingSettings = { averageWindows: 3, threshold: 0.55, suppressionMs: 600, windowHopMs: 250 };
const { artifact } = seededQuantizedModel(TEST_SPECS.residual!, CONFIG, 7, { clips: 0 });
const artifactWithPp = { ...artifact, postprocessing: SETTINGS };
const header = generateCHeader(artifactWithPp, { prefix: 'kws', maxTestVectors: 1 });
const classes = artifact.labels.length;
const output = artifact.quantized!.output;

/** Random windows with bursts: a class dominates for a few windows now and then. */
function scoreStream(windows: number): Int8Array[] {
  const rand = mulberry32(4242);
  const out: Int8Array[] = [];
  let burst = -1;
  let left = 0;
  for (let w = 0; w < windows; w++) {
    if (left === 0 && rand() < 0.15) {
      burst = Math.floor(rand() * classes);
      left = 2 + Math.floor(rand() * 6);
    }
    const s = new Int8Array(classes);
    for (let c = 0; c < classes; c++) s[c] = Math.floor(rand() * 256) - 128;
    if (left > 0) {
      s[burst] = 127 - Math.floor(rand() * 20);
      left--;
    }
    out.push(s);
  }
  return out;
}
const STREAM = scoreStream(600);

function tsLines(): string[] {
  const pp = createPostprocessor(SETTINGS);
  return STREAM.map((s) => {
    const d = pp.pushScores(s, output);
    const bits = Array.from(new Uint32Array(new Float32Array(pp.average).buffer), (b) => b.toString(16).padStart(8, '0'));
    return `${d ? d.classIndex : -1} ${bits.join(' ')}`;
  });
}

const program = `#include <stdio.h>
#include <string.h>
#include "model.h"
static const int8_t stream[${STREAM.length}][KWS_NUM_CLASSES] = {
${STREAM.map((s) => `  {${Array.from(s).join(', ')}},`).join('\n')}
};
int main(void) {
  kws_pp_state st;
  int w, c;
  kws_pp_init(&st);
  for (w = 0; w < ${STREAM.length}; w++) {
    int d = kws_pp_push(&st, stream[w]);
    printf("%d", d);
    for (c = 0; c < KWS_NUM_CLASSES; c++) {
      uint32_t b;
      memcpy(&b, &st.average[c], 4);
      printf(" %08lx", (unsigned long)b);
    }
    printf("\\n");
  }
  return 0;
}
`;

function compare(stdout: string): void {
  const expected = tsLines();
  const got = stdout.trim().split('\n');
  const diffs = expected.flatMap((e, i) => (e === got[i] ? [] : [`window ${i}: TS ${e} | C ${got[i]}`]));
  if (diffs.length > 0) console.error(diffs.slice(0, 50).join('\n'));
  expect(got.length).toBe(expected.length);
  expect(diffs).toEqual([]);
}

describe('post-processing: C P_pp_push == TS createPostprocessor', () => {
  it('the stream is not trivial: several detections, several suppressed bursts', () => {
    const detections = tsLines().filter((l) => !l.startsWith('-1')).length;
    expect(detections).toBeGreaterThan(10);
    expect(detections).toBeLessThan(STREAM.length / 3);
    expect(header).toContain('#define KWS_PP_SUPPRESSION_WINDOWS 3');
  });

  it.skipIf(!requireTool('gcc'))('host gcc -O2 strict: identical detections and averaged probabilities on 600 windows', () => {
    const r = compileAndRun(program, undefined, { flags: [...STRICT_C_FLAGS, '-O2'], files: { 'model.h': header } });
    expect(r.exitCode).toBe(0);
    compare(r.stdout);
  });

  for (const core of [
    { name: 'cortex-m4 (hard float)', board: 'mps2-an386' as const, flags: ['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'] },
    { name: 'cortex-m0plus (soft float, run on the an385 M3)', board: 'mps2-an385' as const, flags: ['-mcpu=cortex-m0plus', '-mfloat-abi=soft'] },
  ]) {
    it.skipIf(!requireTool(ARM_CC) || !requireTool(QEMU_ARM))(`${core.name} under QEMU: identical`, () => {
      const built = compileArm(program, { board: core.board, flags: [...core.flags, '-mthumb', '-Os', ...STRICT_C_FLAGS], files: { 'model.h': header } });
      try {
        const r = runQemu(built.exe, { board: core.board, timeoutMs: 60_000 });
        expect(r.exitCode).toBe(0);
        compare(r.stdout);
      } finally {
        built.cleanup();
      }
    });
  }
});
