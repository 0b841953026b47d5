/**
 * Runtimes: how a model runs on the board. Cycle constants live in cost-tables.ts; this file holds
 * the flash and RAM overheads of each runtime, with their evidence or assumption.
 */
import { EarshotError } from '../errors.ts';
import { earshotCodeBytes, KERNELS_OF_LAYER } from './code-size.ts';
import { RUNTIME_IDS, type Runtime, type RuntimeId } from './types.ts';

/** kernels.h kinds behind a set of layer kinds. */
function kernelKinds(kinds: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const k of kinds) for (const kk of KERNELS_OF_LAYER[k] ?? []) out.add(kk);
  return out;
}

/**
 * TFLM: "The core runtime just fits in 16 KB on an Arm Cortex M3 and, with enough operators to run a
 * speech keyword detection model, takes up a total of 22 KB" (tensorflow.org/lite/microcontrollers
 * overview). The speech model uses 4 ops, so ~1.5 KB per reference kernel.
 */
const TFLM_CORE_CODE_BYTES = 16 * 1024;
const TFLM_REFERENCE_KERNEL_BYTES = 1536;
/** CMSIS-NN kernels are unrolled with DSP and generic paths: assumed 2x a reference kernel. */
const CMSIS_KERNEL_BYTES = 3072;
/**
 * .tflite flatbuffer beyond raw weights and biases: tensors, operators, per-channel scales (float32)
 * and zero points (int64) for weights and biases = 24 B/channel. 1024 + 600/op + 24/channel
 * reproduces file size minus constant bytes of the calibration models within ~2x:
 * KWS 22.9 vs 29.6 KB, IC 18.6 vs 19.7, AD 7.0 vs 6.1, micro_speech 3.6 vs 2.1 (models.md).
 */
const tfliteFormatBytes = (ops: number, channels: number): number => 1024 + 600 * ops + 24 * channels;

/** Earshot's exported header: the same code, memory and overheads whether or not its SIMD kernels are on. */
const EARSHOT_C: Runtime = {
  id: 'earshot-c',
  name: 'Earshot portable C',
  description: 'The exported C99 header: plain int8 loops, no framework, no malloc; runs on every Cortex-M.',
  status: 'available',
  // Measured: arm-none-eabi-gcc -Os + arm-none-eabi-size per core (code-size.generated.ts).
  codeFlashBytes: (core, kinds, ops) => earshotCodeBytes(core, kernelKinds(kinds), ops),
  // Labels, shapes and layer descriptors: assumed 256 B.
  modelFormatFlashBytes: () => 256,
  // int32 multiplier + int32 shift per output channel (TFLite requantization).
  quantParamBytesPerChannel: 8,
  perInvokeOverheadCycles: 500,
  // Stack of the engine and its caller: assumed 1 KB.
  arenaOverheadBytes: 1024,
  ramBytesPerOp: 0,
  ramBytesPerChannel: 0,
  usesCmsisScratch: false,
};

/** TFLite Micro's interpreter, arena and .tflite overheads; the two TFLM runtimes differ only in their kernels. */
const TFLM_CMSIS_NN: Runtime = {
  id: 'tflm-cmsis-nn',
  name: 'TFLite Micro + CMSIS-NN',
  description: 'TensorFlow Lite for Microcontrollers interpreter with CMSIS-NN optimized int8 kernels.',
  status: 'available',
  codeFlashBytes: (_core, kinds) => TFLM_CORE_CODE_BYTES + CMSIS_KERNEL_BYTES * kinds.size,
  modelFormatFlashBytes: tfliteFormatBytes,
  // Counted in the flatbuffer overhead (24 B/channel).
  quantParamBytesPerChannel: 0,
  // MicroInterpreter::Invoke bookkeeping: assumed 5000 cycles.
  perInvokeOverheadCycles: 5000,
  // MicroInterpreter + allocator structs + stack: assumed 2 KB.
  arenaOverheadBytes: 2048,
  // TfLiteNode + op data + eval tensors per op: assumed 64 B.
  ramBytesPerOp: 64,
  // Conv/depthwise OpData keeps per-channel int32 multiplier and shift in the persistent arena.
  ramBytesPerChannel: 8,
  usesCmsisScratch: true,
};

const RUNTIMES: Record<RuntimeId, Runtime> = {
  'earshot-c': EARSHOT_C,
  'earshot-simd': {
    ...EARSHOT_C,
    id: 'earshot-simd',
    name: 'Earshot C + SIMD',
    description: 'The exported header with its ACLE SIMD dot products (__sxtb16/__smlad) on cores with the DSP extension (M4, M7, M33, M55), chosen at compile time; the portable loops elsewhere.',
    // Code size as earshot-c: code-size.generated.ts measures the default build (SIMD on where the core has DSP).
  },
  'tflm-cmsis-nn': TFLM_CMSIS_NN,
  'tflm-reference': {
    ...TFLM_CMSIS_NN,
    id: 'tflm-reference',
    name: 'TFLite Micro (reference kernels)',
    description: 'TensorFlow Lite for Microcontrollers with its portable reference kernels.',
    codeFlashBytes: (_core, kinds) => TFLM_CORE_CODE_BYTES + TFLM_REFERENCE_KERNEL_BYTES * kinds.size,
    usesCmsisScratch: false,
  },
  vendor: {
    id: 'vendor',
    name: 'Vendor code generator (X-CUBE-AI class)',
    description: 'An optimizing vendor tool such as ST X-CUBE-AI; constants fitted on its MLPerf Tiny results.',
    status: 'available',
    // Assumed: 8 KB runtime library + 2 KB per op kind.
    codeFlashBytes: (_core, kinds) => 8192 + 2048 * kinds.size,
    modelFormatFlashBytes: (ops) => 512 + 128 * ops,
    quantParamBytesPerChannel: 8,
    perInvokeOverheadCycles: 1000,
    arenaOverheadBytes: 1024,
    ramBytesPerOp: 32,
    ramBytesPerChannel: 0,
    usesCmsisScratch: true,
  },
};

export function listRuntimes(): Runtime[] {
  return RUNTIME_IDS.map((id) => RUNTIMES[id]);
}

export function getRuntime(id: string): Runtime {
  if (typeof id !== 'string' || !(RUNTIME_IDS as readonly string[]).includes(id)) {
    throw new EarshotError('mcu/unknown-runtime', `unknown runtime ${JSON.stringify(id)}; known runtimes: ${RUNTIME_IDS.join(', ')}`);
  }
  return RUNTIMES[id as RuntimeId];
}
