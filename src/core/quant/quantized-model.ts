/**
 * QuantizedModel: the int8 network, with TensorFlow Lite full-integer semantics, so the
 * same numbers can be written to a .tflite file and to the C header.
 * PLACEHOLDER CONTRACT — the quantization work owns and completes this file.
 */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

export interface QuantizedModel {
  version: 1;
  /** Input quantization: int8 = clamp(round(x / scale) + zeroPoint). */
  input: QuantParams & { shape: number[] };
  /** Output (scores) quantization. */
  output: QuantParams & { shape: number[] };
}
