/**
 * DesignState: the model editor's draft ModelSpec. Layers are edited as plain values (option
 * fields as text the user types); every change re-analyses the spec (analyzeSpec is pure and
 * fast), so shapes, parameters and MACs are live, and an invalid spec names the layer at fault:
 * the first prefix of the layer list that fails analysis ends with that layer.
 */
import { TRAIN_DEFAULTS } from '../core/pipeline/train-defaults.ts';
import { EarshotError, describeError } from '../core/errors.ts';
import type { DesignDraft } from '../core/dataset/project.ts';
import { analyzeSpec, normalizeSpec } from '../core/model/analyze.ts';
import { presetSpec } from '../core/model/presets.ts';
import type { LayerInfo, LayerSpec, LayerType, ModelSpec, SpecAnalysis } from '../core/model/spec.ts';

export const LAYER_TYPES: readonly LayerType[] = [
  'conv2d', 'depthwiseConv2d', 'separableConv2d', 'dense', 'maxPooling2d', 'averagePooling2d',
  'globalAveragePooling2d', 'flatten', 'reshape', 'batchNormalization', 'dropout', 'activation', 'add',
];

/** How a field is typed in: int, number, pair ("3" or "3,3"), list of ints, a choice, a flag, names. */
export type FieldKind = 'int' | 'number' | 'pair' | 'ints' | 'padding' | 'activation' | 'bool' | 'names';
export const FIELDS: Record<LayerType, [string, FieldKind][]> = {
  conv2d: [['filters', 'int'], ['kernelSize', 'pair'], ['strides', 'pair'], ['padding', 'padding'], ['activation', 'activation'], ['useBias', 'bool']],
  depthwiseConv2d: [['kernelSize', 'pair'], ['depthMultiplier', 'int'], ['strides', 'pair'], ['padding', 'padding'], ['activation', 'activation'], ['useBias', 'bool']],
  separableConv2d: [['filters', 'int'], ['kernelSize', 'pair'], ['depthMultiplier', 'int'], ['strides', 'pair'], ['padding', 'padding'], ['activation', 'activation'], ['useBias', 'bool']],
  dense: [['units', 'int'], ['activation', 'activation'], ['useBias', 'bool']],
  maxPooling2d: [['poolSize', 'pair'], ['strides', 'pair'], ['padding', 'padding']],
  averagePooling2d: [['poolSize', 'pair'], ['strides', 'pair'], ['padding', 'padding']],
  globalAveragePooling2d: [],
  flatten: [],
  reshape: [['targetShape', 'ints']],
  batchNormalization: [['epsilon', 'number'], ['momentum', 'number']],
  dropout: [['rate', 'number']],
  activation: [['activation', 'activation']],
  add: [['inputs', 'names']],
};

/** A new layer of a type with the options it needs. */
export function defaultLayer(type: LayerType): LayerSpec {
  switch (type) {
    case 'conv2d': return { type, filters: 8, kernelSize: [3, 3], padding: 'same', activation: 'relu' };
    case 'depthwiseConv2d': return { type, kernelSize: [3, 3], padding: 'same', activation: 'relu' };
    case 'separableConv2d': return { type, filters: 16, kernelSize: [3, 3], padding: 'same', activation: 'relu' };
    case 'dense': return { type, units: 2, activation: 'softmax' };
    case 'maxPooling2d':
    case 'averagePooling2d': return { type, poolSize: [2, 2] };
    case 'reshape': return { type, targetShape: [-1] };
    case 'dropout': return { type, rate: 0.2 };
    case 'activation': return { type, activation: 'relu' };
    case 'add': return { type, inputs: [] };
    default: return { type } as LayerSpec;
  }
}

