/**
 * LiveState: continuous classification of the microphone with the current model. Windows of
 * clip length every `windowHopMs` (core SlidingWindow), classified in the train worker (int8 when
 * the model is quantized, as the firmware does), then core/quant/postprocess.ts (average,
 * threshold, suppression) — the same post-processor the exported C runs. The settings are saved
 * with the model (artifact.postprocessing) so the firmware export uses them.
 */
import { describeError } from '../core/errors.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import { SlidingWindow } from '../core/pipeline/live-window.ts';
import { createPostprocessor, DEFAULT_POSTPROCESSING, validatePostprocessing, type PostprocessingSettings } from '../core/quant/postprocess.ts';
import type { Microphone, OpenMicrophone } from '../platform/microphone.ts';
import type { TrainClient } from '../workers/train-bridge.ts';
import type { ModelState } from './model.svelte.ts';

export interface LivePoint {
  tMs: number;
  /** Averaged probabilities (what the threshold sees). */
  probs: number[];
}
export interface LiveDetection {
  tMs: number;
  label: string;
  probability: number;
}

/** Points kept in the scrolling timeline. */
export const TIMELINE_POINTS = 80;

export class LiveState {
  settings = $state<PostprocessingSettings>({ ...DEFAULT_POSTPROCESSING });
  status = $state<'idle' | 'starting' | 'running' | 'error'>('idle');
  error = $state<string | null>(null);
  timeline = $state.raw<LivePoint[]>([]);
  detections = $state.raw<LiveDetection[]>([]);
  /** Windows classified and windows skipped because classification fell behind. */
  windows = $state(0);
  dropped = $state(0);

  readonly #client: () => TrainClient;
  readonly #open: OpenMicrophone;
  readonly #model: ModelState;
  readonly #config: FeatureConfig;
  #mic: Microphone | null = null;
  #stopBlocks: (() => void) | null = null;
  #session = 0;

  constructor(client: () => TrainClient, open: OpenMicrophone, model: ModelState, config: FeatureConfig) {
    this.#client = client;
    this.#open = open;
    this.#model = model;
    this.#config = config;
  }

  /** Take the saved settings of the current model (if it has any). */
  loadFromModel(): void {
    const saved = this.#model.artifact?.postprocessing;
    if (saved) this.settings = { ...validatePostprocessing(saved) };
  }

  async start(): Promise<void> {
    const artifact = this.#model.artifact;
    if (!artifact || this.status === 'running' || this.status === 'starting') return;
    this.status = 'starting';
    this.error = null;
    this.timeline = [];
    this.detections = [];
    this.windows = 0;
    this.dropped = 0;
    const session = ++this.#session;
    try {
      const settings = validatePostprocessing($state.snapshot(this.settings));
      const client = this.#client();
      await client.setLiveModel(artifact);
      const mic = await this.#open();
      if (session !== this.#session) {
        await mic.close();
        return;
      }
      this.#mic = mic;
      const window = new SlidingWindow({ inputRateHz: mic.sampleRateHz, modelRateHz: this.#config.sampleRateHz, clipMs: this.#config.clipMs, hopMs: settings.windowHopMs });
      const pp = createPostprocessor(settings, artifact.labels.length);
      let busy = false;
      let pending: Float32Array | null = null;
      const started = performance.now();
      const run = async (w: Float32Array): Promise<void> => {
        busy = true;
        try {
          const probs = await client.classifyLive(w);
          if (session !== this.#session) return;
          const hit = pp.push(probs);
          const tMs = Math.round(performance.now() - started);
          this.windows++;
          this.timeline = [...this.timeline.slice(-(TIMELINE_POINTS - 1)), { tMs, probs: Array.from(pp.average) }];
          if (hit) this.detections = [...this.detections.slice(-19), { tMs, label: artifact.labels[hit.classIndex]!, probability: hit.probability }];
        } catch (e) {
          this.error = describeError(e);
        } finally {
          busy = false;
        }
        if (pending && session === this.#session) {
          const next = pending;
          pending = null;
          void run(next);
        }
      };
      this.#stopBlocks = mic.onBlock((b) => {
        for (const w of window.push(b)) {
          if (!busy) void run(w);
          else {
            if (pending) this.dropped++;
            pending = w; // keep only the newest window while one is being classified
          }
        }
      });
      this.status = 'running';
    } catch (e) {
      this.status = 'error';
      this.error = describeError(e);
      await this.stop();
      this.status = 'error';
    }
  }

  async stop(): Promise<void> {
    this.#session++;
    this.#stopBlocks?.();
    this.#stopBlocks = null;
    const mic = this.#mic;
    this.#mic = null;
    if (this.status !== 'error') this.status = 'idle';
    await mic?.close();
  }

  /** Save the settings with the model (artifact.postprocessing), for the firmware export. */
  async saveSettings(): Promise<void> {
    try {
      await this.#model.setPostprocessing(validatePostprocessing($state.snapshot(this.settings)));
    } catch (e) {
      this.error = describeError(e);
    }
  }
}
