/**
 * The firmware header: one self-contained C99 header with the log-mel extractor, the int8
 * network (kernels.h over a static arena), labels and test vectors, every symbol under one
 * validated prefix P. Public API of the header:
 *   P_SAMPLE_RATE_HZ, P_INPUT_SAMPLES, P_FEATURE_COUNT, P_NUM_CLASSES, P_ARENA_BYTES, P_labels[]
 *   int P_features(const int16_t *pcm, int8_t *features)   log-mel, int8 (same as the page)
 *   int P_invoke(const int8_t *features, int8_t *scores)    the int8 network; 0 on success
 *   int P_classify(const int16_t *pcm, int8_t *scores)      both; returns the top class
 *   int P_self_test(void)                                   0 when every test vector matches
 *   P_pp_state, P_pp_init(&s), int P_pp_push(&s, scores)    post-processing (see c/postprocess.h):
 *                                                           averaged, thresholded, suppressed detections
 *   P_SIMD: 1 when the ACLE SIMD kernels are compiled in (cores with __ARM_FEATURE_DSP);
 *   define P_NO_SIMD before the include to force the portable kernels (same results).
 * Scores are the quantized logits (see quant/quantized-model.ts): real = P_OUTPUT_SCALE *
 * (score - P_OUTPUT_ZERO_POINT); argmax ties go to the lowest index (argmaxInt8).
 * Output is byte-identical for identical input.
 */
import { EarshotError } from '../errors.ts';
import { featureShape } from '../dsp/feature-config.ts';
import { computeLogMelPcm16, quantizeFeatures, toPcm16 } from '../dsp/log-mel.ts';
import { serializeModel, type ModelArtifact } from '../model/artifact.ts';
import { runInt8 } from '../quant/int8-engine.ts';
import type { QOp, QuantizedModel } from '../quant/quantized-model.ts';
import { suppressionWindows, validatePostprocessing, type PostprocessingSettings } from '../quant/postprocess.ts';
import { featuresCSource, floatLiteral } from './c-features.ts';
import { commentSafe, cIdent, cStringLiteral, renameSymbols, validatePrefix } from './c-names.ts';
import { C_SOURCES } from './c-sources.generated.ts';

export { argmaxInt8 } from '../quant/argmax.ts';

export const DEFAULT_TEST_VECTORS = 2;
const ARENA_ALIGN = 4;

export interface CHeaderOptions {
  /** Symbol prefix, default 'model'. */
  prefix?: string;
  /** Clips (float samples at the model rate) whose PCM and expected scores become test vectors. */
  testClips?: Float32Array[];
  /** At most this many test vectors (default 2). */
  maxTestVectors?: number;
  /** Provenance line, e.g. 'earshot 0.1.0'. */
  generator?: string;
  /** Post-processing settings (default: the artifact's, else DEFAULT_POSTPROCESSING). */
  postprocessing?: Partial<PostprocessingSettings>;
}

/** FNV-1a 32-bit over byte arrays, as 8 hex digits. */
export function fnv1a32(parts: readonly Uint8Array[]): string {
  let h = 0x811c9dc5;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      h ^= p[i]!;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, '0');
}

