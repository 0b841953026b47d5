import { evaluateClips } from '../../core/pipeline/inference.ts';
import { flag, required } from '../args.ts';
import type { Command } from '../command.ts';
import { readDataDir, readModelDir } from '../files.ts';
import { initNodeTf } from '../node-tf.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'accuracy and confusion matrix on a data folder',
  help: `usage: earshot eval --model MODEL --data DIR [--int8] [--json]

  --model MODEL   a model folder
  --data DIR      labelled clips, <label>/<file>.wav (labels must be the model's)
  --int8          use the int8 model (as the firmware computes it) instead of the float one
  --json          accuracy, confusion matrix [true][predicted] and per-class figures as JSON`,
  options: { model: { type: 'string' }, data: { type: 'string' }, int8: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const artifact = readModelDir(required(values, 'model'));
    const clips = readDataDir(required(values, 'data'), artifact.featureConfig, (l) => io.err(`warning: ${l}`));
    const int8 = flag(values, 'int8');
    if (!int8) await initNodeTf('cpu');
    const r = await evaluateClips(artifact, clips, { int8 });
    if (flag(values, 'json')) {
      io.out(JSON.stringify({ dtype: int8 ? 'int8' : 'float32', clips: clips.length, labels: artifact.labels, ...r }));
      return;
    }
    io.out(`${int8 ? 'int8' : 'float32'} accuracy ${(r.accuracy * 100).toFixed(1)}% on ${clips.length} clips`);
    const w = Math.max(6, ...artifact.labels.map((l) => l.length));
    io.out(`${'true\\pred'.padEnd(w + 2)}${artifact.labels.map((l) => l.padStart(w)).join(' ')}`);
    r.confusion.forEach((row, i) => io.out(`${artifact.labels[i].padEnd(w + 2)}${row.map((n) => String(n).padStart(w)).join(' ')}`));
  },
};
