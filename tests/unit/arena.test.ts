import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { livesOverlap, planArena, planSpecArena, type BufferLife } from '../../src/core/mcu/arena.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import type { LayerSpec, ModelSpec, SpecAnalysis } from '../../src/core/model/spec.ts';

const memOverlap = (a: { offset: number; sizeBytes: number }, b: { offset: number; sizeBytes: number }): boolean =>
  a.offset < b.offset + b.sizeBytes && b.offset < a.offset + a.sizeBytes;

const bufferArb = fc
  .array(fc.record({ sizeBytes: fc.integer({ min: 1, max: 5000 }), firstStep: fc.integer({ min: 0, max: 30 }), span: fc.integer({ min: 0, max: 10 }) }), { minLength: 1, maxLength: 40 })
  .map((xs) => xs.map((x, i): BufferLife => ({ id: `b${i}`, sizeBytes: x.sizeBytes, firstStep: x.firstStep, lastStep: x.firstStep + x.span })));

describe('planArena (generic buffers)', () => {
  it('never overlaps two buffers that are live at the same time, and is as large as the busiest step', () => {
    fc.assert(
      fc.property(bufferArb, (buffers) => {
        const plan = planArena(buffers);
        expect(plan.placements.map((p) => p.id)).toEqual(buffers.map((b) => b.id));
        for (const p of plan.placements) {
          expect(p.offset % 16).toBe(0);
          expect(p.offset + p.sizeBytes).toBeLessThanOrEqual(plan.arenaBytes);
        }
        for (let i = 0; i < plan.placements.length; i++) {
          for (let j = i + 1; j < plan.placements.length; j++) {
            const a = plan.placements[i]!;
            const b = plan.placements[j]!;
            if (livesOverlap(a, b)) expect(memOverlap(a, b), `${a.id} and ${b.id}`).toBe(false);
          }
        }
        const maxStep = Math.max(...buffers.map((b) => b.lastStep));
        for (let s = 0; s <= maxStep; s++) {
          const live = buffers.filter((b) => b.firstStep <= s && s <= b.lastStep).reduce((a, b) => a + b.sizeBytes, 0);
          expect(plan.arenaBytes).toBeGreaterThanOrEqual(live);
        }
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('reuses memory of dead buffers (a chain needs two buffers, not all)', () => {
    const chain: BufferLife[] = [0, 1, 2, 3, 4].map((i) => ({ id: `t${i}`, sizeBytes: 1024, firstStep: i, lastStep: i + 1 }));
    expect(planArena(chain).arenaBytes).toBe(2048);
  });
});

/** Random valid specs: chains of conv/depthwise/BN/relu/dropout/pool with residual adds, ending in flatten + dense. */
const specArb = fc
  .record({
    h: fc.integer({ min: 4, max: 16 }),
    w: fc.integer({ min: 4, max: 16 }),
    c: fc.integer({ min: 1, max: 4 }),
    steps: fc.array(fc.record({ kind: fc.integer({ min: 0, max: 7 }), filters: fc.integer({ min: 1, max: 12 }), back: fc.nat() }), { minLength: 1, maxLength: 14 }),
    units: fc.integer({ min: 2, max: 6 }),
  })
  .map(({ h, w, c, steps, units }): ModelSpec => {
    const layers: LayerSpec[] = [];
    const shapes: { name: string; shape: [number, number, number] }[] = [{ name: 'input', shape: [h, w, c] }];
    let cur: [number, number, number] = [h, w, c];
    let n = 0;
    const push = (l: LayerSpec, shape: [number, number, number]): void => {
      const name = `l${n++}`;
      layers.push({ ...l, name } as LayerSpec);
      shapes.push({ name, shape });
      cur = shape;
    };
    for (const s of steps) {
      switch (s.kind) {
        case 0:
          push({ type: 'conv2d', filters: s.filters, kernelSize: 3, padding: 'same' }, [cur[0], cur[1], s.filters]);
          break;
        case 1:
          push({ type: 'depthwiseConv2d', kernelSize: 3, padding: 'same' }, cur);
          break;
        case 2:
          push({ type: 'batchNormalization' }, cur);
          break;
        case 3:
          push({ type: 'activation', activation: 'relu' }, cur);
          break;
        case 4:
          push({ type: 'dropout', rate: 0.1 }, cur);
          break;
        case 5:
          if (cur[0] >= 2 && cur[1] >= 2) push({ type: 'maxPooling2d', poolSize: 2 }, [Math.floor(cur[0] / 2), Math.floor(cur[1] / 2), cur[2]]);
          break;
        default: {
          // residual add with an earlier layer of the same shape (skip if none but the current)
          const same = shapes.slice(0, -1).filter((x) => x.shape.join() === cur.join());
          if (same.length > 0) {
            const other = same[s.back % same.length]!;
            const prev = shapes[shapes.length - 1]!.name;
            push({ type: 'add', inputs: [prev, other.name] }, cur);
          } else push({ type: 'conv2d', filters: s.filters, kernelSize: 1, padding: 'same' }, [cur[0], cur[1], s.filters]);
        }
      }
    }
    push({ type: 'flatten' }, cur);
    layers.push({ type: 'dense', name: `l${n}`, units, activation: 'softmax' });
    return { version: 1, input: { shape: [h, w, c] }, layers };
  });

/**
 * Independent check of a spec plan: every layer's inputs must be intact when it runs. For each read
 * of name N at step j, the buffer holding N (produced at step p) must not share memory with the
 * output of any compute layer that ran at a step in [p+1, j] — including j's own output.
 */
function checkSpecPlan(a: SpecAnalysis, dtype: 'int8' | 'float32'): { arenaBytes: number } {
  const plan = planSpecArena(a, dtype);
  const place = new Map(plan.placements.map((p) => [p.id, p]));
  const stepOf = new Map<string, number>([['input', 0]]);
  a.layers.forEach((l, i) => stepOf.set(l.name, i + 1));
  const computeAt = new Map<number, string>(); // step -> its own buffer (compute layers only)
  a.layers.forEach((l, i) => {
    if (plan.bufferOf[l.name] === l.name) computeAt.set(i + 1, l.name);
  });
  const bpe = dtype === 'int8' ? 1 : 4;
  let largestStep = 0;
  a.layers.forEach((l, i) => {
    const j = i + 1;
    let stepBytes = plan.bufferOf[l.name] === l.name ? l.outputShape.reduce((x, y) => x * y, 1) * bpe : 0;
    const seen = new Set<string>();
    for (const inName of l.inputs) {
      const buf = plan.bufferOf[inName]!;
      const p = place.get(buf)!;
      expect(p, `buffer of ${inName}`).toBeDefined();
      if (!seen.has(buf) && buf !== plan.bufferOf[l.name]) stepBytes += p.sizeBytes;
      seen.add(buf);
      for (let k = stepOf.get(buf)! + 1; k <= j; k++) {
        const w = computeAt.get(k);
        if (w === undefined || w === buf) continue;
        expect(memOverlap(place.get(w)!, p), `${w} (step ${k}) overwrites ${buf} still needed by ${l.name} (step ${j})`).toBe(false);
      }
    }
    if (plan.bufferOf[l.name] === l.name) largestStep = Math.max(largestStep, stepBytes);
  });
  expect(plan.arenaBytes).toBeGreaterThanOrEqual(largestStep);
  return plan;
}

describe('planSpecArena (deployed specs)', () => {
  it('keeps every input intact until its last reader, on random chains and residual DAGs', () => {
    fc.assert(
      fc.property(specArb, fc.constantFrom('int8' as const, 'float32' as const), (spec, dtype) => {
        checkSpecPlan(analyzeSpec(spec), dtype);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('views and fused layers share their producer buffer', () => {
    const a = analyzeSpec({
      version: 1,
      input: { shape: [8, 8, 1] },
      layers: [
        { type: 'conv2d', name: 'c', filters: 4, kernelSize: 3, padding: 'same' },
        { type: 'batchNormalization', name: 'bn' },
        { type: 'activation', name: 'r', activation: 'relu' },
        { type: 'dropout', name: 'd', rate: 0.5 },
        { type: 'flatten', name: 'f' },
        { type: 'dense', name: 'o', units: 3 },
      ],
    });
    const plan = planSpecArena(a, 'int8');
    expect(plan.bufferOf).toMatchObject({ c: 'c', bn: 'c', r: 'c', d: 'c', f: 'c', o: 'o' });
    expect(plan.placements.map((p) => p.id).sort()).toEqual(['c', 'input', 'o']);
    // input (64) and c (256) are live together at step 1; then c and o: 256 + 16-aligned 3
    expect(plan.arenaBytes).toBe(64 + 256);
  });

  it('MLPerf Tiny KWS DS-CNN: int8 arena equals the computed peak of live activations (16,000 bytes, models.md)', () => {
    const a = analyzeSpec(JSON.parse(readFileSync(new URL('../fixtures/specs/mlperf-kws-ds-cnn.json', import.meta.url), 'utf8')));
    expect(checkSpecPlan(a, 'int8').arenaBytes).toBe(16000);
    expect(checkSpecPlan(a, 'float32').arenaBytes).toBe(64000);
  });
});
