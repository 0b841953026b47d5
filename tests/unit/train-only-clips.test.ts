/**
 * Training-only clips (Clip.trainOnly: extra voices, e.g. `earshot voices`) in the page's state:
 * marked on import and in bulk, kept by the store and the dataset zip, never a speaker or a
 * held-out voice, sent to training as TrainRequest.extraClips and never evaluated.
 */
import 'fake-indexeddb/auto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { strFromU8, unzipSync } from 'fflate';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { readArchive, writeArchive, MANIFEST_NAME } from '../../src/core/dataset/archive.ts';
import { encodeWav } from '../../src/core/audio/wav.ts';
import { quantizePcm16 } from '../../src/core/audio/pcm16.ts';
import { DEFAULT_FEATURE_CONFIG, validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { openClipStore } from '../../src/platform/clip-store.ts';
import { clipsForQuant, knownSpeakers, ModelState, partitionClips, splitFor } from '../../src/state/model.svelte.ts';
import { SpeakersState } from '../../src/state/speakers.svelte.ts';
import type { ImportFile } from '../../src/state/dataset.svelte.ts';
import type { LabeledClip } from '../../src/core/pipeline/labeled-clips.ts';
import type { ModelArtifact } from '../../src/core/model/artifact.ts';
import type { TrainClient, TrainJob } from '../../src/workers/train-bridge.ts';
import { createTrainApi } from '../../src/workers/train-api.ts';
import { inProcessTrainClient } from '../../src/workers/train-bridge.ts';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { openDatasetState } from './dataset-fixtures.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

const tone = (hz: number, n = 16000, rateHz = 16000) => quantizePcm16(Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin((2 * Math.PI * hz * i) / rateHz)));

/** Real speakers alice and bob (by file name), plus synthetic voices syn1..syn3 marked training only. */
function dataset(): Clip[] {
  const out: Clip[] = [];
  let t = 0;
  for (const [label, hz] of [['yes', 400], ['no', 2600]] as const) {
    for (const speaker of ['alice', 'bob']) for (let k = 1; k <= 2; k++) out.push(makeClip({ id: `${label}-${speaker}-${k}`, label, samples: tone(hz + 20 * k), sampleRateHz: 16000, source: 'file', name: `${label}_${speaker}_${k}.wav`, createdAtMs: t++ }));
    for (let v = 1; v <= 3; v++) out.push(makeClip({ id: `${label}-syn${v}`, label, samples: tone(hz + 7 * v), sampleRateHz: 16000, source: 'file', name: `syn${v}_1.wav`, createdAtMs: t++, trainOnly: true }));
  }
  return out;
}

