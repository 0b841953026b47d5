/** Suggestions are re-estimates of modified specs: stride 2 in a stride-1 first conv, fewer filters. */
import { describe, expect, it } from 'vitest';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';
import { getBoard } from '../../src/core/mcu/boards.ts';
import { estimate } from '../../src/core/mcu/estimate.ts';
import { suggest } from '../../src/core/mcu/suggest.ts';

const spec: ModelSpec = {
  version: 1,
  input: { shape: [49, 40, 1] },
  layers: [
    { type: 'conv2d', name: 'c1', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'maxPooling2d', name: 'p', poolSize: 2 },
    { type: 'conv2d', name: 'c2', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'flatten', name: 'f' },
    { type: 'dense', name: 'o', units: 3, activation: 'softmax' },
  ],
} as ModelSpec;

describe('suggest', () => {
  it('stride 2 in the first conv: the number is the re-estimate of the modified spec', () => {
    const a = analyzeSpec(spec);
    const board = getBoard('pico');
    const s = suggest(a, board, {}, 10).find((x) => x.id === 'first-conv-stride-2')!;
    expect(s).toBeDefined();
    expect((s.spec!.layers[0] as { strides: number }).strides).toBe(2);
    const before = estimate(a, board);
    const after = estimate(analyzeSpec(s.spec!), board);
    expect(s.latencyChange).toBeCloseTo(after.latencyMs / before.latencyMs - 1, 12);
    expect(s.latencyChange).toBeLessThan(-0.3);
    expect(s.text).toBe(`stride 2 in the first conv (c1): −${Math.round(-s.latencyChange * 100)}% latency${s.text.includes('RAM') ? s.text.slice(s.text.indexOf(', ')) : ''}`);
  });

  it('only helpful changes, best first, and a model that does not fit is told what makes it fit', () => {
    const big = { ...spec, layers: spec.layers.map((l) => (l.name === 'c2' ? { ...l, filters: 256 } : l)) } as ModelSpec;
    const board = getBoard('arduino-zero'); // 32 KB SRAM
    const a = analyzeSpec(big);
    expect(estimate(a, board).fits.all).toBe(false);
    const list = suggest(a, board, {}, 10);
    for (const s of list) expect(s.latencyChange <= -0.05 || s.makesItFit).toBe(true);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.makesItFit === list[i - 1]!.makesItFit) expect(list[i]!.latencyChange).toBeGreaterThanOrEqual(list[i - 1]!.latencyChange);
    }
  });
});
