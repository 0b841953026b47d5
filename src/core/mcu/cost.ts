/**
 * One pure cost function per op type: cycles = f(layer shapes, cost table). The table holds the
 * constants for one (core, runtime, dtype) (cost-tables.ts names the evidence of each), so the
 * same formulas serve int8 and float32. Conv-like layers count MACs as their table was fitted:
 * nominally (padding included) or, with OpCostTable.inBoundsTaps (Earshot's kernels, which skip
 * SAME padding), only the in-bounds kernel taps. Flash bytes of each layer's parameters are here too.
 */
import type { LayerInfo, LayerSpec, Padding } from '../model/spec.ts';
import { convLoopWork, inBoundsTaps, type ConvWindow } from './kernel-taps.ts';
import type { DeployedLayer } from './lower.ts';
import type { Dtype, OpCostTable } from './types.ts';

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const outputs = (l: LayerInfo): number => count(l.outputShape);
const inputElements = (l: LayerInfo): number => count(l.inputShapes[0] ?? []);
const pairOf = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number]);

/** Kernel size, strides and padding of a conv-like layer of a normalized spec. */
export function convWindowOf(spec: LayerSpec): ConvWindow {
  const s = spec as unknown as Record<string, unknown>;
  return { kernel: pairOf(s.kernelSize ?? 1), strides: pairOf(s.strides ?? 1), padding: (s.padding as Padding | undefined) ?? 'valid' };
}

/** Per-channel kernel taps over the output positions that land inside the input (tables with inBoundsTaps). */
const inBounds = (l: LayerInfo, w: ConvWindow): number => inBoundsTaps(l.inputShapes[0]![0]!, l.inputShapes[0]![1]!, w);

const POINTWISE: ConvWindow = { kernel: [1, 1], strides: [1, 1], padding: 'valid' };

/**
 * Cycles of a conv's MAC loop: nominal MACs (LayerInfo.macs, padding included) × cycles/MAC, or,
 * for tables fitted on kernels.h (inBoundsTaps), its in-bounds MACs, row spans and tail bytes.
 */
function convLoopCycles(inShape: readonly number[], outC: number, nominalMacs: number, w: ConvWindow, t: OpCostTable): number {
  if (!t.inBoundsTaps) return nominalMacs * t.convCyclesPerMac;
  const work = convLoopWork(inShape[0]!, inShape[1]!, inShape[2] ?? 1, outC, w);
  return work.macs * t.convCyclesPerMac + work.rows * (t.convCyclesPerRow ?? 0) + work.tailBytes * (t.convCyclesPerTailByte ?? 0);
}

/** Depthwise MACs × cycles/MAC (in-bounds MACs with inBoundsTaps; multiplier > 1 at its own rate if the table has one). */
function depthwiseMacCycles(nominalMacs: number, inBoundsMacs: () => number, depthMultiplier: number, t: OpCostTable): number {
  const perMac = depthMultiplier > 1 ? (t.depthwiseCyclesPerMacMultiplier ?? t.depthwiseCyclesPerMac) : t.depthwiseCyclesPerMac;
  return (t.inBoundsTaps ? inBoundsMacs() : nominalMacs) * perMac;
}

export function conv2dCycles(l: LayerInfo, w: ConvWindow, t: OpCostTable): number {
  return convLoopCycles(l.inputShapes[0]!, l.outputShape[2]!, l.macs, w, t) + outputs(l) * t.cyclesPerOutput + t.layerOverheadCycles;
}

export function depthwiseConv2dCycles(l: LayerInfo, w: ConvWindow, depthMultiplier: number, t: OpCostTable): number {
  return (
    depthwiseMacCycles(l.macs, () => inBounds(l, w) * l.outputShape[2]!, depthMultiplier, t) +
    outputs(l) * (t.depthwiseCyclesPerOutput ?? t.cyclesPerOutput) + t.layerOverheadCycles
  );
}

