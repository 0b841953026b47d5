/**
 * `npm run build:demo`: makes the demo project in static-models/demo/ from nothing but
 * espeak-ng and sox, then trains, quantizes, evaluates and exports it with the CLI.
 *
 *   data/<label>/*.wav   training clips ("yes", "no" in 12 espeak-ng voice/speed/pitch
 *                        variants over quiet sox noise; "noise": 12 sox noise clips)
 *   test/<label>/*.wav   held-out clips (voices and noise settings not in data/)
 *   model/               model.json + model.bin (float and int8), from `earshot train/quantize`
 *   recipe.json          the seed, epochs and the accuracies the CLI printed
 *
 * Every step is seeded or deterministic (sox -R, espeak-ng, --seed), so rerunning gives the
 * same files on the same machine. Clips are 1 s, 16 kHz, 16-bit mono. The model is what
 * `earshot train` makes with no model options: the page's default network and features.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RECOMMENDED_FEATURE_PRESET } from '../src/core/dsp/feature-presets.ts';
import { TRAIN_DEFAULTS } from '../src/core/pipeline/train-defaults.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'static-models/demo');
const SEED = 1;
const EPOCHS = 40;

/** espeak-ng voice+variant, words per minute, pitch 0..99; one row per clip. */
interface Voice { voice: string; wpm: number; pitch: number; noise: string; noiseVol: number }

const TRAIN_VOICES: Voice[] = [
  { voice: 'en-us', wpm: 150, pitch: 50, noise: 'pinknoise', noiseVol: 0.01 },
  { voice: 'en-us+f3', wpm: 140, pitch: 60, noise: 'whitenoise', noiseVol: 0.005 },
  { voice: 'en-gb', wpm: 170, pitch: 40, noise: 'brownnoise', noiseVol: 0.02 },
  { voice: 'en-gb+f2', wpm: 130, pitch: 70, noise: 'pinknoise', noiseVol: 0.008 },
  { voice: 'en-gb-x-rp', wpm: 160, pitch: 35, noise: 'whitenoise', noiseVol: 0.004 },
  { voice: 'en-gb-scotland+m3', wpm: 145, pitch: 45, noise: 'pinknoise', noiseVol: 0.012 },
  { voice: 'en-029+f4', wpm: 175, pitch: 65, noise: 'brownnoise', noiseVol: 0.015 },
  { voice: 'en-us+m7', wpm: 120, pitch: 30, noise: 'whitenoise', noiseVol: 0.006 },
  { voice: 'en-gb-x-gbclan+f1', wpm: 155, pitch: 55, noise: 'pinknoise', noiseVol: 0.01 },
  { voice: 'en-us+klatt', wpm: 165, pitch: 50, noise: 'brownnoise', noiseVol: 0.01 },
  { voice: 'en-gb-x-gbcwmd+m2', wpm: 135, pitch: 42, noise: 'pinknoise', noiseVol: 0.006 },
  { voice: 'en-us+f5', wpm: 180, pitch: 75, noise: 'whitenoise', noiseVol: 0.003 },
];
const TEST_VOICES: Voice[] = [
  { voice: 'en-gb+m1', wpm: 150, pitch: 48, noise: 'pinknoise', noiseVol: 0.01 },
  { voice: 'en-us+f2', wpm: 140, pitch: 62, noise: 'brownnoise', noiseVol: 0.012 },
];
const WORDS = ['yes', 'no'];
/** Noise class: sox noise type, volume, tremolo speed (Hz) so some clips pulse like steps or fans. */
const TRAIN_NOISE: Array<[string, number, number]> = [
  ['whitenoise', 0.3, 0], ['pinknoise', 0.5, 0], ['brownnoise', 0.7, 0], ['whitenoise', 0.1, 3],
  ['pinknoise', 0.2, 5], ['brownnoise', 0.3, 2], ['whitenoise', 0.05, 0], ['pinknoise', 0.8, 7],
  ['brownnoise', 0.15, 0], ['whitenoise', 0.4, 9], ['pinknoise', 0.05, 0], ['brownnoise', 0.9, 4],
];
const TEST_NOISE: Array<[string, number, number]> = [['pinknoise', 0.35, 6], ['whitenoise', 0.2, 0]];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function earshot(args: string[]): string {
  return run(process.execPath, [join(ROOT, 'bin/earshot.js'), ...args]);
}

