import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import { packTyped, unpackTyped } from '../../src/core/model/artifact.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';
import { runInt8 } from '../../src/core/quant/int8-engine.ts';
import { activationRange, chooseQuantParams, dequantize, quantize, quantizeModel } from '../../src/core/quant/quantize.ts';
import type { QuantizedModel } from '../../src/core/quant/quantized-model.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS, randomInput, randomWeights } from './quantize-fixtures.ts';

function build(spec: ModelSpec, seed = 1, nCal = 8) {
  const a = analyzeSpec(spec);
  const w = randomWeights(a, seed);
  const rand = mulberry32(seed + 100);
  const cal = Array.from({ length: nCal }, () => randomInput(spec.input.shape, rand));
  return { a, w, cal, q: quantizeModel(a, w, cal) };
}

describe('quantization parameters', () => {
  it('range includes 0, zero point in [-128, 127], 0.0 is exactly representable', () => {
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (lo, width) => {
        const p = chooseQuantParams(lo, lo + width);
        return p.scale > 0 && Number.isInteger(p.zeroPoint) && p.zeroPoint >= -128 && p.zeroPoint <= 127 && dequantize(quantize([0], p), p)[0] === 0;
      }),
    );
    expect(chooseQuantParams(0, 2.55)).toEqual({ scale: Math.fround(0.01), zeroPoint: -128 });
    expect(chooseQuantParams(-1, 1).zeroPoint).toBe(0); // (-1 .. 1)/255: zp = -128 + 127.5 -> 0 (round half away)
  });

  it('quantize/dequantize error <= scale/2 inside the calibrated range', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 0, noNaN: true }), fc.double({ min: 0.01, max: 50, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (lo, hi, t) => {
        const p = chooseQuantParams(lo, hi);
        // the representable range after nudging
        const rlo = p.scale * (-128 - p.zeroPoint);
        const rhi = p.scale * (127 - p.zeroPoint);
        const x = Math.fround(rlo + t * (rhi - rlo));
        const back = dequantize(quantize([x], p), p)[0]!;
        return Math.abs(back - x) <= p.scale / 2 + 1e-6 * Math.abs(x) + 1e-9;
      }),
      { numRuns: 2000 },
    );
  });

  it('fused activation clamp ranges follow TFLite', () => {
    const p = { scale: 0.05, zeroPoint: -20 };
    expect(activationRange('linear', p)).toEqual([-128, 127]);
    expect(activationRange('relu', p)).toEqual([-20, 127]);
    expect(activationRange('relu6', p)).toEqual([-20, 100]);
  });

  it('refuses bad calibration ranges', () => {
    expect(() => chooseQuantParams(NaN, 1)).toThrow(expect.objectContaining({ code: 'quant/bad-calibration' }));
    expect(() => chooseQuantParams(2, 1)).toThrow(expect.objectContaining({ code: 'quant/bad-calibration' }));
  });
});

