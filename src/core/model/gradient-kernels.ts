/**
 * Convolution gradient kernels that the tfjs wasm backend (4.22) lacks: Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput. Plain TypeScript
 * over typed arrays (NHWC, any strides, 'same'/'valid'/explicit padding as tfjs computes it,
 * dilation 1), registered with tf.registerKernel for 'wasm' and for 'cpu' (where they replace the
 * stock kernels, which read every element through TensorBuffer.get and are many times slower).
 * Conv2DBackpropFilter is im2col in TypeScript followed by the backend's own BatchMatMul kernel.
 *
 * Geometry follows tfjs `backend_util.computeConv2DInfo`: output (yR, yC) reads input row
 * xR = yR * strideH - padTop + wR and column xC = yC * strideW - padLeft + wC.
 * The depthwise sums are accumulated in float64 and stored as float32.
 *
 * On wasm, where train-kernels.wat is loaded (wasm-train-kernels.ts), the depthwise filter
 * gradient (depth multiplier 1), im2col, the W transpose, col2im and Identity run in place on
 * the backend's heap; the TypeScript below is their reference and fallback.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { wasmAvgPoolGradKernel } from './wasm-avg-pool-grad.ts';
import { registerBatchNormKernels } from './fast-batch-norm.ts';
import { addressOf, f64Scratch, heapF64, registerTrainKernels, trainKernelsFor, type WasmHeapBackend } from './wasm-train-kernels.ts';

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  /** conv2d: output channels; depthwise: inC * depthMultiplier. */
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/**
 * Transposed im2col: cols[k, p] with k = (wR, wC, ci) and p = (b, yR, yC), zero where the window
 * falls in the padding. Then dW[k, co] = Σ_p cols[k, p] · dy[p, co], one matrix product.
 */
export function im2colTransposed(g: ConvGeometry, x: Float32Array, cols: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const P = batch * outH * outW;
  for (let wR = 0; wR < kH; wR++) {
    for (let wC = 0; wC < kW; wC++) {
      for (let ci = 0; ci < inC; ci++) {
        const row = ((wR * kW + wC) * inC + ci) * P;
        let p = 0;
        for (let b = 0; b < batch; b++) {
          for (let yR = 0; yR < outH; yR++) {
            const xR = yR * strideH - padTop + wR;
            const rowOk = xR >= 0 && xR < inH;
            const xRow = (b * inH + xR) * inW;
            for (let yC = 0; yC < outW; yC++, p++) {
              const xC = yC * strideW - padLeft + wC;
              cols[row + p] = rowOk && xC >= 0 && xC < inW ? x[(xRow + xC) * inC + ci]! : 0;
            }
          }
        }
      }
    }
  }
}

/** 1x1, stride 1, no padding: im2col is a transpose and col2im the identity. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;
}

/** The geometry as train-kernels.wat's im2col_t and col2im take it after their two pointers. */
function geometryArgs(g: ConvGeometry): number[] {
  return [g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft];
}

/**
 * depthwiseBackpropFilter (depth multiplier 1) in train-kernels.wat: float64 sums per tap, in
 * the same order as the TypeScript, into `out` (kH·kW·C float32 at its heap address).
 */
function depthwiseBackpropFilterWasm(be: WasmHeapBackend, k: NonNullable<ReturnType<typeof trainKernelsFor>>, g: ConvGeometry, x: TensorInfo, dy: TensorInfo, out: TensorInfo): void {
  const n = g.kH * g.kW * g.outC;
  // scratch: n float64 sums, then [c0, c1) per filter column as int32 pairs
  const acc = f64Scratch(be, n + g.kW);
  const sums = heapF64(be, acc.at, n + g.kW);
  sums.fill(0, 0, n);
  const cols = new Int32Array(sums.buffer, acc.at + 8 * n, 2 * g.kW);
  for (let wC = 0; wC < g.kW; wC++) [cols[2 * wC], cols[2 * wC + 1]] = validCols(g, wC);
  k.dw_filter(addressOf(be, x), addressOf(be, dy), acc.at, acc.at + 8 * n, g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft);
  k.f64_to_f32(acc.at, addressOf(be, out), n);
  be.disposeData(acc.info.dataId);
}

/**
 * depthwiseBackpropInput (depth multiplier 1) in train-kernels.wat: float64 sums tap by tap in
 * the TypeScript's order, into `out` (x's shape, float32).
 */