/** The model hash of the provenance comments: FNV-1a 32 of model.json + model.bin. */
export function modelHash(artifact: ModelArtifact): string {
  const files = serializeModel(artifact);
  return fnv1a32(Object.keys(files).sort().map((k) => files[k]!));
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function hwc(shape: readonly number[]): [number, number, number] {
  if (shape.length === 3) return [shape[0]!, shape[1]!, shape[2]!];
  if (shape.length === 1) return [1, 1, shape[0]!];
  throw new EarshotError('model/invalid', `tensor shape [${shape.join(', ')}] is neither [h, w, c] nor [n]`);
}

export interface ArenaPlan {
  /** Byte offset of each tensor in the arena; -1 for tensors that live in the caller's input. */
  offsets: number[];
  arenaBytes: number;
}

/**
 * Lifetime-based greedy arena plan: reshape outputs share their input's bytes; each other
 * tensor lives from the op that writes it to the last op that reads it (the output to the end);
 * buffers are placed largest first at the lowest aligned offset free during their lifetime.
 */
export function planArena(q: QuantizedModel): ArenaPlan {
  const n = q.tensors.length;
  const root = Array.from({ length: n }, (_, i) => i);
  const first = new Array<number>(n).fill(-1);
  const last = new Array<number>(n).fill(-1);
  q.ops.forEach((op, k) => {
    if (op.kind === 'reshape') root[op.output] = root[op.inputs[0]!]!;
    else first[op.output] = k;
    for (const t of op.inputs) last[root[t]!] = Math.max(last[root[t]!]!, k);
  });
  const outRoot = root[q.outputTensor]!;
  last[outRoot] = q.ops.length;
  const inRoot = root[q.inputTensor]!;
  const bufs = [...new Set(root)].filter((r) => r !== inRoot && first[r]! >= 0);
  bufs.sort((a, b) => size(q.tensors[b]!.shape) - size(q.tensors[a]!.shape) || first[a]! - first[b]! || a - b);
  const placed: { start: number; end: number; first: number; last: number }[] = [];
  const offsetOf = new Map<number, number>();
  let arenaBytes = 0;
  for (const r of bufs) {
    const bytes = size(q.tensors[r]!.shape);
    const live = placed.filter((p) => p.first <= last[r]! && first[r]! <= p.last).sort((a, b) => a.start - b.start);
    let off = 0;
    for (const p of live) {
      if (off + bytes <= p.start) break;
      off = Math.max(off, Math.ceil(p.end / ARENA_ALIGN) * ARENA_ALIGN);
    }
    placed.push({ start: off, end: off + bytes, first: first[r]!, last: last[r]! });
    offsetOf.set(r, off);
    arenaBytes = Math.max(arenaBytes, off + bytes);
  }
  arenaBytes = Math.ceil(arenaBytes / ARENA_ALIGN) * ARENA_ALIGN;
  return { offsets: root.map((r) => (r === inRoot ? -1 : offsetOf.get(r)!)), arenaBytes };
}

function intRows(values: ArrayLike<number>, perLine: number): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    lines.push(`    ${Array.from({ length: Math.min(perLine, values.length - i) }, (_, k) => String(values[i + k]!)).join(', ')},`);
  }
  return lines.join('\n');
}

function cArray(type: string, name: string, values: ArrayLike<number>, perLine = 16): string {
  const macro = `${name.toUpperCase()}_SIZE`;
  return [
    `#define ${macro} ${values.length}`,
    `static const ${type} ${name}[${macro}] EARSHOT_ALIGN = {`,
    intRows(values, perLine),
    '};',
  ].join('\n');
}

