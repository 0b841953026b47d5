/**
 * The int8 model as a TensorFlow Lite flatbuffer (.tflite), written by hand following the public
 * TFLite schema (tensorflow/lite/schema/schema.fbs: table and field order, enum values). The graph
 * is exactly what the int8 engine computes, op for op, with the same scales and zero points, so a
 * TFLite interpreter recomputes the same multipliers and gives the same int8 outputs:
 *  - conv2d → CONV_2D (int8 per-channel, v3); depthwise → DEPTHWISE_CONV_2D (v3);
 *    max / average pool → MAX_POOL_2D / AVERAGE_POOL_2D (v2); add → ADD (v2); reshape → RESHAPE (v1);
 *  - a dense layer (per-channel int8) → RESHAPE [1,1,1,in] + 1×1 CONV_2D + RESHAPE [1,units]: the
 *    same arithmetic, while a per-channel int8 FULLY_CONNECTED needs a recent op version that
 *    older interpreters and TFLM builds refuse;
 *  - no SOFTMAX: the output is the quantized logits, as in the engine and the C header.
 * Tensors get the batch dimension: [h, w, c] → [1, h, w, c], [n] → [1, n].
 */
import { EarshotError } from '../errors.ts';
import type { ModelArtifact } from '../model/artifact.ts';
import type { FusedActivation, QOp, QuantizedModel, QuantParams } from '../quant/quantized-model.ts';
import { ref, refs, scalar, str, table, vec, writeFlatbuffer, type FbObject, type FbTable } from './flatbuffer.ts';

export const TFLITE_FILE_IDENTIFIER = 'TFL3';
export const TFLITE_SCHEMA_VERSION = 3;

// schema.fbs enums
export const TensorType = { INT32: 2, INT8: 9 } as const;
export const BuiltinOperator = { ADD: 0, AVERAGE_POOL_2D: 1, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, MAX_POOL_2D: 17, RESHAPE: 22 } as const;
export const BuiltinOptions = { Conv2DOptions: 1, DepthwiseConv2DOptions: 2, Pool2DOptions: 5, AddOptions: 11, ReshapeOptions: 17 } as const;
const Padding = { same: 0, valid: 1 } as const;
const Activation: Record<FusedActivation, number> = { linear: 0, relu: 1, relu6: 3 };
/** Op versions for int8 (tensorflow/lite/tools/versioning/op_version.cc). */
const OP_VERSION: Record<number, number> = {
  [BuiltinOperator.CONV_2D]: 3,
  [BuiltinOperator.DEPTHWISE_CONV_2D]: 3,
  [BuiltinOperator.AVERAGE_POOL_2D]: 2,
  [BuiltinOperator.MAX_POOL_2D]: 2,
  [BuiltinOperator.ADD]: 2,
  [BuiltinOperator.RESHAPE]: 1,
};

interface TTensor {
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  quant?: { scales: ArrayLike<number>; zeroPoints: ArrayLike<number>; axis: number };
}
interface TOp {
  code: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  options: FbTable;
}

function batched(shape: readonly number[]): number[] {
  return [1, ...shape];
}

