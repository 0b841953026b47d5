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
 */
import { EarshotError } from '../errors.ts';
import { analyzeSpec, convOutputLength } from './analyze.ts';
import type { LayerSpec, ModelSpec } from './spec.ts';

export const PRESET_NAMES = ['tiny-conv', 'ds-cnn-s'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface PresetKnobs {
  /** Channels of the convolutions: tiny-conv default 8, ds-cnn-s default 64. */
  width?: number;
  /** Dropout rate scale: tiny-conv default 0.5 before the classifier; ds-cnn-s default 0.4 (and half of it after the first block). */
  dropout?: number;
}

export const PRESET_DEFAULT_WIDTH: Record<PresetName, number> = { 'tiny-conv': 8, 'ds-cnn-s': 64 };
const BN_MOMENTUM = 0.9;
const PRESET_DEFAULT_DROPOUT: Record<PresetName, number> = { 'tiny-conv': 0.5, 'ds-cnn-s': 0.4 };

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** A validated, normalized ModelSpec for a preset. Throws 'spec/invalid' on bad arguments. */
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
  const layers: LayerSpec[] = [];
  if (name === 'tiny-conv') {
    layers.push(
      { type: 'conv2d', name: 'conv', filters: width, kernelSize: [10, 8], strides: [2, 2], padding: 'same', activation: 'relu' },
      { type: 'dropout', name: 'dropout', rate: dropout },
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'logits', units: numClasses, activation: 'softmax' },
    );
  } else {
    const [h, w] = inputShape;
    layers.push(
      { type: 'conv2d', name: 'conv0', filters: width, kernelSize: [10, 4], strides: [2, 2], padding: 'same', useBias: false },
      { type: 'batchNormalization', name: 'bn0', momentum: BN_MOMENTUM },
      { type: 'activation', name: 'relu0', activation: 'relu' },
      { type: 'dropout', name: 'dropout0', rate: dropout / 2 },
    );
    for (let i = 1; i <= 4; i++) {
      layers.push(
        { type: 'depthwiseConv2d', name: `dw${i}`, kernelSize: [3, 3], padding: 'same', useBias: false },
        { type: 'batchNormalization', name: `dw${i}_bn`, momentum: BN_MOMENTUM },
        { type: 'activation', name: `dw${i}_relu`, activation: 'relu' },
        { type: 'conv2d', name: `pw${i}`, filters: width, kernelSize: [1, 1], padding: 'same', useBias: false },
        { type: 'batchNormalization', name: `pw${i}_bn`, momentum: BN_MOMENTUM },
        { type: 'activation', name: `pw${i}_relu`, activation: 'relu' },
      );
    }
    // Valid sizes only matter when the input is at least the first kernel; analyzeSpec reports otherwise.
    const oh = Math.max(1, convOutputLength(h, 10, 'same', 2));
    const ow = Math.max(1, convOutputLength(w, 4, 'same', 2));
    layers.push(
      { type: 'dropout', name: 'dropout1', rate: dropout },
      { type: 'averagePooling2d', name: 'pool', poolSize: [oh, ow] },
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'logits', units: numClasses, activation: 'softmax' },
    );
  }
  return analyzeSpec({ version: 1, name, input: { shape: [...inputShape] }, layers }).spec;
}
