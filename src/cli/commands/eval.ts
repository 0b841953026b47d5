import { evaluateClips } from '../../core/pipeline/inference.ts';
import { withSpeakers } from '../../core/pipeline/train-pipeline.ts';
import { choice, flag, required, str } from '../args.ts';
import type { Command } from '../command.ts';
import { readDataDir, readModelDir } from '../files.ts';
import { initNodeTf } from '../node-tf.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'accuracy and confusion matrix on a data folder',
  help: `usage: earshot eval --model MODEL --data DIR [--int8] [--split speaker|session] [--json]

  --model MODEL   a model folder
  --data DIR      labelled clips, <label>/<file>.wav (labels must be the model's)
  --int8          use the int8 model (as the firmware computes it) instead of the float one
  --split KIND    also report accuracy per speaker (from <speaker>_<rest>.wav names) or session
  --json          accuracy, confusion matrix [true][predicted] and per-class figures as JSON`,
  options: { model: { type: 'string' }, data: { type: 'string' }, int8: { type: 'boolean' }, split: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const artifact = readModelDir(required(values, 'model'));
    const clips = withSpeakers(readDataDir(required(values, 'data'), artifact.featureConfig, (l) => io.err(`warning: ${l}`)));
    const int8 = flag(values, 'int8');
    const by = str(values, 'split') === undefined ? undefined : choice(values, 'split', ['speaker', 'session'] as const, 'speaker');
    if (!int8) await initNodeTf('cpu');
    const r = await evaluateClips(artifact, clips, { int8 });
    const groups: { group: string; clips: number; accuracy: number }[] = [];
    if (by) {
      const names = [...new Set(clips.map((c) => c[by] ?? '(none)'))].sort();
      for (const g of names) {
        const sub = clips.filter((c) => (c[by] ?? '(none)') === g);
        groups.push({ group: g, clips: sub.length, accuracy: (await evaluateClips(artifact, sub, { int8 })).accuracy });
      }
    }
    if (flag(values, 'json')) {
      io.out(JSON.stringify({ dtype: int8 ? 'int8' : 'float32', clips: clips.length, labels: artifact.labels, ...r, ...(by ? { by, groups } : {}) }));
      return;
    }
    for (const g of groups) io.out(`${by} ${g.group}: ${(g.accuracy * 100).toFixed(1)}% on ${g.clips} clips`);
    io.out(`${int8 ? 'int8' : 'float32'} accuracy ${(r.accuracy * 100).toFixed(1)}% on ${clips.length} clips`);
    const w = Math.max(6, ...artifact.labels.map((l) => l.length));
    io.out(`${'true\\pred'.padEnd(w + 2)}${artifact.labels.map((l) => l.padStart(w)).join(' ')}`);
    r.confusion.forEach((row, i) => io.out(`${artifact.labels[i].padEnd(w + 2)}${row.map((n) => String(n).padStart(w)).join(' ')}`));
  },
};
