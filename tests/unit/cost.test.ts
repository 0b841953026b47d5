import { describe, expect, it } from 'vitest';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { layerCycles } from '../../src/core/mcu/cost.ts';
import { convLoopWork, inBoundsTaps } from '../../src/core/mcu/kernel-taps.ts';
import { costEntry, INT8_COSTS } from '../../src/core/mcu/cost-tables.ts';
import { lowerSpec } from '../../src/core/mcu/lower.ts';
import { CORE_IDS, RUNTIME_IDS } from '../../src/core/mcu/types.ts';

const net = (filters: number, units = 8) =>
  analyzeSpec({
    version: 1,
    input: { shape: [49, 40, 1] },
    layers: [
      { type: 'conv2d', name: 'c1', filters, kernelSize: [10, 8], strides: 2, padding: 'same', activation: 'relu' },
      { type: 'separableConv2d', name: 's1', filters, kernelSize: 3, padding: 'same' },
      { type: 'batchNormalization', name: 'bn' },
      { type: 'activation', name: 'r', activation: 'relu' },
      { type: 'maxPooling2d', name: 'mp', poolSize: 2 },
      { type: 'depthwiseConv2d', name: 'dw', kernelSize: 3, padding: 'same' },
      { type: 'globalAveragePooling2d', name: 'gap' },
      { type: 'dense', name: 'o', units, activation: 'softmax' },
    ],
  });

