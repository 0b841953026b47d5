/**
 * QuantizedModel: the int8 network, with TensorFlow Lite full-integer semantics, so the
 * same numbers can be written to a .tflite file and to the C header.
 *
 * - Tensors are int8, asymmetric per tensor: real = scale * (q - zeroPoint). Scales are float32
 *   values (as a .tflite stores them); multipliers are derived from them in double, as TFLite does.
 * - Weights are int8, symmetric per output channel (zero point 0, range ±127), in TFLite layouts:
 *   conv2d OHWI [outC, kh, kw, inC]; depthwise [1, kh, kw, inC * mult] (channel oc = ic * mult + m);
 *   fullyConnected [units, inDepth]. `weightScales` keeps the per-channel float scales.
 * - Biases are int32 with scale inputScale × weightScales[c] and zero point 0.
 * - Requantization: `multipliers[c]`/`shifts[c]` from TFLite QuantizeMultiplier (Q0.31, shift > 0 = left).
 * - Fused activations are clamp ranges [actMin, actMax] in the output's int8 domain.
 * - Batch norm is folded, dropout removed, flatten/reshape are `reshape` ops (views: same bytes).
 * - Pools keep their input's quantization (output params = input params), as TFLite requires;
 *   globalAveragePooling2d is an average pool over the whole map.
 * - The final softmax is NOT quantized: the output tensor holds the quantized logits ("scores").
 *   Argmax is unchanged; probabilities are a float softmax of dequantize(scores, output).
 * Plain data with typed arrays only: serialized by packTyped (artifact.ts).
 */
import type { Padding } from '../model/spec.ts';

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

export interface QTensor extends QuantParams {
  /** Name of the spec layer whose (float) output this tensor holds, or 'input'. */
  name: string;
  /** Without batch: [h, w, c] or [n]. */
  shape: number[];
}

export type FusedActivation = 'linear' | 'relu' | 'relu6';

interface QOpBase {
  /** Spec layer this op came from (a separable conv gives 2 ops, a >2-input add several). */
  layer: string;
  /** Tensor indices. */
  inputs: number[];
  output: number;
}

interface QWeighted {
  weights: Int8Array;
  weightShape: number[];
  /** Float per-output-channel weight scales (float32 values). */
  weightScales: Float32Array;
  bias: Int32Array;
  multipliers: Int32Array;
  shifts: Int32Array;
  activation: FusedActivation;
  actMin: number;
  actMax: number;
}

interface QSpatial {
  kernel: [number, number];
  strides: [number, number];
  padding: Padding;
  /** TF padding: top/left = floor(total / 2). */
  pad: [number, number];
}

export interface QConv2dOp extends QOpBase, QWeighted, QSpatial {
  kind: 'conv2d';
}

export interface QDepthwiseConv2dOp extends QOpBase, QWeighted, QSpatial {
  kind: 'depthwiseConv2d';
  depthMultiplier: number;
}

export interface QFullyConnectedOp extends QOpBase, QWeighted {
  kind: 'fullyConnected';
}

export interface QPoolOp extends QOpBase, QSpatial {
  kind: 'maxPool2d' | 'avgPool2d';
  activation: FusedActivation;
  actMin: number;
  actMax: number;
}

/** TFLite int8 ADD: both inputs shifted left by `leftShift` (20) and rescaled, then the sum rescaled. */
export interface QAddOp extends QOpBase {
  kind: 'add';
  leftShift: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  activation: FusedActivation;
  actMin: number;
  actMax: number;
}

/** A view: the output has the input's bytes and quantization, another shape. */
export interface QReshapeOp extends QOpBase {
  kind: 'reshape';
}

export type QOp = QConv2dOp | QDepthwiseConv2dOp | QFullyConnectedOp | QPoolOp | QAddOp | QReshapeOp;
export type QOpKind = QOp['kind'];

export interface QuantizedModel {
  version: 1;
  /** Input quantization: int8 = clamp(round(x / scale) + zeroPoint). */
  input: QuantParams & { shape: number[] };
  /** Output (scores) quantization: the quantized logits of the last dense layer. */
  output: QuantParams & { shape: number[] };
  /** Activation the float model applies after the output (not quantized; 'softmax' or 'linear'). */
  outputActivation: 'softmax' | 'linear';
  tensors: QTensor[];
  /** In execution order. */
  ops: QOp[];
  inputTensor: number;
  outputTensor: number;
  /** Number of calibration inputs the activation ranges came from. */
  calibrationCount: number;
}
