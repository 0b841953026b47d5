/**
 * ModelState, FitState and ExportState driven through the train worker's own API
 * (createTrainApi), in-process on the tfjs wasm backend: real training, quantization,
 * persistence in (fake) IndexedDB, cancel, board estimates and the header download.
 */
import 'fake-indexeddb/auto';
import { describe, it, expect, beforeAll } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { openClipStore, type ClipStore } from '../../src/platform/clip-store.ts';
import { makeClip, type Clip } from '../../src/core/dataset/clip.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { createTrainApi } from '../../src/workers/train-api.ts';
import { inProcessTrainClient, type TrainClient } from '../../src/workers/train-bridge.ts';
import { ModelState } from '../../src/state/model.svelte.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { FitState } from '../../src/state/fit.svelte.ts';
import { estimate } from '../../src/core/mcu/estimate.ts';
import { getBoard } from '../../src/core/mcu/boards.ts';
import { ExportState } from '../../src/state/export.svelte.ts';

const config = DEFAULT_FEATURE_CONFIG;

/** 'low': tones 300–600 Hz; 'high': tones 3–4 kHz; light seeded noise on both. */
function clips(): Clip[] {
  const rand = mulberry32(5);
  const out: Clip[] = [];
  for (let k = 0; k < 8; k++) {
    for (const [label, f0] of [['low', 300], ['high', 3000]] as const) {
      const hz = f0 + (label === 'low' ? 40 : 130) * k;
      const s = Float32Array.from({ length: 16000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * hz * i) / 16000) + 0.02 * (rand() * 2 - 1));
      out.push(makeClip({ id: `${label}-${k}`, label, samples: s, sampleRateHz: 16000, source: 'mic', createdAtMs: k }));
    }
  }
  return out;
}

let store: ClipStore;
let client: TrainClient;
let trained: ModelState;

beforeAll(async () => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
  store = await openClipStore();
  client = inProcessTrainClient(createTrainApi(() => initNodeTf('wasm')));
});