describe('quantizeModel', () => {
  it('folds batch norm into the preceding linear conv, turns the others into 1x1 depthwise, drops dropout', () => {
    const { q } = build(TEST_SPECS.convPoolDepthwise!);
    const kinds = q.ops.map((o) => `${o.kind}:${o.layer}`);
    // conv2d_0 has relu: its BN cannot fold; conv2d_3 is linear: its BN folds and the relu6 fuses
    expect(kinds).toEqual([
      'conv2d:conv2d_0',
      'depthwiseConv2d:batchNormalization_1',
      'maxPool2d:maxPooling2d_2',
      'conv2d:conv2d_3',
      'depthwiseConv2d:depthwiseConv2d_6',
      'reshape:flatten_7',
      'fullyConnected:dense_9',
    ]);
    const conv3 = q.ops[3]!;
    expect(conv3.kind === 'conv2d' && conv3.activation).toBe('relu6');
    expect(q.outputActivation).toBe('softmax');
    expect(q.output.shape).toEqual([3]);
  });

  it('weights are symmetric per channel: each channel reaches ±127, biases use inputScale × weightScale', () => {
    const { q, w } = build(TEST_SPECS.depthwiseValid!);
    const fcOp = q.ops.find((o) => o.kind === 'fullyConnected' && o.layer === 'dense_7')!;
    if (fcOp.kind !== 'fullyConnected') throw new Error('unreachable');
    const [units, inD] = fcOp.weightShape as [number, number];
    for (let u = 0; u < units; u++) {
      let m = 0;
      for (let d = 0; d < inD; d++) m = Math.max(m, Math.abs(fcOp.weights[u * inD + d]!));
      expect(m).toBe(127);
    }
    const inScale = q.tensors[fcOp.inputs[0]!]!.scale;
    const bias = w.dense_7!.find((t) => t.name === 'bias')!.data;
    for (let u = 0; u < units; u++) {
      expect(Math.abs(fcOp.bias[u]! * inScale * fcOp.weightScales[u]! - bias[u]!)).toBeLessThanOrEqual(inScale * fcOp.weightScales[u]!);
    }
  });

  it('pools and reshapes keep their input quantization; adds of 3 inputs become 2 chained adds', () => {
    const { q } = build(TEST_SPECS.threeWayAdd!);
    for (const op of q.ops) {
      if (op.kind === 'maxPool2d' || op.kind === 'avgPool2d' || op.kind === 'reshape') {
        const i = q.tensors[op.inputs[0]!]!;
        const o = q.tensors[op.output]!;
        expect([o.scale, o.zeroPoint]).toEqual([i.scale, i.zeroPoint]);
      }
    }
    expect(q.ops.filter((o) => o.kind === 'add').length).toBe(2);
  });

  it('survives packTyped / unpackTyped with identical int8 results', () => {
    const { q } = build(TEST_SPECS.residual!);
    const { json, bin } = packTyped(q);
    const back = unpackTyped(JSON.parse(JSON.stringify(json)), bin) as QuantizedModel;
    const x = quantize(randomInput(q.input.shape, mulberry32(4)), q.input);
    expect(Array.from(runInt8(back, x))).toEqual(Array.from(runInt8(q, x)));
  });

  it('is deterministic', () => {
    const a = build(TEST_SPECS.residual!, 2).q;
    const b = build(TEST_SPECS.residual!, 2).q;
    expect(packTyped(a).bin).toEqual(packTyped(b).bin);
  });

  it('refuses empty or misshapen calibration', () => {
    const { a, w } = build(TEST_SPECS.residual!);
    expect(() => quantizeModel(a, w, [])).toThrow(expect.objectContaining({ code: 'quant/bad-calibration' }));
    expect(() => quantizeModel(a, w, [new Float32Array(3)])).toThrow(expect.objectContaining({ code: 'quant/bad-calibration' }));
    const nan = new Float32Array(9 * 8 * 2).fill(NaN);
    expect(() => quantizeModel(a, w, [nan])).toThrow(expect.objectContaining({ code: 'quant/bad-calibration' }));
  });

  it('refuses softmax inside the network and an activation whose input has other readers', () => {
    const inner: ModelSpec = {
      version: 1,
      input: { shape: [4, 4, 1] },
      layers: [{ type: 'conv2d', filters: 2, kernelSize: 3, activation: 'softmax' }, { type: 'flatten' }, { type: 'dense', units: 2 }],
    };
    expect(() => build(inner)).toThrow(expect.objectContaining({ code: 'quant/unsupported-op' }));
    const shared: ModelSpec = {
      version: 1,
      input: { shape: [4, 4, 1] },
      layers: [
        { type: 'conv2d', name: 'c', filters: 2, kernelSize: 1 },
        { type: 'activation', name: 'r', activation: 'relu' },
        { type: 'add', name: 's', inputs: ['c', 'r'] },
        { type: 'flatten' },
        { type: 'dense', units: 2 },
      ],
    };
    expect(() => build(shared)).toThrow(expect.objectContaining({ code: 'quant/unsupported-op' }));
  });
});

describe('layerSqnr', () => {
  it('reports every tensor, the input at its quantization noise level', async () => {
    const { layerSqnr } = await import('../../src/core/quant/quantize.ts');
    const { a, w, q, cal } = build(TEST_SPECS.depthwiseValid!, 4, 16);
    // a calibration input: inside every calibrated range, so no saturation
    const rows = layerSqnr(a, w, q, cal[0]!);
    expect(rows.map((r) => r.tensor)).toContain('input');
    expect(rows.find((r) => r.tensor === 'input')!.sqnrDb).toBeGreaterThan(40);
    expect(rows.find((r) => r.tensor === 'dense_7')!.sqnrDb).toBeGreaterThan(15);
  });
});
