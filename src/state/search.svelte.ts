/**
 * SearchState: "Find the best model that fits" on the page. The core search (core/search) runs in
 * the train worker (TrainClient.search) on the project's clips, for the Fit step's board and
 * runtime and the budgets typed here (arena KB, latency ms; empty: the board's RAM, the window).
 * It keeps the progress (candidate i of n, ETA), the result as plot points, the point the user
 * picked, and what can be done with it: use the model the search already trained fully (the
 * chosen point), or train the picked one fully in the Train step, on the project's features or
 * after switching the project to the candidate's. Messages are plain words; codes go beside them.
 */
import { EarshotError } from '../core/errors.ts';
import { featureConfigKey, type FeatureConfig } from '../core/dsp/feature-config.ts';
import type { Clip } from '../core/dataset/clip.ts';
import type { Board, RuntimeId } from '../core/mcu/types.ts';
import type { SearchCandidate } from '../core/search/candidates.ts';
import type { SearchBudget } from '../core/search/budget.ts';
import type { SearchProgress, SearchResult, SearchRowStatus } from '../core/search/search.ts';
import { serializeModel, type ModelArtifact } from '../core/model/artifact.ts';
import type { ClipStore } from '../platform/clip-store.ts';
import type { TrainClient } from '../workers/train-bridge.ts';
import type { DatasetState } from './dataset.svelte.ts';
import type { DesignState } from './design.svelte.ts';
import type { FeaturesState } from './features.svelte.ts';
import type { FitState } from './fit.svelte.ts';
import { extraClipsOf, formatEta, knownSpeakers, partitionClips, toLabeled, type ModelState } from './model.svelte.ts';
import { plainError, type Problem } from './plain-error.ts';

export type SearchStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

/** One candidate on the plot: trained ones have an accuracy; the others sit in the "not trained" strip. */
export interface SearchPoint {
  /** Index into the result's rows. */
  row: number;
  candidate: SearchCandidate;
  status: SearchRowStatus;
  accuracy: number | null;
  latencyMs: number;
  arenaBytes: number;
  onFront: boolean;
  chosen: boolean;
  /** Network, features, accuracy, latency, arena in words (tooltip and button label). */
  label: string;
}

/** What the page does with a picked candidate (app wiring in connectSearch; fakes in tests). */
export interface SearchDeps {
  client: () => Pick<TrainClient, 'search' | 'cancel'>;
  clips: () => readonly Clip[];
  /** The features the page (and the Train step) runs on: the project's at load. */
  config: FeatureConfig;
  board: () => Board | null;
  runtime: () => RuntimeId;
  /** Make an artifact the current model (kept under `name` among the saved models). */
  useModel: (name: string, artifact: ModelArtifact) => Promise<void>;
  /** Set Design and Train to this candidate's network and train it fully on the project's features. */
  trainFully: (c: SearchCandidate) => Promise<void>;
  /** Save the candidate's features into the project (the page trains on them after a reload) and its network into Design. */
  switchFeatures: (c: SearchCandidate) => void;
}

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'not trained' : `${(x * 100).toFixed(1)}%`);
const kbText = (b: number): string => `${(b / 1024).toFixed(1)} KB`;

/** "ds-cnn-s, width 32, depth 2, dropout 0.2". */
export function networkText(c: SearchCandidate): string {
  return `${c.preset}, width ${c.width}, depth ${c.depth}, dropout ${c.dropout}`;
}

/** A saved-model name (at most 40 characters, no '/'). */
export function modelName(c: SearchCandidate): string {
  return `search ${c.preset} w${c.width} d${c.depth} h${c.features.config.hopMs} m${c.features.config.melBands}`.slice(0, 40);
}

/** In plain words how the candidate's features differ from the project's; null when they are the same. */
export function featureDifference(candidate: FeatureConfig, project: FeatureConfig): string | null {
  if (featureConfigKey(candidate) === featureConfigKey(project)) return null;
  const words = (c: FeatureConfig) => `a hop of ${c.hopMs} ms and ${c.melBands} mel bands`;
  return `This model listens with ${words(candidate)}; your project uses ${words(project)}.`;
}

