import { describe, expect, it } from 'vitest';
import { LABEL_FIRST, SPEAKER_FIRST, guessNamePattern, matchName, nameStem, parseNamePattern, withNameTags } from '../../src/core/dataset/name-pattern.ts';
import { withSpeakers } from '../../src/core/pipeline/train-pipeline.ts';
import { codeOf } from './error-code.ts';

describe('parseNamePattern / matchName', () => {
  it('takes the fields a pattern names from the base name without its extension', () => {
    expect(matchName('{label}_{speaker}_{take}', 'digits/0_george_7.wav')).toEqual({ label: '0', speaker: 'george', take: '7' });
    expect(matchName('{speaker}_{*}', '3c4a8f_nohash_0.wav')).toEqual({ speaker: '3c4a8f' });
    expect(matchName('{speaker}-{session}-{*}', 'C:\\rec\\ana-mon-12.WAV')).toEqual({ speaker: 'ana', session: 'mon' });
    expect(matchName('{speaker}_{take}', 'george_smith_3.wav')).toEqual({ speaker: 'george', take: 'smith_3' }); // lazy from the left
    expect(matchName('rec {speaker}.{take}', 'rec lucas.2.wav')).toEqual({ speaker: 'lucas', take: '2' }); // literals are literal
  });

  it('gives null for a name that does not fit', () => {
    expect(matchName('{label}_{speaker}_{take}', 'george.wav')).toBeNull();
    expect(matchName('{speaker}-{session}-{*}', 'ana_mon_1.wav')).toBeNull();
  });

  it('refuses a bad pattern with the reason (dataset/bad-pattern)', () => {
    for (const bad of ['', '   ', '{speaker', 'speaker}_{take}', '{speaker}{take}', '{name}_{take}', '{take}_{*}', '{speaker}_{speaker}', 'a/{speaker}', 'x'.repeat(101)]) {
      expect(codeOf(() => parseNamePattern(bad)), bad).toBe('dataset/bad-pattern');
    }
    expect(() => parseNamePattern('{speaker}{take}')).toThrow(/separator/);
    expect(() => parseNamePattern('{name}_{take}')).toThrow(/unknown field \{name\}/);
    expect(parseNamePattern(' {Speaker}_{*} ').fields).toEqual(['speaker', '*']);
  });

  it('nameStem drops folders and the extension only', () => {
    expect(nameStem('a/b/c.d.wav')).toBe('c.d');
    expect(nameStem('.hidden')).toBe('.hidden');
  });
});

describe('guessNamePattern', () => {
  const fsdd = ['0', '1', '2'].flatMap((d) => ['george', 'lucas'].map((s, k) => ({ label: d, name: `${d}_${s}_${k}.wav` })));

  it('FSDD names (first part = the label): the speaker is the second part', () => {
    expect(guessNamePattern(fsdd)).toBe(LABEL_FIRST);
    expect(guessNamePattern([{ label: 'yes', name: 'yes_ana_1.wav' }])).toBe(LABEL_FIRST);
  });

  it('first part one per class and different across classes: it is the label', () => {
    const clips = [{ label: 'zero', name: '0_ann_1.wav' }, { label: 'zero', name: '0_bob_1.wav' }, { label: 'one', name: '1_ann_2.wav' }];
    expect(guessNamePattern(clips)).toBe(LABEL_FIRST);
  });

  it('Speech Commands and plain <speaker>_<take> names: the first part', () => {
    expect(guessNamePattern([{ label: 'yes', name: 'a1_nohash_0.wav' }, { label: 'no', name: 'b2_nohash_0.wav' }])).toBe(SPEAKER_FIRST);
    expect(guessNamePattern([{ label: 'yes', name: 'ana_1.wav' }, { label: 'yes', name: 'bo_1.wav' }, { label: 'no', name: 'ana_2.wav' }])).toBe(SPEAKER_FIRST);
    expect(guessNamePattern([{ label: 'yes' }])).toBe(SPEAKER_FIRST);
  });

  it('withSpeakers (the CLI) uses the guess or the given pattern, and keeps speakers already known', () => {
    const clips = fsdd.map((c) => ({ label: c.label, samples: new Float32Array(1), source: `data/${c.label}/${c.name}` }));
    expect(withSpeakers(clips).map((c) => c.speaker)).toEqual(['george', 'lucas', 'george', 'lucas', 'george', 'lucas']);
    expect(withSpeakers(clips, '{speaker}_{*}').map((c) => c.speaker)).toEqual(['0', '0', '1', '1', '2', '2']);
    expect(withSpeakers([{ ...clips[0]!, speaker: 'kept' }])[0]!.speaker).toBe('kept');
    expect(withNameTags([{ label: 'a', name: 'ana-mon-1.wav' }], (c) => c.name, '{speaker}-{session}-{*}')).toEqual([{ label: 'a', name: 'ana-mon-1.wav', speaker: 'ana', session: 'mon' }]);
  });
});