const FORMAT = ['-r', '16000', '-c', '1', '-b', '16'];

function speechClip(word: string, v: Voice, out: string, tmp: string): void {
  const raw = join(tmp, 'speech.wav');
  const noise = join(tmp, 'noise.wav');
  run('espeak-ng', ['-v', v.voice, '-s', String(v.wpm), '-p', String(v.pitch), '-w', raw, word]);
  // The word, normalised, 0.2 s in, cut to exactly 1 s.
  const placed = join(tmp, 'placed.wav');
  run('sox', ['-R', raw, ...FORMAT, placed, 'silence', '1', '0.01', '0.5%', 'norm', '-3', 'pad', '0.2', '1', 'trim', '0', '1']);
  run('sox', ['-R', '-n', ...FORMAT, noise, 'synth', '1', v.noise, 'vol', String(v.noiseVol)]);
  run('sox', ['-R', '-m', placed, noise, ...FORMAT, out]);
}

function noiseClip([type, vol, tremoloHz]: [string, number, number], out: string): void {
  const effects = tremoloHz > 0 ? ['tremolo', String(tremoloHz), '90'] : [];
  run('sox', ['-R', '-n', ...FORMAT, out, 'synth', '1', type, 'vol', String(vol), ...effects]);
}

function makeSet(dir: string, voices: Voice[], noises: Array<[string, number, number]>, tmp: string): number {
  let n = 0;
  for (const word of WORDS) {
    mkdirSync(join(dir, word), { recursive: true });
    voices.forEach((v, i) => {
      speechClip(word, v, join(dir, word, `${word}-${String(i + 1).padStart(2, '0')}-${v.voice.replace('+', '_')}.wav`), tmp);
      n++;
    });
  }
  mkdirSync(join(dir, 'noise'), { recursive: true });
  noises.forEach((spec, i) => {
    noiseClip(spec, join(dir, 'noise', `noise-${String(i + 1).padStart(2, '0')}-${spec[0]}.wav`));
    n++;
  });
  return n;
}

function main(): void {
  for (const tool of ['espeak-ng', 'sox']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is missing: run bash scripts/ensure-tools.sh`);
  }
  const tmp = join(OUT, '.tmp');
  for (const d of ['data', 'test', 'model', '.tmp', 'demo.h']) rmSync(join(OUT, d), { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const trainClips = makeSet(join(OUT, 'data'), TRAIN_VOICES, TRAIN_NOISE, tmp);
  const testClips = makeSet(join(OUT, 'test'), TEST_VOICES, TEST_NOISE, tmp);
  rmSync(tmp, { recursive: true, force: true });

  const model = join(OUT, 'model');
  const train = JSON.parse(earshot(['train', '--data', join(OUT, 'data'), '--epochs', String(EPOCHS), '--seed', String(SEED), '--out', model, '--json']));
  const quant = JSON.parse(earshot(['quantize', '--model', model, '--json']));
  const evalTrain = JSON.parse(earshot(['eval', '--model', model, '--data', join(OUT, 'data'), '--int8', '--json']));
  const evalTest = JSON.parse(earshot(['eval', '--model', model, '--data', join(OUT, 'test'), '--int8', '--json']));
  const evalTestFloat = JSON.parse(earshot(['eval', '--model', model, '--data', join(OUT, 'test'), '--json']));

  const recipe = {
    command: 'npm run build:demo',
    tools: { espeakNg: run('espeak-ng', ['--version']).trim(), sox: run('sox', ['--version']).trim() },
    clips: { train: trainClips, test: testClips, sampleRateHz: 16000, clipMs: 1000 },
    train: { preset: TRAIN_DEFAULTS.preset, features: RECOMMENDED_FEATURE_PRESET, epochs: EPOCHS, seed: SEED, valAccuracy: train.valAccuracy ?? null },
    quantize: { floatAccuracy: quant.floatAccuracy, int8Accuracy: quant.int8Accuracy },
    int8AccuracyTrain: evalTrain.accuracy,
    int8AccuracyTest: evalTest.accuracy,
    floatAccuracyTest: evalTestFloat.accuracy,
  };
  writeFileSync(join(OUT, 'recipe.json'), `${JSON.stringify(recipe, null, 2)}\n`);
  console.log(JSON.stringify(recipe, null, 2));
}

main();