function depthwiseBackpropInputWasm(be: WasmHeapBackend, k: NonNullable<ReturnType<typeof trainKernelsFor>>, g: ConvGeometry, dy: TensorInfo, w: TensorInfo, out: TensorInfo): void {
  const n = g.batch * g.inH * g.inW * g.inC;
  const acc = f64Scratch(be, n + g.inC);
  const f = heapF64(be, acc.at, n + g.inC);
  f.fill(0, 0, n);
  const wv = be.typedArrayFromHeap(w);
  const tapAt = acc.at + 8 * n;
  const dya = addressOf(be, dy);
  for (let wR = 0; wR < g.kH; wR++) {
    for (let wC = 0; wC < g.kW; wC++) {
      const [c0, c1] = validCols(g, wC);
      if (c1 <= c0) continue;
      const base = (wR * g.kW + wC) * g.inC;
      for (let c = 0; c < g.inC; c++) f[n + c] = wv[base + c]!;
      k.dw_input_tap(dya, acc.at, tapAt, g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.strideH, g.strideW, wR - g.padTop, wC - g.padLeft, c0, c1);
    }
  }
  k.f64_to_f32(acc.at, addressOf(be, out), n);
  be.disposeData(acc.info.dataId);
}

/** Output columns yC whose window tap wC falls inside the input: [lo, hi). */
function validCols(g: ConvGeometry, wC: number): [number, number] {
  const lo = Math.max(0, Math.ceil((g.padLeft - wC) / g.strideW));
  const hi = Math.min(g.outW, Math.floor((g.inW - 1 + g.padLeft - wC) / g.strideW) + 1);
  return [lo, hi];
}

/**
 * dW[kH, kW, inC, mult] of y = depthwiseConv2d(x, W): y channel c*mult+m reads x channel c.
 * Tap by tap, so the innermost loop runs over contiguous channels with no bounds tests.
 */
