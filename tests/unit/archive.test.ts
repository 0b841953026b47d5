import { describe, it, expect } from 'vitest';
import { unzipSync, zipSync } from 'fflate';
import { readArchive, writeArchive, parseManifest, safeFileStem, type Manifest } from '../../src/core/dataset/archive.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { quantizePcm16, isPcm16, pcm16Of } from '../../src/core/audio/pcm16.ts';
import { decodeWav, encodeWav } from '../../src/core/audio/wav.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

function noise(seed: number, n = 16000): Float32Array {
  const r = mulberry32(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (r() * 2 - 1) * 1.2; // beyond ±1 too: saturates
  return quantizePcm16(x);
}

let k = 0;
const ids = () => `id${++k}`;

function clips(): Clip[] {
  return [
    makeClip({ id: 'a1', label: 'yes', samples: noise(1), sampleRateHz: 16000, source: 'mic', createdAtMs: 10, speaker: 'ana', session: 'mon' }),
    makeClip({ id: 'a2', label: 'yes', samples: noise(2), sampleRateHz: 16000, source: 'file', createdAtMs: 11, name: 'take.wav' }),
    makeClip({ id: 'a3', label: 'yes', samples: noise(3), sampleRateHz: 16000, source: 'file', createdAtMs: 12, name: 'TAKE.wav' }),
    makeClip({ id: 'b1', label: 'no no', samples: noise(4), sampleRateHz: 16000, source: 'mic', createdAtMs: 13, speaker: 'bo' }),
  ];
}
const project = { name: 'Demo', config: DEFAULT_FEATURE_CONFIG, classes: ['yes', 'no no', 'empty'] };

describe('16-bit grid', () => {
  it('quantized samples survive encodeWav → decodeWav bit-exactly, including the extremes', () => {
    const x = quantizePcm16(new Float32Array([-2, -1, -0.5, -1 / 32768, 0, 0.49 / 32768, 0.5 / 32768, 32767 / 32768, 1, 3, NaN]));
    expect(Array.from(x, (v) => Math.round(v * 32768))).toEqual([-32768, -32768, -16384, -1, 0, 0, 1, 32767, 32767, 32767, 0]);
    expect(isPcm16(x)).toBe(true);
    expect(isPcm16(new Float32Array([0.1]))).toBe(false);
    const back = decodeWav(encodeWav(x, 16000)).channels[0];
    expect(Array.from(back)).toEqual(Array.from(x));
    expect(Object.is(pcm16Of(-0.3 / 32768), 0)).toBe(true); // −0 → +0: a WAV has no negative zero
    expect(Object.is(quantizePcm16(new Float32Array([-1e-9]))[0], 0)).toBe(true);
  });
});

describe('dataset archive', () => {
  it('round-trips samples bit-exactly with labels, tags, names and config; output is deterministic', () => {
    const zip = writeArchive(project, clips());
    expect(Buffer.from(writeArchive(project, clips())).equals(Buffer.from(zip))).toBe(true);
    const entries = Object.keys(unzipSync(zip)).sort();
    expect(entries).toEqual(['manifest.json', 'no no/no no-b1.wav', 'yes/TAKE-2.wav', 'yes/ana-a1.wav'.replace('ana-a1', 'yes-a1'), 'yes/take.wav'].sort());
    const back = readArchive(zip, ids);
    expect(back.manifest.labels).toEqual(['yes', 'no no', 'empty']);
    expect(back.manifest.speakers).toEqual(['ana', 'bo']);
    expect(back.manifest.sessions).toEqual(['mon']);
    expect(back.manifest.project).toEqual({ name: 'Demo', config: DEFAULT_FEATURE_CONFIG });
    const orig = clips();
    expect(back.clips).toHaveLength(4);
    back.clips.forEach((c, i) => {
      expect(c.id).not.toBe(orig[i].id);
      expect({ ...c, id: '', samples: null }).toEqual({ ...orig[i], id: '', samples: null });
      expect(Buffer.from(c.samples.buffer, c.samples.byteOffset, c.samples.byteLength).equals(Buffer.from(orig[i].samples.buffer, orig[i].samples.byteOffset, orig[i].samples.byteLength))).toBe(true);
    });
  });

  it('fits clips at another rate or length to the project window on the way in', () => {
    const files = {
      'manifest.json': new TextEncoder().encode(JSON.stringify({
        format: 'earshot-dataset', version: 1, project: { name: 'x', config: DEFAULT_FEATURE_CONFIG },
        labels: ['yes'], clips: [{ file: 'yes/a.wav', label: 'yes' }],
      })),
      'yes/a.wav': encodeWav(new Float32Array(8000).fill(0.25), 44100),
    };
    const c = readArchive(zipSync(files), ids).clips[0];
    expect(c.samples.length).toBe(16000);
    expect(isPcm16(c.samples)).toBe(true);
  });

  it('names files safely', () => {
    expect(safeFileStem('../../etc/passwd')).toBe('_.._etc_passwd'); // no '/', no leading dot
    expect(safeFileStem('C:\\x\\..\\y')).toBe('C_x_.._y');
    expect(safeFileStem('a"b;c.wav')).toBe('a_b_c');
    expect(safeFileStem('...')).toBe('clip');
  });

  it('reads what it writes as a manifest', () => {
    const m = JSON.parse(new TextDecoder().decode(unzipSync(writeArchive(project, clips()))['manifest.json'])) as Manifest;
    expect(parseManifest(m)).toEqual(m);
  });
});
