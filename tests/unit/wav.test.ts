import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, toMono } from '../../src/core/audio/wav.ts';
import { codeOf } from './error-code.ts';
import { cat, chunk } from '../fixtures/bad-inputs.ts';

interface Build {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  data: Uint8Array;
  dataSize?: number;
  extensible?: boolean;
  before?: Uint8Array[];
  omitFmt?: boolean;
  omitData?: boolean;
}

function wav(b: Build): Uint8Array {
  const channels = b.channels ?? 1;
  const bits = b.bits ?? 16;
  const fmt = new Uint8Array(b.extensible ? 40 : 16);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, b.extensible ? 0xfffe : (b.format ?? 1), true);
  v.setUint16(2, channels, true);
  v.setUint32(4, b.rate ?? 16000, true);
  v.setUint32(8, (b.rate ?? 16000) * channels * (bits / 8), true);
  v.setUint16(12, b.blockAlign ?? channels * (bits / 8), true);
  v.setUint16(14, bits, true);
  if (b.extensible) {
    v.setUint16(16, 22, true);
    v.setUint16(18, bits, true);
    v.setUint16(24, b.format ?? 1, true); // GUID's first two bytes
  }
  const parts = [...(b.before ?? [])];
  if (!b.omitFmt) parts.push(chunk('fmt ', fmt));
  if (!b.omitData) parts.push(chunk('data', b.data, b.dataSize));
  const body = cat(parts);
  const head = new Uint8Array(12);
  head.set([82, 73, 70, 70], 0);
  new DataView(head.buffer).setUint32(4, 4 + body.length, true);
  head.set([87, 65, 86, 69], 8);
  return cat([head, body]);
}

function bytesOf(fill: (v: DataView) => void, n: number): Uint8Array {
  const b = new Uint8Array(n);
  fill(new DataView(b.buffer));
  return b;
}