/** Text form of a field value for an input box. */
export function fieldText(v: unknown): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/** Parse what was typed into a field; '' removes the option (the default applies). Throws on bad text. */
export function parseField(kind: FieldKind, text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  const nums = () => t.split(/[\s,x×]+/).filter(Boolean).map(Number);
  switch (kind) {
    case 'int':
    case 'number': {
      const n = Number(t);
      if (!Number.isFinite(n)) throw new EarshotError('spec/invalid', `"${t}" is not a number`);
      return n;
    }
    case 'pair': {
      const v = nums();
      if (v.length === 1) return v[0];
      if (v.length !== 2 || v.some((n) => !Number.isFinite(n))) throw new EarshotError('spec/invalid', `"${t}" is not a number or a pair like 3, 3`);
      return v;
    }
    case 'ints': {
      const v = nums();
      if (v.some((n) => !Number.isFinite(n))) throw new EarshotError('spec/invalid', `"${t}" is not a list of numbers`);
      return v;
    }
    case 'bool':
      return t === 'true';
    case 'names':
      return t.split(/[\s,]+/).filter(Boolean);
    default:
      return t;
  }
}

export interface DesignCheck {
  analysis: SpecAnalysis | null;
  /** Per layer: its analysis (up to the first invalid layer). */
  layers: (LayerInfo | null)[];
  error: string | null;
  /** Index of the layer the error is about; null when it concerns the whole spec. */
  errorLayer: number | null;
}

/** Analyse a draft; on failure find the first layer whose prefix fails. */
export function checkDesign(spec: ModelSpec): DesignCheck {
  try {
    const a = analyzeSpec(spec);
    return { analysis: a, layers: a.layers, error: null, errorLayer: null };
  } catch (e) {
    const error = describeError(e);
    let good: LayerInfo[] = [];
    // A prefix is analysed with a probe classifier after it (a spec must end with a dense layer):
    // flatten + dense for a map, dense alone for a vector.
    const dense: LayerSpec = { type: 'dense', name: 'zzprobedense', units: 2 };
    const probes: LayerSpec[][] = [[{ type: 'flatten', name: 'zzprobeflatten' }, dense], [dense]];
    for (let k = 1; k <= spec.layers.length; k++) {
      const prefix = spec.layers.slice(0, k);
      let failure: unknown = null;
      let ok = false;
      for (const probe of probes) {
        try {
          good = analyzeSpec({ ...spec, layers: [...prefix, ...probe] }).layers.slice(0, k);
          ok = true;
          break;
        } catch (inner) {
          failure ??= inner;
        }
      }
      if (!ok) return { analysis: null, layers: spec.layers.map((_, i) => good[i] ?? null), error: describeError(failure), errorLayer: k - 1 };
    }
    const last = spec.layers.length - 1;
    return { analysis: null, layers: spec.layers.map((_, i) => good[i] ?? null), error, errorLayer: /last layer/.test(error) && last >= 0 ? last : null };
  }
}

export class DesignState {
  name = $state('my-model');
  inputShape = $state<[number, number, number]>([49, 40, 1]);
  layers = $state<LayerSpec[]>([]);
  /** Messages of fields whose text did not parse, by "layer:field". */
  fieldErrors = $state<Record<string, string>>({});
  importError = $state<string | null>(null);
  /** Why the last preset could not be loaded (a width or depth out of range); the layers stay. */
  presetError = $state<string | null>(null);

  spec = $derived<ModelSpec>({ version: 1, name: this.name, input: { shape: [...this.inputShape] }, layers: $state.snapshot(this.layers) as LayerSpec[] });
  check = $derived(checkDesign(this.spec));

  /** Why the last draft could not be saved (the draft itself stays in the page). */
  saveError = $state<string | null>(null);
  #save: ((d: DesignDraft) => Promise<void>) | undefined;
  #saving: Promise<void> = Promise.resolve();

