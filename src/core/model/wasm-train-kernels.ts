/**
 * Loader of the training kernels in train-kernels.wat (embedded bytes, WebAssembly SIMD). The
 * module imports the tfjs wasm backend's own WebAssembly.Memory, so the kernels read and write
 * tensors in place: a tensor's address is its `memoryOffset`, outputs and scratch are allocated
 * with the backend's `makeOutput` and scratch freed with `disposeData`.
 *
 * Only the single-threaded wasm builds can be used: the threaded build's memory is shared and
 * not reachable from here; there, on cpu and on webgl the callers run their JS loops (which stay
 * as the reference and the fallback). Instantiation is asynchronous (`initWasmTrainKernels`,
 * called by initTf once the wasm backend is ready): Chromium refuses synchronous compiles of
 * more than 4 KB on the main thread.
 *
 * Also here: the seeded dropout kernel ('EarshotDropout', wasm and cpu), the ReLU gradient as one
 * kernel ('EarshotReluGrad'), and their JS references.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { mulberry32 } from './prng.ts';
import { TRAIN_KERNELS_WASM } from './train-kernels-wasm.generated.ts';

// The little of the WebAssembly JS API used here (core's tsconfig has no DOM or Node lib).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }> } | undefined;

/** The module's exports (all pointers are byte offsets in the backend's heap; see the .wat). */
export interface TrainKernelExports {
  bn_sum: (x: number, rows: number, channels: number, acc: number) => void;
  bn_sqdev: (x: number, rows: number, channels: number, mean: number, acc: number) => void;
  bn_affine: (x: number, rows: number, channels: number, mean: number, a: number, b: number, y: number) => void;
  bn_bwd_sums: (x: number, dy: number, rows: number, channels: number, mean: number, sDy: number, sDyX: number) => void;
  bn_dx: (x: number, dy: number, rows: number, channels: number, params: number, dx: number) => void;
  dw_filter: (...args: number[]) => void;
  dw_input_tap: (...args: number[]) => void;
  f64_to_f32: (acc: number, out: number, n: number) => void;
  dropout: (x: number, y: number, n: number, a0: number, thr: number, keep: number) => void;
  relu_grad: (x: number, dy: number, dx: number, n: number) => void;
  avg_pool_grad: (...args: number[]) => void;
  transpose: (src: number, rows: number, cols: number, dst: number) => void;
  im2col_t: (...args: number[]) => void;
  col2im: (...args: number[]) => void;
}

/** The surface of tfjs-backend-wasm's BackendWasm the kernels use. */
export interface WasmHeapBackend {
  wasm: { asm?: { memory?: WasmMemory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object): boolean;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

let loaded: { memory: WasmMemory; k: TrainKernelExports } | null = null;
let enabled = true;

function memoryOf(backend: unknown): WasmMemory | undefined {
  const m = (backend as Partial<WasmHeapBackend> | null)?.wasm?.asm?.memory;
  return m && typeof m === 'object' && 'buffer' in m ? m : undefined;
}

/**
 * Instantiate the kernels on `backend`'s heap (tfjs's BackendWasm). Resolves true when they are
 * in use, false where they cannot be (no WebAssembly SIMD, threaded build, not a wasm backend).
 */
export async function initWasmTrainKernels(backend: unknown): Promise<boolean> {
  const memory = memoryOf(backend);
  if (!memory || typeof WebAssembly === 'undefined') return false;
  if (Object.prototype.toString.call(memory.buffer) !== '[object ArrayBuffer]') return false; // shared: threaded build
  if (loaded?.memory === memory) return true;
  try {
    const { instance } = await WebAssembly.instantiate(TRAIN_KERNELS_WASM, { env: { memory } });
    loaded = { memory, k: instance.exports as TrainKernelExports };
    return true;
  } catch {
    return false;
  }
}

/**
 * Switch the WebAssembly training kernels on (default) or off; off, the same kernels run their
 * JS loops on the heap views (benchmarks compare the two in one run).
 */
export function setWasmTrainKernels(on: boolean): void {
  enabled = on;
}

/** The kernels when they are loaded, switched on and bound to `backend`'s heap; else null. */
export function trainKernelsFor(backend: unknown): TrainKernelExports | null {
  if (!enabled || !loaded) return null;
  return memoryOf(backend) === loaded.memory ? loaded.k : null;
}

/** Whether the WebAssembly kernels run on `backend` (tests and benchmarks). */
export function wasmTrainKernelsActive(backend: unknown): boolean {
  return trainKernelsFor(backend) !== null;
}

/** Byte offset of a tensor in the wasm heap. */
export function addressOf(backend: WasmHeapBackend, t: TensorInfo): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('wasm train kernels: tensor not in the wasm backend');
  return d.memoryOffset;
}

/** A zeroed float64 scratch of n values in the heap (8-byte aligned, as malloc returns). */
export function f64Scratch(backend: WasmHeapBackend, n: number): { info: TensorInfo; at: number } {
  const info = backend.makeOutput([n * 2], 'float32');
  const at = addressOf(backend, info);
  if (at % 8 !== 0) throw new Error('wasm train kernels: misaligned scratch');
  return { info, at };
}

/** A Float64Array view of the heap (re-read the buffer after every allocation). */
export function heapF64(backend: WasmHeapBackend, at: number, n: number): Float64Array {
  return new Float64Array(memoryOf(backend)!.buffer, at, n);
}

/**
 * Whether the one-pass dropout and ReLU-gradient kernels pay off on the active backend: on cpu
 * (JS loops beat the stock JS ops) and on wasm where the SIMD kernels run; on wasm without them
 * the backend's own elementwise ops are faster than JS loops, and other backends lack them.
 */
export function fusedTrainOps(): boolean {
  const name = tf.getBackend();
  return name === 'cpu' || (name === 'wasm' && trainKernelsFor(tf.backend()) !== null);
}

// ---- seeded dropout ----

/**
 * y = x·mask with mask[i] = 0 when the i-th draw of mulberry32(seed) is < rate, else
 * fround(1/(1 − rate)): SeededDropout's mask (the reference for the wasm kernel).
 */
export function seededDropout(x: Float32Array, seed: number, rate: number, y: Float32Array): void {
  const r = mulberry32(seed);
  const keep = Math.fround(1 / (1 - rate));
  for (let i = 0; i < x.length; i++) y[i] = x[i]! * (r() < rate ? 0 : keep);
}

/** mulberry32's draw u/2³² < rate ⇔ u ≤ ceil(rate·2³²) − 1 (exact: the product is a power-of-two scaling). */
function dropThreshold(rate: number): number {
  return Math.min(Math.ceil(rate * 4294967296), 4294967296) - 1;
}

export const DROPOUT_KERNEL = 'EarshotDropout';
interface DropoutAttrs {
  seed: number;
  rate: number;
}
type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };

