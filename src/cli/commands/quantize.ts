import { EarshotError } from '../../core/errors.ts';
import { DEFAULT_CALIBRATION_SIZE, heldOutSplit, quantizeArtifact } from '../../core/pipeline/quantize-pipeline.ts';
import { evaluateClips } from '../../core/pipeline/inference.ts';
import { flag, int, required, str } from '../args.ts';
import type { Command } from '../command.ts';
import { readDataDir, readModelDir, writeModelDir } from '../files.ts';
import { initNodeTf } from '../node-tf.ts';

export const quantizeCommand: Command = {
  name: 'quantize',
  summary: 'add the int8 model (post-training, calibrated on clips)',
  help: `usage: earshot quantize --model MODEL [--calib DIR] [--calib-size N] [--json]

Full-integer post-training quantization with TensorFlow Lite semantics (int8 weights per
output channel, int8 activations per tensor, int32 biases). Writes the int8 model into MODEL
and reports float vs int8 accuracy. When the calibration folder is the training data, it
calibrates on the clips training used and scores on the ones it held out (e.g. the speakers it
never heard); otherwise on the whole folder.
  --model MODEL     a model folder made by train
  --calib DIR       representative clips, <label>/<file>.wav (default: the training data)
  --calib-size N    clips used for calibration (default ${DEFAULT_CALIBRATION_SIZE})
  --json            machine-readable output`,
  options: { model: { type: 'string' }, calib: { type: 'string' }, 'calib-size': { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const dir = required(values, 'model');
    const artifact = readModelDir(dir);
    const calibDir = str(values, 'calib') ?? artifact.training?.dataDir;
    if (!calibDir) throw new EarshotError('quant/bad-calibration', 'no --calib folder given and the model does not name its training data');
    const clips = readDataDir(calibDir, artifact.featureConfig, (l) => io.err(`warning: ${l}`));
    const size = int(values, 'calib-size', DEFAULT_CALIBRATION_SIZE, 1, 100000);
    const { train, heldOut, scoredOn } = heldOutSplit(artifact, clips);
    const quantized = quantizeArtifact(artifact, train, { size });
    writeModelDir(dir, quantized);
    await initNodeTf('cpu');
    const float = await evaluateClips(quantized, heldOut);
    const int8 = await evaluateClips(quantized, heldOut, { int8: true });
    const calibrationClips = quantized.quantized!.calibrationCount;
    if (flag(values, 'json')) {
      io.out(JSON.stringify({ model: dir, calibrationClips, scoredOn, scoredClips: heldOut.length, floatAccuracy: float.accuracy, int8Accuracy: int8.accuracy }));
    } else {
      const on = scoredOn === 'held-out' ? `the ${heldOut.length} clips training held out` : `${calibDir}`;
      io.out(`quantized ${dir} on ${calibrationClips} clips; accuracy on ${on}: float ${(float.accuracy * 100).toFixed(1)}%, int8 ${(int8.accuracy * 100).toFixed(1)}%`);
    }
  },
};
