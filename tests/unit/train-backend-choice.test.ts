/**
 * The train API's backend choice: 'auto' probes every backend with a short real training run
 * and keeps the fastest (webgl fails in Node and is reported, not fatal); an explicit choice is
 * used as given; unknown names are refused. measureTrainingThroughput counts samples.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/cli/node-tf.ts';
import { initTf } from '../../src/core/model/tf-backend.ts';
import { createTrainApi, TRAIN_SHARDS, type BackendName } from '../../src/workers/train-api.ts';
import { measureTrainingThroughput } from '../../src/core/model/throughput.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { createGradientShard } from '../../src/core/model/gradient-shard.ts';
import type { ShardFactory } from '../../src/core/model/train.ts';
import { DEFAULT_FEATURE_CONFIG, featureShape } from '../../src/core/dsp/feature-config.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';

const init = (name: BackendName) => (name === 'webgl' ? initTf({ backend: 'webgl' }) : initNodeTf(name));

describe('backend choice', () => {
  it("'auto' probes wasm, webgl and cpu and keeps the fastest; explicit choices and bad names", async () => {
    const api = createTrainApi(init);
    const r = await api.init('auto');
    if (!r.ok) throw new Error(r.message);
    const probe = r.value.probe!;
    expect(probe.map((p) => p.backend)).toEqual(['wasm', 'webgl', 'cpu']);
    expect(probe[1]!.error).toMatch(/webgl/);
    const ok = probe.filter((p) => p.samplesPerSec !== undefined);
    expect(ok.length).toBe(2);
    const best = ok.reduce((a, b) => (b.samplesPerSec! > a.samplesPerSec! ? b : a));
    expect(r.value.name).toBe(best.backend);
    expect(tf.getBackend()).toBe(best.backend);
    console.log(`probe: ${probe.map((p) => `${p.backend} ${p.samplesPerSec?.toFixed(0) ?? p.error}`).join('; ')}`);

    const cpu = await api.init('cpu');
    expect(cpu.ok && cpu.value.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const bad = await api.init('gpu' as BackendName);
    expect(bad.ok ? 'ok' : bad.code).toBe('train/bad-options');
  });

  it('measureTrainingThroughput times every epoch and leaks no tensors', async () => {
    await initNodeTf('wasm');
    const before = tf.memory().numTensors;
    const spec = presetSpec('tiny-conv', [49, 40, 1], 3);
    const t = await measureTrainingThroughput({ spec, clips: 20, epochs: 3, batchSize: 10 });
    expect(t.epochMs.length).toBe(3);
    expect(t.samplesPerSec).toBeGreaterThan(0);
    expect(t.wallMs).toBeGreaterThanOrEqual(t.epochMs.reduce((a, b) => a + b, 0) - 1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('page training cuts batches in TRAIN_SHARDS slices: shards where the provider says, the same weights with workers off', async () => {
    const asked: string[] = [];
    // the provider the train worker passes runs shards in workers; here they run in-thread, counted
    const provider = (backend: string): ShardFactory => {
      asked.push(backend);
      return (spec, seed, stream) => createGradientShard(spec, seed, stream);
    };
    const warmed: string[] = [];
    const api = createTrainApi((name) => initNodeTf(name as 'wasm' | 'cpu'), false, { factory: provider, warm: (b, n) => void warmed.push(`${b}×${n}`) });
    const r = await api.init('wasm');
    expect(r.ok && r.value).toMatchObject({ name: 'wasm', workers: TRAIN_SHARDS, simdKernels: true });
    expect(warmed).toEqual([`wasm×${TRAIN_SHARDS}`]); // the shard worker starts with the backend
    const n = featureShape(DEFAULT_FEATURE_CONFIG).inputSamples;
    const rand = mulberry32(3);
    const clips = Array.from({ length: 12 }, (_, i) => ({
      label: i % 2 ? 'hi' : 'lo',
      samples: Float32Array.from({ length: n }, (_, k) => 0.3 * Math.sin((k * (i % 2 ? 0.9 : 0.2))) + 0.01 * rand()),
    }));
    const job = { clips, featureConfig: DEFAULT_FEATURE_CONFIG, preset: 'tiny-conv', epochs: 2, seed: 4, valFraction: 0.25 };
    asked.length = 0;
    const inWorkers = await api.train(job, () => undefined, () => undefined);
    expect(asked).toEqual(['wasm']);
    const here = await api.train({ ...job, workers: false }, () => undefined, () => undefined);
    expect(asked).toEqual(['wasm']);
    if (!inWorkers.ok || !here.ok) throw new Error('training failed');
    expect(inWorkers.value.training?.shards).toBe(TRAIN_SHARDS);
    expect(here.value.weights).toEqual(inWorkers.value.weights);
  });
});
