/**
 * search(): every ranked and returned candidate fits per estimate() itself, budgets and time limits
 * are honoured, picks are deterministic, bad input and impossible budgets give typed errors. The
 * trainer and the clock are injected (no tfjs here: search-cli.test.ts trains for real).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG, featureShape } from '../../src/core/dsp/feature-config.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import type { ModelArtifact } from '../../src/core/model/artifact.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { getBoard } from '../../src/core/mcu/boards.ts';
import { estimate } from '../../src/core/mcu/estimate.ts';
import type { LabeledClip } from '../../src/core/pipeline/labeled-clips.ts';
import type { TrainRequest } from '../../src/core/pipeline/train-pipeline.ts';
import { search, type SearchProgress, type SearchRequest, type SearchRow } from '../../src/core/search/search.ts';

const clips: LabeledClip[] = ['ann', 'bob'].flatMap((speaker) => ['yes', 'no'].map((label) => ({ label, speaker, samples: new Float32Array(16000) })));

/** A fake trainer: accuracy is a hash of the spec and features (so ties are rare but reproducible), each run takes 1 s of the fake clock. */
function fakes() {
  let t = 0;
  const calls: TrainRequest[] = [];
  const train = async (req: TrainRequest): Promise<ModelArtifact> => {
    calls.push(req);
    t += 1000;
    let h = 2166136261;
    for (const ch of JSON.stringify([req.spec, req.featureConfig])) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    const valAccuracy = ((h >>> 0) % 1000) / 1000;
    return { version: 1, labels: ['no', 'yes'], featureConfig: req.featureConfig, spec: req.spec!, weights: [], training: { valAccuracy, epochs: req.epochs! } } as unknown as ModelArtifact;
  };
  return { train, now: () => t, calls };
}

const board = getBoard('nano33ble');
const request = (f: ReturnType<typeof fakes>, over: Partial<SearchRequest> = {}): SearchRequest => ({
  clips, featureConfig: DEFAULT_FEATURE_CONFIG, board, budget: { arenaBytes: 12 * 1024, latencyMs: 250 }, minutes: 10 / 60, seed: 3,
  rankEpochs: 2, finalEpochs: 9, backend: 'cpu', train: f.train, now: f.now, ...over,
});

/** The estimator's own verdict for a row, computed here from scratch. */
function verdict(r: SearchRow, budget: { arenaBytes: number; latencyMs: number }) {
  const c = r.candidate;
  const s = featureShape(c.features.config);
  let report;
  try {
    report = estimate(analyzeSpec(presetSpec(c.preset, [s.frames, s.bands, 1], 2, { width: c.width, depth: c.depth, dropout: c.dropout })), board, { featureConfig: c.features.config });
  } catch {
    return false;
  }
  return report.fits.all && report.arenaBytes <= budget.arenaBytes && report.latencyMs + report.features.clipComputeMs <= budget.latencyMs;
}

