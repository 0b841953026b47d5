/**
 * Epoch time of the presets on 100 clips of 49×40 log-mel-like input, per tfjs backend in Node.
 *   npx tsx bench/train-epoch.bench.ts [--backend cpu|wasm] [--preset tiny-conv|ds-cnn-s] [--epochs N] [--profile] [--kernels simd|js]
 * Prints one line per (backend, preset): mean ms per epoch over the epochs after the first
 * (the first includes kernel warm-up), and the first epoch's time. On wasm, each preset runs
 * twice in the same process, with the SIMD training kernels (train-kernels.wat) and with them
 * switched off (setWasmTrainKernels(false): the same kernels' JS loops), and prints the ratio;
 * `--kernels simd|js` runs one of the two (for --cpu-prof). Then, on wasm with the SIMD kernels,
 * ds-cnn-s with each batch cut in two gradient slices, the second in a worker thread (the CLI's
 * `train --shards 2`, src/cli/thread-shards.ts), against one slice in this thread.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeTf, type NodeBackend } from '../src/cli/node-tf.ts';
import { presetSpec, PRESET_NAMES, type PresetName } from '../src/core/model/presets.ts';
import { trainModel } from '../src/core/model/train.ts';
import { mulberry32 } from '../src/core/model/prng.ts';
import { setWasmTrainKernels, wasmTrainKernelsActive } from '../src/core/model/wasm-train-kernels.ts';
import { measureTrainingThroughput } from '../src/core/model/throughput.ts';
import { createThreadShardPool } from '../src/cli/thread-shards.ts';

const args = process.argv.slice(2);
const opt = (k: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : undefined;
};
const backends = (opt('--backend') ? [opt('--backend')] : ['cpu', 'wasm']) as NodeBackend[];
const presets = (opt('--preset') ? [opt('--preset')] : [...PRESET_NAMES]) as PresetName[];
const epochs = Number(opt('--epochs') ?? 3);
const profile = args.includes('--profile');

const r = mulberry32(5);
const n = 100;
const x = Array.from({ length: n }, () => Float32Array.from({ length: 49 * 40 }, () => -8 + 6 * r()));
const y = Array.from({ length: n }, (_, i) => i % 3);

const results = new Map<string, number>();
for (const backend of backends) {
  await initNodeTf(backend);
  const only = opt('--kernels');
  const variants = backend !== 'wasm' ? [true] : only === 'simd' ? [true] : only === 'js' ? [false] : [true, false];
  for (const preset of presets) for (const kernelsOn of variants) {
    setWasmTrainKernels(kernelsOn);
    const label = backend === 'wasm' ? ` [${kernelsOn && wasmTrainKernelsActive(tf.backend()) ? 'simd kernels' : 'js kernels'}]` : '';
    const spec = presetSpec(preset, [49, 40, 1], 3);
    const times: number[] = [];
    let t = performance.now();
    const run = () =>
      trainModel({
        spec, x, y, epochs, batchSize: 32, seed: 1,
        onEpoch: () => {
          const now = performance.now();
          times.push(now - t);
          t = now;
        },
      });
    if (profile) {
      const info = await tf.profile(async () => {
        await run();
        return [];
      });
      const byKernel = new Map<string, number>();
      for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
      const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12);
      console.log(`${backend} ${preset} kernel ms: ${top.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
    } else {
      await run();
    }
    const rest = times.slice(1);
    const mean = rest.length ? rest.reduce((a, b) => a + b, 0) / rest.length : times[0]!;
    console.log(`${backend} ${preset}${label}: ${mean.toFixed(0)} ms/epoch (100 clips, batch 32; first epoch ${times[0]!.toFixed(0)} ms)`);
    if (backend === 'wasm') results.set(`${preset} ${kernelsOn}`, mean);
    const on = results.get(`${preset} true`);
    const off = results.get(`${preset} false`);
    if (!kernelsOn && on !== undefined && off !== undefined) console.log(`wasm ${preset}: js kernels / simd kernels = ${(off / on).toFixed(2)}x`);
  }
  setWasmTrainKernels(true);
}

if (backends.includes('wasm') && presets.includes('ds-cnn-s') && !profile) {
  await initNodeTf('wasm');
  const spec = presetSpec('ds-cnn-s', [49, 40, 1], 3);
  const pool = createThreadShardPool();
  try {
    const rate = async (shards: number) =>
      (await measureTrainingThroughput({ spec, clips: n, epochs: Math.max(epochs, 3), batchSize: 32, shards, shardFactory: shards > 1 ? pool.factory('wasm') : undefined })).samplesPerSec;
    const one = await rate(1);
    const two = await rate(2);
    console.log(`wasm ds-cnn-s: 1 thread ${one.toFixed(1)} samples/s, 2 slices in 2 threads ${two.toFixed(1)} samples/s (${(two / one).toFixed(2)}x)`);
  } finally {
    pool.terminate();
  }
}
