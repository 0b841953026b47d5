/** Test audio made in the test: a 0.8 s tone at 16 kHz with a little seeded noise (one voice per hz and seed). */
import { encodeWav } from '../../../src/core/audio/wav.ts';

export function toneWav(hz: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const x = Float32Array.from({ length: 12800 }, (_, i) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return 0.4 * Math.sin((2 * Math.PI * hz * i) / 16000) * Math.sin((Math.PI * i) / 12800) + 0.01 * ((s / 2 ** 32) * 2 - 1);
  });
  return encodeWav(x, 16000);
}
