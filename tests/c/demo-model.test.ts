/**
 * The committed demo model (static-models/demo, made by `npm run build:demo`) is the one the
 * recipe recorded: its int8 accuracy on the committed demo clips equals recipe.json exactly
 * (int8 arithmetic is integer: no tolerance), the clips are what the README says (1 s, 16 kHz,
 * 16-bit mono), the folder stays small, and its firmware header builds with strict gcc and
 * its self test passes (the page's int8 answers == the C answers).
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeWav } from '../../src/core/audio/wav.ts';
import { generateCHeader } from '../../src/core/export/c-header.ts';
import { evaluateClips } from '../../src/core/pipeline/inference.ts';
import { testClipsFor } from '../../src/core/pipeline/test-clips.ts';
import { listDataDir, readBytes, readDataDir, readJson, readModelDir } from '../../src/cli/files.ts';
import { compileC, requireTool, runProgram, STRICT_C_FLAGS } from './helpers/gcc.ts';

const DEMO = resolve(import.meta.dirname, '../../static-models/demo');

function folderBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    n += statSync(p).isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

describe('static-models/demo', () => {
  const artifact = readModelDir(join(DEMO, 'model'));
  const recipe = readJson(join(DEMO, 'recipe.json')) as {
    clips: { train: number; test: number };
    quantize: { int8Accuracy: number };
    int8AccuracyTrain: number;
    int8AccuracyTest: number;
  };
  const warn = (line: string) => {
    throw new Error(line);
  };

  it('holds 1 s 16 kHz 16-bit mono clips of yes / no / noise, under 2 MB in all', () => {
    const files = [...listDataDir(join(DEMO, 'data')), ...listDataDir(join(DEMO, 'test'))];
    expect(files.length).toBe(recipe.clips.train + recipe.clips.test);
    expect([...new Set(files.map((f) => f.label))].sort()).toEqual(['no', 'noise', 'yes']);
    for (const f of files) {
      const bytes = readBytes(f.path);
      const wav = decodeWav(bytes);
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(34, true), `${f.path} bits per sample`).toBe(16);
      expect(wav.sampleRateHz, f.path).toBe(16000);
      expect(wav.channels.length, f.path).toBe(1);
      expect(wav.channels[0].length, f.path).toBe(16000);
    }
    expect(folderBytes(DEMO)).toBeLessThan(2 * 1024 * 1024);
  });

  it('evaluates (int8) at exactly the accuracies the recipe recorded', async () => {
    expect(artifact.labels).toEqual(['no', 'noise', 'yes']);
    expect(artifact.quantized).toBeDefined();
    const train = readDataDir(join(DEMO, 'data'), artifact.featureConfig, warn);
    const test = readDataDir(join(DEMO, 'test'), artifact.featureConfig, warn);
    const onTrain = await evaluateClips(artifact, train, { int8: true });
    const onTest = await evaluateClips(artifact, test, { int8: true });
    expect(onTrain.accuracy).toBe(recipe.int8AccuracyTrain);
    expect(onTrain.accuracy).toBe(recipe.quantize.int8Accuracy);
    expect(onTest.accuracy).toBe(recipe.int8AccuracyTest);
    // A demo that teaches something: well above chance (1/3) on voices it never heard.
    expect(onTest.accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('exports a header that builds with strict gcc and passes its self test', () => {
    if (!requireTool('gcc')) return;
    const test = readDataDir(join(DEMO, 'test'), artifact.featureConfig, warn);
    const header = generateCHeader(artifact, { prefix: 'demo', testClips: testClipsFor(artifact, test), generator: 'earshot demo test' });
    const main = '#include <stdio.h>\n#include "demo.h"\nint main(void) { int r = demo_self_test(); printf("self_test=%d\\n", r); return r == 0 ? 0 : 1; }\n';
    const c = compileC(main, { flags: [...STRICT_C_FLAGS, '-O2'], ldflags: ['-lm'], files: { 'demo.h': header } });
    try {
      const r = runProgram(c.exe);
      expect(r.stdout).toContain('self_test=0');
      expect(r.exitCode).toBe(0);
    } finally {
      c.cleanup();
    }
  });
});
