/**
 * earshot features: the log-mel matrix (frames × bands) of one WAV file, as the page and the
 * firmware compute it; with --model --int8, exactly the int8 input that model's C sees.
 */
import { EarshotError, describeError } from '../../core/errors.ts';
import { validateFeatureConfig, type FeatureConfig } from '../../core/dsp/feature-config.ts';
import { FEATURE_PRESET_NAMES, featurePreset } from '../../core/dsp/feature-presets.ts';
import { computeLogMel, quantizeFeatures, type InputQuantization } from '../../core/dsp/log-mel.ts';
import { decodeForModel } from '../../core/audio/prepare.ts';
import { flag, str, type Values } from '../args.ts';
import type { Command } from '../command.ts';
import { readBytes, readJson, readModelDir } from '../files.ts';

interface Source {
  config: FeatureConfig;
  from: string;
  input?: InputQuantization;
}

function source(values: Values, int8: boolean): Source {
  const model = str(values, 'model');
  const preset = str(values, 'preset');
  const configPath = str(values, 'config');
  const given = [model, preset, configPath].filter((x) => x !== undefined).length;
  if (given !== 1) throw new EarshotError('cli/usage', 'give exactly one of --model, --preset or --config');
  if (model !== undefined) {
    const artifact = readModelDir(model);
    if (int8 && !artifact.quantized) throw new EarshotError('model/not-quantized', `${model} has no int8 version yet: run earshot quantize first`);
    const q = artifact.quantized?.input;
    return { config: artifact.featureConfig, from: `model ${model}`, input: q ? { scale: q.scale, zeroPoint: q.zeroPoint } : undefined };
  }
  if (int8) throw new EarshotError('cli/usage', '--int8 needs --model with a quantized model (the input scale and zero point come from it)');
  if (preset !== undefined) return { config: featurePreset(preset).config, from: `preset ${preset}` };
  return { config: validateFeatureConfig(readJson(configPath!) as Partial<FeatureConfig>), from: `config ${configPath}` };
}

export const featuresCommand: Command = {
  name: 'features',
  summary: 'log-mel features (or a model\'s int8 input) of a WAV file',
  help: `usage: earshot features (--model MODEL | --preset NAME | --config FILE) [--int8] [--json] FILE.wav

Prints the feature matrix, one row per frame (frames × bands), of FILE.wav (any rate, any length:
resampled and padded or cropped to the feature window, as for training).
  --model MODEL  the features that model was trained on
  --preset NAME  ${FEATURE_PRESET_NAMES.join(' | ')}
  --config FILE  a FeatureConfig JSON
  --int8         with --model (quantized): the int8 input the model and its C header see
  --json         one JSON object: {file, source, config, frames, bands, dtype, input?, matrix}`,
  options: { model: { type: 'string' }, preset: { type: 'string' }, config: { type: 'string' }, int8: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new EarshotError('cli/usage', 'give exactly one FILE.wav');
    const file = positionals[0];
    const int8 = flag(values, 'int8');
    const src = source(values, int8);
    let samples: Float32Array;
    try {
      samples = decodeForModel(readBytes(file), src.config);
    } catch (e) {
      throw new EarshotError((e as EarshotError).code ?? 'io/failed', `${file}: ${describeError(e)}`);
    }
    const f = computeLogMel(samples, src.config);
    const flat: ArrayLike<number> = int8 ? quantizeFeatures(f, src.input!) : f.data;
    const matrix: number[][] = [];
    for (let t = 0; t < f.frames; t++) matrix.push(Array.from({ length: f.bands }, (_, b) => flat[t * f.bands + b]));
    if (flag(values, 'json')) {
      io.out(JSON.stringify({ file, source: src.from, config: src.config, frames: f.frames, bands: f.bands, dtype: int8 ? 'int8' : 'float32', ...(int8 ? { input: src.input } : {}), matrix }));
      return;
    }
    io.err(`${file}: ${f.frames} frames × ${f.bands} bands, ${int8 ? 'int8' : 'float32 log-mel'} (${src.from})`);
    for (const row of matrix) io.out(row.map((v) => (int8 ? String(v) : v.toPrecision(9))).join('\t'));
  },
};