/** Build the graph of a QuantizedModel as TFLite tensors, buffers and operators. */
function buildGraph(q: QuantizedModel) {
  const tensors: TTensor[] = [];
  const buffers: Uint8Array[] = [new Uint8Array(0)]; // buffer 0: the empty sentinel
  const ops: TOp[] = [];
  const perTensor = (p: QuantParams) => ({ scales: [p.scale], zeroPoints: [p.zeroPoint], axis: 0 });
  const addBuffer = (bytes: Uint8Array) => buffers.push(bytes) - 1;
  const addTensor = (t: TTensor) => tensors.push(t) - 1;
  // activations: one TFLite tensor per model tensor
  const act = q.tensors.map((t) => addTensor({ name: t.name, shape: batched(t.shape), type: TensorType.INT8, buffer: 0, quant: perTensor(t) }));
  const constTensor = (name: string, shape: number[], type: number, data: Int8Array | Int32Array, quant?: TTensor['quant']) =>
    addTensor({ name, shape, type, buffer: addBuffer(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()), quant });
  const shapeTensor = (name: string, shape: number[]) => constTensor(name, [shape.length], TensorType.INT32, Int32Array.from(shape));
  const reshape = (name: string, input: number, output: number) => {
    const shape = tensors[output]!.shape;
    ops.push({
      code: BuiltinOperator.RESHAPE,
      inputs: [input, shapeTensor(`${name}/shape`, shape)],
      outputs: [output],
      optionsType: BuiltinOptions.ReshapeOptions,
      options: table([ref(vec('i32', shape))]),
    });
  };
  const weighted = (op: QOp & { weights: Int8Array; weightScales: Float32Array; bias: Int32Array }, wShape: number[], axis: number, inScale: number) => {
    const zeros = new Array<number>(op.weightScales.length).fill(0);
    const w = constTensor(`${op.layer}/weights`, wShape, TensorType.INT8, op.weights, { scales: op.weightScales, zeroPoints: zeros, axis });
    const biasScales = Array.from(op.weightScales, (s) => Math.fround(inScale * s));
    const b = constTensor(`${op.layer}/bias`, [op.bias.length], TensorType.INT32, op.bias, { scales: biasScales, zeroPoints: zeros, axis: 0 });
    return [w, b];
  };
  for (const op of q.ops) {
    const tIn = q.tensors[op.inputs[0]!]!;
    const tOut = q.tensors[op.output]!;
    const x = act[op.inputs[0]!]!;
    const y = act[op.output]!;
    switch (op.kind) {
      case 'conv2d': {
        const [wb, bb] = weighted(op, op.weightShape, 0, tIn.scale);
        ops.push({
          code: BuiltinOperator.CONV_2D, inputs: [x, wb!, bb!], outputs: [y], optionsType: BuiltinOptions.Conv2DOptions,
          options: table([scalar('i8', Padding[op.padding]), scalar('i32', op.strides[1]), scalar('i32', op.strides[0]), scalar('i8', Activation[op.activation])]),
        });
        break;
      }
      case 'depthwiseConv2d': {
        const [wb, bb] = weighted(op, op.weightShape, 3, tIn.scale);
        ops.push({
          code: BuiltinOperator.DEPTHWISE_CONV_2D, inputs: [x, wb!, bb!], outputs: [y], optionsType: BuiltinOptions.DepthwiseConv2DOptions,
          options: table([
            scalar('i8', Padding[op.padding]), scalar('i32', op.strides[1]), scalar('i32', op.strides[0]),
            scalar('i32', op.depthMultiplier), scalar('i8', Activation[op.activation]),
          ]),
        });
        break;
      }
      case 'fullyConnected': {
        const [units, inD] = op.weightShape as [number, number];
        const batches = tIn.shape.reduce((a, b) => a * b, 1) / inD;
        if (batches !== 1) throw new EarshotError('export/bad-format', `dense layer ${op.layer}: only one row per input can be written to .tflite`);
        const x4 = addTensor({ name: `${op.layer}/input_1x1`, shape: [1, 1, 1, inD], type: TensorType.INT8, buffer: 0, quant: perTensor(tIn) });
        const y4 = addTensor({ name: `${op.layer}/output_1x1`, shape: [1, 1, 1, units], type: TensorType.INT8, buffer: 0, quant: perTensor(tOut) });
        reshape(`${op.layer}/to_1x1`, x, x4);
        const [wb, bb] = weighted(op, [units, 1, 1, inD], 0, tIn.scale);
        ops.push({
          code: BuiltinOperator.CONV_2D, inputs: [x4, wb!, bb!], outputs: [y4], optionsType: BuiltinOptions.Conv2DOptions,
          options: table([scalar('i8', Padding.valid), scalar('i32', 1), scalar('i32', 1), scalar('i8', Activation[op.activation])]),
        });
        tensors[y]!.shape = [1, ...(tOut.shape.length === 1 ? tOut.shape : [tOut.shape.reduce((a, b) => a * b, 1)])];
        reshape(`${op.layer}/from_1x1`, y4, y);
        break;
      }
      case 'maxPool2d':
      case 'avgPool2d':
        ops.push({
          code: op.kind === 'maxPool2d' ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D,
          inputs: [x], outputs: [y], optionsType: BuiltinOptions.Pool2DOptions,
          options: table([
            scalar('i8', Padding[op.padding]), scalar('i32', op.strides[1]), scalar('i32', op.strides[0]),
            scalar('i32', op.kernel[1]), scalar('i32', op.kernel[0]), scalar('i8', Activation[op.activation]),
          ]),
        });
        break;
      case 'add':
        if (op.leftShift !== 20) throw new EarshotError('export/bad-format', `add ${op.layer}: TFLite int8 ADD uses a left shift of 20`);
        ops.push({
          code: BuiltinOperator.ADD, inputs: [x, act[op.inputs[1]!]!], outputs: [y], optionsType: BuiltinOptions.AddOptions,
          options: table([scalar('i8', Activation[op.activation])]),
        });
        break;
      case 'reshape':
        reshape(op.layer, x, y);
        break;
    }
  }
  return { tensors, buffers, ops, input: act[q.inputTensor]!, output: act[q.outputTensor]! };
}

