/**
 * Log-mel speed: seconds of audio per CPU second of this process (one core; CPU time, not wall
 * time, so that other work on a shared machine does not count), in Node, on the same clips in the
 * same run, for
 *   - Earshot (computeLogMelPcm16, the float32-exact extractor of src/core/dsp): its WebAssembly
 *     frames (what the page and the CLI run) and, for reference, its TypeScript twin (same bits),
 *   - Meyda 5.6 `melBands` (per frame: 512-sample buffer, Hann, mel bands; natural log added),
 *   - a tfjs pipeline on the cpu backend: tf.signal.stft (480/320/512, Hann) → |·|² → mel matmul → log.
 * Same framing as the Earshot default preset (16 kHz, 30 ms window, 20 ms hop, 512 FFT, 40 bands).
 *   npx tsx bench/features.bench.ts [--seconds S]
 * Also prints the board cost per hop from featureHopCost (Cortex-M4F) for every preset.
 */
import * as tf from '@tensorflow/tfjs';
import Meyda from 'meyda';
import { DEFAULT_FEATURE_CONFIG, featureShape } from '../src/core/dsp/feature-config.ts';
import { FEATURE_PRESET_NAMES, featurePreset } from '../src/core/dsp/feature-presets.ts';
import { computeLogMelPcm16, logMelTables } from '../src/core/dsp/log-mel.ts';
import { featureHopCost } from '../src/core/mcu/earshot-costs.ts';
import { melMatrix } from '../src/core/dsp/mel.ts';
import { initNodeTf } from '../src/cli/node-tf.ts';
import { goldenClips } from '../tests/reference/fixtures.ts';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 1.5);

const config = DEFAULT_FEATURE_CONFIG;
const shape = featureShape(config);
const clips = goldenClips('earshot').map((c) => c.pcm);
const floats = clips.map((p) => Float32Array.from(p, (v) => v / 32768));
const clipSeconds = shape.inputSamples / config.sampleRateHz;

/** CPU seconds of this process so far (user + system): on a loaded machine, wall time is not one core. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One round of ≥ `seconds` of CPU time: seconds of audio processed per CPU second. */
function round(run: (i: number) => void): number {
  let n = 0;
  const t0 = cpuSeconds();
  let t = t0;
  while (t - t0 < seconds) {
    run(n % clips.length);
    n++;
    if (n % 8 === 0) t = cpuSeconds();
  }
  t = cpuSeconds();
  return (n * clipSeconds) / (t - t0);
}

/** Best of 3 rounds each, the contenders' rounds interleaved so that machine load hits all alike. */
function rates(contenders: Array<[string, (i: number) => void]>): number[] {
  for (const [, run] of contenders) for (let i = 0; i < clips.length; i++) run(i); // warm up
  const best = contenders.map(() => 0);
  for (let r = 0; r < 3; r++) contenders.forEach(([, run], k) => (best[k] = Math.max(best[k], round(run))));
  contenders.forEach(([name], k) => console.log(`${name.padEnd(34)} ${best[k].toFixed(0).padStart(8)} s of audio per CPU s  (${best[k].toFixed(0)}× real time)`));
  return best;
}

let sink = 0;

const runEarshot = (i: number) => {
  sink += computeLogMelPcm16(clips[i], config, 'wasm').data[7];
};
const runEarshotTs = (i: number) => {
  sink += computeLogMelPcm16(clips[i], config, 'ts').data[7];
};

// Meyda: one extract per frame on a 512-sample buffer (window 480 + zeros, as Earshot pads).
Meyda.bufferSize = config.fftSize;
Meyda.sampleRate = config.sampleRateHz;
Meyda.melBands = config.melBands;
Meyda.windowingFunction = 'hanning';
const frame = new Float32Array(config.fftSize);
const runMeyda = (i: number) => {
  const x = floats[i];
  for (let f = 0; f < shape.frames; f++) {
    frame.set(x.subarray(f * shape.hopSamples, f * shape.hopSamples + shape.windowSamples));
    const bands = Meyda.extract('melBands', frame) as unknown as number[];
    for (let b = 0; b < bands.length; b++) sink += Math.log(bands[b] + 1e-6);
  }
};

await initNodeTf('cpu');
const mel = tf.tensor2d(
  melMatrix(logMelTables(config).mel).flatMap((r) => Array.from(r)),
  [config.melBands, config.fftSize / 2 + 1],
).transpose();
const runTfjs = (i: number) => {
  const out = tf.tidy(() => {
    const spec = tf.signal.stft(tf.tensor1d(floats[i]), shape.windowSamples, shape.hopSamples, config.fftSize, tf.signal.hannWindow);
    const power = tf.square(tf.abs(spec));
    return tf.log(tf.maximum(tf.matMul(power, mel), 1e-6));
  });
  sink += (out.dataSync() as Float32Array)[7];
  out.dispose();
};
const [earshot, earshotTs, meyda, tfjs] = rates([
  ['Earshot log-mel (WebAssembly)', runEarshot],
  ['Earshot log-mel (TypeScript twin)', runEarshotTs],
  ['Meyda 5.6 melBands (+ log)', runMeyda],
  ['tfjs cpu tf.signal.stft pipeline', runTfjs],
]);

console.log(`Earshot / Meyda     ${(earshot / meyda).toFixed(1)}×  (target ≥ 5×)`);
console.log(`Earshot / tf.signal ${(earshot / tfjs).toFixed(1)}×  (target ≥ 10×)`);
console.log(`Earshot real time   ${earshot.toFixed(0)}×  (target ≥ 5000×; TypeScript twin ${earshotTs.toFixed(0)}×)`);
console.log('\nBoard cost per hop (featureHopCost, Cortex-M4F cycles: qemu fit over the op counts):');
for (const n of FEATURE_PRESET_NAMES) {
  const c = featurePreset(n).config;
  const cost = featureHopCost('cortex-m4f', true, c);
  console.log(`  ${n.padEnd(18)} ${String(Math.round(cost.cycles)).padStart(7)} cycles/hop  ${cost.hopsPerSecond} hops/s  ${(cost.cyclesPerSecondOfAudio / 1e6).toFixed(2)} Mcycles per s of audio`);
}
if (sink === 42) console.log('');
