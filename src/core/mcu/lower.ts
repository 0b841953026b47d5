/**
 * How a ModelSpec runs once deployed (TFLite-style lowering, the same for every runtime):
 * - batch norm right after a conv/depthwise/separable/dense layer is folded into its weights;
 * - relu/relu6 (an `activation` layer, or a layer's own activation) right after such a layer, or
 *   after an add, is fused into it; 'linear' is nothing;
 * - flatten, reshape and dropout are views of their input's buffer;
 * - softmax (a layer's activation or an `activation` layer) is a separate kernel.
 * Fusing needs the producer's output to have no other reader. Fused layers and views write no
 * new tensor: their output lives in the buffer of the compute layer they belong to.
 */
import type { LayerInfo, LayerSpec, SpecAnalysis } from '../model/spec.ts';

export const MODEL_INPUT = 'input';

export type LayerRole = 'compute' | 'fused' | 'view';

export interface DeployedLayer {
  info: LayerInfo;
  spec: LayerSpec;
  role: LayerRole;
  /** Name of the buffer holding this layer's output: its own name for compute layers. */
  buffer: string;
  /** A softmax kernel runs on this layer's output (dense with activation 'softmax', or an activation layer). */
  softmax: boolean;
}

const FOLD_INTO: ReadonlySet<string> = new Set(['conv2d', 'depthwiseConv2d', 'separableConv2d', 'dense']);

export function lowerSpec(analysis: SpecAnalysis): DeployedLayer[] {
  const specs = new Map<string, LayerSpec>();
  for (const l of analysis.spec.layers) if (l.name !== undefined) specs.set(l.name, l);
  const readers = new Map<string, number>();
  for (const l of analysis.layers) for (const i of l.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);

  const byName = new Map<string, DeployedLayer>();
  /** Buffers a relu/relu6 has already been applied to: batch norm cannot be folded across it. */
  const nonlinear = new Set<string>();
  const out: DeployedLayer[] = [];
  /** The compute layer whose buffer `name` lives in, if `name` is compute or fused (not a view). */
  const rootType = (name: string): string | undefined => {
    const d = byName.get(name);
    if (!d || d.role === 'view') return undefined;
    return byName.get(d.buffer)?.info.type;
  };
  for (const info of analysis.layers) {
    const spec = specs.get(info.name);
    if (!spec) throw new Error(`lowerSpec: layer ${info.name} missing from the normalized spec`);
    const src = info.inputs[0] ?? MODEL_INPUT;
    const srcBuffer = byName.get(src)?.buffer ?? MODEL_INPUT;
    const soleReader = (readers.get(src) ?? 0) === 1;
    let role: LayerRole = 'compute';
    let softmax = false;
    switch (info.type) {
      case 'flatten':
      case 'reshape':
      case 'dropout':
        role = 'view';
        break;
      case 'batchNormalization': {
        const rt = rootType(src);
        if (soleReader && rt !== undefined && FOLD_INTO.has(rt) && !nonlinear.has(srcBuffer) && !byName.get(srcBuffer)!.softmax) role = 'fused';
        break;
      }
      case 'activation': {
        const a = (spec as { activation: string }).activation;
        if (a === 'linear') role = 'view';
        else if (a === 'softmax') softmax = true;
        else {
          const rt = rootType(src);
          if (soleReader && rt !== undefined && (FOLD_INTO.has(rt) || rt === 'add') && !byName.get(srcBuffer)!.softmax) role = 'fused';
        }
        break;
      }
      default:
        softmax = (spec as { activation?: string }).activation === 'softmax';
    }
    const buffer = role === 'compute' ? info.name : srcBuffer;
    const act = (spec as { activation?: string }).activation;
    if ((act === 'relu' || act === 'relu6') && role !== 'view') nonlinear.add(buffer);
    const d: DeployedLayer = { info, spec, role, buffer, softmax };
    byName.set(info.name, d);
    out.push(d);
  }
  return out;
}
