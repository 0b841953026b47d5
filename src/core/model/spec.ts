/**
 * ModelSpec v1: a versioned JSON description of a network, independent of trained weights.
 * Layer `type` and option names follow tfjs-layers. A layer takes its input from the previous
 * layer unless it names `inputs` (how `add` makes a residual block). `input.shape` is
 * [height, width, channels] = [frames, melBands, 1] for log-mel input.
 */
export type Activation = 'linear' | 'relu' | 'relu6' | 'softmax';
export type Padding = 'same' | 'valid';
export type Pair = number | [number, number];

interface LayerBase {
  /** Unique; filled as `${type}_${index}` by normalizeSpec when missing. */
  name?: string;
  /** Names of the layers this one reads; default: the previous layer. */
  inputs?: string[];
}

export interface Conv2dLayer extends LayerBase {
  type: 'conv2d';
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: Padding;
  activation?: Activation;
  useBias?: boolean;
}
export interface DepthwiseConv2dLayer extends LayerBase {
  type: 'depthwiseConv2d';
  kernelSize: Pair;
  depthMultiplier?: number;
  strides?: Pair;
  padding?: Padding;
  activation?: Activation;
  useBias?: boolean;
}
export interface SeparableConv2dLayer extends LayerBase {
  type: 'separableConv2d';
  filters: number;
  kernelSize: Pair;
  depthMultiplier?: number;
  strides?: Pair;
  padding?: Padding;
  activation?: Activation;
  useBias?: boolean;
}
export interface DenseLayer extends LayerBase {
  type: 'dense';
  units: number;
  activation?: Activation;
  useBias?: boolean;
}
export interface Pool2dLayer extends LayerBase {
  type: 'maxPooling2d' | 'averagePooling2d';
  poolSize: Pair;
  strides?: Pair;
  padding?: Padding;
}
export interface GlobalAveragePooling2dLayer extends LayerBase {
  type: 'globalAveragePooling2d';
}
export interface FlattenLayer extends LayerBase {
  type: 'flatten';
}
export interface ReshapeLayer extends LayerBase {
  type: 'reshape';
  targetShape: number[];
}
export interface BatchNormalizationLayer extends LayerBase {
  type: 'batchNormalization';
  epsilon?: number;
  momentum?: number;
}
export interface DropoutLayer extends LayerBase {
  type: 'dropout';
  rate: number;
}
export interface ActivationLayer extends LayerBase {
  type: 'activation';
  activation: Activation;
}
export interface AddLayer extends LayerBase {
  type: 'add';
  inputs: string[];
}

export type LayerSpec =
  | Conv2dLayer
  | DepthwiseConv2dLayer
  | SeparableConv2dLayer
  | DenseLayer
  | Pool2dLayer
  | GlobalAveragePooling2dLayer
  | FlattenLayer
  | ReshapeLayer
  | BatchNormalizationLayer
  | DropoutLayer
  | ActivationLayer
  | AddLayer;

export type LayerType = LayerSpec['type'];

export interface ModelSpec {
  version: 1;
  name?: string;
  input: { shape: [number, number, number] };
  /** The last layer is the output: a dense layer with one unit per class. */
  layers: LayerSpec[];
}

/** What analyzeSpec (analyze.ts) reports for each layer, in spec order. */
export interface LayerInfo {
  name: string;
  type: LayerType;
  /** Names of input layers; 'input' denotes the model input. */
  inputs: string[];
  inputShapes: number[][];
  /** Without the batch dimension, e.g. [h, w, c] or [units]. */
  outputShape: number[];
  /** Trainable + non-trainable parameter count, as tfjs counts it. */
  params: number;
  /** Multiply-accumulates for one inference. */
  macs: number;
}

export interface SpecAnalysis {
  spec: ModelSpec; // normalized: every layer named, defaults filled
  layers: LayerInfo[];
  outputShape: number[];
  totalParams: number;
  totalMacs: number;
}
