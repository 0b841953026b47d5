/**
 * Synthetic voices as training-only clips: the seeded voice list, `earshot voices` (espeak-ng,
 * installed by scripts/ensure-tools.sh), and the train pipeline's extraClips, which join the
 * training side of every split and fold and are never held out.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { decodeWav } from '../../src/core/audio/wav.ts';
import { ESPEAK_ACCENTS, ESPEAK_VARIANTS, syntheticVoices } from '../../src/core/dataset/synthetic-voices.ts';
import { validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { crossValidate, trainArtifact } from '../../src/core/pipeline/train-pipeline.ts';
import { codeOf } from './error-code.ts';

const tmp = mkdtempSync(join(tmpdir(), 'earshot-voices-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['voices', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('syntheticVoices', () => {
  it('is the same list for the same seed, another for another; every voice espeak-ng knows, in range', () => {
    const a = syntheticVoices(40, 3);
    expect(syntheticVoices(40, 3)).toEqual(a);
    expect(syntheticVoices(40, 4)).not.toEqual(a);
    expect(new Set(a.map((v) => v.id)).size).toBe(40);
    for (const v of a) {
      const [accent, variant] = v.voice.split('+');
      expect(ESPEAK_ACCENTS).toContain(accent);
      expect(ESPEAK_VARIANTS).toContain(variant);
      expect(v.wpm).toBeGreaterThanOrEqual(120);
      expect(v.wpm).toBeLessThanOrEqual(200);
      expect(v.pitch).toBeGreaterThanOrEqual(20);
      expect(v.pitch).toBeLessThanOrEqual(80);
      expect(v.id).toMatch(/^syn\d+-[a-z0-9-]+$/);
    }
    expect(codeOf(() => syntheticVoices(0))).toBe('dataset/bad-voices');
    expect(codeOf(() => syntheticVoices(1.5))).toBe('dataset/bad-voices');
  });
});

describe('earshot voices', () => {
  it('writes <word>/<voice>_1.wav for every word and voice, real speech WAVs', async () => {
    const out = join(tmp, 'syn');
    const r = await run('--words', 'yes,go=go!', '--voices', '3', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/wrote 6 clips .*--extra/);
    expect(readdirSync(out).sort()).toEqual(['go', 'yes']);
    const files = readdirSync(join(out, 'yes')).sort();
    expect(files).toEqual(syntheticVoices(3).map((v) => `${v.id}_1.wav`).sort());
    const wav = decodeWav(new Uint8Array(readFileSync(join(out, 'yes', files[0]!))));
    const x = wav.channels[0]!;
    expect(x.length / wav.sampleRateHz).toBeGreaterThan(0.2); // a spoken word, not an empty file
    expect(x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeGreaterThan(0.05);
  }, 60_000);

  it('refuses bad input with a one-line reason', async () => {
    for (const argv of [['--out', tmp], ['--words', '', '--out', tmp], ['--words', 'a=', '--out', tmp], ['--words', 'no/way', '--out', tmp], ['--words', 'yes', '--voices', '0', '--out', tmp]]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.err.length).toBe(1);
    }
  });
});

describe('train pipeline extraClips', () => {
  const config = validateFeatureConfig({ sampleRateHz: 8000, clipMs: 250, windowMs: 32, hopMs: 32, fftSize: 256, melBands: 8, fMaxHz: 4000 });
  const tone = (hz: number) => Float32Array.from({ length: 2000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 8000));
  const clip = (label: string, speaker: string, k: number) => ({ samples: tone(label === 'low' ? 300 + 10 * k : 2500 + 30 * k), label, speaker, source: `${speaker}/${label}${k}` });
  const clips = ['ann', 'bob', 'cy'].flatMap((s) => [0, 1].flatMap((k) => [clip('low', s, k), clip('high', s, k)]));
  const extra = [0, 1, 2].flatMap((k) => [clip('low', `syn${k}`, k), clip('high', `syn${k}`, k)]);

  beforeAll(async () => {
    await initNodeTf('cpu');
  });

  it('join every split and fold on the training side only; foreign labels are refused', async () => {
    const base = { featureConfig: config, preset: 'conv1d', epochs: 1, backend: 'cpu', extraClips: extra };
    const a = await trainArtifact({ ...base, clips, split: 'speaker', valFraction: 0.3 });
    expect(a.training!.extraClips).toBe(6);
    expect(a.training!.valSources!.some((s) => s.startsWith('syn'))).toBe(false);
    expect(a.training!.heldOut!.some((s) => s.startsWith('syn'))).toBe(false);
    expect(a.training!.trainClips + a.training!.valClips).toBe(clips.length + extra.length);
    const cv = await crossValidate({ ...base, clips }, 'speaker');
    expect(cv.folds.map((f) => f.group)).toEqual(['ann', 'bob', 'cy']);
    await expect(trainArtifact({ ...base, clips, extraClips: [clip('middle', 'syn9', 0)] })).rejects.toMatchObject({ code: 'dataset/bad-label' });
  }, 60_000);
});

describe('trimToWord', () => {
  it('cuts the silence around a word at 1 % of its peak, keeps the rest exactly', async () => {
    const { trimToWord } = await import('../../src/core/dataset/synthetic-voices.ts');
    const word = Float32Array.from({ length: 100 }, (_, i) => 0.5 * Math.sin(i / 3) + (i % 2 ? 0.2 : -0.2));
    const x = new Float32Array(300);
    x.set(word, 120);
    x[10] = 0.004; // below 1 % of the peak: silence
    const t = trimToWord(x);
    const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const loud = (v: number) => Math.abs(v) > 0.01 * peak;
    const first = x.findIndex(loud);
    const last = x.length - 1 - [...x].reverse().findIndex(loud);
    expect(first).toBeGreaterThanOrEqual(120); // the quiet sample at 10 is cut with the silence
    expect(Array.from(t)).toEqual(Array.from(x.subarray(first, last + 1)));
    expect(Array.from(trimToWord(new Float32Array(5)))).toEqual([0, 0, 0, 0, 0]);
  });
});
