/** earshot features: the CLI prints the same matrices as core, and the int8 input of a quantized model. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { writeModelDir } from '../../src/cli/files.ts';
import { decodeForModel } from '../../src/core/audio/prepare.ts';
import { featurePreset } from '../../src/core/dsp/feature-presets.ts';
import { computeLogMel, quantizeFeatures } from '../../src/core/dsp/log-mel.ts';
import { featureShape } from '../../src/core/dsp/feature-config.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import type { ModelArtifact } from '../../src/core/model/artifact.ts';
import { quantizeArtifact } from '../../src/core/pipeline/quantize-pipeline.ts';
import { randomWeights } from './quantize-fixtures.ts';

const WAV = join(import.meta.dirname, '..', 'fixtures', 'audio', 'yes-16k.wav');
const NO = join(import.meta.dirname, '..', 'fixtures', 'audio', 'no-8k.wav');
const dir = mkdtempSync(join(tmpdir(), 'earshot-cli-features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['features', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function artifact(quantized: boolean): ModelArtifact {
  const featureConfig = featurePreset('low-power-8k').config;
  const s = featureShape(featureConfig);
  const spec = analyzeSpec(presetSpec('tiny-conv', [s.frames, s.bands, 1], 2)).spec;
  const a: ModelArtifact = { version: 1, labels: ['no', 'yes'], featureConfig, spec, weights: randomWeights(analyzeSpec(spec), 7) };
  if (!quantized) return a;
  const clips = [WAV, NO].map((p, i) => ({ label: a.labels[i], samples: decodeForModel(new Uint8Array(readFileSync(p)), featureConfig) }));
  return quantizeArtifact(a, clips);
}

describe('earshot features', () => {
  it('--preset prints the float matrix core computes (frames × bands)', async () => {
    const r = await cli('--preset', 'edge-impulse-mfe', '--json', WAV);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { frames: number; bands: number; dtype: string; matrix: number[][] };
    expect([doc.frames, doc.bands, doc.dtype]).toEqual([99, 40, 'float32']);
    const config = featurePreset('edge-impulse-mfe').config;
    const want = computeLogMel(decodeForModel(new Uint8Array(readFileSync(WAV)), config), config);
    expect(Float32Array.from(doc.matrix.flat())).toEqual(want.data);
  });

  it('--config reads a FeatureConfig JSON; the text form has one row per frame', async () => {
    const path = join(dir, 'features.json');
    writeFileSync(path, JSON.stringify({ melBands: 16 }));
    const r = await cli('--config', path, WAV);
    expect(r.code).toBe(0);
    const rows = r.out.split('\n');
    expect(rows.length).toBe(49);
    expect(rows[0].split('\t').length).toBe(16);
  });

  it('--model --int8 prints exactly the int8 input of the quantized model (its scale and zero point)', async () => {
    const a = artifact(true);
    const model = join(dir, 'q-model');
    writeModelDir(model, a);
    const r = await cli('--model', model, '--int8', '--json', NO);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { frames: number; bands: number; dtype: string; input: { scale: number; zeroPoint: number }; matrix: number[][] };
    expect([doc.frames, doc.bands, doc.dtype]).toEqual([31, 20, 'int8']);
    expect(doc.input).toEqual({ scale: a.quantized!.input.scale, zeroPoint: a.quantized!.input.zeroPoint });
    const float = computeLogMel(decodeForModel(new Uint8Array(readFileSync(NO)), a.featureConfig), a.featureConfig);
    const q = quantizeFeatures(float, a.quantized!.input);
    expect(Int8Array.from(doc.matrix.flat())).toEqual(q);
    // And it is the float matrix quantized: within scale/2 wherever not clamped.
    const { scale, zeroPoint } = doc.input;
    doc.matrix.flat().forEach((v, i) => {
      if (v > -128 && v < 127) expect(Math.abs((v - zeroPoint) * scale - float.data[i])).toBeLessThanOrEqual(scale / 2 + 1e-5);
    });
  });

  it('typed errors: --int8 without a model, an unquantized model, no source, unknown preset', async () => {
    const model = join(dir, 'f-model');
    writeModelDir(model, artifact(false));
    const r1 = await cli('--preset', 'earshot', '--int8', WAV);
    expect([r1.code, r1.err]).toEqual([2, expect.stringMatching(/--int8 needs --model.*\[cli\/usage\]/)]);
    const r2 = await cli('--model', model, '--int8', WAV);
    expect([r2.code, r2.err]).toEqual([1, expect.stringMatching(/\[model\/not-quantized\]/)]);
    const r3 = await cli(WAV);
    expect(r3.code).toBe(2);
    const r4 = await cli('--preset', 'mfcc', WAV);
    expect([r4.code, r4.err]).toEqual([1, expect.stringMatching(/\[features\/bad-config\]/)]);
  });
});

describe('earshot train --features-preset', () => {
  it('is refused with --features, and an unknown name is a typed error (before any data is read)', async () => {
    const run = async (...argv: string[]) => {
      const err: string[] = [];
      const code = await main(['train', '--data', join(dir, 'none'), '--out', join(dir, 'm'), ...argv], { out: () => {}, err: (l) => err.push(l) });
      return [code, err.join('\n')];
    };
    expect(await run('--features-preset', 'mfcc')).toEqual([1, expect.stringMatching(/unknown feature preset "mfcc".*\[features\/bad-config\]/)]);
    expect(await run('--features-preset', 'earshot', '--features', 'x.json')).toEqual([2, expect.stringMatching(/not both/)]);
    // A valid preset gets as far as reading the (missing) data folder.
    expect(await run('--features-preset', 'low-power-8k')).toEqual([1, expect.stringMatching(/\[dataset\/not-found\]/)]);
  });
});
