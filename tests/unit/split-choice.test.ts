/** The Train form's split choice: 'auto' is by speaker once two speakers are known (recorded, set or from file names). */
import { describe, expect, it } from 'vitest';
import { makeClip } from '../../src/core/dataset/clip.ts';
import { knownSpeakers, splitFor } from '../../src/state/model.svelte.ts';

const clip = (id: string, label: string, extra: { name?: string; speaker?: string } = {}) =>
  makeClip({ id, label, samples: new Float32Array(16), sampleRateHz: 16000, source: extra.name ? 'file' : 'mic', ...extra });

describe('split choice', () => {
  it('auto: random clips while fewer than two speakers are known', () => {
    const clips = [clip('a', 'yes'), clip('b', 'no', { speaker: 'alice' }), clip('c', 'yes', { speaker: 'alice' })];
    expect(knownSpeakers(clips)).toEqual(['alice']);
    expect(splitFor('auto', clips)).toBe('random');
  });

  it('auto: by speaker with two speakers, from the clips or their file names', () => {
    const two = [clip('a', 'yes', { speaker: 'alice' }), clip('b', 'no', { speaker: 'bob' }), clip('c', 'no', { speaker: 'alice' }), clip('d', 'yes', { speaker: 'bob' })];
    expect(splitFor('auto', two)).toBe('speaker');
    const named = ['yes_alice_1.wav', 'no_bob_1.wav', 'no_alice_2.wav', 'yes_bob_2.wav'].map((name, i) => clip(`n${i}`, name.split('_')[0]!, { name }));
    expect(knownSpeakers(named)).toEqual(['alice', 'bob']);
    expect(splitFor('auto', named)).toBe('speaker');
  });

  it('auto: a "speaker" of one clip is no speaker (a file-name part such as the demo\'s no-02-en-us_f3.wav)', () => {
    const demo = ['no-02-en-us_f3.wav', 'no-04-en-gb_f2.wav', 'yes-02-en-us_f3.wav', 'yes-05-en-gb.wav'].map((name, i) => clip(`d${i}`, name.split('-')[0]!, { name }));
    expect(knownSpeakers(demo)).toEqual([]);
    expect(splitFor('auto', demo)).toBe('random');
  });

  it('an explicit choice is kept', () => {
    const clips = [clip('a', 'yes', { speaker: 'alice' }), clip('b', 'no', { speaker: 'bob' })];
    expect(splitFor('random', clips)).toBe('random');
    expect(splitFor('session', [])).toBe('session');
  });
});

describe('autoSplit (earshot train and the page alike)', () => {
  it('holds out speakers only when two of them have two clips or more', async () => {
    const { autoSplit, speakersWithClips } = await import('../../src/core/pipeline/train-defaults.ts');
    expect(autoSplit(['ann', 'ann', 'bob', 'bob', undefined])).toBe('speaker');
    expect(autoSplit(['ann', 'ann', 'bob'])).toBe('random');
    expect(autoSplit(['no-02-en-us', 'no-03-en-gb', 'yes-02-en-us'])).toBe('random'); // one clip each: file-name parts
    expect(autoSplit([undefined, '', undefined])).toBe('random');
    expect(speakersWithClips(['bob', 'ann', 'bob', 'ann', 'cy'])).toEqual(['ann', 'bob']);
  });
});
