/**
 * .tflite export: (1) structure, read back with an independent minimal FlatBuffers reader and checked
 * against the QuantizedModel (identifier, schema version, op codes and versions, tensor shapes,
 * types, scales, zero points, quantized dimensions, weights and biases byte for byte, 16-byte
 * aligned buffers, determinism); (2) a real TFLite interpreter (the TFLite WebAssembly runtime
 * of @tensorflow/tfjs-tflite, run in Node) loads and runs every file; its int8 outputs are compared
 * with runInt8. That runtime always applies the XNNPACK delegate (its options are only threads and
 * profiling) and its conv kernels requantize with one rounding (fp32 / single-rounding), where the
 * TFLite reference kernels, TFLM and CMSIS-NN (and Earshot) use gemmlowp's two roundings: outputs
 * may differ by 1 on a few values, and a difference in an early layer can grow by a few steps
 * downstream. So this part checks that the real interpreter loads and runs every file with the
 * right types and shapes and that its outputs are close (most identical, none off by more than 4);
 * bit-exactness is proven against the C kernels instead (tests/c).
 * The runtime is found in node_modules/@tensorflow/tfjs-tflite or EARSHOT_TFLITE_DIR (its package
 * folder); a devDependency, whose tfjs-core 4.9.0 peer is overridden in package.json (only its
 * wasm interpreter is used, not its tfjs glue).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateFeatureConfig } from '../../src/core/dsp/feature-config.ts';
import { generateTflite, quantizedModelToTflite, BuiltinOperator, TensorType } from '../../src/core/export/tflite.ts';
import { presetSpec } from '../../src/core/model/presets.ts';
import { runInt8 } from '../../src/core/quant/int8-engine.ts';
import type { QuantizedModel } from '../../src/core/quant/quantized-model.ts';
import { seededQuantizedModel } from '../c/helpers/model-fixtures.ts';
import { mulberry32 } from '../../src/core/model/prng.ts';
import { TEST_SPECS } from './quantize-fixtures.ts';

const CONFIG = validateFeatureConfig({ clipMs: 250, windowMs: 25, hopMs: 20, fftSize: 512, melBands: 12 });
const SPECS = {
  ...TEST_SPECS,
  'tiny-conv': presetSpec('tiny-conv', [12, 12, 1], 3),
  'ds-cnn-s': presetSpec('ds-cnn-s', [12, 12, 1], 3, { width: 16 }),
};
const MODELS = Object.entries(SPECS).map(([name, spec]) => ({ name, artifact: seededQuantizedModel(spec, CONFIG, 17, { clips: 0 }).artifact }));

/** Minimal reader: tables by vtable, vectors, strings (independent of the writer). */
class Reader {
  readonly d: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  root(): number {
    return this.d.getUint32(0, true);
  }
  field(table: number, id: number): number | undefined {
    const vt = table - this.d.getInt32(table, true);
    const vtSize = this.d.getUint16(vt, true);
    if (4 + 2 * id >= vtSize) return undefined;
    const off = this.d.getUint16(vt + 4 + 2 * id, true);
    return off === 0 ? undefined : table + off;
  }
  deref(at: number): number {
    return at + this.d.getUint32(at, true);
  }
  u8(t: number, id: number, dflt = 0) {
    const p = this.field(t, id);
    return p === undefined ? dflt : this.d.getUint8(p);
  }
  i32(t: number, id: number, dflt = 0) {
    const p = this.field(t, id);
    return p === undefined ? dflt : this.d.getInt32(p, true);
  }
  table(t: number, id: number): number | undefined {
    const p = this.field(t, id);
    return p === undefined ? undefined : this.deref(p);
  }
  vector(t: number, id: number): { start: number; length: number } | undefined {
    const v = this.table(t, id);
    return v === undefined ? undefined : { start: v + 4, length: this.d.getUint32(v, true) };
  }
  tables(t: number, id: number): number[] {
    const v = this.vector(t, id);
    return v ? Array.from({ length: v.length }, (_, i) => this.deref(v.start + 4 * i)) : [];
  }
  ints(t: number, id: number): number[] {
    const v = this.vector(t, id);
    return v ? Array.from({ length: v.length }, (_, i) => this.d.getInt32(v.start + 4 * i, true)) : [];
  }
  floats(t: number, id: number): number[] {
    const v = this.vector(t, id);
    return v ? Array.from({ length: v.length }, (_, i) => this.d.getFloat32(v.start + 4 * i, true)) : [];
  }
  longs(t: number, id: number): number[] {
    const v = this.vector(t, id);
    return v ? Array.from({ length: v.length }, (_, i) => Number(this.d.getBigInt64(v.start + 8 * i, true))) : [];
  }
  string(t: number, id: number): string {
    const v = this.vector(t, id);
    return v ? new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.length)) : '';
  }
}

