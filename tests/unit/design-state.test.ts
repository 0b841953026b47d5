/** The model editor's state: live analysis, the layer at fault, field parsing, JSON in and out. */
import { describe, expect, it } from 'vitest';
import { DesignState, parseField } from '../../src/state/design.svelte.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { presetSpec } from '../../src/core/model/presets.ts';

describe('DesignState', () => {
  it('starts from a preset with its analysis; edits update shapes, params and MACs', () => {
    const d = new DesignState([49, 40, 1], 3, 'tiny-conv');
    expect(d.check.analysis?.totalMacs).toBe(analyzeSpec(presetSpec('tiny-conv', [49, 40, 1], 3)).totalMacs);
    d.setField(0, 'filters', 'int', '16');
    expect(d.check.layers[0]!.outputShape).toEqual([25, 20, 16]);
    expect(d.check.analysis!.totalMacs).toBe(25 * 20 * 16 * 80 + 8000 * 3);
    d.setField(0, 'filters', 'int', 'lots');
    expect(d.fieldErrors['0:filters']).toMatch(/not a number/);
    expect(d.check.layers[0]!.outputShape).toEqual([25, 20, 16]); // unchanged
    d.setField(0, 'kernelSize', 'pair', '5 x 4');
    expect(d.spec.layers[0]).toMatchObject({ kernelSize: [5, 4] });
  });

  it('width and depth knobs size the preset; a knob out of range is refused with a message and the layers stay', () => {
    const d = new DesignState([49, 40, 1], 3, 'tiny-conv');
    d.loadPreset('ds-cnn-s', 3, { width: 24, depth: 2 });
    expect(d.spec.layers.filter((l) => l.type === 'depthwiseConv2d')).toHaveLength(2);
    expect(d.check.layers[0]!.outputShape).toEqual([25, 20, 24]);
    expect(d.check.analysis!.totalMacs).toBe(analyzeSpec(presetSpec('ds-cnn-s', [49, 40, 1], 3, { width: 24, depth: 2 })).totalMacs);
    expect(d.presetError).toBeNull();
    const before = d.spec;
    d.loadPreset('conv1d', 3, { width: 0 });
    expect(d.presetError).toMatch(/width must be an integer from 1 to 512/);
    expect(d.spec).toEqual(before);
    d.loadPreset('conv1d', 3, { depth: 3 });
    expect(d.presetError).toBeNull();
    expect(d.spec.layers.filter((l) => l.type === 'conv2d')).toHaveLength(3);
  });

  it('an invalid layer is named: the first failing prefix ends with it', () => {
    const d = new DesignState([49, 40, 1], 3, 'tiny-conv');
    const flatten = d.layers.findIndex((l) => l.type === 'flatten');
    d.add('conv2d', flatten + 1); // a conv after flatten has a 1-D input
    expect(d.check.analysis).toBeNull();
    expect(d.check.errorLayer).toBe(flatten + 1);
    expect(d.check.error).toMatch(/spec\/invalid/);
    expect(d.check.layers[flatten]!.outputShape).toEqual([4000]); // layers before it still analysed
    expect(d.check.layers[flatten + 1]).toBeNull();
    d.remove(flatten + 1);
    expect(d.check.error).toBeNull();
    d.move(0, 1);
    expect(d.layers[1]!.type).toBe('conv2d');
  });

  it('JSON export/import round trip; bad JSON and a mismatched input are refused with a message', () => {
    const d = new DesignState([49, 40, 1], 3, 'conv1d');
    const text = d.exportJson();
    const e = new DesignState([49, 40, 1], 3, 'tiny-conv');
    e.importJson(text);
    expect(e.importError).toBeNull();
    expect(e.check.analysis!.totalParams).toBe(d.check.analysis!.totalParams);
    e.importJson('{nope');
    expect(e.importError).toMatch(/not JSON/);
    e.importJson(JSON.stringify({ ...JSON.parse(new DesignState([49, 40, 1], 3, 'tiny-conv').exportJson()), input: { shape: [10, 10, 1] } }));
    expect(e.importError).toMatch(/does not match the features/);
    e.importJson(JSON.stringify({ ...JSON.parse(text), version: 2 }));
    expect(e.importError).toMatch(/version/);
  });

  it('parseField', () => {
    expect(parseField('pair', '3')).toBe(3);
    expect(parseField('pair', '3,1')).toEqual([3, 1]);
    expect(parseField('ints', '49 1 40')).toEqual([49, 1, 40]);
    expect(parseField('int', '')).toBeUndefined();
    expect(() => parseField('pair', '1,2,3')).toThrow();
  });
});