/** Constant data and the call of one op. */
function emitOp(op: QOp, k: number, q: QuantizedModel, plan: ArenaPlan): { data: string[]; call: string[] } {
  const ptr = (t: number, write: boolean) => {
    const off = plan.offsets[t]!;
    if (off < 0) {
      if (write) throw new EarshotError('model/invalid', 'an op writes into the model input');
      return 'features';
    }
    return `(arena + ${off})`;
  };
  const tIn = q.tensors[op.inputs[0]!]!;
  const tOut = q.tensors[op.output]!;
  const base = `earshot_l${k}_${cIdent(op.layer)}`;
  const head = `  /* ${k}: ${op.kind} ${commentSafe(op.layer)} [${tIn.shape.join('x')}] -> [${tOut.shape.join('x')}] */`;
  const data: string[] = [];
  const call: string[] = [head];
  const actArgs = `${op.kind === 'reshape' ? '' : `${(op as { actMin: number }).actMin}, ${(op as { actMax: number }).actMax}`}`;
  switch (op.kind) {
    case 'conv2d':
    case 'depthwiseConv2d':
    case 'fullyConnected': {
      data.push(`/* ${op.kind} ${commentSafe(op.layer)}: weights [${op.weightShape.join('x')}], per-channel requantization */`);
      data.push(cArray('int8_t', `${base}_weights`, op.weights));
      data.push(cArray('int32_t', `${base}_bias`, op.bias, 8));
      data.push(cArray('int32_t', `${base}_multipliers`, op.multipliers, 8));
      data.push(cArray('int32_t', `${base}_shifts`, op.shifts, 16));
      const wArgs = `${base}_weights, ${base}_bias, ${base}_multipliers, ${base}_shifts`;
      const zps = `${tIn.zeroPoint}, ${tOut.zeroPoint}`;
      const [ih, iw, ic] = hwc(tIn.shape);
      const [oh, ow, oc] = hwc(tOut.shape);
      if (op.kind === 'conv2d') {
        call.push(`  earshot_conv2d_s8(${ptr(op.inputs[0]!, false)}, ${ih}, ${iw}, ${ic}, ${wArgs}, ${op.kernel[0]}, ${op.kernel[1]}, ${op.strides[0]}, ${op.strides[1]}, ${op.pad[0]}, ${op.pad[1]},`);
        call.push(`                    ${ptr(op.output, true)}, ${oh}, ${ow}, ${oc}, ${zps}, ${actArgs});`);
      } else if (op.kind === 'depthwiseConv2d') {
        call.push(`  earshot_depthwise_conv2d_s8(${ptr(op.inputs[0]!, false)}, ${ih}, ${iw}, ${ic}, ${wArgs}, ${op.kernel[0]}, ${op.kernel[1]}, ${op.strides[0]}, ${op.strides[1]}, ${op.pad[0]}, ${op.pad[1]}, ${op.depthMultiplier},`);
        call.push(`                              ${ptr(op.output, true)}, ${oh}, ${ow}, ${zps}, ${actArgs});`);
      } else {
        const [units, inD] = op.weightShape as [number, number];
        call.push(`  earshot_fully_connected_s8(${ptr(op.inputs[0]!, false)}, ${size(tIn.shape) / inD}, ${inD}, ${wArgs},`);
        call.push(`                             ${ptr(op.output, true)}, ${units}, ${zps}, ${actArgs});`);
      }
      break;
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const [ih, iw, ic] = hwc(tIn.shape);
      const [oh, ow] = hwc(tOut.shape);
      const fn = op.kind === 'maxPool2d' ? 'earshot_max_pool_s8' : 'earshot_avg_pool_s8';
      call.push(`  ${fn}(${ptr(op.inputs[0]!, false)}, ${ih}, ${iw}, ${ic}, ${op.kernel[0]}, ${op.kernel[1]}, ${op.strides[0]}, ${op.strides[1]}, ${op.pad[0]}, ${op.pad[1]},`);
      call.push(`                      ${ptr(op.output, true)}, ${oh}, ${ow}, ${actArgs});`);
      break;
    }
    case 'add': {
      const t2 = q.tensors[op.inputs[1]!]!;
      call.push(`  earshot_add_s8(${ptr(op.inputs[0]!, false)}, ${ptr(op.inputs[1]!, false)}, ${ptr(op.output, true)}, ${size(tOut.shape)}, ${tIn.zeroPoint}, ${t2.zeroPoint}, ${tOut.zeroPoint}, ${op.leftShift},`);
      call.push(`                 ${op.input1Multiplier}, ${op.input1Shift}, ${op.input2Multiplier}, ${op.input2Shift}, ${op.outputMultiplier}, ${op.outputShift}, ${actArgs});`);
      break;
    }
    case 'reshape':
      call.push('  /* a view: same bytes */');
      break;
  }
  return { data, call };
}

/** Float samples → exactly inputSamples of PCM16 (cropped or zero-padded at the end). */
function clipPcm(samples: Float32Array, inputSamples: number): Int16Array {
  const fitted = new Float32Array(inputSamples);
  fitted.set(samples.subarray(0, inputSamples));
  return toPcm16(fitted);
}

/** Deterministic stand-in vectors when no clips are given: a chirp and seeded noise. */
function syntheticClips(n: number, sampleRateHz: number): Float32Array[] {
  const clips: Float32Array[] = [];
  const chirp = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRateHz;
    chirp[i] = 0.5 * Math.sin(2 * Math.PI * (200 * t + 1500 * t * t));
  }
  clips.push(chirp);
  const noise = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    noise[i] = ((s >>> 8) / 16777216 - 0.5) * 0.4;
  }
  clips.push(noise);
  return clips;
}

