/**
 * SearchState: the page's "Find the best model that fits" logic. The worker edge is a fake client
 * that runs the real core search() with a fake trainer and clock (accuracy: a hash of the network
 * and features); one test runs the train API's own `search` in-process with tfjs (cpu) and cancels one.
 */
import { describe, expect, it } from 'vitest';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { DEFAULT_FEATURE_CONFIG, validateFeatureConfig, type FeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { EarshotError } from '../../src/core/errors.ts';
import { getBoard } from '../../src/core/mcu/boards.ts';
import type { ModelArtifact } from '../../src/core/model/artifact.ts';
import type { TrainRequest } from '../../src/core/pipeline/train-pipeline.ts';
import type { SearchCandidate } from '../../src/core/search/candidates.ts';
import { search } from '../../src/core/search/search.ts';
import { featureDifference, modelName, SearchState, type SearchDeps } from '../../src/state/search.svelte.ts';
import { createTrainApi, type SearchJob } from '../../src/workers/train-api.ts';
import { inProcessTrainClient, type SearchProgress } from '../../src/workers/train-bridge.ts';

const tone = (hz: number, n: number, rate: number) => Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin((2 * Math.PI * hz * i) / rate) + 0.01 * Math.sin(i * 1.7));

function clipsFor(config: FeatureConfig, speakers: string[], perSpeaker = 2): Clip[] {
  const n = Math.round((config.sampleRateHz * config.clipMs) / 1000);
  return speakers.flatMap((s, si) => ['yes', 'no'].flatMap((label, li) => Array.from({ length: perSpeaker }, (_, k) =>
    makeClip({ id: `${label}-${s}-${k}`, label, samples: tone(li ? 2400 : 400 + 30 * si + 10 * k, n, config.sampleRateHz), sampleRateHz: config.sampleRateHz, source: 'file', name: `${label}_${s}_${k + 1}.wav` }))));
}

/** A fake trainer for core search(): accuracy from a hash, 1 s of fake clock per run. */
function fakeTrain() {
  let t = 0;
  const train = async (req: TrainRequest): Promise<ModelArtifact> => {
    t += 1000;
    let h = 2166136261;
    for (const ch of JSON.stringify([req.spec, req.featureConfig])) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    return { version: 1, labels: ['no', 'yes'], featureConfig: req.featureConfig, spec: req.spec!, weights: [], training: { valAccuracy: ((h >>> 0) % 1000) / 1000, epochs: req.epochs! } } as unknown as ModelArtifact;
  };
  return { train, now: () => t };
}

interface Calls { jobs: SearchJob[]; cancels: number; used: [string, ModelArtifact][]; trained: SearchCandidate[]; switched: SearchCandidate[] }

function setup(over: Partial<SearchDeps> = {}, clips = clipsFor(DEFAULT_FEATURE_CONFIG, ['alice', 'bob'])) {
  const calls: Calls = { jobs: [], cancels: 0, used: [], trained: [], switched: [] };
  const f = fakeTrain();
  const deps: SearchDeps = {
    client: () => ({
      search: (job, onProgress, onEpoch) => {
        calls.jobs.push(job);
        return search({ ...job, backend: 'cpu', onProgress, onEpoch, train: f.train, now: f.now });
      },
      cancel: () => void calls.cancels++,
    }),
    clips: () => clips,
    config: DEFAULT_FEATURE_CONFIG,
    board: () => getBoard('nano33ble'),
    runtime: () => 'earshot-c',
    useModel: async (name, a) => void calls.used.push([name, a]),
    trainFully: async (c) => void calls.trained.push(c),
    switchFeatures: (c) => void calls.switched.push(c),
    ...over,
  };
  return { state: new SearchState(deps), calls };
}

