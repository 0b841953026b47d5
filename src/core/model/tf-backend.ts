/**
 * tfjs backend selection, once per backend behind a memoised promise. Registers the missing
 * convolution gradient kernels (gradient-kernels.ts) before the first use, and on wasm loads
 * the SIMD training kernels onto the backend's heap (wasm-train-kernels.ts). Core is pure: where
 * the wasm binaries live is the caller's business (the CLI passes the package's dist/ folder,
 * a worker passes a URL prefix).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { EarshotError } from '../errors.ts';
import { registerGradientKernels } from './gradient-kernels.ts';
import { initWasmTrainKernels } from './wasm-train-kernels.ts';

export type TfBackendChoice = 'wasm' | 'cpu' | 'webgl' | 'auto';
export const TF_BACKENDS: readonly TfBackendChoice[] = ['wasm', 'cpu', 'webgl', 'auto'];

export interface InitTfOptions {
  backend: TfBackendChoice;
  /** Folder (path in Node, URL prefix in a browser) holding tfjs-backend-wasm's .wasm files; must end with '/'. */
  wasmPaths?: string;
}

const ready = new Map<string, Promise<string>>();
let wasmPathsSet: string | undefined;

async function trySet(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function init(opts: InitTfOptions): Promise<string> {
  registerGradientKernels();
  const candidates = opts.backend === 'auto' ? ['wasm', 'cpu'] : [opts.backend];
  for (const name of candidates) {
    if (await trySet(name)) {
      await tf.ready();
      // the SIMD training kernels on the wasm heap (false, and the JS kernels, on the threaded build)
      if (tf.getBackend() === 'wasm') await initWasmTrainKernels(tf.backend());
      return tf.getBackend();
    }
  }
  throw new EarshotError('train/failed', `the tfjs backend '${opts.backend}' could not be initialised${opts.backend === 'wasm' && !opts.wasmPaths ? ' (no wasmPaths given)' : ''}`);
}

/**
 * Select and initialise a tfjs backend; returns the name in use. Memoised per choice; a later
 * call with another choice switches the active backend.
 */
export async function initTf(opts: InitTfOptions): Promise<string> {
  if (!TF_BACKENDS.includes(opts?.backend)) {
    throw new EarshotError('train/failed', `unknown tfjs backend ${JSON.stringify(opts?.backend)} (known: ${TF_BACKENDS.join(', ')})`);
  }
  if (opts.wasmPaths !== undefined && opts.wasmPaths !== wasmPathsSet) {
    if (wasmPathsSet !== undefined && ready.has('wasm')) {
      throw new EarshotError('train/failed', 'wasmPaths cannot change after the wasm backend was initialised');
    }
    setWasmPaths(opts.wasmPaths);
    wasmPathsSet = opts.wasmPaths;
  }
  let p = ready.get(opts.backend);
  if (!p) {
    p = init(opts);
    ready.set(opts.backend, p);
    p.catch(() => ready.delete(opts.backend));
  }
  const name = await p;
  if (tf.getBackend() !== name) await tf.setBackend(name);
  return name;
}