/** The plot's points: every row whose cost could be estimated. */
export function searchPoints(r: SearchResult): SearchPoint[] {
  const front = new Set(r.front);
  return r.rows.flatMap((row) => {
    if (!row.fit) return [];
    const accuracy = row.status === 'trained' && Number.isFinite(row.valAccuracy) ? row.valAccuracy! : null;
    const why = row.status === 'rejected' ? ` · does not fit: ${row.reasons.join(', ')}` : row.status === 'skipped' ? ' · fits, not tried (time ran out)' : '';
    const label = `${networkText(row.candidate)} · features: ${row.candidate.features.label} · accuracy on held-out speakers ${pct(accuracy)} · latency ${row.fit.latencyMs.toFixed(1)} ms · arena ${kbText(row.fit.arenaBytes)}${why}`;
    return [{ row: row.index, candidate: row.candidate, status: row.status, accuracy, latencyMs: row.fit.latencyMs, arenaBytes: row.fit.arenaBytes, onFront: front.has(row.index), chosen: row.index === r.chosen, label }];
  });
}

export class SearchState {
  /** Time for the short ranking runs (the full run of the best one comes after). */
  minutes = $state(2);
  /** Budgets; null: what the board's RAM holds, and the window length. */
  arenaKb = $state<number | null>(null);
  latencyMs = $state<number | null>(null);
  rankEpochs = $state(4);
  finalEpochs = $state(30);
  seed = $state(1);

  status = $state<SearchStatus>('idle');
  progress = $state.raw<SearchProgress | null>(null);
  /** Epoch of the final run, with the ETA worked out from its pace. */
  finalEpoch = $state.raw<{ epoch: number; epochs: number; etaMs: number } | null>(null);
  problem = $state.raw<Problem | null>(null);
  result = $state.raw<SearchResult | null>(null);
  /** The row the user picked (the chosen one after a search). */
  selected = $state<number | null>(null);
  /** What the last action did, in words. */
  done = $state<string | null>(null);

  readonly #deps: SearchDeps;

  constructor(deps: SearchDeps) {
    this.#deps = deps;
  }

