import { describe, it, expect } from 'vitest';
import { resample } from '../../src/core/audio/resample.ts';

describe('polyphase bank', () => {
  it('gives the direct loop results (non-integer rates of the same ratio take the direct path)', () => {
    const x = Float32Array.from({ length: 22050 }, (_, i) => Math.sin(i * 0.37) * 0.5 + Math.sin(i * 0.011) * 0.3);
    for (const [a, b] of [[44100, 16000], [48000, 16000], [8000, 16000], [22050, 16000], [16000, 44100], [11025, 16000]]) {
      const bank = resample(x, a, b);
      const direct = resample(x, a * (1 + 1e-12), b * (1 + 1e-12));
      expect(bank.length).toBe(direct.length);
      let max = 0;
      for (let i = 0; i < bank.length; i++) max = Math.max(max, Math.abs(bank[i] - direct[i]));
      expect(max, `${a}→${b}`).toBeLessThan(1e-6);
    }
  });
});
