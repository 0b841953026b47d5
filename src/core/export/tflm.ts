/**
 * TensorFlow Lite Micro style exports:
 *  - model.h: the .tflite bytes as a 16-byte-aligned `static const unsigned char P_model_tflite[]`
 *    with its length `P_model_tflite_len` (the convention of TFLM examples, under our prefix);
 *  - model_settings.h: the feature constants (sample rate, window, hop, FFT, mel bands, frames),
 *    the input / output quantization, class count, labels and post-processing settings, so a
 *    TFLM project can prepare the same int8 input (the features themselves: the Earshot header).
 * Both carry the provenance comment and are byte-identical for identical input.
 */
import { featureShape } from '../dsp/feature-config.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import { EarshotError } from '../errors.ts';
import { suppressionWindows, validatePostprocessing } from '../quant/postprocess.ts';
import { modelHash } from './c-header.ts';
import { floatLiteral } from './c-features.ts';
import { commentSafe, cStringLiteral, validatePrefix } from './c-names.ts';
import { generateTflite } from './tflite.ts';

export interface TflmOptions {
  prefix?: string;
  generator?: string;
}

function provenance(artifact: ModelArtifact, prefix: string, what: string, generator: string): string {
  const hash = modelHash(artifact);
  return [
    '/*',
    ` * ${prefix}: ${what}. Generated; do not edit.`,
    ` * generator: ${commentSafe(generator)}`,
    ` * model hash (FNV-1a 32 of model.json + model.bin): ${hash}`,
    ` * features: ${commentSafe(JSON.stringify(artifact.featureConfig))}`,
    ' */',
  ].join('\n');
}

function guard(prefix: string, name: string): string {
  return `${prefix.toUpperCase()}_${name}_H`;
}

/** model.h: the .tflite flatbuffer as an aligned byte array plus its length. */
export function generateTflmModelH(artifact: ModelArtifact, opts: TflmOptions = {}): string {
  const prefix = validatePrefix(opts.prefix);
  const generator = opts.generator ?? 'earshot';
  const bytes = generateTflite(artifact, { description: generator });
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    rows.push(`  ${Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  const g = guard(prefix, 'MODEL');
  return [
    provenance(artifact, prefix, 'the int8 model as a TensorFlow Lite flatbuffer, for TFLM (tflite::GetModel)', generator),
    `#ifndef ${g}`,
    `#define ${g}`,
    '',
    '#if defined(__GNUC__) || defined(__clang__)',
    `#define ${prefix.toUpperCase()}_MODEL_ALIGN __attribute__((aligned(16), unused))`,
    '#else',
    `#define ${prefix.toUpperCase()}_MODEL_ALIGN`,
    '#endif',
    '',
    `static const unsigned char ${prefix}_model_tflite[] ${prefix.toUpperCase()}_MODEL_ALIGN = {`,
    ...rows,
    '};',
    `static const unsigned int ${prefix}_model_tflite_len = ${bytes.length};`,
    '',
    `#endif /* ${g} */`,
    '',
  ].join('\n');
}

/** model_settings.h: feature constants, quantization, labels, post-processing settings. */
export function generateTflmSettingsH(artifact: ModelArtifact, opts: TflmOptions = {}): string {
  const prefix = validatePrefix(opts.prefix);
  const q = artifact.quantized;
  if (!q) throw new EarshotError('model/not-quantized', 'this model has no int8 version yet: quantize it first');
  const fc = artifact.featureConfig;
  const s = featureShape(fc);
  const pp = validatePostprocessing(artifact.postprocessing);
  const P = prefix.toUpperCase();
  const macros: Array<[string, string, string?]> = [
    ['SAMPLE_RATE_HZ', String(fc.sampleRateHz)],
    ['CLIP_MS', String(fc.clipMs)],
    ['INPUT_SAMPLES', String(s.inputSamples), 'samples of one classified window'],
    ['WINDOW_SAMPLES', String(s.windowSamples), `${fc.windowMs} ms, periodic Hann`],
    ['HOP_SAMPLES', String(s.hopSamples), `${fc.hopMs} ms`],
    ['FFT_SIZE', String(fc.fftSize)],
    ['MEL_BANDS', String(fc.melBands)],
    ['FRAMES', String(s.frames)],
    ['FEATURE_COUNT', String(s.featureCount), 'model input: [FRAMES][MEL_BANDS] int8'],
    ['INPUT_SCALE', floatLiteral(q.input.scale), 'int8 = round(log_mel / INPUT_SCALE) + INPUT_ZERO_POINT'],
    ['INPUT_ZERO_POINT', `(${q.input.zeroPoint})`],
    ['OUTPUT_SCALE', floatLiteral(q.output.scale), 'scores are quantized logits'],
    ['OUTPUT_ZERO_POINT', `(${q.output.zeroPoint})`],
    ['NUM_CLASSES', String(artifact.labels.length)],
    ['PP_AVERAGE_WINDOWS', String(pp.averageWindows)],
    ['PP_THRESHOLD', floatLiteral(pp.threshold)],
    ['PP_WINDOW_HOP_MS', String(pp.windowHopMs)],
    ['PP_SUPPRESSION_WINDOWS', String(suppressionWindows(pp))],
  ];
  const width = Math.max(...macros.map(([k]) => k.length)) + P.length + 1;
  const g = guard(prefix, 'MODEL_SETTINGS');
  return [
    provenance(artifact, prefix, 'model settings (features, quantization, labels, post-processing)', opts.generator ?? 'earshot'),
    `#ifndef ${g}`,
    `#define ${g}`,
    '',
    `/* log-mel: fMin ${fc.fMinHz} Hz, fMax ${fc.fMaxHz} Hz; the Earshot C header computes these features bit-exactly. */`,
    ...macros.map(([k, v, c]) => `#define ${`${P}_${k}`.padEnd(width)} ${v}${c ? ` /* ${commentSafe(c)} */` : ''}`),
    '',
    '#if defined(__GNUC__) || defined(__clang__)',
    `#define ${P}_SETTINGS_UNUSED __attribute__((unused))`,
    '#else',
    `#define ${P}_SETTINGS_UNUSED`,
    '#endif',
    `static const char *const ${prefix}_labels[${P}_NUM_CLASSES] ${P}_SETTINGS_UNUSED = {`,
    ...artifact.labels.map((l) => `  ${cStringLiteral(l)},`),
    '};',
    '',
    `#endif /* ${g} */`,
    '',
  ].join('\n');
}
