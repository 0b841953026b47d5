import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { readDataDir } from '../../src/cli/files.ts';
import { writeArchive } from '../../src/core/dataset/archive.ts';
import { makeClip } from '../../src/core/dataset/clip.ts';
import { quantizePcm16 } from '../../src/core/audio/pcm16.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';

describe('CLI --data reads a dataset zip and its unzipped folder alike', () => {
  it('same labels and bit-identical samples', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-archive-'));
    try {
      const clips = ['yes', 'yes', 'no'].map((label, i) =>
        makeClip({ id: `c${i}`, label, samples: quantizePcm16(new Float32Array(16000).map((_, j) => Math.sin(j * (i + 1) * 0.01) * 0.5)), sampleRateHz: 16000, source: 'mic' }),
      );
      const zip = writeArchive({ name: 'p', config: DEFAULT_FEATURE_CONFIG, classes: ['yes', 'no'] }, clips);
      const zipPath = join(dir, 'data.zip');
      writeFileSync(zipPath, zip);
      const folder = join(dir, 'data');
      for (const [name, bytes] of Object.entries(unzipSync(zip))) {
        mkdirSync(dirname(join(folder, name)), { recursive: true });
        writeFileSync(join(folder, name), bytes);
      }
      const warnings: string[] = [];
      const fromZip = readDataDir(zipPath, DEFAULT_FEATURE_CONFIG, (l) => warnings.push(l));
      const fromDir = readDataDir(folder, DEFAULT_FEATURE_CONFIG, (l) => warnings.push(l));
      expect(warnings).toEqual([]);
      const key = (c: { label: string; samples: Float32Array }) => `${c.label}:${Buffer.from(c.samples.buffer).toString('base64')}`;
      expect(fromZip.map(key).sort()).toEqual(fromDir.map(key).sort());
      expect(fromZip.map(key).sort()).toEqual(clips.map(key).sort());
      writeFileSync(join(dir, 'bad.zip'), new Uint8Array([1, 2, 3]));
      expect(() => readDataDir(join(dir, 'bad.zip'), DEFAULT_FEATURE_CONFIG, () => {})).toThrow(expect.objectContaining({ code: 'archive/not-zip' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
