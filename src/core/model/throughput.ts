/**
 * Training throughput on the active tfjs backend: trainModel on seeded synthetic log-mel-like
 * input of the spec's shape. Used by the backend probe (a few batches per backend, the
 * fastest wins) and by the benchmarks (bench/train-*.bench.ts). Same training code as a real
 * run; only the data is synthetic.
 */
import { EarshotError } from '../errors.ts';
import { analyzeSpec } from './analyze.ts';
import { mulberry32 } from './prng.ts';
import type { ModelSpec } from './spec.ts';
import { trainModel, type AbortSignalLike, type ShardFactory } from './train.ts';

export interface ThroughputOptions {
  spec: ModelSpec;
  /** Synthetic clips per epoch. */
  clips: number;
  epochs: number;
  batchSize?: number;
  seed?: number;
  signal?: AbortSignalLike;
  /** trainModel's data-parallel slices and where they run. */
  shards?: number;
  shardFactory?: ShardFactory;
}

export interface Throughput {
  /** Samples per second over the epochs after the first (all epochs when there is one). */
  samplesPerSec: number;
  /** Wall time of the whole run, first epoch (kernel warm-up) included. */
  wallMs: number;
  epochMs: number[];
}

const clock = globalThis as unknown as { performance?: { now(): number } };
const now = (): number => clock.performance?.now() ?? Date.now();

export async function measureTrainingThroughput(opts: ThroughputOptions): Promise<Throughput> {
  const a = analyzeSpec(opts.spec);
  if (!Number.isInteger(opts.clips) || opts.clips < 1) throw new EarshotError('train/bad-options', `clips must be a positive integer, got ${String(opts.clips)}`);
  const [h, w, c] = a.spec.input.shape;
  const classes = a.outputShape[0] ?? 2;
  const r = mulberry32(opts.seed ?? 5);
  const x = Array.from({ length: opts.clips }, () => {
    const m = new Float32Array(h * w * c);
    for (let i = 0; i < m.length; i++) m[i] = -8 + 6 * r();
    return m;
  });
  const y = Array.from({ length: opts.clips }, (_, i) => i % classes);
  const epochMs: number[] = [];
  const start = now();
  let t = start;
  await trainModel({
    spec: a.spec, x, y, epochs: opts.epochs, batchSize: opts.batchSize, seed: opts.seed ?? 1, signal: opts.signal, shards: opts.shards, shardFactory: opts.shardFactory,
    onEpoch: () => {
      const n = now();
      epochMs.push(n - t);
      t = n;
    },
  });
  const wallMs = now() - start;
  const measured = epochMs.length > 1 ? epochMs.slice(1) : epochMs;
  const ms = measured.reduce((s, v) => s + v, 0);
  return { samplesPerSec: (opts.clips * measured.length * 1000) / Math.max(ms, 1e-3), wallMs, epochMs };
}
