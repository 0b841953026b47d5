/**
 * Preset ModelSpecs for keyword spotting on log-mel input [frames, bands, 1].
 *  - 'tiny-conv': the TensorFlow micro_speech "tiny_conv" shape: one conv2d (8 filters, 10x8,
 *    stride 2, same, relu), dropout, flatten, dense softmax.
 *  - 'ds-cnn-s': the DS-CNN of Hello Edge (Zhang et al. 2017, arXiv:1711.07128) as used by the
 *    MLPerf Tiny KWS benchmark: conv 10x4 stride 2 + BN + relu, four blocks of depthwise 3x3 +
 *    BN + relu + pointwise 1x1 conv + BN + relu (64 channels), average pool over the whole map,
 *    flatten, dense softmax. MLPerf Tiny uses dropout 0.2 after the first block and 0.4 before
 *    the pool. Batch norm uses momentum 0.9 (tfjs default 0.99): with the few hundred steps of
 *    in-page training the moving statistics would otherwise stay near their initial values and
 *    inference (which uses them) would disagree with training.
 *  - 'strided-ds': DS-CNN without pooling: the depthwise convolutions downsample with stride 2
 *    (along each axis while it is at least 6 long), and the classifier reads the flattened map.
 *  - 'conv1d': time-only convolutions over mel bands (TC-ResNet style, Choi et al. 2019,
 *    arXiv:1904.03814): reshape [frames, bands, 1] → [frames, 1, bands] (same memory order, so
 *    the int8 engine and the C code only relabel it), then conv2d with [3, 1] kernels (bands are
 *    the channels), stride 2 in time while at least 6 frames remain, BN, relu, average pool over
 *    time, dense softmax. Only ops the quantizer, engine and C export already support.
 * Knobs: `width` (channels), `depth` (tiny-conv: conv layers; ds-cnn-s and strided-ds:
 * depthwise-separable blocks; conv1d: temporal conv layers), `dropout`.
 */
import { EarshotError } from '../errors.ts';
import { analyzeSpec, convOutputLength } from './analyze.ts';
import type { LayerSpec, ModelSpec } from './spec.ts';