describe('.tflite structure', () => {
  for (const { name, artifact } of MODELS) {
    it(`${name}: identifier, ops, tensors, quantization and data read back`, () => {
      const q = artifact.quantized!;
      const bytes = generateTflite(artifact, { description: 'earshot test' });
      expect(generateTflite(artifact, { description: 'earshot test' })).toEqual(bytes);
      expect(bytes.length % 16).toBe(0);
      const r = new Reader(bytes);
      expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe('TFL3');
      const model = r.root();
      expect(r.i32(model, 0)).toBe(3);
      expect(r.string(model, 3)).toBe('earshot test');
      const codes = r.tables(model, 1).map((c) => ({ code: r.i32(c, 3), deprecated: r.u8(c, 0), version: r.i32(c, 2, 1) }));
      for (const c of codes) expect(c.deprecated).toBe(c.code);
      const buffers = r.tables(model, 4);
      expect(r.vector(buffers[0]!, 0)).toBeUndefined();
      const [sg] = r.tables(model, 2);
      const tensors = r.tables(sg!, 0).map((t) => {
        const qp = r.table(t, 4);
        const buf = r.vector(buffers[r.i32(t, 2)]!, 0);
        return {
          shape: r.ints(t, 0), type: r.u8(t, 1), name: r.string(t, 3), buf,
          scales: qp === undefined ? [] : r.floats(qp, 2), zps: qp === undefined ? [] : r.longs(qp, 3), axis: qp === undefined ? 0 : r.i32(qp, 6),
        };
      });
      const ops = r.tables(sg!, 3).map((o) => ({ code: codes[r.i32(o, 0)]!.code, inputs: r.ints(o, 1), outputs: r.ints(o, 2), optType: r.u8(o, 3), opts: r.table(o, 4) }));
      // input / output tensors
      const inT = tensors[r.ints(sg!, 1)[0]!]!;
      const outT = tensors[r.ints(sg!, 2)[0]!]!;
      expect(inT.shape).toEqual([1, ...q.input.shape]);
      expect(inT.type).toBe(TensorType.INT8);
      expect(inT.scales).toEqual([q.input.scale]);
      expect(inT.zps).toEqual([q.input.zeroPoint]);
      expect(outT.shape).toEqual([1, q.output.shape.reduce((a, b) => a * b, 1)]);
      expect(outT.scales).toEqual([q.output.scale]);
      expect(outT.zps).toEqual([q.output.zeroPoint]);
      // every weighted op: its weights and biases byte for byte, per-channel scales on the right axis
      const conv = ops.filter((o) => o.code === BuiltinOperator.CONV_2D || o.code === BuiltinOperator.DEPTHWISE_CONV_2D);
      const weighted = q.ops.filter((o) => o.kind === 'conv2d' || o.kind === 'depthwiseConv2d' || o.kind === 'fullyConnected');
      expect(conv.length).toBe(weighted.length);
      conv.forEach((o, i) => {
        const src = weighted[i] as Extract<QuantizedModel['ops'][number], { weights: Int8Array }>;
        const w = tensors[o.inputs[1]!]!;
        const b = tensors[o.inputs[2]!]!;
        expect(w.buf!.start % 16, 'weights 16-byte aligned').toBe(0);
        expect(Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + w.buf!.start, w.buf!.length))).toEqual(Array.from(src.weights));
        expect(Array.from(new Int32Array(bytes.slice(b.buf!.start, b.buf!.start + b.buf!.length).buffer))).toEqual(Array.from(src.bias));
        expect(w.scales).toEqual(Array.from(src.weightScales));
        expect(w.axis).toBe(o.code === BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0);
        expect(w.zps.every((z) => z === 0)).toBe(true);
        if (src.kind !== 'fullyConnected') {
          // options: padding, stride_w, stride_h
          expect(r.u8(o.opts!, 0)).toBe(src.padding === 'same' ? 0 : 1);
          expect([r.i32(o.opts!, 1), r.i32(o.opts!, 2)]).toEqual([src.strides[1], src.strides[0]]);
        }
      });
      expect(ops.filter((o) => o.code === BuiltinOperator.ADD).length).toBe(q.ops.filter((o) => o.kind === 'add').length);
    });
  }
});