describe('search', () => {
  it('ranks and returns only candidates that estimate() says fit; rejects exactly those that do not', async () => {
    const f = fakes();
    const r = await search(request(f));
    const budget = { arenaBytes: 12 * 1024, latencyMs: 250 };
    expect(r.counts.rejected).toBeGreaterThan(0);
    expect(r.counts.fitting).toBeGreaterThan(0);
    for (const row of r.rows) expect(verdict(row, budget), row.candidate.id).toBe(row.status !== 'rejected');
    for (const i of [...r.front, r.chosen]) expect(r.rows[i]!.status).toBe('trained');
    // the returned model is the chosen spec, re-estimated: it fits
    const a = r.artifact;
    const rep = estimate(analyzeSpec(a.spec), board, { featureConfig: a.featureConfig });
    expect(rep.fits.all && rep.arenaBytes <= budget.arenaBytes && rep.latencyMs + rep.features.clipComputeMs <= budget.latencyMs).toBe(true);
    expect(a.featureConfig).toEqual(r.rows[r.chosen]!.candidate.features.config);
    // every run holds out speakers; ranking runs are short, the final one long
    expect(f.calls.every((c) => c.split === 'speaker' && c.seed === 3)).toBe(true);
    expect(f.calls.slice(0, -1).every((c) => c.epochs === 2)).toBe(true);
    expect(f.calls.at(-1)!.epochs).toBe(9);
    expect(f.calls.every((c) => c.earlyStopping === undefined)).toBe(true);
    const g = fakes();
    await search(request(g, { finalPatience: 3 }));
    expect(g.calls.at(-1)!.earlyStopping).toEqual({ patience: 3 });
    expect(g.calls.slice(0, -1).every((c) => c.earlyStopping === undefined)).toBe(true);
  });

  it('a flash budget and another runtime reach the estimate', async () => {
    const r = await search(request(fakes(), { runtime: 'tflm-cmsis-nn', budget: { flashBytes: 60 * 1024 } }));
    expect(r.runtime).toBe('tflm-cmsis-nn');
    for (const row of r.rows) {
      const c = row.candidate;
      const s = featureShape(c.features.config);
      const rep = estimate(analyzeSpec(presetSpec(c.preset, [s.frames, s.bands, 1], 2, { width: c.width, depth: c.depth, dropout: c.dropout })), board, { runtime: 'tflm-cmsis-nn', featureConfig: c.features.config });
      expect(row.fit!.flashBytes).toBe(rep.flashBytes);
      const fits = rep.fits.all && rep.flashBytes <= 60 * 1024 && rep.latencyMs + rep.features.clipComputeMs <= 1000;
      expect(row.status !== 'rejected', c.id).toBe(fits);
    }
    expect(r.rows.some((x) => x.reasons.some((m) => /^flash .* > 60\.0 KB$/.test(m)))).toBe(true);
  });

  it('chooses the most accurate trained row (ties to lower latency); the front is non-dominated', async () => {
    const r = await search(request(fakes()));
    const trained = r.rows.filter((x) => x.status === 'trained');
    const top = Math.max(...trained.map((x) => x.valAccuracy!));
    const chosen = r.rows[r.chosen]!;
    expect(chosen.valAccuracy).toBe(top);
    expect(Math.min(...trained.filter((x) => x.valAccuracy === top).map((x) => x.fit!.latencyMs))).toBe(chosen.fit!.latencyMs);
    expect(r.front).toContain(r.chosen);
    for (const i of r.front) {
      const p = r.rows[i]!;
      const beaten = trained.some((q) => q.valAccuracy! >= p.valAccuracy! && q.fit!.latencyMs <= p.fit!.latencyMs && q.fit!.arenaBytes <= p.fit!.arenaBytes
        && (q.valAccuracy! > p.valAccuracy! || q.fit!.latencyMs < p.fit!.latencyMs || q.fit!.arenaBytes < p.fit!.arenaBytes));
      expect(beaten).toBe(false);
    }
  });

  it('stops starting runs when the budget would be exceeded; progress says i of n with an ETA', async () => {
    const progress: SearchProgress[] = [];
    const r = await search(request(fakes(), { minutes: 3 / 60, onProgress: (p) => progress.push(p) }));
    // runs take 1 s: start at 0, 1 and 2 s (2 + 1 <= 3), not at 3 s
    expect(r.counts.trained).toBe(3);
    expect(r.counts.skipped).toBe(r.counts.fitting - 3);
    expect(r.rows.filter((x) => x.status === 'skipped').length).toBe(r.counts.skipped);
    expect(progress.map((p) => [p.phase, p.index, p.elapsedMs])).toEqual([['rank', 1, 0], ['rank', 2, 1000], ['rank', 3, 2000], ['final', 1, 3000]]);
    expect(progress.every((p) => p.total === (p.phase === 'rank' ? r.counts.fitting : 1))).toBe(true);
    expect(progress[0]!.etaMs).toBe(3000); // before any run: the budget left
    expect(progress[1]!.etaMs).toBe(2000); // min(budget left, mean × remaining)
    expect(progress[3]!.etaMs).toBe(4500); // 1 s × 9 / 2 epochs
    expect(r.rankMs).toBe(3000);
    expect(r.finalMs).toBe(1000);
  });

  it('is deterministic for a seed: same rows, front and choice; another seed, another order', async () => {
    const a = await search(request(fakes()));
    const b = await search(request(fakes()));
    expect(b.rows).toEqual(a.rows);
    expect([b.front, b.chosen]).toEqual([a.front, a.chosen]);
    const c = await search(request(fakes(), { seed: 4 }));
    expect(c.rows.map((x) => x.candidate.id)).not.toEqual(a.rows.map((x) => x.candidate.id));
  });

  it('impossible budgets: search/no-fit saying what was asked and the closest candidate', async () => {
    const f = fakes();
    const err = await search(request(f, { budget: { arenaBytes: 64, latencyMs: 0.5 } })).catch((e) => e);
    expect(err.code).toBe('search/no-fit');
    expect(err.message).toMatch(/none of the \d+ candidates fits Arduino Nano 33 BLE.* with arena ≤ 64 B, latency ≤ 0\.5 ms; the smallest arena is \d+ B, the least flash [\d.]+ KB, the lowest latency [\d.]+ ms \(fastest: conv1d .*: arena \d+ B > 64 B, latency [\d.]+ ms > 0.5 ms\)$/);
    expect(f.calls.length).toBe(0);
    const tiny = await search(request(fakes(), { board: getBoard('arduino-zero'), budget: {} })).catch((e) => e);
    expect(tiny.code).toBe('search/no-fit');
  });

  it('bad input: typed errors before any training', async () => {
    const f = fakes();
    const cases: Array<[Partial<SearchRequest>, string]> = [
      [{ minutes: 0 }, 'search/bad-options'],
      [{ minutes: Number.NaN }, 'search/bad-options'],
      [{ budget: { arenaBytes: -1 } }, 'search/bad-options'],
      [{ budget: { latencyMs: Number.POSITIVE_INFINITY } }, 'search/bad-options'],
      [{ rankEpochs: 0 }, 'search/bad-options'],
      [{ seed: 1.5 }, 'search/bad-options'],
      [{ finalPatience: 0 }, 'search/bad-options'],
      [{ clips: clips.map((c) => ({ ...c, speaker: 'ann' })) }, 'search/bad-options'],
      [{ clips: clips.map((c) => ({ ...c, speaker: undefined })) }, 'search/bad-options'],
      [{ clips: clips.filter((c) => c.label === 'yes') }, 'dataset/too-few-classes'],
      [{ runtime: 'tvm' as never }, 'mcu/unknown-runtime'],
      [{ featureConfig: { ...DEFAULT_FEATURE_CONFIG, melBands: 2 } }, 'features/bad-config'],
    ];
    for (const [over, code] of cases) expect(await search(request(f, over)).catch((e) => e.code), JSON.stringify(over)).toBe(code);
    expect(f.calls.length).toBe(0);
  });

  it('an AbortSignal cancels between runs and inside one (search/cancelled)', async () => {
    const f = fakes();
    const ctl = new AbortController();
    const train = async (req: TrainRequest) => {
      const a = await f.train(req);
      ctl.abort();
      return a;
    };
    expect((await search(request(f, { train, signal: ctl.signal })).catch((e) => e)).code).toBe('search/cancelled');
    expect(f.calls.length).toBe(1);
    const inside = async () => {
      throw Object.assign(new Error('training was cancelled'), { code: 'train/cancelled' });
    };
    const ctl2 = new AbortController();
    ctl2.abort();
    expect((await search(request(fakes(), { train: inside, signal: ctl2.signal })).catch((e) => e)).code).toBe('search/cancelled');
  });
});