/** Split of a separable conv into its depthwise and pointwise parts (two deployed ops; nominal MACs). */
export function separableParts(l: LayerInfo, kernelSize: unknown, depthMultiplier: number): { dwMacs: number; pwMacs: number; dwOutputs: number; mid: number } {
  const [kh, kw] = pairOf(kernelSize);
  const [oh, ow] = [l.outputShape[0]!, l.outputShape[1]!];
  const mid = (l.inputShapes[0]![2] ?? 1) * depthMultiplier;
  const dwMacs = oh * ow * mid * kh * kw;
  return { dwMacs, pwMacs: l.macs - dwMacs, dwOutputs: oh * ow * mid, mid };
}

/** The depthwise part has the layer's window (its padding); the pointwise 1×1 part reads no padding. */
export function separableConv2dCycles(l: LayerInfo, w: ConvWindow, depthMultiplier: number, t: OpCostTable): number {
  const p = separableParts(l, w.kernel, depthMultiplier);
  const [oh, ow, outC] = [l.outputShape[0]!, l.outputShape[1]!, l.outputShape[2]!];
  return (
    depthwiseMacCycles(p.dwMacs, () => inBounds(l, w) * p.mid, depthMultiplier, t) +
    p.dwOutputs * (t.depthwiseCyclesPerOutput ?? t.cyclesPerOutput) + t.layerOverheadCycles +
    convLoopCycles([oh, ow, p.mid], outC, p.pwMacs, POINTWISE, t) + outputs(l) * t.cyclesPerOutput + t.layerOverheadCycles
  );
}

export function denseCycles(l: LayerInfo, t: OpCostTable): number {
  return l.macs * t.denseCyclesPerMac + outputs(l) * (t.denseCyclesPerOutput ?? t.cyclesPerOutput) + t.layerOverheadCycles;
}

/** Max or average pooling: every output reads poolH x poolW inputs. */
export function pool2dCycles(l: LayerInfo, poolSize: unknown, t: OpCostTable): number {
  const [ph, pw] = pairOf(poolSize);
  return outputs(l) * ph * pw * t.poolCyclesPerInput + outputs(l) * (t.poolCyclesPerOutput ?? 0) + t.layerOverheadCycles;
}

export function globalAveragePooling2dCycles(l: LayerInfo, t: OpCostTable): number {
  return inputElements(l) * t.poolCyclesPerInput + outputs(l) * (t.poolCyclesPerOutput ?? 0) + t.layerOverheadCycles;
}

/** n-input add: n-1 pairwise adds per output element. */
export function addCycles(l: LayerInfo, t: OpCostTable): number {
  return outputs(l) * t.addCyclesPerElement * Math.max(1, l.inputs.length - 1) + t.layerOverheadCycles;
}

/** A batch norm or relu that could not be fused into its producer. */
export function elementwiseCycles(l: LayerInfo, t: OpCostTable): number {
  return outputs(l) * t.elementwiseCyclesPerElement + t.layerOverheadCycles;
}

export function softmaxCycles(elements: number, t: OpCostTable): number {
  return elements * t.softmaxCyclesPerElement + t.layerOverheadCycles;
}