export function depthwiseBackpropFilter(g: ConvGeometry, x: Float32Array, dy: Float32Array): Float32Array {
  const { batch, inH, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const mult = outC / inC;
  const out = new Float32Array(kH * kW * outC);
  const acc = new Float64Array(outC);
  for (let wR = 0; wR < kH; wR++) {
    for (let wC = 0; wC < kW; wC++) {
      const [c0, c1] = validCols(g, wC);
      acc.fill(0);
      for (let b = 0; b < batch; b++) {
        for (let yR = 0; yR < outH; yR++) {
          const xR = yR * strideH - padTop + wR;
          if (xR < 0 || xR >= inH) continue;
          const xRow = (b * inH + xR) * g.inW - padLeft + wC;
          const dyRow = (b * outH + yR) * outW;
          for (let yC = c0; yC < c1; yC++) {
            const xo = (xRow + yC * strideW) * inC;
            const dyo = (dyRow + yC) * outC;
            if (mult === 1) {
              for (let c = 0; c < outC; c++) acc[c]! += x[xo + c]! * dy[dyo + c]!;
            } else {
              for (let c = 0; c < inC; c++) {
                const xv = x[xo + c]!;
                for (let m = 0; m < mult; m++) acc[c * mult + m]! += xv * dy[dyo + c * mult + m]!;
              }
            }
          }
        }
      }
      out.set(acc, (wR * kW + wC) * outC);
    }
  }
  return out;
}

/** dx[batch, inH, inW, inC] of y = depthwiseConv2d(x, W), tap by tap like depthwiseBackpropFilter. */
export function depthwiseBackpropInput(g: ConvGeometry, dy: Float32Array, w: Float32Array): Float32Array {
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const mult = outC / inC;
  const acc = new Float64Array(batch * inH * inW * inC);
  const tap = new Float64Array(outC);
  for (let wR = 0; wR < kH; wR++) {
    for (let wC = 0; wC < kW; wC++) {
      const [c0, c1] = validCols(g, wC);
      const wBase = (wR * kW + wC) * outC;
      for (let k = 0; k < outC; k++) tap[k] = w[wBase + k]!;
      for (let b = 0; b < batch; b++) {
        for (let yR = 0; yR < outH; yR++) {
          const xR = yR * strideH - padTop + wR;
          if (xR < 0 || xR >= inH) continue;
          const xRow = (b * inH + xR) * inW - padLeft + wC;
          const dyRow = (b * outH + yR) * outW;
          for (let yC = c0; yC < c1; yC++) {
            const xo = (xRow + yC * strideW) * inC;
            const dyo = (dyRow + yC) * outC;
            if (mult === 1) {
              for (let c = 0; c < inC; c++) acc[xo + c]! += tap[c]! * dy[dyo + c]!;
            } else {
              for (let c = 0; c < inC; c++) {
                let s = 0;
                for (let m = 0; m < mult; m++) s += tap[c * mult + m]! * dy[dyo + c * mult + m]!;
                acc[xo + c]! += s;
              }
            }
          }
        }
      }
    }
  }
  return new Float32Array(acc);
}

type Pad = 'same' | 'valid' | number;

function geometry(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number] | undefined,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
  kernel: string,
): ConvGeometry {
  const d = dilations ?? 1;
  if ((typeof d === 'number' ? d : Math.max(d[0], d[1])) !== 1) throw new Error(`${kernel}: only dilation 1 is supported`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** The backend surface the kernels need (tfjs-backend-wasm BackendWasm and tfjs-backend-cpu MathBackendCPU). */
interface WasmLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}
interface CpuLike {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function checkFloat(kernel: string, ...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${kernel}: expected float32 tensors, got ${t.dtype}`);
}

/**
 * Wrap a typed-array computation as a kernel for one backend. On wasm the inputs are read from
 * the heap after the output is allocated (allocation may grow and detach the heap).
 */
function makeKernel(
  kernelName: string,
  backendName: 'wasm' | 'cpu',
  run: (inputs: TensorInfo[], attrs: Record<string, unknown>) => { outShape: number[]; compute: (vals: Float32Array[]) => Float32Array },
  inputNames: string[],
): KernelConfig {
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => {
    const ins = inputNames.map((n) => {
      const t = args.inputs[n];
      if (!t) throw new Error(`${kernelName}: missing input ${n}`);
      return t;
    });
    checkFloat(kernelName, ...ins);
    const { outShape, compute } = run(ins, args.attrs ?? {});
    if (backendName === 'wasm') {
      const be = args.backend as WasmLike;
      const out = be.makeOutput(outShape, 'float32');
      const vals = ins.map((t) => be.typedArrayFromHeap(t));
      const result = compute(vals);
      be.typedArrayFromHeap(out).set(result);
      return out;
    }
    const be = args.backend as CpuLike;
    const vals = ins.map((t) => be.readSync(t.dataId) as Float32Array);
    return be.makeTensorInfo(outShape, 'float32', compute(vals));
  }) as unknown as KernelFunc;
  return { kernelName, backendName, kernelFunc };
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
  filterShape?: number[];
  inputShape?: number[];
}

interface CpuDisposer {
  disposeIntermediateTensorInfo(t: TensorInfo): void;
}
interface WasmDisposer {
  disposeData(dataId: object): boolean;
}

/**
 * Conv2DBackpropFilter as im2col (JS) + the backend's own BatchMatMul kernel (XNNPACK on wasm),
 * which is several times faster than a JS loop for the 1x1 convolutions of DS-CNN.
 */
function conv2dFilterMatMulKernel(backendName: 'wasm' | 'cpu'): KernelConfig {
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    checkFloat('Conv2DBackpropFilter', x, dy);
    const at = (args.attrs ?? {}) as unknown as ConvAttrs;
    if (at.dataFormat !== undefined && at.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter: only NHWC is supported');
    const g = geometry(x.shape, at.filterShape!, at.strides, at.pad, 1, at.dimRoundingMode, false, 'Conv2DBackpropFilter');
    const K = g.kH * g.kW * g.inC;
    const P = g.batch * g.outH * g.outW;
    const matMul = tf.getKernel('BatchMatMul', backendName);
    if (!matMul) throw new Error(`Conv2DBackpropFilter: no BatchMatMul kernel on ${backendName}`);
    const dy3: TensorInfo = { dataId: dy.dataId, shape: [1, P, g.outC], dtype: 'float32' };
    let cols: TensorInfo;
    if (backendName === 'wasm') {
      const be = args.backend as WasmLike & WasmDisposer;
      cols = be.makeOutput([1, K, P], 'float32');
      const k = trainKernelsFor(be);
      if (!k) im2colTransposed(g, be.typedArrayFromHeap(x), be.typedArrayFromHeap(cols));
      else if (isPointwise(g)) k.transpose(addressOf(be as unknown as WasmHeapBackend, x), P, g.inC, addressOf(be as unknown as WasmHeapBackend, cols));
      else k.im2col_t(addressOf(be as unknown as WasmHeapBackend, x), addressOf(be as unknown as WasmHeapBackend, cols), ...geometryArgs(g));
      const out = matMul.kernelFunc({ inputs: { a: cols, b: dy3 }, backend: be as never, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
      be.disposeData(cols.dataId);
      return { dataId: out.dataId, shape: [...at.filterShape!], dtype: 'float32' };
    }
    const be = args.backend as CpuLike & CpuDisposer;
    const colsData = new Float32Array(K * P);
    im2colTransposed(g, be.readSync(x.dataId) as Float32Array, colsData);
    cols = be.makeTensorInfo([1, K, P], 'float32', colsData);
    const out = matMul.kernelFunc({ inputs: { a: cols, b: dy3 }, backend: be as never, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    be.disposeIntermediateTensorInfo(cols);
    return { dataId: out.dataId, shape: [...at.filterShape!], dtype: 'float32' };
  }) as unknown as KernelFunc;
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc };
}

function depthwiseFilterKernel(backendName: 'wasm' | 'cpu'): KernelConfig {
  const js = makeKernel(
    'DepthwiseConv2dNativeBackpropFilter',
    backendName,
    ([x], a) => {
      const at = a as unknown as ConvAttrs;
      const g = geometry(x!.shape, at.filterShape!, at.strides, at.pad, at.dilations, at.dimRoundingMode, true, 'DepthwiseConv2dNativeBackpropFilter');
      return { outShape: [...at.filterShape!], compute: ([xv, dyv]) => depthwiseBackpropFilter(g, xv!, dyv!) };
    },
    ['x', 'dy'],
  );
  if (backendName !== 'wasm') return js;
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => {
    const k = trainKernelsFor(args.backend);
    const { x, dy } = args.inputs as { x?: TensorInfo; dy?: TensorInfo };
    const at = (args.attrs ?? {}) as unknown as ConvAttrs;
    if (!k || !x || !dy || x.dtype !== 'float32' || dy.dtype !== 'float32') return (js.kernelFunc as (a: unknown) => TensorInfo)(args);
    const g = geometry(x.shape, at.filterShape!, at.strides, at.pad, at.dilations, at.dimRoundingMode, true, 'DepthwiseConv2dNativeBackpropFilter');
    if (g.outC !== g.inC) return (js.kernelFunc as (a: unknown) => TensorInfo)(args);
    const be = args.backend as WasmHeapBackend;
    const out = be.makeOutput([...at.filterShape!], 'float32');
    depthwiseBackpropFilterWasm(be, k, g, x, dy, out);
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName, kernelFunc };
}

function kernelsFor(backendName: 'wasm' | 'cpu'): KernelConfig[] {
  return [
    conv2dFilterMatMulKernel(backendName),
    depthwiseFilterKernel(backendName),
    makeKernel(
      'DepthwiseConv2dNativeBackpropInput',
      backendName,
      ([, filter], a) => {
        const at = a as unknown as ConvAttrs;
        const g = geometry(at.inputShape!, filter!.shape, at.strides, at.pad, at.dilations, at.dimRoundingMode, true, 'DepthwiseConv2dNativeBackpropInput');
        return { outShape: [...at.inputShape!], compute: ([dyv, wv]) => depthwiseBackpropInput(g, dyv!, wv!) };
      },
      ['dy', 'filter'],
    ),
  ];
}

/**
 * out = tile(x, reps), row by row: each output row along the last axis is `reps[last]` copies of
 * one input row. Works for any typed array; used to replace wasm's Tile, which takes ~100 ms to
 * broadcast a 1M-element tensor (tfjs's batch-norm gradient tiles 1/sqrt(variance) to x's shape).
 */
export function tileRows<T extends Float32Array | Int32Array | Uint8Array>(x: T, inShape: number[], reps: number[], out: T): void {
  const rank = inShape.length;
  if (rank === 0) {
    out.fill(x[0]!);
    return;
  }
  const inLast = inShape[rank - 1]!;
  const repLast = reps[rank - 1]!;
  const rowLen = inLast * repLast;
  const outShape = inShape.map((d, i) => d * reps[i]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) inStrides[d] = inStrides[d + 1]! * inShape[d + 1]!;
  const rows = out.length / Math.max(rowLen, 1);
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0; r < rows; r++) {
    let src = 0;
    for (let d = 0; d < rank - 1; d++) src += (idx[d]! % inShape[d]!) * inStrides[d]!;
    const dst = r * rowLen;
    if (inLast >= 16) {
      const row = x.subarray(src, src + inLast);
      for (let k = 0; k < repLast; k++) out.set(row, dst + k * inLast);
    } else {
      for (let k = 0; k < repLast; k++) for (let j = 0; j < inLast; j++) out[dst + k * inLast + j] = x[src + j]!;
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
}

function wasmTileKernel(): KernelConfig | undefined {
  const stock = tf.getKernel('Tile', 'wasm');
  if (!stock) return undefined;
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => {
    const x = args.inputs['x']!;
    const reps = (args.attrs?.['reps'] ?? []) as number[];
    if (x.dtype === 'string' || x.dtype === 'complex64' || reps.length !== x.shape.length) return stock.kernelFunc(args as never);
    const be = args.backend as { makeOutput(shape: number[], dtype: string): TensorInfo; typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array };
    const out = be.makeOutput(x.shape.map((d, i) => d * reps[i]!), x.dtype);
    tileRows(be.typedArrayFromHeap(x), x.shape, reps, be.typedArrayFromHeap(out));
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: 'Tile', backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}

/** A [rows, cols] float32 tensor transposed into a new [1, cols, rows] backend tensor. */
function transposed(backendName: 'wasm' | 'cpu', backend: unknown, t: TensorInfo, rows: number, cols: number): { info: TensorInfo; dispose: () => void } {
  const shape = [1, cols, rows];
  const fill = (src: Float32Array, dst: Float32Array) => {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c]!;
  };
  if (backendName === 'wasm') {
    const be = backend as WasmLike & WasmDisposer;
    const info = be.makeOutput(shape, 'float32');
    const k = trainKernelsFor(be);
    if (k) k.transpose(addressOf(be as unknown as WasmHeapBackend, t), rows, cols, addressOf(be as unknown as WasmHeapBackend, info));
    else fill(be.typedArrayFromHeap(t), be.typedArrayFromHeap(info));
    return { info, dispose: () => be.disposeData(info.dataId) };
  }
  const be = backend as CpuLike & CpuDisposer;
  const data = new Float32Array(rows * cols);
  fill(be.readSync(t.dataId) as Float32Array, data);
  const info = be.makeTensorInfo(shape, 'float32', data);
  return { info, dispose: () => be.disposeIntermediateTensorInfo(info) };
}

/**
 * DepthwiseConv2dNativeBackpropInput on wasm for stride 1 and depth multiplier 1 (DS-CNN's
 * depthwise layers): dx is the correlation of dy with the spatially flipped filter, padded by
 * kH-1-padTop above and kW-1-padLeft to the left, which the backend's own (XNNPACK) depthwise
 * convolution computes ~20x faster than a JS loop. Strided ones with multiplier 1 run in
 * train-kernels.wat where it is loaded; other geometries use the JS kernel.
 */
function wasmDepthwiseInputKernel(): KernelConfig | undefined {
  const conv = tf.getKernel('DepthwiseConv2dNative', 'wasm');
  if (!conv) return undefined;
  const js = makeKernel(
    'DepthwiseConv2dNativeBackpropInput',
    'wasm',
    ([, filter], a) => {
      const at = a as unknown as ConvAttrs;
      const g = geometry(at.inputShape!, filter!.shape, at.strides, at.pad, at.dilations, at.dimRoundingMode, true, 'DepthwiseConv2dNativeBackpropInput');
      return { outShape: [...at.inputShape!], compute: ([dyv, wv]) => depthwiseBackpropInput(g, dyv!, wv!) };
    },
    ['dy', 'filter'],
  );
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const at = (args.attrs ?? {}) as unknown as ConvAttrs;
    checkFloat('DepthwiseConv2dNativeBackpropInput', dy, filter);
    const g = geometry(at.inputShape!, filter.shape, at.strides, at.pad, at.dilations, at.dimRoundingMode, true, 'DepthwiseConv2dNativeBackpropInput');
    const k = trainKernelsFor(args.backend);
    if ((g.strideH !== 1 || g.strideW !== 1) && g.outC === g.inC && k) {
      const hb = args.backend as WasmHeapBackend;
      const out = hb.makeOutput([...at.inputShape!], 'float32');
      depthwiseBackpropInputWasm(hb, k, g, dy, filter, out);
      return out;
    }
    if (g.strideH !== 1 || g.strideW !== 1 || g.outC !== g.inC) return (js.kernelFunc as (a: unknown) => TensorInfo)(args);
    const be = args.backend as WasmLike & WasmDisposer;
    const flipped = be.makeOutput([g.kH, g.kW, g.inC, 1], 'float32');
    const w = be.typedArrayFromHeap(filter);
    const f = be.typedArrayFromHeap(flipped);
    for (let r = 0; r < g.kH; r++) {
      for (let c = 0; c < g.kW; c++) {
        const src = ((g.kH - 1 - r) * g.kW + (g.kW - 1 - c)) * g.inC;
        f.set(w.subarray(src, src + g.inC), (r * g.kW + c) * g.inC);
      }
    }
    const top = g.kH - 1 - g.padTop;
    const left = g.kW - 1 - g.padLeft;
    // output rows = outH + top + bottom - kH + 1 must equal inH
    const bottom = g.inH - g.outH - top + g.kH - 1;
    const right = g.inW - g.outW - left + g.kW - 1;
    const out = conv.kernelFunc({
      inputs: { x: dy, filter: flipped },
      backend: be as never,
      attrs: { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dilations: [1, 1], dataFormat: 'NHWC' },
    }) as TensorInfo;
    be.disposeData(flipped.dataId);
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc };
}

/**
 * dx[b, xR, xC, ci] = Σ over the windows that read (xR, xC) of cols[p, (wR, wC, ci)], with p the
 * output position (b, yR, yC): the transpose of im2col.
 */
export function col2im(g: ConvGeometry, cols: Float32Array, dx: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const K = kH * kW * inC;
  dx.fill(0);
  let p = 0;
  for (let b = 0; b < batch; b++) {
    for (let yR = 0; yR < outH; yR++) {
      for (let yC = 0; yC < outW; yC++, p++) {
        for (let wR = 0; wR < kH; wR++) {
          const xR = yR * strideH - padTop + wR;
          if (xR < 0 || xR >= inH) continue;
          for (let wC = 0; wC < kW; wC++) {
            const xC = yC * strideW - padLeft + wC;
            if (xC < 0 || xC >= inW) continue;
            const src = p * K + (wR * kW + wC) * inC;
            const dst = ((b * inH + xR) * inW + xC) * inC;
            for (let ci = 0; ci < inC; ci++) dx[dst + ci]! += cols[src + ci]!;
          }
        }
      }
    }
  }
}

/**
 * Conv2DBackpropInput as one BatchMatMul, cols[p, k] = Σ_co dy[p, co] · W^T[co, k] with
 * k = (wR, wC, ci), then col2im; for 1x1 kernels with stride 1 (DS-CNN's pointwise layers)
 * cols already is dx. (tfjs's fused conv2d computes the input gradient of the first layer too,
 * which nothing reads; the stock wasm kernel took ~90 ms for it per DS-CNN batch.)
 * Dilated or non-NHWC convolutions go to the stock kernel.
 */
function conv2dInputKernel(backendName: 'wasm' | 'cpu'): KernelConfig | undefined {
  const stock = tf.getKernel('Conv2DBackpropInput', backendName);
  const matMul = tf.getKernel('BatchMatMul', backendName);
  if (!stock || !matMul) return undefined;
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const at = (args.attrs ?? {}) as unknown as ConvAttrs;
    const d = at.dilations ?? 1;
    const plain =
      (at.dataFormat === undefined || at.dataFormat === 'NHWC') && dy.dtype === 'float32' && filter.dtype === 'float32' &&
      (typeof d === 'number' ? d : Math.max(d[0], d[1])) === 1;
    if (!plain) return stock.kernelFunc(args as never);
    const inShape = at.inputShape!;
    const g = geometry(inShape, filter.shape, at.strides, at.pad, 1, at.dimRoundingMode, false, 'Conv2DBackpropInput');
    const K = g.kH * g.kW * g.inC;
    const P = g.batch * g.outH * g.outW;
    // W^T in JS (a few thousand values): wasm's BatchMatMul is ~13x slower with transposeB.
    const wt = transposed(backendName, args.backend, filter, K, g.outC);
    const cols = matMul.kernelFunc({
      inputs: { a: { dataId: dy.dataId, shape: [1, P, g.outC], dtype: 'float32' }, b: wt.info },
      backend: args.backend as never,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    wt.dispose();
    if (isPointwise(g)) return { dataId: cols.dataId, shape: [...inShape], dtype: 'float32' };
    if (backendName === 'wasm') {
      const be = args.backend as WasmLike & WasmDisposer;
      const out = be.makeOutput([...inShape], 'float32');
      const k = trainKernelsFor(be);
      const hb = be as unknown as WasmHeapBackend;
      if (k) k.col2im(addressOf(hb, cols), addressOf(hb, out), ...geometryArgs(g));
      else col2im(g, be.typedArrayFromHeap(cols), be.typedArrayFromHeap(out));
      be.disposeData(cols.dataId);
      return out;
    }
    const be = args.backend as CpuLike & CpuDisposer;
    const dx = new Float32Array(g.batch * g.inH * g.inW * g.inC);
    col2im(g, be.readSync(cols.dataId) as Float32Array, dx);
    be.disposeIntermediateTensorInfo(cols);
    return be.makeTensorInfo([...inShape], 'float32', dx);
  }) as unknown as KernelFunc;
  // keep the stock setupFunc: the wasm backend runs it at init to bind the kernel we delegate to
  return { kernelName: 'Conv2DBackpropInput', backendName, kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}

/**
 * Identity on wasm without a copy: the output shares the input's data (reference counted, as
 * the cpu backend's Identity and wasm's own Reshape do). tfjs clones every tensor a gradient
 * saves through Identity, and the stock kernel copied each one (several MB per training step).
 */
function wasmIdentityKernel(): KernelConfig | undefined {
  const stock = tf.getKernel('Identity', 'wasm');
  if (!stock) return undefined;
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown }) => {
    const x = args.inputs['x']!;
    const be = args.backend as { incRef?(dataId: object): void };
    if (x.dtype === 'string' || typeof be.incRef !== 'function') return stock.kernelFunc(args as never);
    be.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }) as unknown as KernelFunc;
  return { kernelName: 'Identity', backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}

/** Cast on wasm: to the same dtype it shares the data like Identity (the cpu backend does the same); else the stock kernel. */
function wasmCastKernel(): KernelConfig | undefined {
  const stock = tf.getKernel('Cast', 'wasm');
  if (!stock) return undefined;
  const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => {
    const x = args.inputs['x']!;
    const be = args.backend as { incRef?(dataId: object): void };
    if (x.dtype === 'string' || args.attrs?.['dtype'] !== x.dtype || typeof be.incRef !== 'function') return stock.kernelFunc(args as never);
    be.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }) as unknown as KernelFunc;
  return { kernelName: 'Cast', backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}

let registered = false;

/**
 * Register the gradient kernels for 'wasm' and 'cpu' once (replacing cpu's stock ones), and a
 * faster Tile for 'wasm' (numeric dtypes; strings go to the stock kernel), a matrix-product
 * Conv2DBackpropInput on both, and on wasm a depthwise input gradient through XNNPACK,
 * AvgPoolGrad (wasm-avg-pool-grad.ts), and a copy-free Identity and same-dtype Cast; and the batch-norm
 * (fast-batch-norm.ts) and dropout (wasm-train-kernels.ts) training kernels. Idempotent.
 */
export function registerGradientKernels(): void {
  if (registered) return;
  registered = true;
  const extra = [wasmTileKernel(), conv2dInputKernel('wasm'), conv2dInputKernel('cpu'), wasmDepthwiseInputKernel(), wasmAvgPoolGradKernel(), wasmIdentityKernel(), wasmCastKernel()].filter((k): k is KernelConfig => k !== undefined);
  for (const k of [...kernelsFor('wasm'), ...kernelsFor('cpu'), ...extra]) {
    if (tf.getKernel(k.kernelName, k.backendName)) tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel(k);
  }
  registerBatchNormKernels();
  registerTrainKernels();
}