function tfliteRuntimeDir(): string | undefined {
  const candidates = [process.env.EARSHOT_TFLITE_DIR, join(process.cwd(), 'node_modules/@tensorflow/tfjs-tflite')].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(join(d, 'wasm/tflite_web_api_cc_simd.wasm')));
}
const RUNTIME = tfliteRuntimeDir();

describe('.tflite in the TFLite WebAssembly interpreter (Node)', () => {
  it('every model loads and runs; outputs close to runInt8 (the runtime requantizes its convs differently)', async () => {
    if (!RUNTIME) throw new Error('no TFLite WebAssembly runtime: npm ci installs @tensorflow/tfjs-tflite (devDependency), or set EARSHOT_TFLITE_DIR');
    const wasmDir = join(RUNTIME, 'wasm');
    const factory = createRequire(import.meta.url)(join(wasmDir, 'tflite_web_api_cc_simd.js'));
    const M = await factory({ wasmBinary: readFileSync(join(wasmDir, 'tflite_web_api_cc_simd.wasm')), print: () => {}, printErr: () => {} });
    let values = 0;
    let exact = 0;
    let worst = 0;
    const rand = mulberry32(5);
    for (const { name, artifact } of MODELS) {
      const q = artifact.quantized!;
      const bytes = quantizedModelToTflite(q);
      const ptr = M._malloc(bytes.length);
      M.HEAPU8.set(bytes, ptr);
      const created = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 16 });
      expect(created.ok(), `${name}: ${created.ok() ? '' : created.errorMessage()}`).toBe(true);
      const runner = created.value();
      const inT = runner.GetInputs().get(0);
      const outT = runner.GetOutputs().get(0);
      expect(inT.dataType).toBe('int8');
      expect(outT.dataType).toBe('int8');
      for (let v = 0; v < 25; v++) {
        const x = new Int8Array(inT.data().length);
        for (let i = 0; i < x.length; i++) x[i] = Math.floor(rand() * 256) - 128;
        (inT.data() as Int8Array).set(x);
        expect(runner.Infer()).toBe(true);
        const got = outT.data() as Int8Array;
        const want = runInt8(q, x);
        for (let i = 0; i < want.length; i++) {
          values++;
          if (got[i] === want[i]) exact++;
          worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        }
      }
      runner.delete();
      M._free(ptr);
    }
    console.log(`TFLite wasm interpreter vs runInt8: ${exact}/${values} output values identical, largest difference ${worst}`);
    expect(worst).toBeLessThanOrEqual(4);
    expect(exact / values).toBeGreaterThan(0.85);
  });
});
