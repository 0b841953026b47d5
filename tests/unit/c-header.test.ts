import { describe, expect, it } from 'vitest';
import { validateFeatureConfig, featureShape } from '../../src/core/dsp/feature-config.ts';
import { argmaxInt8, fnv1a32, generateCHeader, planArena } from '../../src/core/export/c-header.ts';
import { cStringLiteral, renameSymbols, validatePrefix } from '../../src/core/export/c-names.ts';
import { analyzeSpec } from '../../src/core/model/analyze.ts';
import type { ModelArtifact } from '../../src/core/model/artifact.ts';
import type { ModelSpec } from '../../src/core/model/spec.ts';
import { quantizeModel } from '../../src/core/quant/quantize.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS, randomInput, randomSpec, randomWeights } from './quantize-fixtures.ts';

const CONFIG = validateFeatureConfig({ clipMs: 200, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 8 });
const S = featureShape(CONFIG);

function artifact(spec: ModelSpec, labels?: string[]): ModelArtifact {
  const s: ModelSpec = { ...spec, input: { shape: [S.frames, S.bands, 1] } };
  const a = analyzeSpec(s);
  const weights = randomWeights(a, 3);
  const rand = mulberry32(5);
  const quantized = quantizeModel(a, weights, [randomInput(s.input.shape, rand, -10, 0), randomInput(s.input.shape, rand, -10, 0)]);
  const n = a.outputShape[0]!;
  return { version: 1, labels: labels ?? Array.from({ length: n }, (_, i) => `c${i}`), featureConfig: CONFIG, spec: s, weights, quantized };
}

