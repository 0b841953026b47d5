import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitClip } from '../../src/core/audio/fit-clip.ts';
import { decodeForModel, prepareSamples } from '../../src/core/audio/prepare.ts';
import { encodeWav } from '../../src/core/audio/wav.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { toPcm16 } from '../../src/core/dsp/log-mel.ts';
import { codeOf } from './error-code.ts';
import { loadGolden } from '../reference/fixtures.ts';

describe('fitClip', () => {
  it('centres short clips with zero padding (left pad = floor)', () => {
    expect(Array.from(fitClip(Float32Array.of(1, 2, 3), 8))).toEqual([0, 0, 1, 2, 3, 0, 0, 0]);
    expect(Array.from(fitClip(Float32Array.of(1, 2), 4))).toEqual([0, 1, 2, 0]);
    expect(Array.from(fitClip(new Float32Array(0), 3))).toEqual([0, 0, 0]);
  });

  it('returns a copy when the length already matches', () => {
    const x = Float32Array.of(1, 2);
    const y = fitClip(x, 2);
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual([1, 2]);
  });

  it('keeps the loudest window of long clips (stride length/100, last window included)', () => {
    const x = new Float32Array(5000);
    for (let i = 3000; i < 3200; i++) x[i] = 1;
    const y = fitClip(x, 1000); // stride 10
    let e = 0;
    for (const v of y) e += v * v;
    expect(e).toBe(200);
    // the earliest window holding all the energy starts at 2200 (stride multiple)
    expect(y[3000 - 2200]).toBe(1);
    expect(y[799]).toBe(0);
    expect(y[999]).toBe(1);
    const tail = new Float32Array(1055);
    tail[1054] = 1;
    expect(fitClip(tail, 1000)[999]).toBe(1); // 55 is not a multiple of 10: the last window is checked
  });

  it('breaks ties by taking the earliest window', () => {
    const x = new Float32Array(3000).fill(0.5);
    const y = fitClip(Float32Array.from(x, (v, i) => (i < 1000 ? v : i < 2000 ? -v : v)), 1000);
    expect(y[0]).toBe(0.5);
    expect(y[999]).toBe(0.5);
  });

  it('rejects bad lengths', () => {
    expect(codeOf(() => fitClip(new Float32Array(3), 0))).toBe('audio/bad-length');
    expect(codeOf(() => fitClip(new Float32Array(3), 2.5))).toBe('audio/bad-length');
  });
});

describe('decodeForModel / prepareSamples', () => {
  const golden = loadGolden();

  // Words that fit the clip (a longer one: fitClip keeps its loudest window, the reference its middle)
  for (const clip of golden.clips.filter((c) => c.wav)) {
    it(`turns ${clip.wav} into the reference script's PCM for the ${clip.config} config`, () => {
      const x = decodeForModel(readFileSync(clip.wav!), golden.configs[clip.config]);
      expect(Array.from(toPcm16(x))).toEqual(Array.from(clip.pcm));
    });
  }

  it('resamples 44.1 kHz stereo-free audio to 16 kHz and fits it to one second', () => {
    const n = 44100 * 2;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (i > 50000 && i < 70000 ? 0.8 : 0.01) * Math.sin(i * 0.05);
    const y = prepareSamples(x, 44100, DEFAULT_FEATURE_CONFIG);
    expect(y.length).toBe(16000);
    const bytes = encodeWav(x, 44100);
    expect(decodeForModel(bytes, {}).length).toBe(16000);
  });

  it('refuses empty audio', () => {
    expect(codeOf(() => prepareSamples(new Float32Array(0), 16000, {}))).toBe('audio/empty');
    expect(codeOf(() => decodeForModel(encodeWav(new Float32Array(0), 16000), {}))).toBe('audio/empty');
    expect(codeOf(() => prepareSamples(new Float32Array(10), -5, {}))).toBe('audio/bad-rate');
  });
});
