import { EarshotError } from '../../core/errors.ts';
import { generateCHeader } from '../../core/export/c-header.ts';
import { testClipsFor } from '../../core/pipeline/test-clips.ts';
import { choice, required } from '../args.ts';
import type { Command } from '../command.ts';
import { isDir, readDataDir, readModelDir, writeText } from '../files.ts';

export const EARSHOT_VERSION = '0.1.0';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write firmware: a self-contained C header',
  help: `usage: earshot export --model MODEL --format c [--prefix P] --out FILE.h

One C99 header, no malloc: the log-mel features, the int8 network, labels, and test
vectors with P_self_test(). Every symbol starts with the prefix (default "model").
  --model MODEL   a quantized model folder
  --format c      the only format for now
  --prefix P      lower-case C identifier, e.g. kws (macros become KWS_...)
  --out FILE.h    where to write`,
  options: { model: { type: 'string' }, format: { type: 'string' }, prefix: { type: 'string' }, out: { type: 'string' } },
  async run({ values }, io) {
    const artifact = readModelDir(required(values, 'model'));
    choice(values, 'format', ['c'] as const, 'c');
    const out = required(values, 'out');
    if (!artifact.quantized) throw new EarshotError('model/not-quantized', 'this model has no int8 version yet: run `earshot quantize` first');
    const dataDir = artifact.training?.dataDir;
    const clips = dataDir && isDir(dataDir) ? readDataDir(dataDir, artifact.featureConfig, () => {}) : [];
    const header = generateCHeader(artifact, {
      prefix: values.prefix === undefined ? undefined : String(values.prefix),
      testClips: testClipsFor(artifact, clips),
      generator: `earshot ${EARSHOT_VERSION}`,
    });
    writeText(out, header);
    io.out(`wrote ${out} (${header.length} bytes)`);
  },
};
