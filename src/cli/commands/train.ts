import { EarshotError } from '../../core/errors.ts';
import { FEATURE_PRESET_NAMES, RECOMMENDED_FEATURE_PRESET } from '../../core/dsp/feature-presets.ts';
import { normalizeSpec } from '../../core/model/analyze.ts';
import { PRESET_NAMES } from '../../core/model/presets.ts';
import { crossValidate, trainArtifact, withSpeakers } from '../../core/pipeline/train-pipeline.ts';
import { autoSplit, TRAIN_DEFAULTS } from '../../core/pipeline/train-defaults.ts';
import { SPLIT_KINDS } from '../../core/model/split.ts';
import { parseNamePattern } from '../../core/dataset/name-pattern.ts';
import { MAX_SHARDS } from '../../core/model/train.ts';
import { createThreadShardPool } from '../thread-shards.ts';
import { choice, flag, int, required, str } from '../args.ts';
import type { Command } from '../command.ts';
import { featureConfigOption } from '../feature-options.ts';
import { absolute, readDataDir, readJson, writeModelDir } from '../files.ts';
import { initNodeTf, NODE_BACKENDS } from '../node-tf.ts';


export const trainCommand: Command = {
  name: 'train',
  summary: 'train a float model on a data folder',
  help: `usage: earshot train --data DIR [--val DIR] [--extra DIR] [--preset NAME | --spec FILE] [--features FILE]
                     [--epochs N] [--seed N] [--backend wasm|cpu] [--split auto|random|speaker|session]
                     [--speaker-pattern PATTERN] [--cv speaker|session] [--early-stop N] [--lr-schedule constant|cosine|step]
                     [--class-weights none|balanced] [--augment] [--shards N] --out MODEL [--json]

Trains a model on <label>/<file>.wav clips (any rate, any length: resampled and padded or
cropped to the feature window) and writes the MODEL folder (model.json + model.bin).
  --data DIR       training clips, one sub-folder per label
  --val DIR        validation clips (default: a stratified 20% of --data, seeded)
  --extra DIR      training-only clips, e.g. synthetic voices from \`earshot voices\`: added to
                   the training side of every split and fold, never held out or scored
  --preset NAME    ${PRESET_NAMES.join(' | ')} (default ${TRAIN_DEFAULTS.preset}, as the page)
  --spec FILE      a ModelSpec JSON instead of a preset
  --features FILE  a FeatureConfig JSON (default: the ${RECOMMENDED_FEATURE_PRESET} preset, as the page)
  --features-preset NAME  ${FEATURE_PRESET_NAMES.join(' | ')} instead of --features
  --epochs N       default 30
  --seed N         default 1; the same seed gives the same model
  --backend NAME   wasm (default) or cpu
  --split KIND     how the validation clips are chosen: auto (default, as the page: speaker when
                   two or more speakers are known, else random), random (stratified), speaker or
                   session (whole speakers/sessions held out). A split that would leave a class
                   with no training clips (all its clips from the held-out speaker) is refused.
  --speaker-pattern PATTERN
                   how file names give speaker and session: fields {label} {speaker} {session}
                   {take} {*} with literal separators, e.g. {label}_{speaker}_{take} (FSDD
                   0_george_7.wav), {speaker}_{*} (Speech Commands), {speaker}-{session}-{*}.
                   Default: guessed — {speaker}_{*}, or {label}_{speaker}_{*} when the part before
                   the first '_' is the class (equal to it, or one value per class)
  --cv KIND        first run leave-one-speaker-out (or -session-out) cross-validation and report
                   every fold's accuracy and the mean, then train the model as usual
  --early-stop N   stop after N epochs without a better validation loss; keep the best epoch
  --lr-schedule S  constant, cosine (to 0 over the run; default) or step (x0.5 every 10 epochs)
  --class-weights  balanced: weigh classes by n / (k * n_class); none (default)
  --augment        time shift, gain and SpecAugment masks (core/dataset/augment.ts defaults)
  --shards N       cut every batch into N slices whose gradients are averaged (batch norm per
                   slice), slices 2..N in worker threads (N cores); default 1. The page trains with
                   2 (in two workers): --shards 2 with the same seed and backend gives its model.
  --out MODEL      the model folder to write
  --json           print the training summary as JSON`,
  options: {
    data: { type: 'string' },
    val: { type: 'string' },
    extra: { type: 'string' },
    preset: { type: 'string' },
    spec: { type: 'string' },
    features: { type: 'string' },
    'features-preset': { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    'batch-size': { type: 'string' },
    split: { type: 'string' },
    'speaker-pattern': { type: 'string' },
    cv: { type: 'string' },
    'early-stop': { type: 'string' },
    'lr-schedule': { type: 'string' },
    'class-weights': { type: 'string' },
    augment: { type: 'boolean' },
    shards: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const data = required(values, 'data');
    const out = required(values, 'out');
    const preset = str(values, 'preset');
    const specPath = str(values, 'spec');
    if (preset && specPath) throw new EarshotError('cli/usage', 'give either --preset or --spec, not both');
    if (preset && !(PRESET_NAMES as readonly string[]).includes(preset)) {
      throw new EarshotError('cli/usage', `unknown preset "${preset}"; presets: ${PRESET_NAMES.join(', ')}`);
    }
    const featureConfig = featureConfigOption(values);
    const spec = specPath ? normalizeSpec(readJson(specPath)) : undefined;
    const epochs = int(values, 'epochs', TRAIN_DEFAULTS.epochs, 1, 1000);
    const seed = int(values, 'seed', 1, 0, 2 ** 31 - 1);
    const batchSize = int(values, 'batch-size', 32, 1, 4096);
    const backendWanted = choice(values, 'backend', NODE_BACKENDS, 'wasm');
    const warn = (l: string) => io.err(`warning: ${l}`);
    const splitWanted = choice(values, 'split', ['auto', ...SPLIT_KINDS] as const, 'auto');
    const cv = str(values, 'cv') === undefined ? undefined : choice(values, 'cv', ['speaker', 'session'] as const, 'speaker');
    const patience = int(values, 'early-stop', 0, 0, 1000);
    const schedule = choice(values, 'lr-schedule', ['constant', 'cosine', 'step'] as const, TRAIN_DEFAULTS.lrSchedule.kind);
    const classWeighting = choice(values, 'class-weights', ['none', 'balanced'] as const, 'none');
    const shards = int(values, 'shards', 1, 1, MAX_SHARDS);
    const speakerPattern = str(values, 'speaker-pattern');
    if (speakerPattern !== undefined) parseNamePattern(speakerPattern); // a bad pattern fails before any file is read
    const clips = withSpeakers(readDataDir(data, featureConfig, warn), speakerPattern);
    const split = splitWanted === 'auto' ? autoSplit(clips.map((c) => c.speaker)) : splitWanted;
    const valDir = str(values, 'val');
    const valClips = valDir ? readDataDir(valDir, featureConfig, warn) : undefined;
    const extraDir = str(values, 'extra');
    const extraClips = extraDir ? readDataDir(extraDir, featureConfig, warn) : undefined;
    const backend = await initNodeTf(backendWanted);
    io.err(`training on ${clips.length} clips (${backend} backend${shards > 1 ? `, ${shards} threads` : ''})`);
    const pool = shards > 1 ? createThreadShardPool() : undefined;
    try {
      const request = {
        clips,
        valClips: valClips ? withSpeakers(valClips, speakerPattern) : undefined,
        extraClips,
        featureConfig,
        preset: spec ? undefined : (preset ?? TRAIN_DEFAULTS.preset),
        spec,
        epochs,
        seed,
        batchSize,
        backend,
        split,
        earlyStopping: patience > 0 ? { patience } : undefined,
        lrSchedule: schedule === 'step' ? { kind: 'step' as const, everyEpochs: 10, factor: 0.5 } : { kind: schedule },
        classWeighting,
        augment: flag(values, 'augment') ? {} : undefined,
        shards,
        shardFactory: pool?.factory(backend),
      };
      let crossValidation: Awaited<ReturnType<typeof crossValidate>> | undefined;
      if (cv) {
        crossValidation = await crossValidate(request, cv, (k, n, g) => io.err(`cross-validation fold ${k}/${n}: ${cv} ${g} held out`));
        for (const f of crossValidation.folds) io.err(`  ${cv} ${f.group}: ${(f.accuracy * 100).toFixed(1)}% on ${f.clips} clips`);
        io.err(`leave-one-${cv}-out accuracy: mean ${(crossValidation.meanAccuracy * 100).toFixed(1)}%, pooled ${(crossValidation.pooledAccuracy * 100).toFixed(1)}%`);
      }
      const artifact = await trainArtifact({
        ...request,
        onEpoch: (p) => {
          const val = p.valAcc === undefined ? '' : `  val_loss ${p.valLoss?.toFixed(4)}  val_acc ${p.valAcc.toFixed(3)}`;
          io.err(`epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  acc ${p.acc.toFixed(3)}${val}`);
        },
      });
      artifact.training = { ...artifact.training!, dataDir: absolute(data) };
      writeModelDir(out, artifact);
      const t = artifact.training;
      if (flag(values, 'json')) {
        io.out(JSON.stringify({
          model: out, labels: artifact.labels, backend, epochs, seed, shards, split: t.split, epochsRun: t.epochsRun, bestEpoch: t.bestEpoch,
          trainClips: t.trainClips, valClips: t.valClips, ...(t.heldOut ? { heldOut: t.heldOut } : {}), valAccuracy: Number.isNaN(t.valAccuracy) ? null : t.valAccuracy, history: t.history,
          ...(crossValidation ? { crossValidation } : {}),
        }));
      } else {
        const acc = Number.isNaN(t.valAccuracy) ? 'n/a' : `${(t.valAccuracy * 100).toFixed(1)}%`;
        io.out(`wrote ${out}: labels ${artifact.labels.join(', ')}; ${t.trainClips} train${t.extraClips ? ` (${t.extraClips} extra)` : ''} / ${t.valClips} val clips (${t.split} split${t.heldOut?.length ? `, held out: ${t.heldOut.join(', ')}` : ''}); validation accuracy ${acc}${t.bestEpoch !== t.epochsRun ? ` (best epoch ${t.bestEpoch} of ${t.epochsRun})` : ''}`);
      }
    } finally {
      pool?.terminate();
    }
  },
};
