/**
 * Int8 reference engine: integer-only, TFLite reference_integer_ops semantics (per-channel conv
 * and depthwise conv, per-channel fully connected, max / average pool, ADD, reshape views).
 * src/core/export/c/kernels.h mirrors it op for op; the C tests compare them bit for bit.
 * Accumulators are int32 in C: every running sum here is wrapped with `| 0` where C would wrap.
 */
import { EarshotError } from '../errors.ts';
import { multiplyByQuantizedMultiplier } from './fixed-point.ts';
import type { QAddOp, QConv2dOp, QDepthwiseConv2dOp, QFullyConnectedOp, QPoolOp, QuantizedModel } from './quantized-model.ts';

export interface Int8Run {
  output: Int8Array;
  /** Every tensor's int8 values, by tensor index (reshape outputs share their input's bytes). */
  tensors: Int8Array[];
}

function hwc(shape: readonly number[]): [number, number, number] {
  if (shape.length === 3) return [shape[0]!, shape[1]!, shape[2]!];
  if (shape.length === 1) return [1, 1, shape[0]!];
  throw new EarshotError('model/invalid', `tensor shape [${shape.join(', ')}] is neither [h, w, c] nor [n]`);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function conv2d(op: QConv2dOp, x: Int8Array, inShape: number[], outShape: number[], inZp: number, outZp: number, y: Int8Array): void {
  const [inH, inW, inC] = hwc(inShape);
  const [outH, outW, outC] = hwc(outShape);
  const [kh, kw] = op.kernel;
  const [sh, sw] = op.strides;
  const [padT, padL] = op.pad;
  const w = op.weights;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let oc = 0; oc < outC; oc++) {
        let acc = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - padT + ky;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - padL + kx;
            if (ix < 0 || ix >= inW) continue;
            const xo = (iy * inW + ix) * inC;
            const wo = ((oc * kh + ky) * kw + kx) * inC;
            for (let ic = 0; ic < inC; ic++) acc += w[wo + ic]! * (x[xo + ic]! - inZp);
          }
        }
        acc = (acc + op.bias[oc]!) | 0;
        acc = multiplyByQuantizedMultiplier(acc, op.multipliers[oc]!, op.shifts[oc]!) + outZp;
        y[(oy * outW + ox) * outC + oc] = clamp(acc, op.actMin, op.actMax);
      }
    }
  }
}

function depthwise(op: QDepthwiseConv2dOp, x: Int8Array, inShape: number[], outShape: number[], inZp: number, outZp: number, y: Int8Array): void {
  const [inH, inW, inC] = hwc(inShape);
  const [outH, outW, outC] = hwc(outShape);
  const [kh, kw] = op.kernel;
  const [sh, sw] = op.strides;
  const [padT, padL] = op.pad;
  const m = op.depthMultiplier;
  const w = op.weights;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let ic = 0; ic < inC; ic++) {
        for (let j = 0; j < m; j++) {
          const oc = ic * m + j;
          let acc = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - padT + ky;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - padL + kx;
              if (ix < 0 || ix >= inW) continue;
              acc += w[(ky * kw + kx) * outC + oc]! * (x[(iy * inW + ix) * inC + ic]! - inZp);
            }
          }
          acc = (acc + op.bias[oc]!) | 0;
          acc = multiplyByQuantizedMultiplier(acc, op.multipliers[oc]!, op.shifts[oc]!) + outZp;
          y[(oy * outW + ox) * outC + oc] = clamp(acc, op.actMin, op.actMax);
        }
      }
    }
  }
}

function fullyConnected(op: QFullyConnectedOp, x: Int8Array, inZp: number, outZp: number, y: Int8Array): void {
  const [units, inD] = op.weightShape as [number, number];
  const batches = x.length / inD;
  const w = op.weights;
  for (let b = 0; b < batches; b++) {
    for (let u = 0; u < units; u++) {
      let acc = 0;
      for (let d = 0; d < inD; d++) acc += w[u * inD + d]! * (x[b * inD + d]! - inZp);
      acc = (acc + op.bias[u]!) | 0;
      acc = multiplyByQuantizedMultiplier(acc, op.multipliers[u]!, op.shifts[u]!) + outZp;
      y[b * units + u] = clamp(acc, op.actMin, op.actMax);
    }
  }
}

