/**
 * Types of the Cortex-M fit estimator: boards (data), runtimes (how a model runs there),
 * per-op cost tables and the FitReport that estimate() returns.
 */

export type CoreId =
  | 'cortex-m0plus'
  | 'cortex-m3'
  | 'cortex-m4'
  | 'cortex-m4f'
  | 'cortex-m7'
  | 'cortex-m33'
  | 'cortex-m55'
  | 'cortex-m85';

export const CORE_IDS: readonly CoreId[] = [
  'cortex-m0plus',
  'cortex-m3',
  'cortex-m4',
  'cortex-m4f',
  'cortex-m7',
  'cortex-m33',
  'cortex-m55',
  'cortex-m85',
];

export interface Board {
  /** kebab-case, e.g. 'nano33ble'. */
  id: string;
  name: string;
  mcu: string;
  core: CoreId;
  clockMhz: number;
  sramBytes: number;
  flashBytes: number;
  /** Measured or datasheet-derived active power during inference, when a source gives one. */
  activePowerMw?: number;
  hasFpu: boolean;
  /** DSP extension (SIMD on 8/16-bit lanes: SMLAD), or Helium/MVE on M55/M85. */
  hasDsp: boolean;
  /** Where every number came from, and which value was taken where sources disagree. */
  source: string;
}

export type RuntimeId = 'earshot-c' | 'earshot-simd' | 'tflm-cmsis-nn' | 'tflm-reference' | 'vendor';
export const RUNTIME_IDS: readonly RuntimeId[] = ['earshot-c', 'earshot-simd', 'tflm-cmsis-nn', 'tflm-reference', 'vendor'];

export type Dtype = 'int8' | 'float32';

/** How much to trust a cost table for one (runtime, core). */
export type Evidence = 'fitted' | 'derived' | 'assumed';

/**
 * Cycles per unit of work for one (runtime, core, dtype). Per-op cost functions in cost.ts
 * combine these with a layer's shapes. The MLPerf Tiny data cannot separate depthwise from
 * regular convolution, so both are fitted with one cycles/MAC (see cost-tables.ts).
 */
export interface OpCostTable {
  convCyclesPerMac: number;
  depthwiseCyclesPerMac: number;
  denseCyclesPerMac: number;
  /**
   * Conv, inBoundsTaps tables only (kernels.h's loop, kernel-taps.ts convLoopWork): per row span
   * (valid kernel rows × output positions × output channel pairs) and per byte of those spans left
   * after the 4-byte loop; they matter when in_c is small (a first conv over one feature channel). Default 0.
   */
  convCyclesPerRow?: number;
  convCyclesPerTailByte?: number;
  /** Depthwise with depth multiplier > 1, per MAC, when it differs from depthwiseCyclesPerMac. */
  depthwiseCyclesPerMacMultiplier?: number;
  /** Per output element of depthwise / dense when it differs from cyclesPerOutput. */
  depthwiseCyclesPerOutput?: number;
  denseCyclesPerOutput?: number;
  /** Requantization, store and per-pixel loop setup, per output element of conv/depthwise/dense. */
  cyclesPerOutput: number;
  /** Max/average pooling, per input element read. */
  poolCyclesPerInput: number;
  /** Max/average pooling, per output element (window bounds, division, store). Default 0. */
  poolCyclesPerOutput?: number;
  /** Residual add, per output element (int8: two rescales and a requantization). */
  addCyclesPerElement: number;
  /** A stand-alone activation or batch norm that could not be fused, per element. */
  elementwiseCyclesPerElement: number;
  softmaxCyclesPerElement: number;
  /** Runtime cost of dispatching one deployed op (interpreter / function call). */
  layerOverheadCycles: number;
  /**
   * true: the conv/depthwise MAC terms count only in-bounds kernel taps (kernel-taps.ts), because
   * the kernels skip SAME padding and were fitted that way (earshot-c, earshot-simd). Absent:
   * nominal MACs (outputs·kh·kw·in_c, LayerInfo.macs), as the published measurements of the other
   * runtimes were fitted.
   */
  inBoundsTaps?: true;
}

export interface CostEntry {
  table: OpCostTable;
  evidence: Evidence;
  /** One line naming the evidence or the assumption behind the numbers. */
  note: string;
}