describe('training-only clips: the field', () => {
  it('is set by makeClip only when true, and partitions the clips', () => {
    const base = { id: 'a', label: 'yes', samples: tone(300), sampleRateHz: 16000, source: 'file' as const };
    expect('trainOnly' in makeClip(base)).toBe(false);
    expect('trainOnly' in makeClip({ ...base, trainOnly: false })).toBe(false);
    expect(makeClip({ ...base, trainOnly: true }).trainOnly).toBe(true);
    const { regular, trainOnly } = partitionClips(dataset());
    expect([regular.length, trainOnly.length]).toEqual([8, 6]);
    expect(trainOnly.every((c) => c.id.includes('syn'))).toBe(true);
  });

  it('is no speaker: knownSpeakers and the auto split ignore training-only clips', () => {
    const clips = dataset();
    expect(knownSpeakers(clips)).toEqual(['alice', 'bob']);
    expect(splitFor('auto', clips)).toBe('speaker');
    // with one real speaker, three synthetic voices do not make a speaker split
    const one = clips.filter((c) => !c.id.includes('bob'));
    expect(knownSpeakers(one)).toEqual(['alice']);
    expect(splitFor('auto', one)).toBe('random');
    // the same voices unmarked would be speakers (what the mark prevents); their `<voice>_1.wav`
    // names would even spoil the name-pattern guess for the real clips, so speakers are set here
    const unmarked = one.map(({ trainOnly: _t, ...c }) => ({ ...c, speaker: c.id.includes('syn') ? c.name!.split('_')[0] : c.name!.split('_')[1] }));
    expect(knownSpeakers(unmarked)).toEqual(['alice', 'syn1', 'syn2', 'syn3']);
  });

  it('survives the store (no schema change; a clip without the field reads as before)', async () => {
    const store = await openClipStore();
    await store.putClips(dataset());
    store.close();
    const again = await openClipStore();
    const back = await again.listClips();
    expect(back.filter((c) => c.trainOnly === true).map((c) => c.id).sort()).toEqual(['no-syn1', 'no-syn2', 'no-syn3', 'yes-syn1', 'yes-syn2', 'yes-syn3']);
    expect(back.filter((c) => !c.id.includes('syn')).every((c) => !('trainOnly' in c))).toBe(true);
    again.close();
  });

  it('round-trips through the dataset zip; the manifest marks only those clips and lists no synthetic speaker', () => {
    const clips = dataset().map((c) => (c.id.includes('syn') ? { ...c, speaker: c.name!.split('_')[0] } : { ...c, speaker: c.name!.split('_')[1] }));
    const zip = writeArchive({ name: 'p', config: DEFAULT_FEATURE_CONFIG, classes: ['yes', 'no'] }, clips);
    const manifest = JSON.parse(strFromU8(unzipSync(zip)[MANIFEST_NAME]!));
    expect(manifest.clips.filter((c: { trainOnly?: boolean }) => c.trainOnly === true)).toHaveLength(6);
    expect(manifest.clips.filter((c: object) => 'trainOnly' in c)).toHaveLength(6);
    expect(manifest.speakers).toEqual(['alice', 'bob']);
    let n = 0;
    const back = readArchive(zip, () => `n${n++}`).clips;
    expect(back.map((c) => [c.name, c.trainOnly === true])).toEqual(clips.map((c) => [c.name, c.trainOnly === true]));
    expect(back.filter((c) => c.trainOnly !== true).every((c) => !('trainOnly' in c))).toBe(true);
  });

  it('a manifest with a trainOnly that is not a boolean is refused', () => {
    const zip = writeArchive({ name: 'p', config: DEFAULT_FEATURE_CONFIG, classes: ['yes', 'no'] }, dataset().slice(0, 1));
    const files = unzipSync(zip);
    const manifest = JSON.parse(strFromU8(files[MANIFEST_NAME]!));
    manifest.clips[0].trainOnly = 'yes';
    const bad = { ...files, [MANIFEST_NAME]: new TextEncoder().encode(JSON.stringify(manifest)) };
    return import('fflate').then(({ zipSync }) => {
      expect(() => readArchive(zipSync(bad), () => 'x')).toThrow(expect.objectContaining({ code: 'archive/bad-manifest' }));
    });
  });
});

