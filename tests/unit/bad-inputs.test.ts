/**
 * The bad-input suite on the parsers, in Node: every malformed or hostile input gets its typed
 * code and a readable message (the same table feeds the Chromium import test).
 */
import { describe, it, expect } from 'vitest';
import { BAD_WAVS, BAD_ARCHIVES, EDGE_WAVS, LABELS } from '../fixtures/bad-inputs.ts';
import { decodeForModel } from '../../src/core/audio/prepare.ts';
import { decodeWav } from '../../src/core/audio/wav.ts';
import { readArchive } from '../../src/core/dataset/archive.ts';
import { validateLabel } from '../../src/core/dataset/clip.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { EarshotError } from '../../src/core/errors.ts';

function caught(fn: () => unknown): EarshotError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EarshotError) return e;
    throw new Error(`not an EarshotError: ${String(e)}`);
  }
  throw new Error('no error thrown');
}

const readable = (m: string) => m.length >= 12 && /[a-z]/.test(m) && !/undefined|\[object/.test(m);

describe('bad input suite', () => {
  it('has at least 50 hostile inputs', () => {
    expect(BAD_WAVS.length + BAD_ARCHIVES.length + LABELS.filter((l) => !l.ok).length).toBeGreaterThanOrEqual(50);
  });

  it.each(BAD_WAVS.map((c) => [c.name, c] as const))('WAV: %s', (_name, c) => {
    const e = caught(() => decodeForModel(c.bytes(), DEFAULT_FEATURE_CONFIG));
    expect(e.code).toBe(c.code);
    expect(readable(e.message)).toBe(true);
  });

  it.each(EDGE_WAVS.map((c) => [c.name, c] as const))('valid edge case decodes exactly: %s', (_name, c) => {
    const ch = decodeWav(c.bytes()).channels[0];
    expect(Array.from(ch.slice(0, c.first.length))).toEqual(c.first.map(Math.fround));
  });

  let n = 0;
  it.each(BAD_ARCHIVES.map((c) => [c.name, c] as const))('archive: %s', (_name, c) => {
    const e = caught(() => readArchive(c.bytes(), () => `x${++n}`));
    expect(e.code).toBe(c.code);
    expect(readable(e.message)).toBe(true);
  });

  it.each(LABELS.map((l) => [JSON.stringify(l.label), l] as const))('label %s', (_name, l) => {
    if (l.ok) expect(validateLabel(l.label)).toBe(l.label);
    else expect(caught(() => validateLabel(l.label)).code).toBe('dataset/bad-label');
  });
});
