/**
 * Model quality on voices the model never heard: leave-one-speaker-out over the development set
 * (../shared/data/spoken-digits-dev: 4 speakers × 10 digits × 50 takes, 8 kHz), with what the page
 * and `earshot train` use when the user sets nothing (TRAIN_DEFAULTS, the recommended features),
 * then quantized to int8 with calibration clips of the training speakers only. Prints per speaker
 * and mean float and int8 accuracy, and the Nano 33 BLE Sense estimate (arena, flash, latency of
 * model + window features), next to the figures measured before this work (issue 12's table).
 * With --search MINUTES each fold's model is the one `earshot search` picks on that fold's
 * training speakers for the board (arena <= 32 KB, <= 50 ms per answer), scored on the held-out one.
 *
 *   npm run bench -- quality [--data DIR] [--epochs N] [--seeds 1,2] [--preset P] [--width N]
 *     [--depth N] [--dropout R] [--lr R] [--features-preset NAME] [--features JSON] [--augment | --augment-opts JSON] [--board ID] [--extra DIR] [--spec FILE]
 *     [--pretrain DIR [--pretrain-epochs N]] [--search MINUTES]
 *
 * A benchmark, not a test: with no options it runs the defaults (4 folds, ≈ 1 min) then the
 * search (4 × (1 min + the final run)), ≈ 7 min on 2 cores.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeTf } from '../src/cli/node-tf.ts';
import { readDataDir } from '../src/cli/files.ts';
import { featureShape, validateFeatureConfig, type FeatureConfig } from '../src/core/dsp/feature-config.ts';
import type { FloatWeights, ModelArtifact } from '../src/core/model/artifact.ts';
import { featurePreset, recommendedFeatureConfig } from '../src/core/dsp/feature-presets.ts';
import { analyzeSpec, normalizeSpec } from '../src/core/model/analyze.ts';
import { presetSpec } from '../src/core/model/presets.ts';
import { estimate } from '../src/core/mcu/estimate.ts';
import { getBoard } from '../src/core/mcu/boards.ts';
import { trainArtifact, withSpeakers } from '../src/core/pipeline/train-pipeline.ts';
import { TRAIN_DEFAULTS } from '../src/core/pipeline/train-defaults.ts';
import { quantizeArtifact } from '../src/core/pipeline/quantize-pipeline.ts';
import { search } from '../src/core/search/search.ts';
import type { LabeledClip } from '../src/core/pipeline/labeled-clips.ts';
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
const dropout = opt('--dropout') ? Number(opt('--dropout')) : undefined;
const learningRate = opt('--lr') ? Number(opt('--lr')) : undefined;
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
// --spec FILE: a ModelSpec JSON instead of a preset (its input must be the features' shape; `NUM_CLASSES` in units is replaced).
const spec = opt('--spec')
  ? normalizeSpec(JSON.parse(readFileSync(opt('--spec')!, 'utf8').replaceAll('"NUM_CLASSES"', String(labels.length))))
  : presetSpec(preset, [shape.frames, shape.bands, 1], labels.length, { width, depth, dropout });
const fit = estimate(analyzeSpec(spec), board, { dtype: 'int8', featureConfig });

if (extra.length) console.log(`extra training clips: ${extra.length} from ${opt('--extra')}`);
console.log(`data: ${data}: ${clips.length} clips, ${labels.length} classes, speakers ${speakers.join(', ')}`);
console.log(`features: ${JSON.stringify(featureConfig)}`);
console.log(`model: ${preset}${width !== undefined ? ` width ${width}` : ''}${depth !== undefined ? ` depth ${depth}` : ''}, ${epochs} epochs, lr ${TRAIN_DEFAULTS.lrSchedule.kind}, seeds ${seeds.join(',')}, ${backend}`);
// With no options (npm run bench -- quality): the page's defaults, then earshot search (1 min a fold).
const searchMinutes = opt('--search') ? Number(opt('--search')) : undefined;
const modes: Array<number | undefined> = args.length === 0 ? [undefined, 1] : [searchMinutes];
const costOf = (a: ModelArtifact) => {
  const r = estimate(analyzeSpec(a.spec), board, { dtype: 'int8', featureConfig: a.featureConfig });
  return { latencyMs: r.latencyMs + r.features.clipComputeMs, arenaBytes: r.arenaBytes, flashBytes: r.flashBytes };
};
/** One fold's model: the default network (or the one asked for), or what earshot search picks on the training speakers. */
async function foldModel(train: LabeledClip[], test: LabeledClip[], seed: number, minutes: number | undefined): Promise<{ artifact: ModelArtifact; name: string }> {
  if (minutes !== undefined) {
    const r = await search({ clips: train, featureConfig, board, budget: { arenaBytes: 32 * 1024, latencyMs: 50 }, minutes, seed, backend, finalEpochs: epochs });
    const c = r.rows[r.chosen]!.candidate;
    return { artifact: r.artifact, name: `${c.preset} w${c.width} d${c.depth} (${c.features.label}; ${r.counts.trained} tried)` };
  }
  const artifact = await trainArtifact({
    clips: train,
    valClips: test,
    featureConfig,
    spec,
    epochs,
    seed,
    backend,
    lrSchedule: TRAIN_DEFAULTS.lrSchedule,
    learningRate,
    startFrom,
    extraClips: extra,
    augment: opt('--augment-opts') ? (JSON.parse(opt('--augment-opts')!) as object) : args.includes('--augment') ? {} : undefined,
  });
  return { artifact, name: spec.name ?? preset };
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
for (const minutes of modes) {
  console.log(minutes === undefined ? '\n-- the page\'s defaults' : `\n-- earshot search per fold on its training speakers: ${minutes} min, arena <= 32 KB, <= 50 ms per answer on ${board.name}`);
  console.log('held out   seed   float    int8    answer    arena    flash  network');
  const rows: { float: number; int8: number; latencyMs: number; arenaBytes: number; flashBytes: number }[] = [];
  const started = Date.now();
  for (const seed of seeds) {
    for (const speaker of speakers) {
      const real = clips.filter((c) => c.speaker !== speaker);
      const test = clips.filter((c) => c.speaker === speaker);
      const { artifact, name } = await foldModel(real, test, seed, minutes);
      const q = quantizeArtifact(artifact, real, { seed });
      const float = (await evaluateClips(q, test)).accuracy;
      const int8 = (await evaluateClips(q, test, { int8: true })).accuracy;
      const cost = costOf(q);
      rows.push({ float, int8, ...cost });
      console.log(`${speaker.padEnd(10)} ${String(seed).padStart(4)}  ${pct(float).padStart(7)} ${pct(int8).padStart(7)} ${`${cost.latencyMs.toFixed(1)} ms`.padStart(9)} ${kb(cost.arenaBytes).padStart(8)} ${kb(cost.flashBytes).padStart(8)}  ${name}`);
    }
  }
  const worst = rows.reduce((w, r) => (r.latencyMs > w.latencyMs ? r : w));
  console.log(`mean over ${rows.length} held-out runs: float ${pct(mean(rows.map((r) => r.float)))}, int8 ${pct(mean(rows.map((r) => r.int8)))} (worst speaker int8 ${pct(Math.min(...rows.map((r) => r.int8)))}); slowest model ${worst.latencyMs.toFixed(1)} ms per answer with the window's features, arena ${kb(worst.arenaBytes)}, flash ${kb(worst.flashBytes)} (${board.name}, earshot-c int8); ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
console.log(`\ndefault network on ${board.name}: ${fit.latencyMs.toFixed(1)} ms network + ${fit.features.clipComputeMs.toFixed(1)} ms features; goal: >= 90 % int8 on unseen speakers, <= 32 KB arena, <= 50 ms per answer`);
console.log('before (issue 12, int8, unseen speakers): tiny-conv 68 %, tiny-conv + augment + cosine 70 %, ds-cnn-s 62 %, ds-cnn-s on low-power-8k + augment 71 %; a plain PyTorch DS-CNN pipeline 74–77 %');
