/** SpeakersState over a DatasetState in fake IndexedDB: bulk speakers by tick, by class, by file names; the recorder's speaker per project. */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { openDatasetState } from './dataset-fixtures.ts';
import { SPEAKER_KEY_PREFIX, SpeakersState, type KeyValueStore } from '../../src/state/speakers.svelte.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

const tone = () => Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5));

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

async function setup() {
  const { store, ds } = await openDatasetState();
  await ds.addClass('yes');
  await ds.addClass('no');
  for (const n of ['yes_alice_1.wav', 'yes_bob_1.wav', 'yes_alice_2.wav']) await ds.addClip('yes', tone(), 'file', n);
  for (const n of ['no_bob_1.wav', 'no_alice_1.wav', 'odd.wav']) await ds.addClip('no', tone(), 'file', n);
  await ds.addClip('no', tone(), 'mic');
  const storage = memoryStore();
  const sp = new SpeakersState(ds, () => store.project().id, storage);
  return { store, ds, sp, storage };
}

describe('SpeakersState', () => {
  it('prefills the guessed pattern, previews it live and saves the speakers of the fitting clips', async () => {
    const { store, ds, sp } = await setup();
    expect(sp.pattern).toBe('{label}_{speaker}_{*}');
    const r = sp.preview;
    expect(r.ok && [r.preview.matched, r.preview.unmatched, r.preview.unnamed, r.preview.speakers]).toEqual([5, 1, 1, ['alice', 'bob']]);
    expect(sp.known.none).toBe(7);
    await sp.applyPattern();
    expect(sp.problem).toBeNull();
    expect(sp.done).toBe('Saved speakers for 5 clips from their file names.');
    const saved = new Map((await store.listClips()).map((c) => [c.name ?? 'mic', c.speaker]));
    expect(Object.fromEntries(saved)).toEqual({ 'yes_alice_1.wav': 'alice', 'yes_bob_1.wav': 'bob', 'yes_alice_2.wav': 'alice', 'no_bob_1.wav': 'bob', 'no_alice_1.wav': 'alice', 'odd.wav': undefined, mic: undefined });
    expect(sp.known.speakers).toEqual([{ speaker: 'alice', clips: 3 }, { speaker: 'bob', clips: 2 }]);
    expect(ds.clips.filter((c) => c.speaker).length).toBe(5);
  });

  it('a bad pattern gives plain words and keeps the code aside; nothing is saved', async () => {
    const { store, sp } = await setup();
    sp.pattern = '{label}_{take}';
    const r = sp.preview;
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('dataset/bad-pattern');
      expect(r.message).toMatch(/^The file-name pattern "\{label\}_\{take\}" has neither \{speaker\} nor \{session\}/);
      expect(r.message).not.toContain('[');
    }
    await sp.applyPattern();
    expect(sp.problem?.code).toBe('dataset/bad-pattern');
    expect((await store.listClips()).every((c) => c.speaker === undefined)).toBe(true);
  });

  it('sets speaker and session of the ticked clips, and of a whole class; bad values are refused in plain words', async () => {
    const { store, ds, sp } = await setup();
    const [a, b] = ds.clips;
    sp.tick(a!.id, true);
    sp.tick(b!.id, true);
    await sp.applyToTicked({ speaker: ' carol ', session: '' });
    expect(sp.done).toBe('Set speaker “carol” for 2 clips ticked.');
    expect((await store.listClips()).map((c) => c.speaker).slice(0, 3)).toEqual(['carol', 'carol', undefined]);
    await sp.applyToClass('no', { session: 'monday' });
    expect(sp.done).toBe('Set session “monday” for the 4 clips of “no”.');
    expect(ds.clipsFor('no').map((c) => c.session)).toEqual(['monday', 'monday', 'monday', 'monday']);
    expect(ds.clipsFor('yes').every((c) => c.session === undefined)).toBe(true);
    await sp.applyToClass('no', { speaker: 'x'.repeat(65) });
    expect(sp.problem).toMatchObject({ code: 'dataset/bad-label', message: 'Speaker must be 1 to 64 printable characters' });
    await sp.applyToTicked({});
    expect(sp.problem?.message).toBe('Type a speaker or a session first.');
    sp.tickAll(false);
    expect(sp.tickedIds).toEqual([]);
  });

  it('remembers the recorder speaker per project and tags recorded clips with it', async () => {
    const { store, sp, storage } = await setup();
    expect(sp.recordingSpeaker).toBe('');
    expect(sp.recordingTags()).toEqual({});
    sp.recordingSpeaker = ' dana ';
    expect(storage.data.get(SPEAKER_KEY_PREFIX + store.project().id)).toBe(' dana ');
    expect(sp.recordingTags()).toEqual({ speaker: 'dana' });
    const again = new SpeakersState((await openDatasetState()).ds, () => store.project().id, storage);
    expect(again.recordingSpeaker).toBe(' dana ');
    const other = new SpeakersState((await openDatasetState()).ds, () => 'another-project', storage);
    expect(other.recordingSpeaker).toBe('');
    sp.recordingSpeaker = 'tab\there';
    expect(() => sp.recordingTags()).toThrow(expect.objectContaining({ code: 'dataset/bad-label' }));
    expect(sp.recordingProblem).toEqual({ message: 'Speaker must be 1 to 64 printable characters', code: 'dataset/bad-label' });
    sp.recordingSpeaker = 'dana';
    expect(sp.recordingProblem).toBeNull();
  });
});
