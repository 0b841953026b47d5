import { describe, expect, it } from 'vitest';
import { previewNameTags } from '../../src/core/dataset/name-preview.ts';
import { codeOf } from './error-code.ts';

const clips = [
  { id: 'a', label: 'yes', name: 'yes_alice_1.wav' },
  { id: 'b', label: 'yes', name: 'yes_bob_1.wav' },
  { id: 'c', label: 'yes', name: 'yes_alice_2.wav' },
  { id: 'd', label: 'no', name: 'no_bob_1.wav' },
  { id: 'e', label: 'no', name: 'odd.wav' },
  { id: 'f', label: 'no' }, // recorded: no file name
  { id: 'g', label: 'no', name: `no_${'x'.repeat(65)}_1.wav` }, // speaker too long for a tag
];

describe('previewNameTags', () => {
  it('gives each fitting clip its speaker and counts what fits, what does not and what has no name', () => {
    const p = previewNameTags(clips, ' {label}_{speaker}_{take} ');
    expect(p.pattern).toBe('{label}_{speaker}_{take}');
    expect([p.setsSpeaker, p.setsSession]).toEqual([true, false]);
    expect([p.matched, p.unmatched, p.unnamed]).toEqual([4, 2, 1]);
    expect(p.speakers).toEqual(['alice', 'bob']);
    expect(p.sessions).toEqual([]);
    expect(Object.fromEntries(p.tags)).toEqual({ a: { speaker: 'alice' }, b: { speaker: 'bob' }, c: { speaker: 'alice' }, d: { speaker: 'bob' } });
  });

  it('shows a few rows spread over the classes, with up to two that do not fit, in clip order', () => {
    const p = previewNameTags(clips, '{label}_{speaker}_{*}', 4);
    expect(p.rows.map((r) => [r.id, r.fits, r.speaker])).toEqual([['a', true, 'alice'], ['d', true, 'bob'], ['e', false, undefined], ['g', false, undefined]]);
    expect(previewNameTags(clips, '{label}_{speaker}_{*}', 10).rows).toHaveLength(6);
  });

  it('reads sessions too', () => {
    const p = previewNameTags([{ id: 'a', label: 'x', name: 'ana-mon-1.wav' }], '{speaker}-{session}-{*}');
    expect(Object.fromEntries(p.tags)).toEqual({ a: { speaker: 'ana', session: 'mon' } });
    expect(p.sessions).toEqual(['mon']);
  });

  it('refuses a bad pattern (dataset/bad-pattern)', () => {
    expect(codeOf(() => previewNameTags(clips, '{label}_{take}'))).toBe('dataset/bad-pattern');
    expect(codeOf(() => previewNameTags(clips, ''))).toBe('dataset/bad-pattern');
  });
});
