/**
 * The export and quantize screens' logic without a browser: quantizeAndScore (calibration size,
 * per-layer SQNR), and ExportState writing each format (C header through the in-process train
 * API, .tflite, TFLM zip, Arduino zip) with the bytes checked against the core generators.
 */
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { generateTflite } from '../../src/core/export/tflite.ts';
import { generateTflmSettingsH } from '../../src/core/export/tflm.ts';
import { heldOutSplit, quantizeAndScore } from '../../src/core/pipeline/quantize-pipeline.ts';
import { evaluateClips } from '../../src/core/pipeline/inference.ts';
import { ExportState, fileNameFor, provenanceOf } from '../../src/state/export.svelte.ts';
import { createTrainApi } from '../../src/workers/train-api.ts';
import { inProcessTrainClient, type TrainClient } from '../../src/workers/train-bridge.ts';
import { seededQuantizedModel, synthClip } from '../c/helpers/model-fixtures.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS } from './quantize-fixtures.ts';

const CONFIG = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12 });
const seeded = seededQuantizedModel(TEST_SPECS.convPoolDepthwise!, CONFIG, 11, { clips: 0 }).artifact;
// plain labels: the dataset layer refuses the awkward ones the C tests use
const artifact = { ...seeded, labels: seeded.labels.map((_, i) => `word${i}`) };
const rand = mulberry32(8);
const labeled = Array.from({ length: 12 }, (_, i) => ({ samples: synthClip(CONFIG, rand), label: artifact.labels[i % artifact.labels.length]! }));
let client: TrainClient;

beforeAll(async () => {
  await initNodeTf('cpu');
  client = inProcessTrainClient(createTrainApi(() => initNodeTf('cpu')));
});

describe('quantizeAndScore', () => {
  it('honours the calibration size and reports every computed layer\'s SQNR in execution order', async () => {
    const { quantized: _drop, ...float } = artifact;
    void _drop;
    const small = await quantizeAndScore(float, labeled, { calibrationSize: 3 });
    const large = await quantizeAndScore(float, labeled, { calibrationSize: 12 });
    expect(small.calibrationCount).toBe(3);
    expect(large.calibrationCount).toBe(12);
    expect(small.artifact.quantized!.input.scale).not.toBe(large.artifact.quantized!.input.scale);
    expect(large.layers[0]!.tensor).toBe('input');
    const computed = large.artifact.quantized!.ops.filter((o) => o.kind !== 'reshape').map((o) => large.artifact.quantized!.tensors[o.output]!.name);
    expect(large.layers.slice(1).map((l) => l.tensor)).toEqual(computed);
    for (const l of large.layers) {
      expect(l.sqnrDb).toBeGreaterThan(5); // int8 of a sane network: well above noise
      expect(l.sqnrDb).toBeLessThan(80);
    }
    expect(large.float.accuracy).toBeGreaterThanOrEqual(0);
    expect(large.int8.accuracy).toBeGreaterThanOrEqual(0);
    expect([large.scoredOn, large.scoredClips]).toEqual(['all', 12]); // nothing was held out
  });

  it('calibrates on the training clips and scores on the clips training held out', async () => {
    const { quantized: _drop, ...float } = artifact;
    void _drop;
    const named = labeled.map((c, i) => ({ ...c, source: `clip${i}` }));
    const held = ['clip1', 'clip4', 'clip7', 'clip10'];
    const withVal = { ...float, training: { ...float.training!, valSources: held } };
    expect(heldOutSplit(withVal, named).heldOut.map((c) => c.source)).toEqual(held);
    const out = await quantizeAndScore(withVal, named, { calibrationSize: 100 });
    expect([out.scoredOn, out.scoredClips, out.calibrationCount]).toEqual(['held-out', 4, 8]);
    const direct = await evaluateClips(out.artifact, named.filter((c) => held.includes(c.source)), { int8: true });
    expect(out.int8.accuracy).toBe(direct.accuracy);
  });
});

describe('ExportState formats', () => {
  const clips: Clip[] = labeled.slice(0, 2).map((c, i) => makeClip({ id: `c${i}`, label: c.label, samples: c.samples, sampleRateHz: CONFIG.sampleRateHz, source: 'file' }));

  it('names files by format and prefix; shows the provenance', () => {
    expect(['c', 'tflite', 'tflm', 'arduino'].map((f) => fileNameFor(f as 'c', 'kws'))).toEqual(['kws.h', 'kws.tflite', 'kws_tflm.zip', 'earshot_kws.zip']);
    const p = provenanceOf(artifact)!;
    expect(p.modelHash).toMatch(/^[0-9a-f]{8}$/);
    expect(p.features).toContain('12 mel bands');
    expect(provenanceOf(null)).toBeNull();
  });

  it('writes each format with the core generators\' bytes', async () => {
    const texts: [string, string][] = [];
    const bins: [string, Uint8Array, string][] = [];
    const ex = new ExportState(() => client, (n, t) => texts.push([n, t]), (n, b, m) => bins.push([n, b, m]));
    ex.prefix = 'kws';
    for (const f of ['c', 'tflite', 'tflm', 'arduino'] as const) {
      ex.format = f;
      await ex.download(artifact, clips);
      expect(ex.error, f).toBeNull();
    }
    expect(texts.map(([n]) => n)).toEqual(['kws.h']);
    expect(texts[0]![1]).toContain('kws_self_test');
    expect(bins.map(([n, , m]) => `${n} ${m}`)).toEqual(['kws.tflite application/octet-stream', 'kws_tflm.zip application/zip', 'earshot_kws.zip application/zip']);
    expect(bins[0]![1]).toEqual(generateTflite(artifact, { description: 'earshot page' }));
    const tflm = unzipSync(bins[1]![1]);
    expect(new TextDecoder().decode(tflm['model_settings.h'])).toBe(generateTflmSettingsH(artifact, { prefix: 'kws', generator: 'earshot page' }));
    const sketch = unzipSync(bins[2]![1]);
    expect(new TextDecoder().decode(sketch['earshot_kws/model.h'])).toBe(texts[0]![1]);
    expect(ex.lastFile).toBe('earshot_kws.zip');
  });

  it('refuses binary formats without a byte saver, and models that are not quantized', async () => {
    const ex = new ExportState(() => client, () => undefined);
    ex.format = 'tflite';
    await ex.download(artifact, []);
    expect(ex.error).toMatch(/export\/bad-format/);
    await ex.download(null, []);
    expect(ex.error).toMatch(/model\/not-quantized/);
  });
});