describe('training-only clips: import and bulk marks', () => {
  const file = (path: string, hz: number): ImportFile => {
    const bytes = encodeWav(tone(hz), 16000);
    return { name: path.split('/').pop()!, path, size: bytes.length, bytes: async () => bytes.slice().buffer };
  };

  it('imports a folder as training only; the others stay regular; bulk marks set and unset it in the store', async () => {
    const { store, ds } = await openDatasetState();
    const real = await ds.importFiles([file('yes/yes_alice_1.wav', 400), file('no/no_alice_1.wav', 2600)]);
    const extra = await ds.importFiles([file('yes/en-1_1.wav', 410), file('no/en-1_1.wav', 2610)], ds.selected, { trainOnly: true });
    expect([real, extra]).toEqual([{ imported: 2, failures: [] }, { imported: 2, failures: [], trainOnly: true }]);
    expect(ds.clips.map((c) => [c.label, c.name, c.trainOnly === true])).toEqual([
      ['yes', 'yes_alice_1.wav', false],
      ['no', 'no_alice_1.wav', false],
      ['yes', 'en-1_1.wav', true],
      ['no', 'en-1_1.wav', true],
    ]);
    const marks = async () => new Map((await store.listClips()).map((c) => [c.id, c.trainOnly === true]));
    const ids = ds.clips.map((c) => c.id);
    const expectMarks = async (want: boolean[]) => expect(ids.map((id) => (m as Map<string, boolean>).get(id))).toEqual(want);
    let m = await marks();
    await expectMarks([false, false, true, true]);

    const sp = new SpeakersState(ds, () => store.project().id, null);
    expect(sp.known.trainOnly).toBe(2);
    await sp.markTicked(true);
    expect(sp.problem?.message).toBe('Tick some clips in the table first.');
    sp.tick(ds.clips[0]!.id, true);
    sp.tick(ds.clips[2]!.id, true); // already marked: not counted again
    await sp.markTicked(true);
    expect(sp.done).toBe('Marked 1 clip training only.');
    m = await marks();
    await expectMarks([true, false, true, true]);
    await sp.markTicked(false);
    expect(sp.done).toBe('2 clips no longer training only.');
    m = await marks();
    await expectMarks([false, false, false, true]);
    expect('trainOnly' in (await store.listClips()).find((c) => c.id === ids[0])!).toBe(false);
    expect(sp.known.trainOnly).toBe(1);
  });

  it("synthetic voices' `<voice>_1.wav` names do not spoil the file-name guess for the real speakers", async () => {
    const { store, ds } = await openDatasetState();
    await ds.importFiles(['alice', 'bob'].flatMap((s) => [file(`yes/yes_${s}_1.wav`, 400), file(`no/no_${s}_1.wav`, 2600)]));
    await ds.importFiles(['en-1', 'de-2', 'fr-3'].flatMap((v) => [file(`yes/${v}_1.wav`, 410), file(`no/${v}_1.wav`, 2610)]), ds.selected, { trainOnly: true });
    const sp = new SpeakersState(ds, () => store.project().id, null);
    expect(sp.pattern).toBe('{label}_{speaker}_{*}');
    const r = sp.preview;
    expect(r.ok && [r.preview.matched, r.preview.speakers]).toEqual([4, ['alice', 'bob']]);
    await sp.applyPattern();
    expect(sp.done).toBe('Saved speakers for 4 clips from their file names.');
    expect(ds.clips.filter((c) => c.trainOnly).every((c) => c.speaker === undefined)).toBe(true);
    expect(knownSpeakers(ds.clips)).toEqual(['alice', 'bob']);
  });
});

/** A TrainClient that records what it is given and answers with a fixed artifact. */
function recordingClient(artifact: ModelArtifact) {
  const seen: { job?: TrainJob; evaluated?: LabeledClip[]; quantized?: LabeledClip[] } = {};
  const client = {
    init: async () => ({ name: 'cpu', threads: false, workers: 1, simdKernels: false }),
    train: async (job: TrainJob) => ((seen.job = job), artifact),
    evaluate: async (_a: ModelArtifact, clips: LabeledClip[]) => {
      seen.evaluated = clips;
      return { evaluation: { accuracy: 1, confusion: [[1, 0], [0, 1]], perClass: [] }, predicted: clips.map(() => 0) };
    },
    quantize: async (_a: ModelArtifact, clips: LabeledClip[]) => {
      seen.quantized = clips;
      throw new Error('stop here');
    },
  } as unknown as TrainClient;
  return { client, seen };
}

