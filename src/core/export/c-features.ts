/**
 * C source for the feature extractor: config macros and float32 tables (from the same
 * logMelTables the TypeScript uses), the int8 input macros, then the hand-written
 * src/core/export/c/features.h. Symbols carry the `earshot_` / `EARSHOT_` prefixes that the
 * header generator replaces with the user's prefix. Output is deterministic for a given input.
 */
import { EarshotError } from '../errors.ts';
import { isNormalised, type FeatureConfig } from '../dsp/feature-config.ts';
import { inputInvScale, logMelTables, type InputQuantization } from '../dsp/log-mel.ts';
import { C_SOURCES } from './c-sources.generated.ts';

/**
 * A C float literal (with `f`) that converts to exactly float32(x). Uses the shortest decimal
 * (≤ 9 significant digits) that reads back to float32(x) and lies well inside its rounding
 * interval, so a compiler rounding decimal → float directly gets the same value.
 */
export function floatLiteral(x: number): string {
  const v = Math.fround(x);
  if (!Number.isFinite(v)) throw new EarshotError('export/bad-format', `cannot write ${x} as a C float literal`);
  if (v === 0) return Object.is(v, -0) ? '-0.0f' : '0.0f';
  const abs = Math.abs(v);
  let e = Math.floor(Math.log2(abs));
  if (2 ** e > abs) e -= 1;
  else if (2 ** (e + 1) <= abs) e += 1;
  // Half an ulp of v (float32: 24-bit significand; below 2^-126 the ulp is fixed at 2^-149).
  // At a power of two the interval below is half as wide: take the narrower side.
  const halfUlp = 2 ** (Math.max(e, -126) - 24) / (abs === 2 ** e && e > -126 ? 2 : 1);
  let s = '';
  for (let p = 1; p <= 9; p++) {
    s = v.toPrecision(p);
    const back = Number(s);
    if (Math.fround(back) === v && Math.abs(back - v) < 0.9 * halfUlp) break;
  }
  // Plain notation from 1e-6 to 1e21 (JS number formatting), else an exponent; C syntax.
  let lit = String(Number(s)).replace('e+', 'e');
  if (!/[.e]/.test(lit)) lit += '.0';
  return `${lit}f`;
}

function floatArray(name: string, size: string, values: Float32Array): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 8) {
    lines.push(`    ${Array.from(values.subarray(i, i + 8), floatLiteral).join(', ')},`);
  }
  return `static const float ${name}[${size}] = {\n${lines.join('\n')}\n};`;
}

function intArray(type: string, name: string, size: string, values: ArrayLike<number>): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 16) {
    lines.push(`    ${Array.from(values).slice(i, i + 16).join(', ')},`);
  }
  return `static const ${type} ${name}[${size}] = {\n${lines.join('\n')}\n};`;
}

/** Config macros and the float32 tables of the extractor, as C. */
export function featureTablesC(config: Partial<FeatureConfig>): string {
  const t = logMelTables(config);
  const c = t.config;
  const s = t.shape;
  const mel = t.mel;
  if (mel.weights.length > 65535 || mel.bins > 65535) throw new EarshotError('features/bad-config', 'mel table too large for 16-bit indices');
  const macros: Array<[string, string]> = [
    ['EARSHOT_SAMPLE_RATE_HZ', String(c.sampleRateHz)],
    ['EARSHOT_INPUT_SAMPLES', String(s.inputSamples)],
    ['EARSHOT_WINDOW_SAMPLES', String(s.windowSamples)],
    ['EARSHOT_HOP_SAMPLES', String(s.hopSamples)],
    ['EARSHOT_FRAMES', String(s.frames)],
    ['EARSHOT_FFT_SIZE', String(c.fftSize)],
    ['EARSHOT_MEL_BANDS', String(c.melBands)],
    ['EARSHOT_FEATURE_COUNT', String(s.featureCount)],
    ['EARSHOT_MEL_WEIGHT_COUNT', String(mel.weights.length)],
    ['EARSHOT_LOG_FLOOR', floatLiteral(t.logFloor)],
    ['EARSHOT_RELATIVE_FLOOR', floatLiteral(t.relativeFloor)],
    ['EARSHOT_RELATIVE_FLOOR_ON', t.relativeFloor > 0 ? '1' : '0'],
    ['EARSHOT_BAND_MEAN_REMOVAL', String(c.bandMeanRemoval)],
    ['EARSHOT_NORMALIZE', isNormalised(c) ? '1' : '0'],
  ];
  const width = Math.max(...macros.map(([k]) => k.length));
  return [
    `/* Feature config: ${JSON.stringify(c)} */`,
    '#include <stdint.h>',
    ...macros.map(([k, v]) => `#define ${k.padEnd(width)} ${v}`),
    '',
    '/* Periodic Hann window, float32. */',
    floatArray('earshot_window', 'EARSHOT_WINDOW_SAMPLES', t.window),
    '/* cos and sin of 2*pi*k/EARSHOT_FFT_SIZE, k < EARSHOT_FFT_SIZE/2, float32. */',
    floatArray('earshot_fft_cos', 'EARSHOT_FFT_SIZE / 2', t.fft.cos),
    floatArray('earshot_fft_sin', 'EARSHOT_FFT_SIZE / 2', t.fft.sin),
    '/* Bit reversal of log2(EARSHOT_FFT_SIZE/2) bits. */',
    intArray('uint16_t', 'earshot_fft_bitrev', 'EARSHOT_FFT_SIZE / 2', t.fft.bitReverse),
    '/* HTK mel filterbank, sparse: band b has earshot_mel_length[b] weights from FFT bin',
    ' * earshot_mel_start[b], stored from earshot_mel_weights[earshot_mel_offset[b]]. */',
    intArray('uint16_t', 'earshot_mel_start', 'EARSHOT_MEL_BANDS', mel.start),
    intArray('uint16_t', 'earshot_mel_length', 'EARSHOT_MEL_BANDS', mel.length),
    intArray('uint16_t', 'earshot_mel_offset', 'EARSHOT_MEL_BANDS', mel.offset),
    floatArray('earshot_mel_weights', 'EARSHOT_MEL_WEIGHT_COUNT', mel.weights),
    '',
  ].join('\n');
}

/** The int8 input quantization macros (same float32 `inv` as quantizeFeatures). */
export function inputQuantizationC(input: InputQuantization): string {
  const inv = inputInvScale(input.scale);
  const zp = input.zeroPoint;
  if (!Number.isInteger(zp) || zp < -128 || zp > 127) throw new EarshotError('quant/bad-calibration', `zero point must be an integer in [-128, 127], got ${zp}`);
  return [
    `/* Model input quantization: scale ${input.scale}, zero point ${zp}. */`,
    `#define EARSHOT_INPUT_SCALE      ${floatLiteral(input.scale)}`,
    `#define EARSHOT_INPUT_INV_SCALE  ${floatLiteral(inv)}`,
    `#define EARSHOT_INPUT_ZERO_POINT (${zp})`,
    '',
  ].join('\n');
}

/** Macros + tables, input quantization macros, then features.h: the whole extractor in C. */
export function featuresCSource(config: Partial<FeatureConfig>, input: InputQuantization): string {
  const body = C_SOURCES['features.h'];
  if (body === undefined) throw new EarshotError('export/bad-format', 'features.h is missing from c-sources.generated.ts (run npm run gen:c)');
  return [featureTablesC(config), inputQuantizationC(input), body].join('\n');
}
