import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError } from '../../core/errors.ts';
import { generateArduinoZip } from '../../core/export/arduino.ts';
import { generateCHeader } from '../../core/export/c-header.ts';
import { generateTflite } from '../../core/export/tflite.ts';
import { generateTflmModelH, generateTflmSettingsH } from '../../core/export/tflm.ts';
import { testClipsFor } from '../../core/pipeline/test-clips.ts';
import { choice, required } from '../args.ts';
import type { Command } from '../command.ts';
import { isDir, readDataDir, readModelDir, writeText } from '../files.ts';

export const EARSHOT_VERSION = '0.1.0';

function writeBytes(path: string, bytes: Uint8Array): void {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new EarshotError('io/failed', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write firmware: C header, .tflite, TFLM model.h, Arduino sketch',
  help: `usage: earshot export --model MODEL [--format c|tflite|tflm|arduino] [--prefix P] --out PATH

  --format c        (default) one C99 header, no malloc: log-mel features, the int8 network,
                    post-processing, labels, test vectors and P_self_test(); --out FILE.h
  --format tflite   the int8 model as a TensorFlow Lite flatbuffer; --out FILE.tflite
  --format tflm     TFLM style: model.h (the .tflite bytes, 16-byte aligned, and its length) and
                    model_settings.h (feature constants, quantization, labels); --out DIR
  --format arduino  a sketch for the Arduino Nano 33 BLE Sense (PDM mic, Serial); --out FILE.zip
  --model MODEL     a quantized model folder
  --prefix P        lower-case C identifier, e.g. kws (macros become KWS_...); default "model"`,
  options: { model: { type: 'string' }, format: { type: 'string' }, prefix: { type: 'string' }, out: { type: 'string' } },
  async run({ values }, io) {
    const artifact = readModelDir(required(values, 'model'));
    const format = choice(values, 'format', ['c', 'tflite', 'tflm', 'arduino'] as const, 'c');
    const out = required(values, 'out');
    if (!artifact.quantized) throw new EarshotError('model/not-quantized', 'this model has no int8 version yet: run `earshot quantize` first');
    const generator = `earshot ${EARSHOT_VERSION}`;
    const prefix = values.prefix === undefined ? undefined : String(values.prefix);
    const headerOpts = () => {
      const dataDir = artifact.training?.dataDir;
      const clips = dataDir && isDir(dataDir) ? readDataDir(dataDir, artifact.featureConfig, () => {}) : [];
      return { prefix, testClips: testClipsFor(artifact, clips), generator };
    };
    if (format === 'c') {
      const header = generateCHeader(artifact, headerOpts());
      writeText(out, header);
      io.out(`wrote ${out} (${header.length} bytes)`);
    } else if (format === 'tflite') {
      const bytes = generateTflite(artifact, { description: generator });
      writeBytes(out, bytes);
      io.out(`wrote ${out} (${bytes.length} bytes)`);
    } else if (format === 'tflm') {
      mkdirSync(out, { recursive: true });
      writeText(join(out, 'model.h'), generateTflmModelH(artifact, { prefix, generator }));
      writeText(join(out, 'model_settings.h'), generateTflmSettingsH(artifact, { prefix, generator }));
      io.out(`wrote ${join(out, 'model.h')} and ${join(out, 'model_settings.h')}`);
    } else {
      const zip = generateArduinoZip(artifact, headerOpts());
      writeBytes(out, zip);
      io.out(`wrote ${out} (${zip.length} bytes)`);
    }
  },
};