describe('training-only clips: ModelState', () => {
  const artifact = (valSources: string[]) => ({ labels: ['no', 'yes'], training: { valSources } }) as unknown as ModelArtifact;

  it('trains on the regular clips with the training-only ones as extraClips; evaluates only regular clips', async () => {
    const store = await openClipStore();
    const { client, seen } = recordingClient(artifact(['yes-bob-1', 'no-bob-1']));
    const m = new ModelState(() => client, store, DEFAULT_FEATURE_CONFIG);
    const clips = dataset();
    await m.train(clips);
    expect(m.error).toBeNull();
    const job = seen.job!;
    expect(job.clips.map((c) => c.source).some((s) => s!.includes('syn'))).toBe(false);
    expect(job.clips.map((c) => c.speaker).sort()).toEqual(['alice', 'alice', 'alice', 'alice', 'bob', 'bob', 'bob', 'bob']);
    expect(job.options?.split).toBe('speaker');
    expect(job.options?.extraClips?.map((c) => c.source).sort()).toEqual(['no-syn1', 'no-syn2', 'no-syn3', 'yes-syn1', 'yes-syn2', 'yes-syn3']);
    expect(m.trainOptions(clips.filter((c) => !c.trainOnly))?.extraClips).toBeUndefined();

    // the artifact's validation clips are gone: everything regular is evaluated, never a synthetic voice
    m.artifact = artifact(['gone']);
    await m.evaluate(clips);
    expect(seen.evaluated!.length).toBe(8);
    expect(seen.evaluated!.some((c) => c.source!.includes('syn'))).toBe(false);
    await m.quantize(clips);
    expect(seen.quantized!.some((c) => c.source!.includes('syn'))).toBe(false);
  });

  it('quantize gets the training-only clips on the training side while the held-out clips are there', () => {
    const clips = dataset();
    expect(clipsForQuant(artifact(['yes-bob-1']), clips)).toHaveLength(14);
    expect(clipsForQuant(artifact(['gone']), clips)).toHaveLength(8);
  });
});

describe('training-only clips: a real training through the train worker API', () => {
  const config = validateFeatureConfig({ sampleRateHz: 8000, clipMs: 250, windowMs: 32, hopMs: 32, fftSize: 256, melBands: 8, fMaxHz: 4000 });
  let client: TrainClient;

  beforeAll(async () => {
    client = inProcessTrainClient(createTrainApi(() => initNodeTf('cpu')));
  });

  it('never holds a training-only voice out; the artifact counts the extra clips', async () => {
    const clips: Clip[] = [];
    let t = 0;
    for (const [label, hz] of [['low', 300], ['high', 2500]] as const) {
      for (const speaker of ['ann', 'bob', 'cy']) for (let k = 0; k < 2; k++) clips.push(makeClip({ id: `${label}-${speaker}-${k}`, label, samples: tone(hz + 15 * k, 2000, 8000), sampleRateHz: 8000, source: 'file', name: `${label}_${speaker}_${k}.wav`, createdAtMs: t++ }));
      for (let v = 0; v < 3; v++) clips.push(makeClip({ id: `${label}-syn${v}`, label, samples: tone(hz + 9 * v, 2000, 8000), sampleRateHz: 8000, source: 'file', name: `${label}_syn${v}_1.wav`, createdAtMs: t++, trainOnly: true }));
    }
    const store = await openClipStore();
    const m = new ModelState(() => client, store, config);
    m.backendChoice = 'cpu';
    m.preset = 'conv1d';
    m.epochs = 1;
    m.useWorkers = false;
    await m.train(clips);
    expect(m.error).toBeNull();
    const tr = m.artifact!.training!;
    expect(tr.split).toBe('speaker');
    expect(tr.extraClips).toBe(6);
    expect(tr.trainClips + tr.valClips).toBe(18);
    expect(tr.heldOut!.length).toBeGreaterThanOrEqual(1);
    expect(tr.heldOut!.every((s) => ['ann', 'bob', 'cy'].includes(s))).toBe(true);
    expect(tr.valSources!.some((s) => s.includes('syn'))).toBe(false);
  }, 60_000);
});