/** Generate the firmware header of a quantized model (throws 'model/not-quantized', 'export/bad-prefix'). */
export function generateCHeader(artifact: ModelArtifact, opts: CHeaderOptions = {}): string {
  const prefix = validatePrefix(opts.prefix);
  const q = artifact.quantized;
  if (!q) throw new EarshotError('model/not-quantized', 'this model has no int8 version yet: quantize it first');
  const maxVectors = opts.maxTestVectors ?? DEFAULT_TEST_VECTORS;
  if (!Number.isInteger(maxVectors) || maxVectors < 1) throw new EarshotError('export/bad-format', 'maxTestVectors must be a positive integer');
  const numClasses = size(q.output.shape);
  if (numClasses !== artifact.labels.length) {
    throw new EarshotError('model/label-mismatch', `the model has ${numClasses} outputs but ${artifact.labels.length} labels`);
  }
  const fc = artifact.featureConfig;
  const shape = featureShape(fc);
  if (size(q.input.shape) !== shape.featureCount) {
    throw new EarshotError('model/invalid', `the model input has ${size(q.input.shape)} values, the features ${shape.featureCount}`);
  }

  // expected outputs: the TS pipeline, PCM16 → log-mel → quantizeFeatures → runInt8
  const clips = (opts.testClips && opts.testClips.length > 0 ? opts.testClips : syntheticClips(shape.inputSamples, fc.sampleRateHz)).slice(0, maxVectors);
  const pcms = clips.map((c) => clipPcm(c, shape.inputSamples));
  const expected = pcms.map((pcm) => runInt8(q, quantizeFeatures(computeLogMelPcm16(pcm, fc), q.input)));

  const plan = planArena(q);
  const ops = q.ops.map((op, k) => emitOp(op, k, q, plan));
  const outOff = plan.offsets[q.outputTensor]!;
  const hash = modelHash(artifact);
  const generator = commentSafe(opts.generator ?? 'earshot');
  const P = prefix.toUpperCase();
  const pp = validatePostprocessing(opts.postprocessing ?? artifact.postprocessing);

  const code = [
    `#ifndef EARSHOT_H`,
    `#define EARSHOT_H`,
    '',
    '#include <stdint.h>',
    '',
    '/* Floating-point contraction off everywhere (features.h also does it for its own part). */',
    '#if defined(__GNUC__) && !defined(__clang__)',
    '#pragma GCC push_options',
    '#pragma GCC optimize("fp-contract=off")',
    '#endif',
    '',
    '#if defined(__GNUC__)',
    '#define EARSHOT_ALIGN __attribute__((aligned(4)))',
    '#define EARSHOT_UNUSED __attribute__((unused))',
    '#else',
    '#define EARSHOT_ALIGN',
    '#define EARSHOT_UNUSED',
    '#endif',
    '',
    `#define EARSHOT_NUM_CLASSES ${numClasses}`,
    `#define EARSHOT_ARENA_BYTES ${plan.arenaBytes}`,
    `/* int8 scores are quantized logits: logit = EARSHOT_OUTPUT_SCALE * (score - EARSHOT_OUTPUT_ZERO_POINT) */`,
    `#define EARSHOT_OUTPUT_SCALE ${floatLiteral(q.output.scale)}`,
    `#define EARSHOT_OUTPUT_ZERO_POINT (${q.output.zeroPoint})`,
    '',
    '@@LABELS@@',
    '',
    featuresCSource(fc, q.input),
    '',
    '/* ---- network constants ---- */',
    ...ops.flatMap((o) => o.data),
    '',
    C_SOURCES['kernels.h'] ?? '',
    '',
    `static int32_t earshot_arena_words[(EARSHOT_ARENA_BYTES + 3) / 4];`,
    '',
    '/* The int8 network: features (EARSHOT_FEATURE_COUNT, quantized with EARSHOT_INPUT_*) -> scores. */',
    'static inline int earshot_invoke(const int8_t *features, int8_t *scores) {',
    '  int8_t *arena = (int8_t *)earshot_arena_words;',
    '  int i;',
    '  if (features == 0 || scores == 0) return -1;',
    ...ops.flatMap((o) => o.call),
    `  for (i = 0; i < EARSHOT_NUM_CLASSES; i++) scores[i] = ${outOff < 0 ? 'features' : `arena[${outOff} + i]`};`,
    '  return 0;',
    '}',
    '',
    '/* Highest score; ties go to the lowest index (as argmaxInt8 in TypeScript). */',
    'static inline int earshot_argmax(const int8_t *scores) {',
    '  int i, best = 0;',
    '  for (i = 1; i < EARSHOT_NUM_CLASSES; i++) if (scores[i] > scores[best]) best = i;',
    '  return best;',
    '}',
    '',
    '/* PCM (EARSHOT_INPUT_SAMPLES at EARSHOT_SAMPLE_RATE_HZ) -> scores; returns the top class, or -1. */',
    'static inline int earshot_classify(const int16_t *pcm, int8_t *scores) {',
    '  static int8_t features[EARSHOT_FEATURE_COUNT];',
    '  if (pcm == 0 || scores == 0) return -1;',
    '  if (earshot_features(pcm, features) != 0) return -1;',
    '  if (earshot_invoke(features, scores) != 0) return -1;',
    '  return earshot_argmax(scores);',
    '}',
    '',
    '/* ---- post-processing for continuous audio (settings of the live page) ---- */',
    `#define EARSHOT_PP_AVERAGE_WINDOWS ${pp.averageWindows}`,
    `#define EARSHOT_PP_THRESHOLD ${floatLiteral(pp.threshold)}`,
    `#define EARSHOT_PP_WINDOW_HOP_MS ${pp.windowHopMs}`,
    `/* ${pp.suppressionMs} ms of suppression at one window every ${pp.windowHopMs} ms */`,
    `#define EARSHOT_PP_SUPPRESSION_WINDOWS ${suppressionWindows(pp)}`,
    C_SOURCES['postprocess.h'] ?? '',
    '',
    `/* Test vectors: PCM in, int8 scores out, computed by the TypeScript pipeline. */`,
    `#define EARSHOT_TEST_VECTORS ${pcms.length}`,
    `static const int16_t earshot_test_pcm[EARSHOT_TEST_VECTORS][EARSHOT_INPUT_SAMPLES] EARSHOT_ALIGN = {`,
    ...pcms.map((p) => `  {\n${intRows(p, 16)}\n  },`),
    '};',
    `static const int8_t earshot_test_scores[EARSHOT_TEST_VECTORS][EARSHOT_NUM_CLASSES] = {`,
    ...expected.map((s) => `  {${Array.from(s).join(', ')}},`),
    '};',
    '',
    '/* 0 when every test vector gives exactly the expected scores, else the 1-based index of the first that does not. */',
    'static inline int earshot_self_test(void) {',
    '  int8_t scores[EARSHOT_NUM_CLASSES];',
    '  int v, i;',
    '  for (v = 0; v < EARSHOT_TEST_VECTORS; v++) {',
    '    if (earshot_classify(earshot_test_pcm[v], scores) < 0) return v + 1;',
    '    for (i = 0; i < EARSHOT_NUM_CLASSES; i++) if (scores[i] != earshot_test_scores[v][i]) return v + 1;',
    '  }',
    '  return 0;',
    '}',
    '',
    '#if defined(__GNUC__) && !defined(__clang__)',
    '#pragma GCC pop_options',
    '#endif',
    '',
    '#endif /* EARSHOT_H */',
    '',
  ].join('\n');

  const labels = [
    `static const char *const ${prefix}_labels[${P}_NUM_CLASSES] ${P}_UNUSED = {`,
    ...artifact.labels.map((l) => `  ${cStringLiteral(l)},`),
    '};',
  ].join('\n');
  const provenance = [
    '/*',
    ` * ${prefix}: Earshot firmware header (C99, no malloc). Generated; do not edit.`,
    ` * generator: ${generator}`,
    ` * model hash (FNV-1a 32 of model.json + model.bin): ${hash}`,
    ` * features: ${commentSafe(JSON.stringify(fc))}`,
    ` * classes: ${numClasses}; arena: ${plan.arenaBytes} bytes; int8 ops: ${q.ops.length}; test vectors: ${pcms.length}`,
    ' * API: ' + `${prefix}_features, ${prefix}_invoke, ${prefix}_classify, ${prefix}_self_test, ${prefix}_labels,`,
    ` *      ${prefix}_pp_init, ${prefix}_pp_push (post-processing: ${pp.averageWindows} windows, threshold ${pp.threshold}, ${pp.suppressionMs} ms suppression).`,
    ' * Scores are quantized logits; the float softmax of the page is not applied here.',
    ' */',
    '',
  ].join('\n');
  const renamed = renameSymbols(code, prefix);
  return provenance + renamed.replace('@@LABELS@@', () => labels);
}