export interface TfliteOptions {
  /** Model description string (provenance), default 'earshot'. */
  description?: string;
}

/** The int8 model as .tflite bytes (throws 'model/not-quantized'). Deterministic. */
export function generateTflite(artifact: ModelArtifact, opts: TfliteOptions = {}): Uint8Array {
  const q = artifact.quantized;
  if (!q) throw new EarshotError('model/not-quantized', 'this model has no int8 version yet: quantize it first');
  return quantizedModelToTflite(q, opts.description ?? 'earshot');
}

export function quantizedModelToTflite(q: QuantizedModel, description = 'earshot'): Uint8Array {
  const g = buildGraph(q);
  const codes = [...new Set(g.ops.map((o) => o.code))];
  const opcodeTable = (code: number) => table([scalar('i8', code), undefined, scalar('i32', OP_VERSION[code]!), scalar('i32', code)]);
  const quantTable = (p: NonNullable<TTensor['quant']>): FbObject =>
    table([undefined, undefined, ref(vec('f32', p.scales)), ref(vec('i64', Array.from(p.zeroPoints, (z) => BigInt(z)))), undefined, undefined, scalar('i32', p.axis)]);
  const tensorTable = (t: TTensor): FbObject =>
    table([ref(vec('i32', t.shape)), scalar('i8', t.type), scalar('u32', t.buffer), ref(str(t.name)), t.quant ? ref(quantTable(t.quant)) : undefined]);
  const opTable = (o: TOp): FbObject =>
    table([scalar('u32', codes.indexOf(o.code)), ref(vec('i32', o.inputs)), ref(vec('i32', o.outputs)), scalar('u8', o.optionsType), ref(o.options)]);
  const subgraph = table([
    ref(refs(g.tensors.map(tensorTable))),
    ref(vec('i32', [g.input])),
    ref(vec('i32', [g.output])),
    ref(refs(g.ops.map(opTable))),
    ref(str('main')),
  ]);
  const model = table([
    scalar('u32', TFLITE_SCHEMA_VERSION),
    ref(refs(codes.map(opcodeTable))),
    ref(refs([subgraph])),
    ref(str(description)),
    ref(refs(g.buffers.map((b) => (b.length === 0 ? table([]) : table([ref(vec('u8', b, 16))]))))),
  ]);
  return writeFlatbuffer(model, TFLITE_FILE_IDENTIFIER);
}
