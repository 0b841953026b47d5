/**
 * FitState: board, runtime and dtype choice, and the FitReports of the current spec: on the chosen
 * board, int8 vs float32, on several boards side by side, plus suggestions backed by re-estimates.
 * estimate() is pure and fast, so everything is a $derived on the main thread.
 *
 * Which spec: a draft set by the model editor (`setDraftSpec`) wins; else the trained model's spec;
 * else the preset draft (`preset` getter: the spec the Train button would build), so the estimate is
 * live before any training.
 */
import { describeError } from '../core/errors.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import type { ModelSpec, SpecAnalysis } from '../core/model/spec.ts';
import { analyzeSpec } from '../core/model/analyze.ts';
import { BOARD_TEMPLATES, customBoard, getBoard, listBoards } from '../core/mcu/boards.ts';
import { estimate, type EstimateOptions } from '../core/mcu/estimate.ts';
import { listRuntimes } from '../core/mcu/runtimes.ts';
import { suggest, type Suggestion } from '../core/mcu/suggest.ts';
import { CORE_IDS, type Board, type CoreId, type Dtype, type FitReport as Report, type RuntimeId } from '../core/mcu/types.ts';

export const DEFAULT_BOARD_ID = 'nano33ble';
export const CUSTOM_BOARD_ID = 'custom';
/** Side by side by default: an M0+, an M4F and an M7 board. */
export const DEFAULT_COMPARE_IDS = ['arduino-zero', 'nano33ble', 'disco-f746ng'];

export type FitReport = Report;
export type SpecSource = 'draft' | 'trained' | 'preset';

export interface FitView {
  report: FitReport | null;
  error: string | null;
}

export interface CompareRow {
  board: Board;
  report: FitReport | null;
  error: string | null;
}

export interface CustomBoardFields {
  core: CoreId;
  clockMhz: number;
  sramKb: number;
  flashKb: number;
  /** 0 = unknown. */
  powerMw: number;
}

export class FitState {
  boardId = $state(DEFAULT_BOARD_ID);
  runtime = $state<RuntimeId>('earshot-c');
  dtype = $state<Dtype>('int8');
  /** Inference every this many ms while streaming (0 = once per clip). */
  intervalMs = $state(0);
  compareIds = $state<string[]>([...DEFAULT_COMPARE_IDS]);
  custom = $state<CustomBoardFields>({ core: 'cortex-m4f', clockMhz: 64, sramKb: 256, flashKb: 1024, powerMw: 0 });
  readonly boards: readonly Board[] = listBoards();
  readonly templates = BOARD_TEMPLATES;
  readonly runtimes = listRuntimes();
  readonly cores = CORE_IDS;
  #draft = $state.raw<ModelSpec | null>(null);
  readonly #trained: () => ModelSpec | null;
  readonly #preset: () => ModelSpec | null;
  readonly #config: FeatureConfig;

  constructor(spec: () => ModelSpec | null, config: FeatureConfig, preset: () => ModelSpec | null = () => null) {
    this.#trained = spec;
    this.#config = config;
    this.#preset = preset;
  }

  /** The model editor feeds its current (untrained) spec here; null returns to the trained model. */
  setDraftSpec(spec: ModelSpec | null): void {
    this.#draft = spec;
  }

  /** Start a custom board from a partly known one (e.g. Alif E7: core and clock known, memory not). */
  useTemplate(id: string): void {
    const t = BOARD_TEMPLATES.find((x) => x.id === id);
    if (!t) return;
    this.custom = { ...this.custom, core: t.core, clockMhz: t.clockMhz };
    this.boardId = CUSTOM_BOARD_ID;
  }

  source: SpecSource | null = $derived.by(() => (this.#draft ? 'draft' : this.#trained() ? 'trained' : this.#preset() ? 'preset' : null));

  #analysis: { analysis: SpecAnalysis | null; error: string | null } = $derived.by(() => {
    const spec = this.#draft ?? this.#trained() ?? this.#preset();
    if (!spec) return { analysis: null, error: null };
    try {
      return { analysis: analyzeSpec(spec), error: null };
    } catch (e) {
      return { analysis: null, error: describeError(e) };
    }
  });

  board: { board: Board | null; error: string | null } = $derived.by(() => {
    try {
      if (this.boardId !== CUSTOM_BOARD_ID) return { board: getBoard(this.boardId), error: null };
      const c = this.custom;
      return { board: customBoard({ core: c.core, clockMhz: c.clockMhz, sramKb: c.sramKb, flashKb: c.flashKb, ...(c.powerMw > 0 ? { activePowerMw: c.powerMw } : {}) }), error: null };
    } catch (e) {
      return { board: null, error: describeError(e) };
    }
  });

  options: EstimateOptions = $derived.by(() => ({
    runtime: this.runtime,
    dtype: this.dtype,
    featureConfig: this.#config,
    ...(this.intervalMs > 0 ? { inferenceIntervalMs: this.intervalMs } : {}),
  }));

  #run(board: Board, opts: EstimateOptions): FitView {
    const a = this.#analysis;
    if (!a.analysis) return { report: null, error: a.error };
    try {
      return { report: estimate(a.analysis, board, opts), error: null };
    } catch (e) {
      return { report: null, error: describeError(e) };
    }
  }

  /** Another model (a saved one) on the chosen board with the chosen options; null where it cannot be costed. */
  estimateFor(analysis: SpecAnalysis): FitReport | null {
    const b = this.board.board;
    if (!b) return null;
    try {
      return estimate(analysis, b, this.options);
    } catch {
      return null;
    }
  }

  view: FitView = $derived.by(() => {
    const b = this.board;
    if (!this.#analysis.analysis && !this.#analysis.error) return { report: null, error: null };
    if (!b.board) return { report: null, error: b.error };
    return this.#run(b.board, this.options);
  });

  /** The same model and runtime on the compare boards. */
  compare: CompareRow[] = $derived.by(() =>
    this.compareIds.flatMap((id) => {
      const board = this.boards.find((b) => b.id === id);
      return board ? [{ board, ...this.#run(board, this.options) }] : [];
    }),
  );

  /** int8 and float32 on the chosen board. */
  dtypes: { int8: FitView; float32: FitView } | null = $derived.by(() => {
    const b = this.board.board;
    if (!b || !this.#analysis.analysis) return null;
    return { int8: this.#run(b, { ...this.options, dtype: 'int8' }), float32: this.#run(b, { ...this.options, dtype: 'float32' }) };
  });

  suggestions: Suggestion[] = $derived.by(() => {
    const b = this.board.board;
    const a = this.#analysis.analysis;
    if (!b || !a) return [];
    try {
      return suggest(a, b, this.options);
    } catch {
      return [];
    }
  });

  toggleCompare(id: string): void {
    this.compareIds = this.compareIds.includes(id) ? this.compareIds.filter((x) => x !== id) : [...this.compareIds, id];
  }
}