  speakers: string[] = $derived.by(() => knownSpeakers(this.#deps.clips()));
  budget: SearchBudget = $derived({
    ...(this.arenaKb !== null && Number(this.arenaKb) > 0 ? { arenaBytes: Number(this.arenaKb) * 1024 } : {}),
    ...(this.latencyMs !== null && Number(this.latencyMs) > 0 ? { latencyMs: Number(this.latencyMs) } : {}),
  });
  /** The window: the default latency budget (one inference per window). */
  get windowMs(): number {
    return this.#deps.config.clipMs;
  }
  /** The latency line on the plot: the budget, else the window (the search's default). */
  latencyBudgetMs: number = $derived.by(() => this.budget.latencyMs ?? this.#deps.config.clipMs);
  points: SearchPoint[] = $derived(this.result ? searchPoints(this.result) : []);
  picked: SearchPoint | null = $derived(this.points.find((p) => p.row === this.selected) ?? null);
  /** How the picked candidate's features differ from the project's (null: the same). */
  pickedDifference: string | null = $derived.by(() => (this.picked ? featureDifference(this.picked.candidate.features.config, this.#deps.config) : null));

  /** "Trying candidate 3 of 40, about 1 min 5 s left" while it runs. */
  get progressText(): string {
    const p = this.progress;
    if (!p) return 'Starting…';
    if (p.phase === 'rank') return `Trying candidate ${p.index} of ${p.total}: ${networkText(p.candidate)}, about ${formatEta(p.etaMs)} left for the short runs`;
    const e = this.finalEpoch;
    return `Training the best one fully: epoch ${e?.epoch ?? 0} of ${e?.epochs ?? this.finalEpochs}, about ${formatEta(e?.etaMs ?? p.etaMs)} left`;
  }

  async start(): Promise<void> {
    if (this.status === 'running') return;
    const board = this.#deps.board();
    this.problem = null;
    this.done = null;
    if (this.speakers.length < 2) {
      this.problem = { message: 'The search needs clips from at least two speakers.', code: 'search/bad-options' };
      return;
    }
    if (!board) {
      this.problem = { message: 'Choose a board in the Fit step first.', code: 'search/bad-options' };
      return;
    }
    this.status = 'running';
    this.progress = null;
    this.finalEpoch = null;
    const started = { final: 0 };
    try {
      const result = await this.#deps.client().search(
        {
          // speakers, ranking and the held-out voices: the regular clips; the training-only ones only train
          clips: toLabeled(partitionClips(this.#deps.clips()).regular),
          extraClips: extraClipsOf(this.#deps.clips()),
          featureConfig: this.#deps.config,
          board,
          runtime: this.#deps.runtime(),
          budget: this.budget,
          minutes: Number(this.minutes),
          seed: Math.round(Number(this.seed)),
          rankEpochs: Math.round(Number(this.rankEpochs)),
          finalEpochs: Math.round(Number(this.finalEpochs)),
        },
        (p) => {
          this.progress = p;
          if (p.phase === 'final') started.final = Date.now();
        },
        (e) => {
          const perEpoch = (Date.now() - started.final) / e.epoch;
          this.finalEpoch = { epoch: e.epoch, epochs: e.epochs, etaMs: perEpoch * (e.epochs - e.epoch) };
        },
      );
      this.result = result;
      this.selected = result.chosen;
      this.status = 'done';
    } catch (e) {
      if (e instanceof EarshotError && e.code === 'search/cancelled') {
        this.status = 'cancelled';
      } else {
        this.status = 'error';
        this.problem = plainError(e);
      }
    } finally {
      this.progress = null;
      this.finalEpoch = null;
    }
  }

  cancel(): void {
    if (this.status === 'running') this.#deps.client().cancel();
  }

  select(row: number): void {
    if (this.points.some((p) => p.row === row && p.status === 'trained')) {
      this.selected = row;
      this.done = null;
    }
  }

  /** The picked point is the chosen one, whose fully trained model the search returned. */
  get canUseTrained(): boolean {
    return this.picked !== null && this.picked.chosen && this.result !== null;
  }

  async useTrained(): Promise<void> {
    const r = this.result;
    const p = this.picked;
    if (!r || !p?.chosen) return;
    const name = modelName(p.candidate);
    try {
      await this.#deps.useModel(name, r.artifact);
      this.done = `The search's model is now the current one (kept as “${name}”): evaluate, quantize and export it in the next steps.`;
    } catch (e) {
      this.problem = plainError(e);
    }
  }

  /** Design and Train take the picked network and train it fully (on the project's features). */
  async trainPicked(): Promise<void> {
    const p = this.picked;
    if (!p) return;
    this.done = `Training ${networkText(p.candidate)} fully in the Train step.`;
    try {
      await this.#deps.trainFully(p.candidate);
    } catch (e) {
      this.problem = plainError(e);
    }
  }

  /** Save the picked candidate's features into the project (training uses them after a reload). */
  switchFeatures(): void {
    const p = this.picked;
    if (!p) return;
    this.#deps.switchFeatures(p.candidate);
    this.done = `The project now uses ${p.candidate.features.label}. Reload the page to train with them: the Design step keeps this network; tick “Train this design instead of the preset” there, then train.`;
  }
}

/** The page's state objects the search works with (the app's; read when used, so getters may point at objects made later). */
export interface SearchParts {
  train: () => TrainClient;
  store: Pick<ClipStore, 'saveNamedModel'>;
  config: FeatureConfig;
  dataset: Pick<DatasetState, 'clips' | 'classes'>;
  fit: Pick<FitState, 'board' | 'runtime'>;
  model: Pick<ModelState, 'preset' | 'customSpec' | 'train' | 'refreshSaved' | 'useSaved'>;
  design: Pick<DesignState, 'loadPreset' | 'check' | 'presetError'>;
  features: Pick<FeaturesState, 'setConfig'>;
}

/** SearchState wired to the page: Fit's board, the dataset's clips, Design/Train for the full run. */
export function connectSearch(parts: SearchParts): SearchState {
  const { dataset, model } = parts;
  /** The Design step shows the candidate's network, and Train trains it instead of the preset. */
  const design_ = (c: SearchCandidate) => {
    const design = parts.design;
    design.loadPreset(c.preset, Math.max(2, dataset.classes.length), { width: c.width, depth: c.depth, dropout: c.dropout });
    const spec = design.check.analysis?.spec;
    if (design.presetError || !spec) throw new EarshotError('spec/invalid', `this network cannot be built for the project's features: ${design.presetError ?? design.check.error ?? 'unknown reason'}`);
    model.preset = c.preset;
    model.customSpec = spec;
  };
  return new SearchState({
    client: parts.train,
    clips: () => dataset.clips,
    config: parts.config,
    board: () => parts.fit.board.board,
    runtime: () => parts.fit.runtime,
    useModel: async (name, artifact) => {
      await parts.store.saveNamedModel(name, serializeModel(artifact));
      await model.refreshSaved();
      await model.useSaved(name);
    },
    trainFully: async (c) => {
      design_(c);
      await model.train(dataset.clips);
    },
    switchFeatures: (c) => {
      parts.features.setConfig(c.features.config);
      design_(c); // kept in the project's design draft across the reload
    },
  });
}