export interface Runtime {
  id: RuntimeId;
  name: string;
  description: string;
  /** 'planned' runtimes are estimated from evidence but Earshot cannot export them yet. */
  status: 'available' | 'planned';
  /**
   * Runtime code in flash: interpreter/engine + kernels, given the distinct layer kinds used (spec
   * layer types, plus 'softmax') and the number of deployed ops.
   */
  codeFlashBytes: (core: CoreId, kinds: ReadonlySet<string>, ops: number) => number;
  /** Model container overhead in flash (e.g. the .tflite flatbuffer beyond raw weights). */
  modelFormatFlashBytes: (ops: number, perChannelQuantChannels: number) => number;
  /** Per output channel of conv/depthwise: requantization multiplier + shift bytes in flash. */
  quantParamBytesPerChannel: number;
  perInvokeOverheadCycles: number;
  /** Fixed RAM the runtime needs besides the activation arena (interpreter state, stack). */
  arenaOverheadBytes: number;
  /** RAM per deployed op and per tensor (interpreter node/tensor structs). */
  ramBytesPerOp: number;
  /** RAM per conv/depthwise output channel held at run time (TFLM keeps multipliers in RAM). */
  ramBytesPerChannel: number;
  /** Whether kernels need an im2col-style scratch buffer (CMSIS-NN does). */
  usesCmsisScratch: boolean;
}

export interface LayerCost {
  name: string;
  type: string;
  macs: number;
  cycles: number;
  latencyMs: number;
  /** Weights, biases and quantization parameters of this layer in flash. */
  weightBytes: number;
  /** Bytes of this layer's output tensor (0 for in-place views and fused layers). */
  outputBytes: number;
  /** 'compute' runs a kernel; 'fused' is folded into its producer; 'view' shares its input's buffer. */
  role: 'compute' | 'fused' | 'view';
}

/** Feature extraction (features.h) on the board, per hop, and what it means for streaming. */
export interface FeatureCost {
  hopMs: number;
  /** Cycles and time of one hop's frame: window, FFT, power, mel, log, quantize. */
  hopCycles: number;
  hopComputeMs: number;
  /** All frames of one clip computed at once (no streaming). */
  clipComputeMs: number;
  note: string;
}

export type BatteryId = 'cr2032' | '2xaa';

export interface BatteryLife {
  id: BatteryId;
  name: string;
  /** Usable energy assumed: nominal capacity × nominal voltage, no regulator losses. */
  capacityMwh: number;
  hours: number;
}

export interface PowerEstimate {
  activePowerMw: number;
  sleepPowerMw: number;
  /** Fraction of time the core is busy: (features per hop + inference per interval) / time. May exceed 1. */
  dutyCycle: number;
  /** Inference runs every this many ms (default: once per clip length). */
  inferenceIntervalMs: number;
  energyPerInferenceUj: number;
  energyPerHopUj: number;
  averagePowerMw: number;
  batteries: BatteryLife[];
  assumptions: string[];
}

export interface FitReport {
  board: Board;
  runtime: RuntimeId;
  dtype: Dtype;
  cycles: number;
  latencyMs: number;
  /** Energy per inference when the board has an activePowerMw figure. */
  energyUj?: number;
  arenaBytes: number;
  /** PCM input buffer and feature-extraction work buffers. */
  featureBufferBytes: number;
  /** Runtime RAM besides arena and features: interpreter state, kernel scratch, stack. */
  runtimeRamBytes: number;
  /** arena + features + runtime overhead. */
  ramBytes: number;
  /** Weights, biases and quantization parameters. */
  weightBytes: number;
  /** Runtime code, model container overhead and feature tables. */
  runtimeFlashBytes: number;
  /** weights + runtime code + tables. */
  flashBytes: number;
  fits: { flash: boolean; ram: boolean; all: boolean };
  layers: LayerCost[];
  features: FeatureCost;
  /** Busy fraction (features per hop + inference per interval); > 1 means it cannot keep up. */
  dutyCycle: number;
  /** Present when the board has an activePowerMw figure. */
  power?: PowerEstimate;
  costEvidence: Evidence;
  /** Assumptions a reader should know (e.g. no measured data for this core). */
  notes: string[];
}
