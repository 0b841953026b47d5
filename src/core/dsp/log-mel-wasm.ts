/**
 * The log-mel frames of computeLogMelPcm16 run in WebAssembly (log-mel.wat, embedded bytes):
 * the same float32 operations in the same order as the TypeScript, so the same bits, several
 * times faster (no Math.fround round trips). One instance per thread; the tables of the last
 * config stay in its memory. Where WebAssembly is missing or refuses to start, `wasmLogMel`
 * returns false and the caller runs the TypeScript.
 */
import type { LogMelTables } from './log-mel.ts';
import { LOG_MEL_WASM } from './log-mel-wasm.generated.ts';

// The little of the WebAssembly JS API used here (core's tsconfig has no DOM or Node lib).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type LogMelFn = (...args: number[]) => void;
interface WasmInstance {
  exports: { memory: WasmMemory; logmel: LogMelFn };
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
};

interface Layout {
  key: LogMelTables;
  pcm: number;
  out: number;
  args: number[];
}

let instance: WasmInstance | null | undefined;
let layout: Layout | null = null;

function start(): WasmInstance | null {
  if (instance !== undefined) return instance;
  try {
    instance = typeof WebAssembly === 'undefined' ? null : new WebAssembly.Instance(new WebAssembly.Module(LOG_MEL_WASM), {});
  } catch {
    instance = null;
  }
  return instance;
}

/** Lay out and write the tables of `t` (once per tables object), growing memory as needed. */
function prepare(w: WasmInstance, t: LogMelTables): Layout {
  if (layout?.key === t) return layout;
  const { shape, fft, mel, window } = t;
  const n = t.config.fftSize;
  const half = n / 2;
  let at = 0;
  const take = (bytes: number) => {
    const p = at;
    at += (bytes + 15) & ~15;
    return p;
  };
  const p = {
    window: take(window.length * 4),
    cos: take(half * 4),
    sin: take(half * 4),
    brev: take(half * 4),
    mstart: take(mel.bands * 4),
    mlen: take(mel.bands * 4),
    moff: take(mel.bands * 4),
    mw: take(mel.weights.length * 4),
    frame: take(n * 4),
    re: take(half * 4),
    im: take(half * 4),
    pow: take((half + 1) * 4),
    twc: take(half * 4),
    tws: take(half * 4),
    pcm: take(shape.inputSamples * 2),
    out: take(shape.featureCount * 4),
  };
  const mem = w.exports.memory;
  const need = Math.ceil(at / 65536) - mem.buffer.byteLength / 65536;
  if (need > 0) mem.grow(need);
  const buf = mem.buffer;
  new Float32Array(buf, p.window, window.length).set(window);
  new Float32Array(buf, p.cos, half).set(fft.cos);
  new Float32Array(buf, p.sin, half).set(fft.sin);
  new Int32Array(buf, p.brev, half).set(fft.bitReverse);
  new Int32Array(buf, p.mstart, mel.bands).set(mel.start);
  new Int32Array(buf, p.mlen, mel.bands).set(mel.length);
  new Int32Array(buf, p.moff, mel.bands).set(mel.offset);
  new Float32Array(buf, p.mw, mel.weights.length).set(mel.weights);
  // Stage-by-stage twiddles for the f32x4 stages: stage h uses [h, 2h) = cos/sin[j·half/h], j < h.
  const twc = new Float32Array(buf, p.twc, half);
  const tws = new Float32Array(buf, p.tws, half);
  for (let h = 1; h < half; h <<= 1) {
    for (let j = 0; j < h; j++) {
      twc[h + j] = fft.cos[(j * half) / h];
      tws[h + j] = fft.sin[(j * half) / h];
    }
  }
  const args = [
    p.pcm, shape.frames, shape.hopSamples, shape.windowSamples, n, mel.bands, t.logFloor,
    p.window, p.cos, p.sin, p.brev, p.mstart, p.mlen, p.moff, p.mw, p.frame, p.re, p.im, p.pow, p.out, p.twc, p.tws,
  ];
  layout = { key: t, pcm: p.pcm, out: p.out, args };
  return layout;
}

/**
 * Log-mel of `pcm` (exactly inputSamples) for the tables `t` into `out` (featureCount floats).
 * Returns false, leaving `out` untouched, when WebAssembly is not available.
 */
export function wasmLogMel(t: LogMelTables, pcm: Int16Array, out: Float32Array): boolean {
  const w = start();
  if (!w) return false;
  const l = prepare(w, t);
  const buf = w.exports.memory.buffer;
  new Int16Array(buf, l.pcm, pcm.length).set(pcm);
  w.exports.logmel(...l.args);
  out.set(new Float32Array(w.exports.memory.buffer, l.out, out.length));
  return true;
}

/** Whether the WebAssembly path runs here (for tests and benchmarks). */
export function wasmAvailable(): boolean {
  return start() !== null;
}
