/**
 * The WebAssembly twin of the log-mel frames gives the same bits as the TypeScript, on every
 * golden clip of every preset and on random configs; its embedded bytes are current.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeLogMelPcm16 } from '../../src/core/dsp/log-mel.ts';
import { wasmAvailable } from '../../src/core/dsp/log-mel-wasm.ts';
import { featureShape, validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { assemble, GENERATED, render } from '../../scripts/embed-wasm.ts';
import { loadGolden } from '../reference/fixtures.ts';

const golden = loadGolden();

function sameBits(a: Float32Array, b: Float32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length && out.length < 10; i++) if (!Object.is(a[i], b[i])) out.push(`[${i}] wasm=${a[i]} ts=${b[i]}`);
  return out;
}

describe('log-mel in WebAssembly', () => {
  it('runs in Node', () => {
    expect(wasmAvailable()).toBe(true);
  });

  it('embeds the bytes of the current log-mel.wat', async () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(render(await assemble()));
  });

  it('equals the TypeScript bit for bit on every golden clip of every config', () => {
    for (const clip of golden.clips) {
      const config = golden.configs[clip.config];
      const w = computeLogMelPcm16(clip.pcm, config, 'wasm');
      const t = computeLogMelPcm16(clip.pcm, config, 'ts');
      expect(sameBits(w.data, t.data), `${clip.config}/${clip.name}`).toEqual([]);
    }
  });

  it('equals the TypeScript on random configs and signals (switching configs back and forth)', () => {
    fc.assert(
      fc.property(
        fc.record({
          sampleRateHz: fc.constantFrom(8000, 16000, 22050),
          clipMs: fc.integer({ min: 200, max: 1000 }),
          fftSize: fc.constantFrom(64, 128, 256, 512, 1024),
          windowFraction: fc.double({ min: 0.3, max: 1, noNaN: true }),
          hopMs: fc.integer({ min: 5, max: 40 }),
          melBands: fc.integer({ min: 4, max: 64 }),
          fMinHz: fc.integer({ min: 0, max: 300 }),
          logFloor: fc.constantFrom(1e-6, 1e-10, 1e-3),
        }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (r, seed) => {
          const windowMs = Math.max(1, Math.floor(((r.fftSize * r.windowFraction) / r.sampleRateHz) * 1000));
          const config = validateFeatureConfig({ sampleRateHz: r.sampleRateHz, clipMs: r.clipMs, fftSize: r.fftSize, windowMs, hopMs: r.hopMs, melBands: r.melBands, fMinHz: r.fMinHz, fMaxHz: r.sampleRateHz / 2, logFloor: r.logFloor });
          const pcm = new Int16Array(featureShape(config).inputSamples);
          let s = seed >>> 0;
          for (let i = 0; i < pcm.length; i++) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            pcm[i] = i % 97 < 40 ? (s >> 16) - 32768 : 0;
          }
          return sameBits(computeLogMelPcm16(pcm, config, 'wasm').data, computeLogMelPcm16(pcm, config, 'ts').data).length === 0;
        },
      ),
      { numRuns: 40, seed: 21 },
    );
  });
});
