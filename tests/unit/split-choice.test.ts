/** The Train form's split choice: 'auto' is by speaker once two speakers are known (recorded, set or from file names). */
import { describe, expect, it } from 'vitest';
import { makeClip } from '../../src/core/dataset/clip.ts';
import { knownSpeakers, splitFor } from '../../src/state/model.svelte.ts';

const clip = (id: string, label: string, extra: { name?: string; speaker?: string } = {}) =>
  makeClip({ id, label, samples: new Float32Array(16), sampleRateHz: 16000, source: extra.name ? 'file' : 'mic', ...extra });

describe('split choice', () => {
  it('auto: random clips while fewer than two speakers are known', () => {
    const clips = [clip('a', 'yes'), clip('b', 'no', { speaker: 'alice' })];
    expect(knownSpeakers(clips)).toEqual(['alice']);
    expect(splitFor('auto', clips)).toBe('random');
  });

  it('auto: by speaker with two speakers, from the clips or their file names', () => {
    expect(splitFor('auto', [clip('a', 'yes', { speaker: 'alice' }), clip('b', 'no', { speaker: 'bob' })])).toBe('speaker');
    const named = [clip('a', 'yes', { name: 'yes_alice_1.wav' }), clip('b', 'no', { name: 'no_bob_1.wav' }), clip('c', 'no', { name: 'no_alice_2.wav' })];
    expect(knownSpeakers(named)).toEqual(['alice', 'bob']);
    expect(splitFor('auto', named)).toBe('speaker');
  });

  it('an explicit choice is kept', () => {
    const clips = [clip('a', 'yes', { speaker: 'alice' }), clip('b', 'no', { speaker: 'bob' })];
    expect(splitFor('random', clips)).toBe('random');
    expect(splitFor('session', [])).toBe('session');
  });
});
