import { describe, expect, it } from 'vitest';
import { analyzeSpec, normalizeSpec, convOutputLength } from '../../src/core/model/analyze.ts';
import { EarshotError } from '../../src/core/errors.ts';

function code(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof EarshotError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an EarshotError');
}

const base = (layers: unknown[], shape = [10, 8, 1]) => ({ version: 1, input: { shape }, layers });
const head = { type: 'dense', units: 3, activation: 'softmax' };

describe('analyzeSpec: shapes, params, MACs by hand', () => {
  it('conv2d same/valid with strides, flatten, dense', () => {
    const a = analyzeSpec(
      base(
        [
          { type: 'conv2d', filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' },
          { type: 'conv2d', filters: 5, kernelSize: 3, strides: [1, 2] },
          { type: 'flatten' },
          head,
        ],
        [11, 9, 2],
      ),
    );
    // same: ceil(11/2)=6, ceil(9/2)=5; valid: (6-3+1)/1=4, ceil((5-3+1)/2)=2
    expect(a.layers.map((l) => l.outputShape)).toEqual([[6, 5, 4], [4, 2, 5], [40], [3]]);
    expect(a.layers[0]!.params).toBe(3 * 2 * 2 * 4 + 4);
    expect(a.layers[0]!.macs).toBe(6 * 5 * 4 * 3 * 2 * 2);
    expect(a.layers[1]!.params).toBe(3 * 3 * 4 * 5 + 5);
    expect(a.layers[1]!.macs).toBe(4 * 2 * 5 * 3 * 3 * 4);
    expect(a.layers[3]!.params).toBe(40 * 3 + 3);
    expect(a.layers[3]!.macs).toBe(40 * 3);
    expect(a.totalParams).toBe(a.layers.reduce((s, l) => s + l.params, 0));
    expect(a.totalMacs).toBe(a.layers.reduce((s, l) => s + l.macs, 0));
    expect(a.outputShape).toEqual([3]);
  });

  it('fills defaults and names as tfjs does', () => {
    const s = normalizeSpec(
      base([
        { type: 'conv2d', filters: 2, kernelSize: 3 },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'depthwiseConv2d', kernelSize: 1 },
        { type: 'batchNormalization' },
        { type: 'globalAveragePooling2d' },
        head,
      ]),
    );
    expect(s.layers[0]).toEqual({
      type: 'conv2d', name: 'conv2d_0', inputs: ['input'], filters: 2, kernelSize: [3, 3], strides: [1, 1],
      padding: 'valid', activation: 'linear', useBias: true,
    });
    expect(s.layers[1]).toMatchObject({ name: 'maxPooling2d_1', strides: [2, 2], padding: 'valid', inputs: ['conv2d_0'] });
    expect(s.layers[2]).toMatchObject({ depthMultiplier: 1, strides: [1, 1] });
    expect(s.layers[3]).toMatchObject({ epsilon: 1e-3, momentum: 0.99 });
    // idempotent
    expect(normalizeSpec(s)).toEqual(s);
  });

  it('depthwise, separable, pools, batch norm, add', () => {
    const a = analyzeSpec(
      base(
        [
          { type: 'conv2d', name: 'c', filters: 4, kernelSize: 3, padding: 'same' },
          { type: 'depthwiseConv2d', name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false },
          { type: 'separableConv2d', name: 'sep', filters: 4, kernelSize: [3, 1], padding: 'same' },
          { type: 'add', name: 'sum', inputs: ['c', 'sep'] },
          { type: 'batchNormalization', name: 'bn' },
          { type: 'averagePooling2d', name: 'ap', poolSize: [3, 2], padding: 'valid' },
          { type: 'maxPooling2d', name: 'mp', poolSize: 2, strides: 1, padding: 'same' },
          { type: 'activation', activation: 'relu6' },
          { type: 'dropout', rate: 0.5 },
          { type: 'globalAveragePooling2d' },
          head,
        ],
        [10, 8, 1],
      ),
    );
    const by = Object.fromEntries(a.layers.map((l) => [l.name, l]));
    expect(by.dw!.outputShape).toEqual([10, 8, 8]);
    expect(by.dw!.params).toBe(3 * 3 * 4 * 2);
    expect(by.dw!.macs).toBe(10 * 8 * 4 * 2 * 3 * 3);
    expect(by.sep!.outputShape).toEqual([10, 8, 4]);
    expect(by.sep!.params).toBe(3 * 1 * 8 + 8 * 4 + 4);
    expect(by.sep!.macs).toBe(10 * 8 * 8 * 3 * 1 + 10 * 8 * 8 * 4);
    expect(by.sum!.inputs).toEqual(['c', 'sep']);
    expect(by.sum!.macs).toBe(0);
    expect(by.bn!.params).toBe(16);
    expect(by.ap!.outputShape).toEqual([3, 4, 4]); // ceil((10-3+1)/3)=3, ceil((8-2+1)/2)=4
    expect(by.mp!.outputShape).toEqual([3, 4, 4]);
    expect(a.layers[9]!.outputShape).toEqual([4]);
  });

  it('convOutputLength follows ceil rules', () => {
    expect(convOutputLength(49, 10, 'same', 2)).toBe(25);
    expect(convOutputLength(49, 10, 'valid', 2)).toBe(20);
    expect(convOutputLength(40, 4, 'valid', 2)).toBe(19);
    expect(convOutputLength(40, 8, 'same', 2)).toBe(20);
  });
});