export const PRESET_NAMES = ['tiny-conv', 'ds-cnn-s', 'strided-ds', 'conv1d'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface PresetKnobs {
  /** Channels of the convolutions: tiny-conv default 8, ds-cnn-s default 64. */
  width?: number;
  /** Dropout rate scale: tiny-conv default 0.5 before the classifier; ds-cnn-s default 0.4 (and half of it after the first block). */
  dropout?: number;
  /** Layers or blocks (see the file comment), 1 to 12. */
  depth?: number;
}

// conv1d 64: leave-one-speaker-out on real speech, 30 × 32 speech-8k features, int8 (npm run bench --
// quality): 82.7 % at 64 channels, 76.3 % at 48; 45 ms per answer on a Cortex-M4F at 64 MHz.
export const PRESET_DEFAULT_WIDTH: Record<PresetName, number> = { 'tiny-conv': 8, 'ds-cnn-s': 64, 'strided-ds': 64, conv1d: 64 };
export const PRESET_DEFAULT_DEPTH: Record<PresetName, number> = { 'tiny-conv': 1, 'ds-cnn-s': 4, 'strided-ds': 4, conv1d: 3 };
const BN_MOMENTUM = 0.9;
const PRESET_DEFAULT_DROPOUT: Record<PresetName, number> = { 'tiny-conv': 0.5, 'ds-cnn-s': 0.4, 'strided-ds': 0.4, conv1d: 0.4 };

/** Stride 2 along an axis while it is at least 6 long, else 1. */
function halve(n: number): number {
  return n >= 6 ? 2 : 1;
}

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** A validated, normalized ModelSpec for a preset, sized from the input shape. Throws 'spec/invalid' on bad arguments. */
export function presetSpec(name: string, inputShape: [number, number, number], numClasses: number, knobs: PresetKnobs = {}): ModelSpec {
  if (!isPresetName(name)) {
    throw new EarshotError('spec/invalid', `unknown preset ${JSON.stringify(name)} (known: ${PRESET_NAMES.join(', ')})`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new EarshotError('spec/invalid', `numClasses must be an integer >= 2, got ${String(numClasses)}`);
  }
  const width = knobs.width ?? PRESET_DEFAULT_WIDTH[name];
  const dropout = knobs.dropout ?? PRESET_DEFAULT_DROPOUT[name];
  if (!Number.isInteger(width) || width < 1 || width > 512) {
    throw new EarshotError('spec/invalid', `preset ${name}: width must be an integer from 1 to 512, got ${String(width)}`);
  }
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new EarshotError('spec/invalid', `preset ${name}: dropout must be in [0, 1), got ${String(dropout)}`);
  }
  const depth = knobs.depth ?? PRESET_DEFAULT_DEPTH[name];
  if (!Number.isInteger(depth) || depth < 1 || depth > 12) {
    throw new EarshotError('spec/invalid', `preset ${name}: depth must be an integer from 1 to 12, got ${String(depth)}`);
  }
  const [h, w] = inputShape;
  const layers: LayerSpec[] = [];
  if (name === 'tiny-conv') {
    layers.push({ type: 'conv2d', name: 'conv', filters: width, kernelSize: [10, 8], strides: [2, 2], padding: 'same', activation: 'relu' });
    for (let i = 2; i <= depth; i++) {
      layers.push({ type: 'conv2d', name: `conv${i}`, filters: width, kernelSize: [3, 3], padding: 'same', activation: 'relu' });
    }
    layers.push(
      { type: 'dropout', name: 'dropout', rate: dropout },
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'logits', units: numClasses, activation: 'softmax' },
    );
  } else if (name === 'conv1d') {
    const bands = inputShape[1] * inputShape[2];
    layers.push({ type: 'reshape', name: 'to_time', targetShape: [h, 1, bands] });
    let t = h;
    for (let i = 1; i <= depth; i++) {
      const s = halve(t);
      layers.push(
        { type: 'conv2d', name: `tconv${i}`, filters: width, kernelSize: [3, 1], strides: [s, 1], padding: 'same', useBias: false },
        { type: 'batchNormalization', name: `tconv${i}_bn`, momentum: BN_MOMENTUM },
        { type: 'activation', name: `tconv${i}_relu`, activation: 'relu' },
      );
      t = Math.ceil(t / s);
    }
    layers.push(
      { type: 'dropout', name: 'dropout', rate: dropout },
      { type: 'averagePooling2d', name: 'pool', poolSize: [t, 1] },
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'logits', units: numClasses, activation: 'softmax' },
    );
  } else {
    const strided = name === 'strided-ds';
    layers.push(
      { type: 'conv2d', name: 'conv0', filters: width, kernelSize: [10, 4], strides: [2, 2], padding: 'same', useBias: false },
      { type: 'batchNormalization', name: 'bn0', momentum: BN_MOMENTUM },
      { type: 'activation', name: 'relu0', activation: 'relu' },
      { type: 'dropout', name: 'dropout0', rate: dropout / 2 },
    );
    // Valid sizes only matter when the input is at least the first kernel; analyzeSpec reports otherwise.
    let oh = Math.max(1, convOutputLength(h, 10, 'same', 2));
    let ow = Math.max(1, convOutputLength(w, 4, 'same', 2));
    for (let i = 1; i <= depth; i++) {
      const sh = strided ? halve(oh) : 1;
      const sw = strided ? halve(ow) : 1;
      oh = Math.ceil(oh / sh);
      ow = Math.ceil(ow / sw);
      layers.push(
        { type: 'depthwiseConv2d', name: `dw${i}`, kernelSize: [3, 3], strides: [sh, sw], padding: 'same', useBias: false },
        { type: 'batchNormalization', name: `dw${i}_bn`, momentum: BN_MOMENTUM },
        { type: 'activation', name: `dw${i}_relu`, activation: 'relu' },
        { type: 'conv2d', name: `pw${i}`, filters: width, kernelSize: [1, 1], padding: 'same', useBias: false },
        { type: 'batchNormalization', name: `pw${i}_bn`, momentum: BN_MOMENTUM },
        { type: 'activation', name: `pw${i}_relu`, activation: 'relu' },
      );
    }
    layers.push(
      { type: 'dropout', name: 'dropout1', rate: dropout },
      ...(strided ? [] : [{ type: 'averagePooling2d', name: 'pool', poolSize: [oh, ow] } as LayerSpec]),
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'logits', units: numClasses, activation: 'softmax' },
    );
  }
  return analyzeSpec({ version: 1, name, input: { shape: [...inputShape] }, layers }).spec;
}
