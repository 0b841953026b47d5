/** tfjs in Node: the wasm backend loads its .wasm files from the installed package. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTf } from '../core/model/tf-backend.ts';

export type NodeBackend = 'wasm' | 'cpu';
export const NODE_BACKENDS: readonly NodeBackend[] = ['wasm', 'cpu'];

export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

export function initNodeTf(backend: NodeBackend): Promise<string> {
  // PROD silences tfjs's console banners ("install tfjs-node"), which would clutter CLI output.
  tf.env().set('PROD', true);
  return initTf({ backend, wasmPaths: backend === 'wasm' ? wasmDistDir() : undefined });
}
