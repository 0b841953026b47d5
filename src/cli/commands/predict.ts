import { EarshotError, describeError } from '../../core/errors.ts';
import { decodeForModel } from '../../core/audio/prepare.ts';
import { classifyClips } from '../../core/pipeline/inference.ts';
import { flag, required } from '../args.ts';
import type { Command } from '../command.ts';
import { readBytes, readModelDir } from '../files.ts';
import { initNodeTf } from '../node-tf.ts';

export const predictCommand: Command = {
  name: 'predict',
  summary: 'label and scores for WAV files',
  help: `usage: earshot predict --model MODEL [--int8] [--json] FILE.wav...

Each file (any rate, any length) is resampled and padded or cropped to the model's window.
  --int8    the int8 model; scores are then the raw int8 outputs, as the firmware writes them
  --json    one JSON object: {predictions: [{file, label, scores}]}`,
  options: { model: { type: 'string' }, int8: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new EarshotError('cli/usage', 'give at least one FILE.wav');
    const artifact = readModelDir(required(values, 'model'));
    const int8 = flag(values, 'int8');
    const samples = positionals.map((f) => {
      try {
        return decodeForModel(readBytes(f), artifact.featureConfig);
      } catch (e) {
        throw new EarshotError((e as EarshotError).code ?? 'io/failed', `${f}: ${describeError(e)}`);
      }
    });
    if (!int8) await initNodeTf('cpu');
    const preds = await classifyClips(artifact, samples, { int8 });
    const rows = preds.map((p, i) => ({
      file: positionals[i],
      label: p.label,
      scores: Object.fromEntries(artifact.labels.map((l, j) => [l, int8 ? p.int8Scores![j] : p.probabilities[j]])),
      ...(int8 ? { probabilities: Object.fromEntries(artifact.labels.map((l, j) => [l, p.probabilities[j]])) } : {}),
    }));
    if (flag(values, 'json')) {
      io.out(JSON.stringify({ dtype: int8 ? 'int8' : 'float32', predictions: rows }));
      return;
    }
    for (const r of rows) {
      const scores = Object.entries(r.scores).map(([l, s]) => `${l}=${int8 ? s : (s as number).toFixed(3)}`).join(' ');
      io.out(`${r.file}\t${r.label}\t${scores}`);
    }
  },
};