function dropoutKernel(backendName: 'wasm' | 'cpu'): tf.KernelConfig {
  const kernelFunc = ((args: Args) => {
    const x = args.inputs['x']!;
    const { seed, rate } = args.attrs as unknown as DropoutAttrs;
    if (x.dtype !== 'float32') throw new Error(`${DROPOUT_KERNEL}: expected float32, got ${x.dtype}`);
    if (backendName === 'cpu') {
      const be = args.backend as { readSync(d: object): unknown; makeTensorInfo(s: number[], d: 'float32', v: Float32Array): TensorInfo };
      const xv = be.readSync(x.dataId) as Float32Array;
      const y = new Float32Array(xv.length);
      seededDropout(xv, seed, rate, y);
      return be.makeTensorInfo([...x.shape], 'float32', y);
    }
    const be = args.backend as WasmHeapBackend;
    const out = be.makeOutput([...x.shape], 'float32');
    const k = trainKernelsFor(be);
    if (k) {
      k.dropout(addressOf(be, x), addressOf(be, out), x.shape.reduce((a, b) => a * b, 1), seed >>> 0, dropThreshold(rate) | 0, Math.fround(1 / (1 - rate)));
    } else {
      seededDropout(be.typedArrayFromHeap(x), seed, rate, be.typedArrayFromHeap(out));
    }
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: DROPOUT_KERNEL, backendName, kernelFunc };
}

// ---- ReLU gradient ----

/** dx = dy·step(x) as tfjs's Relu gradient computes it (step: 1 for x > 0, NaN for NaN, else 0), in one pass. */
export function reluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    dx[i] = dy[i]! * (v > 0 ? 1 : v !== v ? NaN : 0);
  }
}

export const RELU_GRAD_KERNEL = 'EarshotReluGrad';

function reluGradKernel(backendName: 'wasm' | 'cpu'): tf.KernelConfig {
  const kernelFunc = ((args: Args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${RELU_GRAD_KERNEL}: expected float32`);
    if (backendName === 'cpu') {
      const be = args.backend as { readSync(d: object): unknown; makeTensorInfo(s: number[], d: 'float32', v: Float32Array): TensorInfo };
      const xv = be.readSync(x.dataId) as Float32Array;
      const out = new Float32Array(xv.length);
      reluGrad(xv, be.readSync(dy.dataId) as Float32Array, out);
      return be.makeTensorInfo([...x.shape], 'float32', out);
    }
    const be = args.backend as WasmHeapBackend;
    const out = be.makeOutput([...x.shape], 'float32');
    const k = trainKernelsFor(be);
    if (k) k.relu_grad(addressOf(be, x), addressOf(be, dy), addressOf(be, out), x.shape.reduce((a, b) => a * b, 1));
    else reluGrad(be.typedArrayFromHeap(x), be.typedArrayFromHeap(dy), be.typedArrayFromHeap(out));
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: RELU_GRAD_KERNEL, backendName, kernelFunc };
}

let registered = false;

/**
 * Register 'EarshotDropout' (inputs {x}, attrs {seed, rate}) on wasm and cpu, with its gradient:
 * the same kernel on dy (same seed, same mask); and 'EarshotReluGrad' ({x, dy}) on wasm and cpu,
 * used by a Relu gradient that replaces tfjs's mul(dy, cast(step(x))) (three passes) on cpu and
 * where the SIMD kernels run on wasm, and keeps that formula elsewhere. Idempotent.
 */
export function registerTrainKernels(): void {
  if (registered) return;
  registered = true;
  for (const b of ['wasm', 'cpu'] as const) {
    if (!tf.getKernel(DROPOUT_KERNEL, b)) tf.registerKernel(dropoutKernel(b));
    if (!tf.getKernel(RELU_GRAD_KERNEL, b)) tf.registerKernel(reluGradKernel(b));
  }
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      const d = dy as tf.Tensor;
      const fused = x.dtype === 'float32' && d.dtype === 'float32' && fusedTrainOps();
      return { x: () => (fused ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { x, dy: d }) as tf.Tensor) : tf.mul(d, tf.cast(tf.step(x), 'float32'))) };
    },
  });
  tf.registerGradient({
    kernelName: DROPOUT_KERNEL,
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.engine().runKernel(DROPOUT_KERNEL, { x: dy as tf.Tensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
    }),
  });
}
