/**
 * Model quality on voices the model never heard: leave-one-speaker-out over the development set
 * (../shared/data/spoken-digits-dev: 4 speakers × 10 digits × 50 takes, 8 kHz), with what the page
 * and `earshot train` use when the user sets nothing (TRAIN_DEFAULTS, the recommended features),
 * then quantized to int8 with calibration clips of the training speakers only. Prints per speaker
 * and mean float and int8 accuracy, and the Nano 33 BLE Sense estimate (arena, flash, latency of
 * model + window features), next to the figures measured before this work (issue 12's table).
 *
 *   npm run bench -- quality [--data DIR] [--epochs N] [--seeds 1,2] [--preset P] [--width N]
 *     [--depth N] [--features-preset NAME] [--features JSON] [--augment | --augment-opts JSON] [--board ID] [--extra DIR]
 *     [--pretrain DIR [--pretrain-epochs N]]
 *
 * A benchmark, not a test: it trains 4 × seeds models (≈ 1–2 min each on 2 cores).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeTf } from '../src/cli/node-tf.ts';
import { readDataDir } from '../src/cli/files.ts';
import { featureShape, validateFeatureConfig, type FeatureConfig } from '../src/core/dsp/feature-config.ts';
import type { FloatWeights } from '../src/core/model/artifact.ts';
import { featurePreset, recommendedFeatureConfig } from '../src/core/dsp/feature-presets.ts';
import { analyzeSpec } from '../src/core/model/analyze.ts';
import { presetSpec } from '../src/core/model/presets.ts';
import { estimate } from '../src/core/mcu/estimate.ts';
import { getBoard } from '../src/core/mcu/boards.ts';
import { trainArtifact, withSpeakers } from '../src/core/pipeline/train-pipeline.ts';
import { TRAIN_DEFAULTS } from '../src/core/pipeline/train-defaults.ts';
import { quantizeArtifact } from '../src/core/pipeline/quantize-pipeline.ts';
import { evaluateClips } from '../src/core/pipeline/inference.ts';
import { collectLabels } from '../src/core/pipeline/labeled-clips.ts';

const args = process.argv.slice(2);
const opt = (k: string): string | undefined => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : undefined;
};
const data = opt('--data') ?? join(process.cwd(), '..', 'shared', 'data', 'spoken-digits-dev');
if (!existsSync(data)) {
  console.log(`quality: no development data at ${data} (pass --data DIR); nothing measured`);
  process.exit(0);
}
const featureConfig: FeatureConfig = opt('--features')
  ? validateFeatureConfig(JSON.parse(opt('--features')!) as Partial<FeatureConfig>)
  : opt('--features-preset')
    ? featurePreset(opt('--features-preset')!).config
    : recommendedFeatureConfig();
const epochs = Number(opt('--epochs') ?? TRAIN_DEFAULTS.epochs);
const seeds = (opt('--seeds') ?? '1').split(',').map(Number);
const preset = opt('--preset') ?? TRAIN_DEFAULTS.preset;
const width = opt('--width') ? Number(opt('--width')) : undefined;
const depth = opt('--depth') ? Number(opt('--depth')) : undefined;
const board = getBoard(opt('--board') ?? 'nano33ble');

const backend = await initNodeTf('wasm');
const clips = withSpeakers(readDataDir(data, featureConfig, (l) => console.log(`warning: ${l}`)));
// --extra DIR: more training clips (e.g. synthetic voices) added to every fold, never tested on.
const extra = opt('--extra') ? withSpeakers(readDataDir(opt('--extra')!, featureConfig, (l) => console.log(`warning: ${l}`))) : [];
const labels = collectLabels(clips);
// --pretrain DIR: first train the same network on other words (e.g. synthetic voices), then start
// every fold from its weights (all but the classifier, whose labels differ).
let startFrom: FloatWeights | undefined;
if (opt('--pretrain')) {
  const pre = withSpeakers(readDataDir(opt('--pretrain')!, featureConfig, (l) => console.log(`warning: ${l}`)));
  const preLabels = collectLabels(pre);
  const t0 = Date.now();
  const s = featureShape(featureConfig);
  const preSpec = presetSpec(opt('--preset') ?? TRAIN_DEFAULTS.preset, [s.frames, s.bands, 1], preLabels.length, { width: opt('--width') ? Number(opt('--width')) : undefined, depth: opt('--depth') ? Number(opt('--depth')) : undefined });
  const a = await trainArtifact({ clips: pre, featureConfig, spec: preSpec, epochs: Number(opt('--pretrain-epochs') ?? 20), seed: 1, backend, lrSchedule: TRAIN_DEFAULTS.lrSchedule, split: 'speaker', valFraction: 0.1 });
  startFrom = a.weights;
  console.log(`pretrained on ${pre.length} clips of ${preLabels.length} words from ${opt('--pretrain')}: held-out-voice accuracy ${(a.training!.valAccuracy * 100).toFixed(1)} %, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
const speakers = [...new Set(clips.map((c) => c.speaker!))].sort();
const shape = featureShape(featureConfig);
const spec = presetSpec(preset, [shape.frames, shape.bands, 1], labels.length, { width, depth });
const fit = estimate(analyzeSpec(spec), board, { dtype: 'int8', featureConfig });

if (extra.length) console.log(`extra training clips: ${extra.length} from ${opt('--extra')}`);
console.log(`data: ${data}: ${clips.length} clips, ${labels.length} classes, speakers ${speakers.join(', ')}`);
console.log(`features: ${JSON.stringify(featureConfig)}`);
console.log(`model: ${preset}${width !== undefined ? ` width ${width}` : ''}${depth !== undefined ? ` depth ${depth}` : ''}, ${epochs} epochs, lr ${TRAIN_DEFAULTS.lrSchedule.kind}, seeds ${seeds.join(',')}, ${backend}`);
console.log('held out   seed   float   int8');
const rows: { speaker: string; seed: number; float: number; int8: number }[] = [];
const started = Date.now();
for (const seed of seeds) {
  for (const speaker of speakers) {
    const train = [...clips.filter((c) => c.speaker !== speaker), ...extra];
    const test = clips.filter((c) => c.speaker === speaker);
    const artifact = await trainArtifact({
      clips: train,
      valClips: test,
      featureConfig,
      spec,
      epochs,
      seed,
      backend,
      lrSchedule: TRAIN_DEFAULTS.lrSchedule,
      startFrom,
      augment: opt('--augment-opts') ? (JSON.parse(opt('--augment-opts')!) as object) : args.includes('--augment') ? {} : undefined,
    });
    const q = quantizeArtifact(artifact, train.slice(0, train.length - extra.length), { seed });
    const float = (await evaluateClips(q, test)).accuracy;
    const int8 = (await evaluateClips(q, test, { int8: true })).accuracy;
    rows.push({ speaker, seed, float, int8 });
    console.log(`${speaker.padEnd(10)} ${String(seed).padStart(4)}  ${(float * 100).toFixed(1).padStart(5)} %  ${(int8 * 100).toFixed(1).padStart(5)} %`);
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log(`mean over ${rows.length} held-out runs: float ${pct(mean(rows.map((r) => r.float)))}, int8 ${pct(mean(rows.map((r) => r.int8)))} (worst speaker int8 ${pct(Math.min(...rows.map((r) => r.int8)))}); ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${board.name}, earshot-c int8: arena ${(fit.arenaBytes / 1024).toFixed(1)} KB, flash ${(fit.flashBytes / 1024).toFixed(1)} KB, latency ${fit.latencyMs.toFixed(1)} ms model + ${fit.features.clipComputeMs.toFixed(1)} ms features = ${(fit.latencyMs + fit.features.clipComputeMs).toFixed(1)} ms per inference`);
console.log('before (issue 12, int8, unseen speakers): tiny-conv 68 %, tiny-conv + augment + cosine 70 %, ds-cnn-s 62 %, ds-cnn-s on low-power-8k + augment 71 %; a plain PyTorch DS-CNN pipeline 74–77 %');