describe('C names', () => {
  it('validates prefixes', () => {
    expect(validatePrefix(undefined)).toBe('model');
    expect(validatePrefix('kws_v2')).toBe('kws_v2');
    for (const bad of ['', 'Model', '1abc', 'a-b', 'int', 'static', 'int8', 'uint32', 'a'.repeat(32), 'kws_', 'a__b', 'size']) {
      expect(() => validatePrefix(bad), bad).toThrow(expect.objectContaining({ code: 'export/bad-prefix' }));
    }
  });

  it('escapes any label as a safe C string literal', () => {
    expect(cStringLiteral('yes')).toBe('"yes"');
    expect(cStringLiteral('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(cStringLiteral('??=')).toBe('"\\?\\?="');
    expect(cStringLiteral('x\ny')).toBe('"x\\012y"');
    expect(cStringLiteral('*/')).toBe('"*/"');
    expect(cStringLiteral('é1')).toBe('"\\303\\2511"'); // octal escapes are 3 digits: "1" stays a separate char
  });

  it('renames earshot_ / EARSHOT_ at word boundaries only', () => {
    expect(renameSymbols('earshot_x EARSHOT_Y my_earshot_z static int earshot_features', 'kws')).toBe('kws_x KWS_Y my_earshot_z static int kws_features');
  });
});

describe('generateCHeader', () => {
  it('refuses a model without int8 version, a bad prefix, and labels that do not match the outputs', () => {
    const a = artifact(TEST_SPECS.convPoolDepthwise!);
    expect(() => generateCHeader({ ...a, quantized: undefined })).toThrow(expect.objectContaining({ code: 'model/not-quantized' }));
    expect(() => generateCHeader(a, { prefix: 'Bad' })).toThrow(expect.objectContaining({ code: 'export/bad-prefix' }));
    expect(() => generateCHeader({ ...a, labels: ['a', 'b'] })).toThrow(expect.objectContaining({ code: 'model/label-mismatch' }));
  });

  it('is byte-identical for identical input and puts every symbol under the prefix', () => {
    const a = artifact(TEST_SPECS.residual!, ['earshot_yes', 'no', 'maybe', 'x']);
    const h1 = generateCHeader(a, { prefix: 'kws', generator: 'earshot test' });
    const h2 = generateCHeader(a, { prefix: 'kws', generator: 'earshot test' });
    expect(h1).toBe(h2);
    expect(h1.replace('"earshot_yes"', '')).not.toMatch(/\bearshot_|\bEARSHOT_/);
    expect(h1).toContain('"earshot_yes"'); // labels are not renamed
    for (const sym of ['KWS_SAMPLE_RATE_HZ', 'KWS_INPUT_SAMPLES', 'KWS_FEATURE_COUNT', 'KWS_NUM_CLASSES', 'KWS_ARENA_BYTES', 'kws_labels', 'kws_features(', 'kws_invoke(', 'kws_classify(', 'kws_self_test(void)']) {
      expect(h1, sym).toContain(sym);
    }
    expect(h1).toContain('#include <stdint.h>');
    expect(h1).toMatch(/FNV-1a 32 of model\.json \+ model\.bin\): [0-9a-f]{8}\n/);
    // balanced GCC option pushes
    expect((h1.match(/#pragma GCC push_options/g) ?? []).length).toBe((h1.match(/#pragma GCC pop_options/g) ?? []).length);
    // every line of the provenance comment is comment-safe, and a different generator changes only it
    const h3 = generateCHeader(a, { prefix: 'kws', generator: 'evil */ ??/' });
    expect(h3.split('*/')[0]).not.toContain('??');
    expect(h3.slice(h3.indexOf('*/'))).toBe(h1.slice(h1.indexOf('*/')));
  });

  it('FNV-1a matches the published test vectors', () => {
    const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(fnv1a32([enc('')])).toBe('811c9dc5');
    expect(fnv1a32([enc('a')])).toBe('e40c292c');
    expect(fnv1a32([enc('foobar')])).toBe('bf9cf968');
  });
});

describe('arena planner', () => {
  it('never overlaps buffers that are alive at the same time, and keeps each op output apart from its inputs', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const a = artifact(randomSpec(seed, [S.frames, S.bands, 1]));
      const q = a.quantized!;
      const plan = planArena(q);
      const root = q.tensors.map((_, i) => i);
      q.ops.forEach((op) => {
        if (op.kind === 'reshape') root[op.output] = root[op.inputs[0]!]!;
      });
      const first = new Map<number, number>();
      const last = new Map<number, number>();
      q.ops.forEach((op, k) => {
        if (op.kind !== 'reshape') first.set(op.output, k);
        for (const t of op.inputs) last.set(root[t]!, Math.max(last.get(root[t]!) ?? -1, k));
      });
      last.set(root[q.outputTensor]!, q.ops.length);
      const bufs = [...first.keys()];
      for (const x of bufs) {
        const sx = q.tensors[x]!.shape.reduce((m, d) => m * d, 1);
        expect(plan.offsets[x]! + sx).toBeLessThanOrEqual(plan.arenaBytes);
        expect(plan.offsets[x]! % 4).toBe(0);
        for (const y of bufs) {
          if (x >= y) continue;
          const sy = q.tensors[y]!.shape.reduce((m, d) => m * d, 1);
          const liveTogether = first.get(x)! <= last.get(y)! && first.get(y)! <= last.get(x)!;
          const overlap = plan.offsets[x]! < plan.offsets[y]! + sy && plan.offsets[y]! < plan.offsets[x]! + sx;
          expect(liveTogether && overlap, `seed ${seed}: tensors ${x} and ${y}`).toBe(false);
        }
      }
      expect(plan.offsets[q.inputTensor]).toBe(-1);
    }
  });
});

describe('argmaxInt8', () => {
  it('ties go to the lowest index', () => {
    expect(argmaxInt8(Int8Array.from([3, 7, 7, -1]))).toBe(1);
    expect(argmaxInt8(Int8Array.from([-128, -128]))).toBe(0);
    expect(() => argmaxInt8(new Int8Array(0))).toThrow(expect.objectContaining({ code: 'model/invalid' }));
  });
});