  /**
   * Starts from `opts.draft` (the project's saved draft) when given, else the preset. `opts.save`
   * receives the draft after every change, one save after another (the page keeps it in the
   * project, so a reload finds the network as it was left).
   */
  constructor(inputShape: [number, number, number], classes: number, preset: string = TRAIN_DEFAULTS.preset, opts: { draft?: DesignDraft; save?: (d: DesignDraft) => Promise<void> } = {}) {
    this.inputShape = inputShape;
    if (opts.draft) {
      this.name = opts.draft.name;
      this.layers = opts.draft.layers;
    } else {
      this.loadPreset(preset, classes);
    }
    this.#save = opts.save; // the starting point is not a change
  }

  /** The draft as saved: name and layers, as plain data. */
  get draft(): DesignDraft {
    return { name: this.name, layers: $state.snapshot(this.layers) as LayerSpec[] };
  }

  /** Settles when every save asked for so far is done. */
  saved(): Promise<void> {
    return this.#saving;
  }

  #changed(): void {
    const save = this.#save;
    if (!save) return;
    const d = this.draft;
    this.#saving = this.#saving.then(async () => {
      try {
        await save(d);
        this.saveError = null;
      } catch (e) {
        this.saveError = `the network draft could not be saved: ${describeError(e)}`;
      }
    });
  }

  /** Load a preset sized by its width (channels), depth (layers or blocks) and dropout knobs; absent knobs take the preset's defaults. */
  loadPreset(name: string, classes: number, knobs: { width?: number; depth?: number; dropout?: number } = {}): void {
    try {
      const s = presetSpec(name, this.inputShape, Math.max(2, classes), knobs);
      this.name = name;
      this.layers = s.layers.map(({ inputs: _inputs, ...l }) => l as LayerSpec);
      this.fieldErrors = {};
      this.presetError = null;
      this.#changed();
    } catch (e) {
      this.presetError = describeError(e);
    }
  }

  add(type: LayerType, at = this.layers.length): void {
    this.layers.splice(at, 0, defaultLayer(type));
    this.#changed();
  }

  remove(i: number): void {
    this.layers.splice(i, 1);
    this.#changed();
  }

  move(i: number, by: -1 | 1): void {
    const j = i + by;
    if (j < 0 || j >= this.layers.length) return;
    const [l] = this.layers.splice(i, 1);
    this.layers.splice(j, 0, l!);
    this.#changed();
  }

  setType(i: number, type: LayerType): void {
    const name = this.layers[i]?.name;
    this.layers[i] = { ...defaultLayer(type), ...(name ? { name } : {}) };
    this.#changed();
  }

  /** Set a field from typed text; a parse error is kept on that field and the layer is unchanged. */
  setField(i: number, key: string, kind: FieldKind, text: string): void {
    const id = `${i}:${key}`;
    try {
      const v = parseField(kind, text);
      const l = { ...(this.layers[i] as unknown as Record<string, unknown>) };
      if (v === undefined) delete l[key];
      else l[key] = v;
      this.layers[i] = l as unknown as LayerSpec;
      const { [id]: _gone, ...rest } = this.fieldErrors;
      this.fieldErrors = rest;
      this.#changed();
    } catch (e) {
      this.fieldErrors = { ...this.fieldErrors, [id]: e instanceof Error ? e.message : String(e) };
    }
  }

  exportJson(): string {
    return JSON.stringify(this.spec, null, 2);
  }

  /** Replace the draft by a ModelSpec JSON (validated as ModelSpec; its input shape is kept only if it matches the features). */
  importJson(text: string): void {
    try {
      const spec = normalizeSpec(JSON.parse(text) as unknown);
      const [h, w, c] = spec.input.shape;
      const [H, W, C] = this.inputShape;
      if (h !== H || w !== W || c !== C) throw new EarshotError('spec/invalid', `the spec's input [${h}, ${w}, ${c}] does not match the features [${H}, ${W}, ${C}]`);
      this.name = spec.name ?? 'imported';
      this.layers = spec.layers;
      this.importError = null;
      this.#changed();
    } catch (e) {
      this.importError = e instanceof SyntaxError ? `not JSON: ${e.message}` : describeError(e);
    }
  }
}