/** Cycles of one spec layer once deployed (0 for views and fused layers). */
export function layerCycles(d: DeployedLayer, t: OpCostTable): number {
  if (d.role !== 'compute') return 0;
  const l = d.info;
  const s = d.spec as unknown as Record<string, unknown>;
  let c: number;
  switch (l.type) {
    case 'conv2d':
      c = conv2dCycles(l, convWindowOf(d.spec), t);
      break;
    case 'depthwiseConv2d':
      c = depthwiseConv2dCycles(l, convWindowOf(d.spec), (s.depthMultiplier as number | undefined) ?? 1, t);
      break;
    case 'separableConv2d':
      c = separableConv2dCycles(l, convWindowOf(d.spec), (s.depthMultiplier as number | undefined) ?? 1, t);
      break;
    case 'dense':
      c = denseCycles(l, t);
      break;
    case 'maxPooling2d':
    case 'averagePooling2d':
      c = pool2dCycles(l, s.poolSize, t);
      break;
    case 'globalAveragePooling2d':
      c = globalAveragePooling2dCycles(l, t);
      break;
    case 'add':
      c = addCycles(l, t);
      break;
    case 'batchNormalization':
      c = elementwiseCycles(l, t);
      break;
    case 'activation':
      c = d.softmax ? 0 : elementwiseCycles(l, t);
      break;
    default:
      c = 0; // flatten, reshape, dropout are always views
  }
  if (d.softmax) c += softmaxCycles(outputs(l), t);
  return c;
}

/** Output channels that carry per-channel requantization parameters (conv-like layers). */
export function quantChannels(d: DeployedLayer): number {
  if (d.role !== 'compute') return 0;
  const l = d.info;
  const s = d.spec as unknown as Record<string, unknown>;
  switch (l.type) {
    case 'conv2d':
    case 'depthwiseConv2d':
    case 'dense':
      return l.outputShape[l.outputShape.length - 1]!;
    case 'separableConv2d':
      return separableParts(l, s.kernelSize, (s.depthMultiplier as number | undefined) ?? 1).mid + l.outputShape[2]!;
    default:
      return 0;
  }
}

/**
 * Flash bytes of one layer's parameters. int8 (TFLite full-integer): weights 1 byte, biases int32
 * (always present after batch-norm folding), per-channel requantization parameters as the runtime
 * stores them. float32: 4 bytes per weight and bias. Folded batch norms store nothing; a
 * stand-alone one stores a per-channel scale and offset.
 */
export function layerWeightBytes(d: DeployedLayer, dtype: Dtype, quantBytesPerChannel: number): number {
  if (d.role !== 'compute') return 0;
  const l = d.info;
  const s = d.spec as unknown as Record<string, unknown>;
  const useBias = (s.useBias as boolean | undefined) ?? true;
  const outC = l.outputShape[l.outputShape.length - 1]!;
  const wb = dtype === 'int8' ? 1 : 4;
  const perChannel = dtype === 'int8' ? 4 + quantBytesPerChannel : 4; // bias (+ requant params)
  switch (l.type) {
    case 'conv2d':
    case 'depthwiseConv2d':
    case 'dense':
      return (l.params - (useBias ? outC : 0)) * wb + outC * perChannel;
    case 'separableConv2d': {
      const mid = separableParts(l, s.kernelSize, (s.depthMultiplier as number | undefined) ?? 1).mid;
      return (l.params - (useBias ? outC : 0)) * wb + (mid + outC) * perChannel;
    }
    case 'batchNormalization':
      return outC * 8; // per-channel scale + offset: int32 pair (int8) or float pair (float32)
    default:
      return 0;
  }
}

/**
 * Kernel scratch RAM CMSIS-NN asks for (arm_convolve_s8_get_buffer_size: 2*ch_in*kh*kw int16 for
 * the DSP im2col path, 0 for 1x1; arm_depthwise_conv_s8_opt_get_buffer_size: ch_in*kh*kw int16).
 */
export function cmsisScratchBytes(d: DeployedLayer): number {
  if (d.role !== 'compute') return 0;
  const l = d.info;
  const s = d.spec as unknown as Record<string, unknown>;
  const inC = l.inputShapes[0]?.[2] ?? 0;
  const [kh, kw] = s.kernelSize === undefined ? [1, 1] : pairOf(s.kernelSize);
  switch (l.type) {
    case 'conv2d':
      return kh === 1 && kw === 1 ? 0 : 2 * inC * kh * kw * 2;
    case 'depthwiseConv2d':
    case 'separableConv2d':
      return inC * kh * kw * 2;
    default:
      return 0;
  }
}
