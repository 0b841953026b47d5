/**
 * FitState: board choice and the FitReport of the current spec on it. estimate() is pure and
 * fast, so it runs on the main thread as a $derived.
 */
import { describeError } from '../core/errors.ts';
import { featureShape, type FeatureConfig } from '../core/dsp/feature-config.ts';
import type { ModelSpec } from '../core/model/spec.ts';
import { analyzeSpec } from '../core/model/analyze.ts';
import { listBoards, getBoard } from '../core/mcu/boards.ts';
import { estimate } from '../core/mcu/estimate.ts';
import type { Board } from '../core/mcu/types.ts';

export const DEFAULT_BOARD_ID = 'nano33ble';

export type FitReport = ReturnType<typeof estimate>;

export interface FitView {
  report: FitReport | null;
  error: string | null;
}

export class FitState {
  boardId = $state(DEFAULT_BOARD_ID);
  readonly boards: readonly Board[] = listBoards();
  readonly #spec: () => ModelSpec | null;
  readonly #config: FeatureConfig;

  view: FitView = $derived.by(() => {
    const spec = this.#spec();
    if (!spec) return { report: null, error: null };
    try {
      const report = estimate(analyzeSpec(spec), getBoard(this.boardId), { featureShape: featureShape(this.#config) });
      return { report, error: null };
    } catch (e) {
      return { report: null, error: describeError(e) };
    }
  });

  constructor(spec: () => ModelSpec | null, config: FeatureConfig) {
    this.#spec = spec;
    this.#config = config;
  }
}