describe('per-op cost functions', () => {
  it('every table is finite and positive', () => {
    for (const r of RUNTIME_IDS)
      for (const c of CORE_IDS)
        for (const [k, v] of Object.entries(INT8_COSTS[r][c].table)) {
          if (k === 'inBoundsTaps') expect(v, `${r}/${c}`).toBe(true);
          else expect(typeof v === 'number' && v > 0 && Number.isFinite(v), `${r}/${c}/${k}`).toBe(true);
        }
  });

  it('more filters -> more cycles in every conv-like layer, for every runtime, core and dtype', () => {
    const small = lowerSpec(net(8));
    const big = lowerSpec(net(16));
    for (const r of RUNTIME_IDS)
      for (const c of CORE_IDS)
        for (const dtype of ['int8', 'float32'] as const) {
          const t = costEntry(r, c, dtype, true).table;
          for (const name of ['c1', 's1', 'mp', 'dw', 'gap', 'o']) {
            const a = layerCycles(small.find((d) => d.info.name === name)!, t);
            const b = layerCycles(big.find((d) => d.info.name === name)!, t);
            expect(b, `${r}/${c}/${dtype}/${name}`).toBeGreaterThan(a);
          }
        }
  });

  it('folded batch norm and fused relu cost nothing; a layer after a relu cannot fold its batch norm', () => {
    const d = lowerSpec(net(8));
    const role = (n: string) => d.find((x) => x.info.name === n)!.role;
    expect(role('bn')).toBe('fused');
    expect(role('r')).toBe('fused');
    const t = INT8_COSTS['earshot-c']['cortex-m4f'].table;
    expect(layerCycles(d.find((x) => x.info.name === 'bn')!, t)).toBe(0);
    const after = lowerSpec(
      analyzeSpec({
        version: 1,
        input: { shape: [8, 8, 1] },
        layers: [
          { type: 'conv2d', name: 'c', filters: 4, kernelSize: 3, activation: 'relu' },
          { type: 'batchNormalization', name: 'bn' },
          { type: 'flatten', name: 'f' },
          { type: 'dense', name: 'o', units: 2 },
        ],
      }),
    );
    expect(after.find((x) => x.info.name === 'bn')!.role).toBe('compute');
    expect(layerCycles(after.find((x) => x.info.name === 'bn')!, t)).toBeGreaterThan(0);
  });

  it('conv cycles grow linearly with MACs at fixed output size (cost = a*MACs + b*outputs + overhead)', () => {
    const t = INT8_COSTS['tflm-cmsis-nn']['cortex-m33'].table;
    const conv = (k: number) => lowerSpec(analyzeSpec({ version: 1, input: { shape: [16, 16, 8] }, layers: [{ type: 'conv2d', name: 'c', filters: 8, kernelSize: k, padding: 'same' }, { type: 'flatten' }, { type: 'dense', units: 2 }] }))[0]!;
    const [c1, c3, c5] = [conv(1), conv(3), conv(5)].map((d) => layerCycles(d, t));
    expect((c5! - c3!) / (c3! - c1!)).toBeCloseTo((25 - 9) / (9 - 1), 6);
  });

  it('earshot tables count in-bounds MACs (the kernels skip SAME padding); the published-measurement tables count nominal MACs', () => {
    const one = (layer: Record<string, unknown>) =>
      lowerSpec(analyzeSpec({ version: 1, input: { shape: [5, 6, 3] }, layers: [{ name: 'k', ...layer } as never, { type: 'flatten' }, { type: 'dense', units: 2 }] }))[0]!;
    const conv = one({ type: 'conv2d', filters: 5, kernelSize: 3, padding: 'same' });
    const dw = one({ type: 'depthwiseConv2d', kernelSize: [3, 5], padding: 'same' });
    const dw2 = one({ type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' });
    const [convOut, dwOut, dw2Out] = [5 * 6 * 5, 5 * 6 * 3, 3 * 3 * 6];
    for (const core of CORE_IDS)
      for (const r of ['earshot-c', 'earshot-simd'] as const) {
        const t = INT8_COSTS[r][core].table;
        expect(t.inBoundsTaps, `${r}/${core}`).toBe(true);
        const w = convLoopWork(5, 6, 3, 5, { kernel: [3, 3], strides: [1, 1], padding: 'same' });
        expect(w.macs).toBeLessThan(conv.info.macs);
        const want = w.macs * t.convCyclesPerMac + w.rows * t.convCyclesPerRow! + w.tailBytes * t.convCyclesPerTailByte! + convOut * t.cyclesPerOutput + t.layerOverheadCycles;
        expect(layerCycles(conv, t)).toBeCloseTo(want, 6);
        const dwMacs = inBoundsTaps(5, 6, { kernel: [3, 5], strides: [1, 1], padding: 'same' }) * 3;
        expect(layerCycles(dw, t)).toBeCloseTo(dwMacs * t.depthwiseCyclesPerMac + dwOut * t.depthwiseCyclesPerOutput! + t.layerOverheadCycles, 6);
        const dw2Macs = inBoundsTaps(5, 6, { kernel: [3, 3], strides: [2, 2], padding: 'same' }) * 6;
        expect(layerCycles(dw2, t)).toBeCloseTo(dw2Macs * t.depthwiseCyclesPerMacMultiplier! + dw2Out * t.depthwiseCyclesPerOutput! + t.layerOverheadCycles, 6);
      }
    for (const core of CORE_IDS)
      for (const r of ['tflm-cmsis-nn', 'tflm-reference', 'vendor'] as const) {
        const t = INT8_COSTS[r][core].table;
        expect(t.inBoundsTaps, `${r}/${core}`).toBeUndefined();
        expect(layerCycles(conv, t)).toBeCloseTo(conv.info.macs * t.convCyclesPerMac + convOut * t.cyclesPerOutput + t.layerOverheadCycles, 6);
        expect(layerCycles(dw2, t)).toBeCloseTo(dw2.info.macs * t.depthwiseCyclesPerMac + dw2Out * (t.depthwiseCyclesPerOutput ?? t.cyclesPerOutput) + t.layerOverheadCycles, 6);
      }
  });

  it('soft-float cores pay more for float32 than FPU cores, and float32 costs at least int8 portable C', () => {
    for (const c of CORE_IDS) {
      const fpu = costEntry('earshot-c', c, 'float32', true).table.convCyclesPerMac;
      const soft = costEntry('earshot-c', c, 'float32', false).table.convCyclesPerMac;
      expect(soft).toBeGreaterThan(fpu);
      expect(fpu).toBeGreaterThanOrEqual(INT8_COSTS['earshot-c'][c].table.convCyclesPerMac);
    }
  });
});
