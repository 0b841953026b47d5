/**
 * Offline activation-arena planner, like TFLM's GreedyMemoryPlanner: buffers sorted by size
 * (largest first), each placed at the lowest offset where it overlaps no already-placed buffer
 * that is live at the same time. Offsets are aligned to 16 bytes (TFLM's kBufferAlignment).
 * Lifetimes are inclusive op steps: step 0 writes the model input, step i+1 runs layer i.
 */
import type { SpecAnalysis } from '../model/spec.ts';
import { lowerSpec, MODEL_INPUT, type DeployedLayer } from './lower.ts';
import type { Dtype } from './types.ts';

export interface BufferLife {
  id: string;
  sizeBytes: number;
  firstStep: number;
  lastStep: number;
}

export interface Placement extends BufferLife {
  offset: number;
}

export interface ArenaPlan {
  arenaBytes: number;
  placements: Placement[];
}

export const ARENA_ALIGN_BYTES = 16;

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function livesOverlap(a: BufferLife, b: BufferLife): boolean {
  return a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
}

export function planArena(buffers: readonly BufferLife[], alignBytes = ARENA_ALIGN_BYTES): ArenaPlan {
  const order = buffers.map((b, i) => i).sort((i, j) => {
    const a = buffers[i]!;
    const b = buffers[j]!;
    return b.sizeBytes - a.sizeBytes || a.firstStep - b.firstStep || i - j;
  });
  // Placed buffers kept sorted by offset, so the first-fit scan is one pass.
  const byOffset: Placement[] = [];
  const result: Placement[] = new Array<Placement>(buffers.length);
  let arenaBytes = 0;
  for (const i of order) {
    const b = buffers[i]!;
    let offset = 0;
    for (const p of byOffset) {
      if (!livesOverlap(p, b)) continue;
      if (offset + b.sizeBytes <= p.offset) break;
      offset = Math.max(offset, alignUp(p.offset + p.sizeBytes, alignBytes));
    }
    const pl: Placement = { id: b.id, sizeBytes: b.sizeBytes, firstStep: b.firstStep, lastStep: b.lastStep, offset };
    let k = byOffset.length;
    while (k > 0 && byOffset[k - 1]!.offset > offset) k--;
    byOffset.splice(k, 0, pl);
    result[i] = pl;
    arenaBytes = Math.max(arenaBytes, offset + b.sizeBytes);
  }
  return { arenaBytes, placements: result };
}

export const bytesPerElement = (dtype: Dtype): number => (dtype === 'int8' ? 1 : 4);

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Buffers of a deployed spec: the model input and one per compute layer, with lifetimes. */
export function specBuffers(analysis: SpecAnalysis, deployed: readonly DeployedLayer[], dtype: Dtype): BufferLife[] {
  const bpe = bytesPerElement(dtype);
  const bufferOf = new Map<string, string>([[MODEL_INPUT, MODEL_INPUT]]);
  const lives = new Map<string, BufferLife>();
  lives.set(MODEL_INPUT, { id: MODEL_INPUT, sizeBytes: count(analysis.spec.input.shape) * bpe, firstStep: 0, lastStep: 0 });
  deployed.forEach((d, i) => {
    const step = i + 1;
    for (const inName of d.info.inputs) {
      const life = lives.get(bufferOf.get(inName) ?? MODEL_INPUT)!;
      life.lastStep = Math.max(life.lastStep, step);
    }
    bufferOf.set(d.info.name, d.buffer);
    if (d.role === 'compute') {
      lives.set(d.info.name, { id: d.info.name, sizeBytes: count(d.info.outputShape) * bpe, firstStep: step, lastStep: step });
    }
  });
  // The model output is read after the last step.
  const last = deployed[deployed.length - 1];
  if (last) lives.get(last.buffer)!.lastStep = deployed.length;
  return [...lives.values()];
}

export interface SpecArenaPlan extends ArenaPlan {
  /** Layer name → buffer id (views and fused layers share their producer's buffer). */
  bufferOf: Record<string, string>;
}

export function planSpecArena(analysis: SpecAnalysis, dtype: Dtype = 'int8', deployed: readonly DeployedLayer[] = lowerSpec(analysis)): SpecArenaPlan {
  const plan = planArena(specBuffers(analysis, deployed, dtype));
  const bufferOf: Record<string, string> = { [MODEL_INPUT]: MODEL_INPUT };
  for (const d of deployed) bufferOf[d.info.name] = d.buffer;
  return { ...plan, bufferOf };
}