describe('SearchState', () => {
  it('asks for two speakers before it searches, in plain words', async () => {
    const { state, calls } = setup({}, clipsFor(DEFAULT_FEATURE_CONFIG, ['alice']));
    expect(state.speakers).toEqual(['alice']);
    await state.start();
    expect(calls.jobs).toEqual([]);
    expect(state.status).toBe('idle');
    expect(state.problem).toEqual({ message: 'The search needs clips from at least two speakers.', code: 'search/bad-options' });
  });

  it('sends Fit\'s board and runtime and the budgets typed here; the result becomes plot points', async () => {
    const { state, calls } = setup();
    expect(state.speakers).toEqual(['alice', 'bob']); // read from the file names
    state.minutes = 5 / 60;
    state.arenaKb = 12;
    state.latencyMs = 250;
    state.rankEpochs = 2;
    state.finalEpochs = 7;
    const done = state.start();
    expect(state.status).toBe('running');
    await done;
    expect(state.problem).toBeNull();
    expect(state.status).toBe('done');
    const job = calls.jobs[0]!;
    expect([job.board.id, job.runtime, job.budget, job.minutes, job.rankEpochs, job.finalEpochs]).toEqual(['nano33ble', 'earshot-c', { arenaBytes: 12 * 1024, latencyMs: 250 }, 5 / 60, 2, 7]);
    expect(job.clips.map((c) => c.speaker)).toEqual(expect.arrayContaining(['alice', 'bob']));

    const r = state.result!;
    expect(state.latencyBudgetMs).toBe(250);
    expect(state.points.length).toBe(r.rows.filter((x) => x.fit).length);
    const trained = state.points.filter((p) => p.status === 'trained');
    expect(trained.length).toBe(r.counts.trained);
    expect(trained.every((p) => p.accuracy !== null && p.latencyMs <= 250 && p.arenaBytes <= 12 * 1024)).toBe(true);
    expect(state.points.filter((p) => p.status === 'rejected').every((p) => p.accuracy === null && p.label.includes('does not fit'))).toBe(true);
    expect(state.points.filter((p) => p.onFront).map((p) => p.row).sort()).toEqual([...r.front].sort());
    const chosen = state.points.filter((p) => p.chosen);
    expect(chosen.map((p) => p.row)).toEqual([r.chosen]);
    expect(state.selected).toBe(r.chosen);
    expect(chosen[0]!.label).toMatch(/^[\w-]+, width \d+, depth \d+, dropout [\d.]+ · features: hop [\d.]+ ms, \d+ mels · accuracy on held-out speakers \d+\.\d% · latency \d+\.\d ms · arena \d+\.\d KB$/);
  });

  it('shows progress and ETA while running; cancel goes to the client and ends as cancelled', async () => {
    let release: (e: unknown) => void = () => undefined;
    const { state } = setup({
      client: () => ({
        search: (_job, onProgress) => {
          onProgress({ phase: 'rank', index: 3, total: 40, candidate: { preset: 'ds-cnn-s', width: 32, depth: 2, dropout: 0.2 } as SearchCandidate, elapsedMs: 2000, etaMs: 65_000 });
          return new Promise((_, reject) => (release = reject));
        },
        cancel: () => release(new EarshotError('search/cancelled', 'the search was cancelled')),
      }),
    });
    const done = state.start();
    expect(state.progressText).toBe('Trying candidate 3 of 40: ds-cnn-s, width 32, depth 2, dropout 0.2, about 1 min 5 s left for the short runs');
    state.cancel();
    await done;
    expect(state.status).toBe('cancelled');
    expect(state.problem).toBeNull();
    expect(state.progress).toBeNull();
  });

  it('words a failure without its code and keeps the code beside it', async () => {
    const { state } = setup({ board: () => getBoard('arduino-zero') });
    state.arenaKb = 0.01;
    await state.start();
    expect(state.status).toBe('error');
    expect(state.problem!.code).toBe('search/no-fit');
    expect(state.problem!.message).toMatch(/^None of the \d+ candidates fits/);
    expect(state.problem!.message).not.toContain('search/');
  });

  it('the chosen point offers the model the search trained; any trained point can be trained fully or switch the features', async () => {
    const { state, calls } = setup();
    state.minutes = 20 / 60;
    await state.start();
    const r = state.result!;
    expect(state.canUseTrained).toBe(true);
    await state.useTrained();
    expect(calls.used).toHaveLength(1);
    expect(calls.used[0]![1]).toBe(r.artifact);
    expect(calls.used[0]![0]).toBe(modelName(r.rows[r.chosen]!.candidate));
    expect(calls.used[0]![0].length).toBeLessThanOrEqual(40);
    expect(state.done).toMatch(/now the current one/);

    // untrained points cannot be picked; another trained one can, and is no longer "the search's model"
    const rejected = state.points.find((p) => p.status === 'rejected')!;
    state.select(rejected.row);
    expect(state.selected).toBe(r.chosen);
    const other = state.points.find((p) => p.status === 'trained' && !p.chosen && featureDifference(p.candidate.features.config, DEFAULT_FEATURE_CONFIG) !== null)!;
    state.select(other.row);
    expect(state.canUseTrained).toBe(false);
    expect(state.pickedDifference).toBe(`This model listens with a hop of ${other.candidate.features.config.hopMs} ms and ${other.candidate.features.config.melBands} mel bands; your project uses a hop of ${DEFAULT_FEATURE_CONFIG.hopMs} ms and ${DEFAULT_FEATURE_CONFIG.melBands} mel bands.`);
    await state.trainPicked();
    expect(calls.trained).toEqual([other.candidate]);
    state.switchFeatures();
    expect(calls.switched).toEqual([other.candidate]);
    expect(state.done).toMatch(/^The project now uses hop [\d.]+ ms, \d+ mels\. Reload the page/);
    const same = state.points.find((p) => p.status === 'trained' && featureDifference(p.candidate.features.config, DEFAULT_FEATURE_CONFIG) === null);
    if (same) {
      state.select(same.row);
      expect(state.pickedDifference).toBeNull();
    }
  });
});

describe('train API search (in-process, tfjs cpu)', () => {
  const config = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12 });
  const labeled = clipsFor(config, ['ann', 'bob'], 3).map((c) => ({ samples: c.samples, label: c.label, speaker: c.id.split('-')[1] }));
  const job: SearchJob = { clips: labeled, featureConfig: config, board: getBoard('nano33ble'), minutes: 0.5 / 60, rankEpochs: 1, finalEpochs: 1, workers: false };

  it('runs core search with the worker\'s backend, reports progress, and cancels with search/cancelled', async () => {
    await initNodeTf('cpu');
    const client = inProcessTrainClient(createTrainApi(() => initNodeTf('cpu')));
    await client.init('cpu');
    const progress: SearchProgress[] = [];
    const r = await client.search(job, (p) => progress.push(p));
    expect(r.counts.trained).toBeGreaterThanOrEqual(1);
    expect(r.artifact.training?.backend).toBe('cpu');
    expect(progress[0]!.phase).toBe('rank');
    expect(progress.at(-1)!.phase).toBe('final');
    const running = client.search({ ...job, minutes: 5 }, () => client.cancel());
    expect(await running.catch((e: EarshotError) => e.code)).toBe('search/cancelled');
  });
});
