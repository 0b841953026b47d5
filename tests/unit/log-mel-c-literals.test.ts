import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_F32_CONSTANTS } from '../../src/core/dsp/f32-math.ts';
import { logMelTables } from '../../src/core/dsp/log-mel.ts';
import { featureTablesC, featuresCSource, floatLiteral, inputQuantizationC } from '../../src/core/export/c-features.ts';

describe('floatLiteral', () => {
  it('round-trips every float32 exactly, with C syntax', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const lit = floatLiteral(x);
        return /^-?(\d+\.\d*|\d+(\.\d*)?e-?\d+)f$/.test(lit) && Object.is(Math.fround(Number(lit.slice(0, -1))), Math.fround(x));
      }),
      { numRuns: 20000, seed: 11 },
    );
    expect(floatLiteral(1)).toBe('1.0f');
    expect(floatLiteral(0.1)).toBe('0.1f');
    expect(floatLiteral(100)).toBe('100.0f');
    expect(floatLiteral(1e-7)).toBe('1e-7f');
    expect(() => floatLiteral(Infinity)).toThrow();
  });
});

describe('C feature source', () => {
  it('features.h uses the same float32 constants as logF32', () => {
    const h = readFileSync('src/core/export/c/features.h', 'utf8');
    const body = h.slice(h.indexOf('static inline float earshot_logf'), h.indexOf('static inline void earshot_power_spectrum'));
    const lits = [...body.matchAll(/-?\d+\.\d+(e-?\d+)?f/g)].map((m) => Math.fround(Number(m[0].slice(0, -1))));
    const { LN2_HI, LN2_LO, C1, C2, C3, C4, C5 } = LOG_F32_CONSTANTS;
    for (const c of [LN2_HI, LN2_LO, C1, C2, C3, C4, C5]) expect(lits).toContain(c);
  });

  it('embeds the TypeScript tables exactly and is deterministic', () => {
    const cfg = { melBands: 32, fftSize: 256, sampleRateHz: 8000, fMaxHz: 4000 };
    const c = featureTablesC(cfg);
    expect(featureTablesC(cfg)).toBe(c);
    const t = logMelTables(cfg);
    const arr = (name: string): number[] => {
      const m = new RegExp(`${name}\\[[^\\]]*\\] = \\{([^}]*)\\}`).exec(c);
      return m![1].split(',').map((s) => s.trim()).filter(Boolean).map((s) => Math.fround(Number(s.replace(/f$/, ''))));
    };
    expect(arr('earshot_window')).toEqual(Array.from(t.window));
    expect(arr('earshot_fft_sin')).toEqual(Array.from(t.fft.sin));
    expect(arr('earshot_mel_weights')).toEqual(Array.from(t.mel.weights));
    expect(arr('earshot_mel_start')).toEqual(Array.from(t.mel.start));
    expect(c).toContain('#define EARSHOT_FEATURE_COUNT');
    expect(inputQuantizationC({ scale: 0.1, zeroPoint: -3 })).toContain('#define EARSHOT_INPUT_INV_SCALE  10.0f');
    expect(featuresCSource(cfg, { scale: 0.1, zeroPoint: -3 })).toContain('static inline int earshot_features(const int16_t *pcm, int8_t *features)');
    expect(() => inputQuantizationC({ scale: 0.1, zeroPoint: 300 })).toThrow();
  });
});