describe('decodeWav', () => {
  it('decodes 8-bit unsigned PCM', () => {
    const a = decodeWav(wav({ bits: 8, data: Uint8Array.of(0, 128, 255, 64) }));
    expect(Array.from(a.channels[0])).toEqual([-1, 0, 127 / 128, -0.5]);
  });

  it('decodes 16-bit PCM stereo, de-interleaving', () => {
    const data = bytesOf((v) => [1000, -1000, 32767, -32768, 0, 16384].forEach((s, i) => v.setInt16(2 * i, s, true)), 12);
    const a = decodeWav(wav({ channels: 2, rate: 44100, data }));
    expect(a.sampleRateHz).toBe(44100);
    expect(Array.from(a.channels[0])).toEqual([1000 / 32768, 32767 / 32768, 0]);
    expect(Array.from(a.channels[1])).toEqual([-1000 / 32768, -1, 0.5]);
  });

  it('decodes 24-bit and 32-bit integer PCM with sign', () => {
    const d24 = Uint8Array.of(0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x40, 0xff, 0xff, 0xff);
    expect(Array.from(decodeWav(wav({ bits: 24, data: d24 })).channels[0])).toEqual([-1, 8388607 / 8388608, 0.5, -1 / 8388608]);
    const d32 = bytesOf((v) => [-2147483648, 1073741824, -1].forEach((s, i) => v.setInt32(4 * i, s, true)), 12);
    expect(Array.from(decodeWav(wav({ bits: 32, data: d32 })).channels[0])).toEqual([-1, 0.5, Math.fround(-1 / 2147483648)]);
  });

  it('decodes 32-bit float (format 3) and 64-bit float', () => {
    const d = bytesOf((v) => [0.25, -0.75, 1.5].forEach((s, i) => v.setFloat32(4 * i, s, true)), 12);
    expect(Array.from(decodeWav(wav({ format: 3, bits: 32, data: d })).channels[0])).toEqual([0.25, -0.75, 1.5]);
    const d64 = bytesOf((v) => [0.125, -0.5].forEach((s, i) => v.setFloat64(8 * i, s, true)), 16);
    expect(Array.from(decodeWav(wav({ format: 3, bits: 64, data: d64 })).channels[0])).toEqual([0.125, -0.5]);
  });

  it('decodes WAVE_FORMAT_EXTENSIBLE (PCM and float sub-formats, 3 channels)', () => {
    const d = bytesOf((v) => [1, 2, 3, 4, 5, 6].forEach((s, i) => v.setInt16(2 * i, s * 100, true)), 12);
    const a = decodeWav(wav({ extensible: true, channels: 3, data: d }));
    expect(a.channels.length).toBe(3);
    expect(Array.from(a.channels[2])).toEqual([300 / 32768, 600 / 32768]);
    const f = bytesOf((v) => v.setFloat32(0, -0.125, true), 4);
    expect(Array.from(decodeWav(wav({ extensible: true, format: 3, bits: 32, data: f })).channels[0])).toEqual([-0.125]);
  });

  it('skips unknown chunks, including odd-sized ones with their pad byte', () => {
    const data = bytesOf((v) => v.setInt16(0, 1234, true), 2);
    const a = decodeWav(wav({ data, before: [chunk('LIST', Uint8Array.of(1, 2, 3)), chunk('junk', new Uint8Array(5))] }));
    expect(Array.from(a.channels[0])).toEqual([1234 / 32768]);
  });

  it('decodes what is there when the data chunk declares more bytes than exist', () => {
    const data = bytesOf((v) => [5, 6, 7].forEach((s, i) => v.setInt16(2 * i, s, true)), 6);
    const a = decodeWav(wav({ data, dataSize: 1000 }));
    expect(Array.from(a.channels[0]).map((x) => x * 32768)).toEqual([5, 6, 7]);
    // Streaming writers put 0xFFFFFFFF; a partial last frame is dropped.
    const b = decodeWav(wav({ channels: 2, data: Uint8Array.of(1, 0, 2, 0, 3), dataSize: 0xffffffff }));
    expect(b.channels[0].length).toBe(1);
    expect(codeOf(() => decodeWav(wav({ channels: 2, data: Uint8Array.of(1, 2), dataSize: 100 })))).toBe('wav/truncated');
  });

  it('throws typed errors for broken files', () => {
    const ok = wav({ data: new Uint8Array(4) });
    expect(codeOf(() => decodeWav(new Uint8Array(0)))).toBe('wav/truncated');
    expect(codeOf(() => decodeWav(ok.subarray(0, 10)))).toBe('wav/truncated');
    expect(codeOf(() => decodeWav(new TextEncoder().encode('ID3 this is an mp3 file, not a wav')))).toBe('wav/not-riff');
    expect(codeOf(() => decodeWav(ok.subarray(0, 30)))).toBe('wav/truncated'); // fmt chunk cut short
    expect(codeOf(() => decodeWav(wav({ omitFmt: true, data: new Uint8Array(4) })))).toBe('wav/no-fmt');
    expect(codeOf(() => decodeWav(wav({ omitData: true, data: new Uint8Array(0) })))).toBe('wav/no-data');
    expect(codeOf(() => decodeWav(wav({ channels: 0, blockAlign: 2, data: new Uint8Array(4) })))).toBe('wav/bad-channels');
    expect(codeOf(() => decodeWav(wav({ rate: 500, data: new Uint8Array(4) })))).toBe('wav/bad-rate');
    expect(codeOf(() => decodeWav(wav({ rate: 400000, data: new Uint8Array(4) })))).toBe('wav/bad-rate');
    expect(codeOf(() => decodeWav(wav({ format: 2, data: new Uint8Array(4) })))).toBe('wav/unsupported-format');
    expect(codeOf(() => decodeWav(wav({ bits: 12, blockAlign: 2, data: new Uint8Array(4) })))).toBe('wav/unsupported-format');
    expect(codeOf(() => decodeWav(wav({ blockAlign: 3, data: new Uint8Array(4) })))).toBe('wav/bad-chunk');
    expect(codeOf(() => decodeWav(wav({ data: new Uint8Array(4), before: [chunk('LIST', new Uint8Array(2), 5000)] })))).toBe('wav/bad-chunk');
    const shortFmt = cat([ok.subarray(0, 12), chunk('fmt ', new Uint8Array(10)), chunk('data', new Uint8Array(2))]);
    expect(codeOf(() => decodeWav(shortFmt))).toBe('wav/bad-chunk');
  });

  it('reads the committed espeak-ng WAVs (made by sox)', () => {
    const a = decodeWav(readFileSync('tests/fixtures/audio/yes-16k.wav'));
    expect(a.sampleRateHz).toBe(16000);
    expect(a.channels.length).toBe(1);
    expect(a.channels[0].length).toBeGreaterThan(8000);
  });
});

describe('encodeWav / toMono', () => {
  it('round-trips 16-bit PCM exactly, clamping and rounding to nearest', () => {
    const x = Float32Array.of(0, 0.5, -0.5, 1, -1, 1.7, -3, 100.4 / 32768, 100.6 / 32768, -100.6 / 32768);
    const bytes = encodeWav(x, 22050);
    expect(bytes.length).toBe(44 + 2 * x.length);
    const back = decodeWav(bytes);
    expect(back.sampleRateHz).toBe(22050);
    expect(Array.from(back.channels[0]).map((v) => v * 32768)).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768, 100, 101, -101]);
    expect(codeOf(() => encodeWav(x, 0))).toBe('audio/bad-rate');
  });

  it('averages channels', () => {
    expect(Array.from(toMono([Float32Array.of(1, 0.5), Float32Array.of(0, -0.5)]))).toEqual([0.5, 0]);
    const one = Float32Array.of(0.25);
    const m = toMono([one]);
    expect(m).not.toBe(one);
    expect(Array.from(m)).toEqual([0.25]);
    expect(codeOf(() => toMono([]))).toBe('audio/empty');
    expect(codeOf(() => toMono([new Float32Array(1), new Float32Array(2)]))).toBe('audio/bad-length');
  });
});