describe('analyzeSpec: every rule has a code', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', 42, 'spec/invalid', /JSON object/],
    ['wrong version', { ...base([head]), version: 2 }, 'spec/unsupported-version', /version 2/],
    ['missing version', { input: { shape: [1, 1, 1] }, layers: [head] }, 'spec/unsupported-version', /version/],
    ['bad input shape', base([head], [10, 0, 1]), 'spec/invalid', /shape\[1\]/],
    ['input not 3-d', base([head], [10, 8]), 'spec/invalid', /height, width, channels/],
    ['no layers', base([]), 'spec/invalid', /at least one layer/],
    ['layer not an object', base([5, head]), 'spec/invalid', /layer 0: must be an object/],
    ['unknown type', base([{ type: 'lstm' }, head]), 'spec/invalid', /layer 0: unknown type "lstm"/],
    ['bad name', base([{ ...head, name: '9x' }]), 'spec/invalid', /layer 0: name "9x"/],
    ['reserved name', base([{ ...head, name: 'input' }]), 'spec/invalid', /layer input: the name 'input' is reserved/],
    ['duplicate name', base([{ type: 'flatten', name: 'a' }, { type: 'dense', units: 2, name: 'a' }]), 'spec/invalid', /layer a: the name is used/],
    ['unknown option', base([{ type: 'conv2d', filters: 2, kernel_size: 3, kernelSize: 3 }, { type: 'flatten' }, head]), 'spec/invalid', /layer conv2d_0: unknown option 'kernel_size'/],
    ['bad filters', base([{ type: 'conv2d', filters: 0, kernelSize: 3 }, { type: 'flatten' }, head]), 'spec/invalid', /layer conv2d_0: filters must be a positive integer/],
    ['bad kernel pair', base([{ type: 'conv2d', filters: 2, kernelSize: [3] }, { type: 'flatten' }, head]), 'spec/invalid', /layer conv2d_0: kernelSize must be/],
    ['bad stride', base([{ type: 'conv2d', filters: 2, kernelSize: 3, strides: 1.5 }, { type: 'flatten' }, head]), 'spec/invalid', /layer conv2d_0: strides must be/],
    ['bad padding', base([{ type: 'conv2d', filters: 2, kernelSize: 3, padding: 'causal' }, { type: 'flatten' }, head]), 'spec/invalid', /layer conv2d_0: padding must be/],
    ['bad activation', base([{ type: 'conv2d', filters: 2, kernelSize: 3, activation: 'tanh' }, { type: 'flatten' }, head]), 'spec/invalid', /layer conv2d_0: activation must be one of/],
    ['bad useBias', base([{ type: 'dense', units: 2, useBias: 'yes' }]), 'spec/invalid', /layer dense_0: useBias must be true or false/],
    ['bad units', base([{ type: 'flatten' }, { type: 'dense', units: -1 }]), 'spec/invalid', /layer dense_1: units must be a positive integer/],
    ['bad depthMultiplier', base([{ type: 'depthwiseConv2d', kernelSize: 3, depthMultiplier: 0 }, { type: 'flatten' }, head]), 'spec/invalid', /layer depthwiseConv2d_0: depthMultiplier/],
    ['kernel too large (valid)', base([{ type: 'conv2d', filters: 2, kernelSize: 12 }, { type: 'flatten' }, head]), 'spec/invalid', /layer conv2d_0: kernelSize 12 is larger than the input height 10 with padding 'valid'/],
    ['kernel too wide (valid)', base([{ type: 'depthwiseConv2d', kernelSize: [3, 9] }, { type: 'flatten' }, head]), 'spec/invalid', /layer depthwiseConv2d_0: kernelSize 9 is larger than the input width 8/],
    ['pool too large (valid)', base([{ type: 'maxPooling2d', poolSize: 11 }, { type: 'flatten' }, head]), 'spec/invalid', /layer maxPooling2d_0: poolSize 11 is larger than the input height 10/],
    ['conv on flat input', base([{ type: 'flatten' }, { type: 'conv2d', filters: 2, kernelSize: 1 }, head]), 'spec/invalid', /layer conv2d_1: conv2d needs a \[height, width, channels\] input, got \[80\]/],
    ['dense on 3-d input', base([head]), 'spec/invalid', /layer dense_0: dense needs a flat input/],
    ['flatten on flat input', base([{ type: 'flatten' }, { type: 'flatten' }, head]), 'spec/invalid', /layer flatten_1: flatten needs an input of rank 2/],
    ['bad reshape', base([{ type: 'reshape', targetShape: [7, -1] }, { type: 'flatten' }, head]), 'spec/invalid', /layer reshape_0: cannot reshape \[10, 8, 1\]/],
    ['bad reshape sizes', base([{ type: 'reshape', targetShape: [-1, -1] }, { type: 'flatten' }, head]), 'spec/invalid', /layer reshape_0: targetShape sizes/],
    ['bad dropout rate', base([{ type: 'dropout', rate: 1 }, { type: 'flatten' }, head]), 'spec/invalid', /layer dropout_0: rate must be/],
    ['bad bn epsilon', base([{ type: 'batchNormalization', epsilon: 0 }, { type: 'flatten' }, head]), 'spec/invalid', /layer batchNormalization_0: epsilon/],
    ['bad bn momentum', base([{ type: 'batchNormalization', momentum: 1 }, { type: 'flatten' }, head]), 'spec/invalid', /layer batchNormalization_0: momentum/],
    ['activation layer needs activation', base([{ type: 'activation' }, { type: 'flatten' }, head]), 'spec/invalid', /layer activation_0: activation is required/],
    ['add without inputs', base([{ type: 'add' }, { type: 'flatten' }, head]), 'spec/invalid', /layer add_0: add needs 'inputs'/],
    ['add with one input', base([{ type: 'add', inputs: ['input'] }, { type: 'flatten' }, head]), 'spec/invalid', /layer add_0: add needs at least 2 inputs/],
    ['add with unequal shapes', base([{ type: 'conv2d', name: 'c', filters: 2, kernelSize: 1 }, { type: 'add', inputs: ['c', 'input'] }, { type: 'flatten' }, head]), 'spec/invalid', /layer add_1: add needs inputs of equal shape, got \[10, 8, 2\] and \[10, 8, 1\]/],
    ['add same input twice', base([{ type: 'add', inputs: ['input', 'input'] }, { type: 'flatten' }, head]), 'spec/invalid', /layer add_0: inputs name the same layer twice/],
    ['two inputs to non-add', base([{ type: 'conv2d', name: 'c', filters: 1, kernelSize: 1 }, { type: 'flatten', inputs: ['c', 'input'] }, head]), 'spec/invalid', /layer flatten_1: only add takes more than one input/],
    ['unknown input', base([{ type: 'flatten', inputs: ['nope'] }, head]), 'spec/invalid', /layer flatten_0: input 'nope' is not/],
    ['forward reference', base([{ type: 'flatten', inputs: ['d'] }, { ...head, name: 'd' }]), 'spec/invalid', /layer flatten_0: input 'd' is not/],
    ['inputs not a list', base([{ type: 'flatten', inputs: 'input' }, head]), 'spec/invalid', /layer flatten_0: inputs must be a non-empty list/],
    ['last layer not dense', base([{ type: 'flatten' }, head, { type: 'dropout', rate: 0.1 }]), 'spec/invalid', /layer dropout_2: the last layer must be a dense layer/],
    ['dangling branch', base([{ type: 'conv2d', name: 'side', filters: 1, kernelSize: 1 }, { type: 'flatten', inputs: ['input'] }, head]), 'spec/invalid', /layer side: its output is not used/],
  ];
  for (const [what, spec, c, re] of cases) {
    it(what, () => {
      const r = code(() => analyzeSpec(spec));
      expect(r.code).toBe(c);
      expect(r.message).toMatch(re);
    });
  }
});
