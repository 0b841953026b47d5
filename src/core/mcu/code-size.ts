/**
 * Flash bytes of Earshot's C runtime per core, from the measured table code-size.generated.ts
 * (scripts/code-size.ts: arm-none-eabi-gcc -Os, arm-none-eabi-size). The M85 uses the M55 build.
 */
import type { CoreId } from './types.ts';
import { CODE_SIZE } from './code-size.generated.ts';

export interface CoreCodeSizeJson {
  sharedBytes: number;
  kernelBytes: Record<string, number>;
  featuresBytes: number;
  callSiteBytes: number;
}

export type CodeSizeTable = Record<string, CoreCodeSizeJson>;

/** Kernel kinds of kernels.h each spec layer type needs (separable = depthwise + pointwise conv). */
export const KERNELS_OF_LAYER: Readonly<Record<string, readonly string[]>> = {
  conv2d: ['conv'],
  depthwiseConv2d: ['depthwise'],
  separableConv2d: ['depthwise', 'conv'],
  dense: ['dense'],
  maxPooling2d: ['maxpool'],
  averagePooling2d: ['avgpool'],
  globalAveragePooling2d: ['avgpool'],
  add: ['add'],
};

/** argmax and the model's invoke function skeleton: a few dozen instructions, assumed 128 B. */
const ENGINE_FIXED_BYTES = 128;

export function codeSizeOf(core: CoreId): CoreCodeSizeJson {
  const t = CODE_SIZE[core === 'cortex-m85' ? 'cortex-m55' : core];
  if (!t) throw new Error(`code-size.generated.ts has no entry for ${core} (run scripts/code-size.ts)`);
  return t;
}

/**
 * Code bytes of Earshot's C for a model: shared helpers + each kernel kind used + one call site
 * per deployed op + the fixed engine part. Feature extraction code is separate (featuresBytes).
 */
export function earshotCodeBytes(core: CoreId, kinds: ReadonlySet<string>, ops: number): number {
  const t = codeSizeOf(core);
  let bytes = t.sharedBytes + ENGINE_FIXED_BYTES + ops * t.callSiteBytes;
  for (const k of kinds) bytes += t.kernelBytes[k] ?? 0;
  return bytes;
}