function pool(op: QPoolOp, x: Int8Array, inShape: number[], outShape: number[], y: Int8Array): void {
  const [inH, inW, c] = hwc(inShape);
  const [outH, outW] = hwc(outShape);
  const [kh, kw] = op.kernel;
  const [sh, sw] = op.strides;
  const [padT, padL] = op.pad;
  const isMax = op.kind === 'maxPool2d';
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const y0 = oy * sh - padT;
      const x0 = ox * sw - padL;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(kh, inH - y0);
      const fx0 = Math.max(0, -x0);
      const fx1 = Math.min(kw, inW - x0);
      for (let ch = 0; ch < c; ch++) {
        let acc = isMax ? -128 : 0;
        let count = 0;
        for (let fy = fy0; fy < fy1; fy++) {
          for (let fx = fx0; fx < fx1; fx++) {
            const v = x[((y0 + fy) * inW + (x0 + fx)) * c + ch]!;
            acc = isMax ? (v > acc ? v : acc) : acc + v;
            count++;
          }
        }
        if (!isMax) {
          // TFLite: rounded division, half away from zero (C division truncates)
          const half = Math.trunc(count / 2);
          acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
        }
        y[(oy * outW + ox) * c + ch] = clamp(acc, op.actMin, op.actMax);
      }
    }
  }
}

function add(op: QAddOp, a: Int8Array, b: Int8Array, zpA: number, zpB: number, outZp: number, y: Int8Array): void {
  const ls = op.leftShift;
  for (let i = 0; i < y.length; i++) {
    const sa = multiplyByQuantizedMultiplier((a[i]! - zpA) << ls, op.input1Multiplier, op.input1Shift);
    const sb = multiplyByQuantizedMultiplier((b[i]! - zpB) << ls, op.input2Multiplier, op.input2Shift);
    const raw = multiplyByQuantizedMultiplier((sa + sb) | 0, op.outputMultiplier, op.outputShift) + outZp;
    y[i] = clamp(raw, op.actMin, op.actMax);
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Run the int8 network and keep every tensor (for SQNR and debugging). */
export function runInt8Detailed(q: QuantizedModel, input: Int8Array): Int8Run {
  if (q?.version !== 1 || !Array.isArray(q.ops) || !Array.isArray(q.tensors)) throw new EarshotError('model/invalid', 'not a version 1 QuantizedModel');
  const inT = q.tensors[q.inputTensor]!;
  if (!(input instanceof Int8Array) || input.length !== size(inT.shape)) {
    throw new EarshotError('model/invalid', `int8 input has ${input?.length} values, the model expects ${size(inT.shape)}`);
  }
  const bufs: Int8Array[] = new Array<Int8Array>(q.tensors.length);
  bufs[q.inputTensor] = input;
  for (const op of q.ops) {
    const ins = op.inputs.map((t) => {
      const b = bufs[t];
      if (!b) throw new EarshotError('model/invalid', `op of layer ${op.layer} reads tensor ${t} before it is computed`);
      return b;
    });
    const tIn = q.tensors[op.inputs[0]!]!;
    const tOut = q.tensors[op.output]!;
    if (op.kind === 'reshape') {
      bufs[op.output] = ins[0]!;
      continue;
    }
    const y = new Int8Array(size(tOut.shape));
    switch (op.kind) {
      case 'conv2d':
        conv2d(op, ins[0]!, tIn.shape, tOut.shape, tIn.zeroPoint, tOut.zeroPoint, y);
        break;
      case 'depthwiseConv2d':
        depthwise(op, ins[0]!, tIn.shape, tOut.shape, tIn.zeroPoint, tOut.zeroPoint, y);
        break;
      case 'fullyConnected':
        fullyConnected(op, ins[0]!, tIn.zeroPoint, tOut.zeroPoint, y);
        break;
      case 'maxPool2d':
      case 'avgPool2d':
        pool(op, ins[0]!, tIn.shape, tOut.shape, y);
        break;
      case 'add':
        add(op, ins[0]!, ins[1]!, tIn.zeroPoint, q.tensors[op.inputs[1]!]!.zeroPoint, tOut.zeroPoint, y);
        break;
    }
    bufs[op.output] = y;
  }
  return { output: bufs[q.outputTensor]!, tensors: bufs };
}

/** Run the int8 network: int8 input (quantized with q.input) → int8 scores (quantized logits). */
export function runInt8(q: QuantizedModel, input: Int8Array): Int8Array {
  return runInt8Detailed(q, input).output;
}