describe('ModelState', () => {
  it('trains with live progress, reports validation accuracy and saves the model', async () => {
    const m = new ModelState(() => client, store, config);
    m.backendChoice = 'wasm'; // the 'auto' probe is tested in train-backend-choice.test.ts
    m.epochs = 4;
    m.seed = 3;
    const batches: number[] = [];
    const before = m.progress;
    await m.train(clips());
    batches.push(m.progress);
    expect(m.error).toBeNull();
    expect(m.status).toBe('done');
    expect(before).toBe(0);
    expect(m.progress).toBe(1);
    expect(m.backend).toBe('wasm');
    expect(m.curve.map((p) => p.loss).length).toBe(4);
    expect(m.artifact?.labels).toEqual(['high', 'low']);
    expect(m.artifact?.training?.valClips).toBeGreaterThan(0);
    expect(m.valAccuracy).not.toBeNull();
    expect(await store.loadModel()).toBeDefined();
    trained = m;
  });

  it('evaluates on the saved validation clips: confusion matrix, per class, clips behind each cell', async () => {
    await trained.evaluate(clips());
    expect(trained.evalError).toBeNull();
    const ev = trained.evaluation!;
    expect(ev.onValidation).toBe(true);
    expect(ev.clipIds.length).toBe(trained.artifact!.training!.valClips);
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(ev.clipIds.length);
    expect(ev.accuracy).toBeCloseTo(trained.valAccuracy!, 10);
    const cells = [0, 1].flatMap((t) => [0, 1].map((p) => trained.cellClipIds(t, p)));
    expect(cells.map((c) => c.length)).toEqual(ev.confusion.flat());
    expect(new Set(cells.flat()).size).toBe(ev.clipIds.length);
    for (const id of trained.cellClipIds(0, 0)) expect(id.startsWith('high')).toBe(true);
  });

  it('keeps several named models per project and compares them (accuracy, params, MACs, estimated flash/RAM/latency)', async () => {
    await trained.saveAs('first');
    await trained.saveAs('second');
    await trained.saveAs('bad/name');
    expect(trained.savedError).toMatch(/no "\/"/);
    expect(trained.savedModels.map((m) => m.name)).toEqual(['first', 'second']);
    const row = trained.savedModels[0]!;
    const a = analyzeSpec(trained.artifact!.spec);
    expect(row.params).toBe(a.totalParams);
    expect(row.macs).toBe(a.totalMacs);
    expect(row.valAccuracy).toBe(trained.valAccuracy);
    // size and latency follow the Fit step's board and runtime
    const fit = new FitState(() => null, config);
    const onNano = fit.estimateFor(row.analysis)!;
    expect(onNano).toEqual(estimate(a, getBoard(fit.boardId), fit.options));
    expect(onNano.flashBytes).toBeGreaterThan(a.totalParams);
    fit.boardId = 'pico';
    expect(fit.estimateFor(row.analysis)!.latencyMs).not.toBe(onNano.latencyMs);
    expect(fit.estimateFor(row.analysis)!.board.id).toBe('pico');
    // survives a reload: a fresh state on the same store lists them
    const again = new ModelState(() => client, store, config);
    await again.load();
    expect(again.savedModels.map((m) => m.name)).toEqual(['first', 'second']);
    await again.deleteSaved('first');
    expect(again.savedModels.map((m) => m.name)).toEqual(['second']);
    await again.useSaved('second');
    expect(again.artifact?.spec).toEqual(trained.artifact!.spec);
    expect(again.status).toBe('done');
    await again.deleteSaved('second');
  });

  it('quantizes: float and int8 accuracy on all clips, the int8 model persists across reload', async () => {
    await trained.quantize(clips());
    expect(trained.quantError).toBeNull();
    expect(trained.quantStatus).toBe('done');
    expect(trained.floatAccuracy).toBeGreaterThanOrEqual(0);
    expect(trained.floatAccuracy).toBeLessThanOrEqual(1);
    expect(trained.int8Accuracy).toBeGreaterThanOrEqual(0);
    expect(trained.quantized).toBe(true);

    const reloaded = new ModelState(() => client, store, config);
    await reloaded.load();
    expect(reloaded.status).toBe('done');
    expect(reloaded.quantStatus).toBe('done');
    expect(reloaded.artifact?.quantized?.input.scale).toBe(trained.artifact?.quantized?.input.scale);
    expect(reloaded.curve.length).toBe(4);
    const w0 = Object.values(trained.artifact!.weights)[0][0].data;
    const w1 = Object.values(reloaded.artifact!.weights)[0][0].data;
    expect(Array.from(w1)).toEqual(Array.from(w0));
  });

  it('cancels a long run and keeps the previous model', async () => {
    const m = new ModelState(() => client, store, config);
    await m.load();
    const previous = m.artifact;
    m.epochs = 500;
    const run = m.train(clips());
    while (m.curve.length < 1) await new Promise((r) => setTimeout(r, 5));
    m.cancel();
    await run;
    expect(m.status).toBe('cancelled');
    expect(m.error).toBeNull();
    expect(m.curve.length).toBeLessThan(500);
    expect(m.artifact).toBe(previous);
  });

  it('reports a dataset with one class as a readable training error', async () => {
    const m = new ModelState(() => client, store, config);
    await m.train(clips().filter((c) => c.label === 'low'));
    expect(m.status).toBe('error');
    expect(m.error).toMatch(/dataset\/too-few-classes/);
  });
});

describe('FitState', () => {
  it('estimates the trained spec on the chosen board and follows the board choice', () => {
    const fit = new FitState(() => trained.artifact?.spec ?? null, config);
    expect(fit.boardId).toBe('nano33ble');
    for (const id of ['nano33ble', 'pico', 'nucleo-l476rg']) expect(fit.boards.map((b) => b.id)).toContain(id);
    const nano = fit.view.report!;
    expect(nano.board.id).toBe('nano33ble');
    expect(nano.flashBytes).toBeGreaterThan(0);
    expect(nano.arenaBytes).toBeGreaterThan(0);
    expect(nano.latencyMs).toBeGreaterThan(0);
    fit.boardId = 'pico';
    const pico = fit.view.report!;
    expect(pico.board.id).toBe('pico');
    // Same model, other core and clock: the estimate follows the board (flash use does not).
    expect(pico.latencyMs).not.toBe(nano.latencyMs);
    expect(pico.board.sramBytes).not.toBe(nano.board.sramBytes);
    fit.boardId = 'no-such-board';
    expect(fit.view.error).toMatch(/mcu\/unknown-board/);
  });

  it('shows nothing before a model exists', () => {
    const fit = new FitState(() => null, config);
    expect(fit.view).toEqual({ report: null, error: null });
  });
});

describe('ExportState', () => {
  it('downloads <prefix>.h generated from the quantized model', async () => {
    const saved: [string, string][] = [];
    const ex = new ExportState(() => client, (name, text) => saved.push([name, text]));
    ex.prefix = 'kws';
    await ex.downloadHeader(trained.artifact, clips());
    expect(ex.error).toBeNull();
    expect(saved.length).toBe(1);
    expect(saved[0][0]).toBe('kws.h');
    expect(saved[0][1]).toContain('kws_self_test');
    expect(saved[0][1]).toMatch(/KWS_NUM_CLASSES\s+2/);
  });
});
