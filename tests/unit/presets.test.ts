import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, presetSpec } from '../../src/core/model/presets.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { EarshotError } from '../../src/core/errors.ts';

describe('presets', () => {
  it('tiny-conv on 49x40: micro_speech shape, params and MACs by hand', () => {
    const a = analyzeSpec(presetSpec('tiny-conv', [49, 40, 1], 3));
    expect(a.layers.map((l) => [l.type, l.outputShape])).toEqual([
      ['conv2d', [25, 20, 8]],
      ['dropout', [25, 20, 8]],
      ['flatten', [4000]],
      ['dense', [3]],
    ]);
    expect(a.totalParams).toBe(10 * 8 * 8 + 8 + 4000 * 3 + 3);
    expect(a.totalMacs).toBe(25 * 20 * 8 * 10 * 8 + 4000 * 3);
  });

  it('ds-cnn-s on 49x40: DS-CNN shape, params and MACs by hand', () => {
    const a = analyzeSpec(presetSpec('ds-cnn-s', [49, 40, 1], 3));
    expect(a.layers.length).toBe(4 + 4 * 6 + 4);
    expect(a.layers[0]!.outputShape).toEqual([25, 20, 64]);
    const pool = a.layers.find((l) => l.type === 'averagePooling2d')!;
    expect(pool.outputShape).toEqual([1, 1, 64]);
    expect(a.outputShape).toEqual([3]);
    const block = 9 * 64 + 256 + 64 * 64 + 256;
    expect(a.totalParams).toBe(10 * 4 * 64 + 256 + 4 * block + 64 * 3 + 3);
    const hw = 25 * 20;
    expect(a.totalMacs).toBe(hw * 64 * 40 + 4 * (hw * 64 * 9 + hw * 64 * 64) + 64 * 3);
  });

  it('strided-ds on 49x40: strides halve each axis while >= 6, no pooling; params and MACs by hand', () => {
    const a = analyzeSpec(presetSpec('strided-ds', [49, 40, 1], 3));
    expect(a.layers.some((l) => l.type.includes('ooling'))).toBe(false);
    const dws = a.layers.filter((l) => l.type === 'depthwiseConv2d').map((l) => l.outputShape);
    expect(dws).toEqual([[13, 10, 64], [7, 5, 64], [4, 5, 64], [4, 5, 64]]);
    expect(a.layers.find((l) => l.type === 'flatten')!.outputShape).toEqual([4 * 5 * 64]);
    const block = 9 * 64 + 256 + 64 * 64 + 256;
    expect(a.totalParams).toBe(10 * 4 * 64 + 256 + 4 * block + 1280 * 3 + 3);
    const maps = [13 * 10, 7 * 5, 4 * 5, 4 * 5];
    expect(a.totalMacs).toBe(25 * 20 * 64 * 40 + maps.reduce((s, hw) => s + hw * 64 * 9 + hw * 64 * 64, 0) + 1280 * 3);
  });

  it('conv1d on 49x40: bands become channels, [3,1] kernels over time; params and MACs by hand', () => {
    const a = analyzeSpec(presetSpec('conv1d', [49, 40, 1], 3));
    expect(a.layers[0]!.type).toBe('reshape');
    expect(a.layers[0]!.outputShape).toEqual([49, 1, 40]);
    const convs = a.layers.filter((l) => l.type === 'conv2d');
    // default width 64; BN has 4 × 64 parameters per layer
    expect(convs.map((l) => l.outputShape)).toEqual([[25, 1, 64], [13, 1, 64], [7, 1, 64]]);
    expect(a.layers.find((l) => l.type === 'averagePooling2d')!.outputShape).toEqual([1, 1, 64]);
    expect(a.totalParams).toBe(3 * 40 * 64 + 256 + 2 * (3 * 64 * 64 + 256) + 64 * 3 + 3);
    expect(a.totalMacs).toBe(25 * 64 * 3 * 40 + 13 * 64 * 3 * 64 + 7 * 64 * 3 * 64 + 64 * 3);
  });

  it('depth knob: layers or blocks per preset', () => {
    const t = analyzeSpec(presetSpec('tiny-conv', [49, 40, 1], 3, { depth: 2 }));
    expect(t.totalMacs).toBe(25 * 20 * 8 * 10 * 8 + 25 * 20 * 8 * 3 * 3 * 8 + 4000 * 3);
    expect(t.totalParams).toBe(10 * 8 * 8 + 8 + 3 * 3 * 8 * 8 + 8 + 4000 * 3 + 3);
    expect(analyzeSpec(presetSpec('ds-cnn-s', [49, 40, 1], 3, { depth: 2 })).layers.length).toBe(4 + 2 * 6 + 4);
    expect(analyzeSpec(presetSpec('strided-ds', [49, 40, 1], 3, { depth: 1, width: 8 })).layers.find((l) => l.type === 'flatten')!.outputShape).toEqual([13 * 10 * 8]);
    expect(analyzeSpec(presetSpec('conv1d', [49, 40, 1], 3, { depth: 5 })).layers.filter((l) => l.type === 'conv2d').map((l) => l.outputShape[0])).toEqual([25, 13, 7, 4, 4]);
    expect(() => presetSpec('conv1d', [49, 40, 1], 3, { depth: 0 })).toThrow(/depth/);
  });

  it('width knob and other shapes', () => {
    const a = analyzeSpec(presetSpec('ds-cnn-s', [49, 10, 1], 12, { width: 32 }));
    expect(a.layers[0]!.outputShape).toEqual([25, 5, 32]);
    expect(a.outputShape).toEqual([12]);
    expect(analyzeSpec(presetSpec('tiny-conv', [20, 16, 1], 2, { width: 4 })).layers[0]!.outputShape).toEqual([10, 8, 4]);
  });

  it('every preset is valid for the default feature shape', () => {
    for (const n of PRESET_NAMES) expect(() => presetSpec(n, [49, 40, 1], 2)).not.toThrow();
  });

  it('unknown name and bad knobs are spec/invalid', () => {
    const c = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as EarshotError).code, (e as Error).message];
      }
      return ['none', ''];
    };
    const [code, msg] = c(() => presetSpec('resnet', [49, 40, 1], 3));
    expect(code).toBe('spec/invalid');
    expect(msg).toContain('tiny-conv, ds-cnn-s, strided-ds, conv1d');
    expect(c(() => presetSpec('tiny-conv', [49, 40, 1], 1))[0]).toBe('spec/invalid');
    expect(c(() => presetSpec('tiny-conv', [49, 40, 1], 3, { width: 0 }))[0]).toBe('spec/invalid');
    expect(c(() => presetSpec('tiny-conv', [49, 40, 1], 3, { dropout: 1 }))[0]).toBe('spec/invalid');
  });
});
