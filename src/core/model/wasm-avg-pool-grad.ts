/**
 * AvgPoolGrad for tfjs-backend-wasm 4.22, whose own kernel took ~130 ms for the global pool of
 * a [32, 25, 20, 64] DS-CNN map (a plain loop: ~20 ms, measured side by side in Node). Float64
 * accumulation; non-float32 or non-4D inputs go to the stock kernel (whose setupFunc is kept,
 * the wasm backend runs it at init). Where train-kernels.wat is loaded (wasm-train-kernels.ts)
 * the loop runs there in place on the heap: float32 sums of the (few) overlapping windows, then
 * f32(f64(sum)·scale), so cells under one window get the same bits as the float64 loop below.
 * Checked against the cpu backend in tests/unit/gradient-kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { addressOf, trainKernelsFor, type WasmHeapBackend } from './wasm-train-kernels.ts';

interface WasmHeap {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}
type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };

/**
 * dx of avgPool (NHWC, dilation 1): each dy value spread over its window's input cells times
 * 1/(filterH·filterW), as tfjs's cpu avgPoolGrad defines it (padding cells count in the divisor).
 */
export function avgPoolGradNhwc(info: tf.backend_util.Conv2DInfo, dy: Float32Array, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const scale = 1 / (filterHeight * filterWidth);
  const acc = new Float64Array(dx.length);
  const C = inChannels;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const r0 = Math.max(0, yR * strideHeight - top);
      const r1 = Math.min(inHeight, yR * strideHeight - top + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const c0 = Math.max(0, yC * strideWidth - left);
        const c1 = Math.min(inWidth, yC * strideWidth - left + filterWidth);
        const dyo = ((b * outHeight + yR) * outWidth + yC) * C;
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const xo = ((b * inHeight + r) * inWidth + c) * C;
            for (let ch = 0; ch < C; ch++) acc[xo + ch]! += dy[dyo + ch]!;
          }
        }
      }
    }
  }
  for (let i = 0; i < acc.length; i++) dx[i] = acc[i]! * scale;
}

function avgPoolGradKernel(): KernelConfig | undefined {
  const stock = tf.getKernel('AvgPoolGrad', 'wasm');
  if (!stock) return undefined;
  const kernelFunc = ((args: Args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const at = (args.attrs ?? {}) as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    if (dy.dtype !== 'float32' || input.shape.length !== 4) return stock.kernelFunc(args as never);
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], at.filterSize, at.strides, 1, at.pad, at.dimRoundingMode);
    const be = args.backend as WasmHeap;
    const out = be.makeOutput([...input.shape], 'float32');
    const k = trainKernelsFor(be);
    if (k) {
      const hb = be as unknown as WasmHeapBackend;
      k.avg_pool_grad(
        addressOf(hb, dy), addressOf(hb, out), info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
        info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, 1 / (info.filterHeight * info.filterWidth),
      );
    } else {
      avgPoolGradNhwc(info, be.typedArrayFromHeap(dy), be.typedArrayFromHeap(out));
    }
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: 'AvgPoolGrad', backendName: 'wasm', kernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}

/** The replacement AvgPoolGrad for 'wasm', when the installed wasm backend has one. */
export function wasmAvgPoolGradKernel(): KernelConfig | undefined {
  return avgPoolGradKernel();
}
