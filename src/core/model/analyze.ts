/**
 * ModelSpec validation and analysis: normalizeSpec fills defaults the way tfjs-layers does and
 * checks every rule (throwing EarshotError 'spec/invalid' naming the layer at fault);
 * analyzeSpec adds per-layer shapes, parameter counts (as tfjs `countParams()`) and MACs.
 *
 * Normalized form: every layer has a unique `name` and explicit `inputs`; kernelSize, strides
 * and poolSize are [h, w] pairs; padding, activation, useBias, depthMultiplier, epsilon and
 * momentum are filled. Output shapes follow tfjs `convOutputLength` (dilation 1):
 *   same: ceil(in / stride), valid: ceil((in - k + 1) / stride).
 */
import { EarshotError } from '../errors.ts';
import type {
  Activation,
  LayerInfo,
  LayerSpec,
  LayerType,
  ModelSpec,
  Padding,
  SpecAnalysis,
} from './spec.ts';

export const INPUT_NAME = 'input';

const LAYER_TYPES: readonly LayerType[] = [
  'conv2d',
  'depthwiseConv2d',
  'separableConv2d',
  'dense',
  'maxPooling2d',
  'averagePooling2d',
  'globalAveragePooling2d',
  'flatten',
  'reshape',
  'batchNormalization',
  'dropout',
  'activation',
  'add',
];
const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'relu6', 'softmax'];
const PADDINGS: readonly Padding[] = ['same', 'valid'];

/** Allowed option keys per layer type (besides type, name, inputs). */
const OPTION_KEYS: Record<LayerType, readonly string[]> = {
  conv2d: ['filters', 'kernelSize', 'strides', 'padding', 'activation', 'useBias'],
  depthwiseConv2d: ['kernelSize', 'depthMultiplier', 'strides', 'padding', 'activation', 'useBias'],
  separableConv2d: ['filters', 'kernelSize', 'depthMultiplier', 'strides', 'padding', 'activation', 'useBias'],
  dense: ['units', 'activation', 'useBias'],
  maxPooling2d: ['poolSize', 'strides', 'padding'],
  averagePooling2d: ['poolSize', 'strides', 'padding'],
  globalAveragePooling2d: [],
  flatten: [],
  reshape: ['targetShape'],
  batchNormalization: ['epsilon', 'momentum'],
  dropout: ['rate'],
  activation: ['activation'],
  add: [],
};

/** tfjs-layers defaults (BatchNormalization: epsilon 1e-3, momentum 0.99). */
export const BN_DEFAULT_EPSILON = 1e-3;
export const BN_DEFAULT_MOMENTUM = 0.99;

const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;

function invalid(message: string): never {
  throw new EarshotError('spec/invalid', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function posInt(where: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) invalid(`${where}: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function pair(where: string, key: string, v: unknown): [number, number] {
  if (typeof v === 'number') {
    posInt(where, key, v);
    return [v, v];
  }
  if (Array.isArray(v) && v.length === 2) {
    return [posInt(where, `${key}[0]`, v[0]), posInt(where, `${key}[1]`, v[1])];
  }
  return invalid(`${where}: ${key} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
}

function padding(where: string, v: unknown): Padding {
  const p = v ?? 'valid';
  if (!PADDINGS.includes(p as Padding)) invalid(`${where}: padding must be 'same' or 'valid', got ${JSON.stringify(v)}`);
  return p as Padding;
}

function activation(where: string, v: unknown, dflt: Activation | undefined): Activation {
  const a = v ?? dflt;
  if (!ACTIVATIONS.includes(a as Activation)) invalid(`${where}: activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(v)}`);
  return a as Activation;
}

function bool(where: string, key: string, v: unknown, dflt: boolean): boolean {
  const b = v ?? dflt;
  if (typeof b !== 'boolean') invalid(`${where}: ${key} must be true or false, got ${JSON.stringify(v)}`);
  return b;
}

/** tfjs convOutputLength with dilation 1. */
export function convOutputLength(inLen: number, k: number, pad: Padding, stride: number): number {
  const len = pad === 'same' ? inLen : inLen - k + 1;
  return Math.floor((len + stride - 1) / stride);
}

function shapeStr(s: number[]): string {
  return `[${s.join(', ')}]`;
}

/** One layer's options, defaulted and checked (no shape checks yet). */
function normalizeLayer(raw: unknown, index: number): LayerSpec {
  if (!isRecord(raw)) invalid(`layer ${index}: must be an object`);
  const type = raw.type;
  if (typeof type !== 'string' || !LAYER_TYPES.includes(type as LayerType)) {
    invalid(`layer ${index}: unknown type ${JSON.stringify(type)} (known: ${LAYER_TYPES.join(', ')})`);
  }
  const t = type as LayerType;
  let name: string;
  if (raw.name === undefined) name = `${t}_${index}`;
  else if (typeof raw.name !== 'string' || !NAME_RE.test(raw.name)) {
    invalid(`layer ${index}: name ${JSON.stringify(raw.name)} must start with a letter and use only letters, digits, '_' and '-'`);
  } else name = raw.name;
  const where = `layer ${name}`;
  if (name === INPUT_NAME) invalid(`${where}: the name '${INPUT_NAME}' is reserved for the model input`);
  const allowed = new Set(['type', 'name', 'inputs', ...OPTION_KEYS[t]]);
  for (const k of Object.keys(raw)) {
    if (!allowed.has(k) && raw[k] !== undefined) invalid(`${where}: unknown option '${k}' for ${t} (allowed: ${OPTION_KEYS[t].join(', ') || 'none'})`);
  }
  let inputs: string[] | undefined;
  if (raw.inputs !== undefined) {
    if (!Array.isArray(raw.inputs) || raw.inputs.length === 0 || !raw.inputs.every((s) => typeof s === 'string')) {
      invalid(`${where}: inputs must be a non-empty list of layer names`);
    }
    inputs = [...(raw.inputs as string[])];
  }
  const base = { name, ...(inputs ? { inputs } : {}) };
  switch (t) {
    case 'conv2d':
      return {
        type: t,
        ...base,
        filters: posInt(where, 'filters', raw.filters),
        kernelSize: pair(where, 'kernelSize', raw.kernelSize),
        strides: pair(where, 'strides', raw.strides ?? 1),
        padding: padding(where, raw.padding),
        activation: activation(where, raw.activation, 'linear'),
        useBias: bool(where, 'useBias', raw.useBias, true),
      };
    case 'depthwiseConv2d':
      return {
        type: t,
        ...base,
        kernelSize: pair(where, 'kernelSize', raw.kernelSize),
        depthMultiplier: posInt(where, 'depthMultiplier', raw.depthMultiplier ?? 1),
        strides: pair(where, 'strides', raw.strides ?? 1),
        padding: padding(where, raw.padding),
        activation: activation(where, raw.activation, 'linear'),
        useBias: bool(where, 'useBias', raw.useBias, true),
      };
    case 'separableConv2d':
      return {
        type: t,
        ...base,
        filters: posInt(where, 'filters', raw.filters),
        kernelSize: pair(where, 'kernelSize', raw.kernelSize),
        depthMultiplier: posInt(where, 'depthMultiplier', raw.depthMultiplier ?? 1),
        strides: pair(where, 'strides', raw.strides ?? 1),
        padding: padding(where, raw.padding),
        activation: activation(where, raw.activation, 'linear'),
        useBias: bool(where, 'useBias', raw.useBias, true),
      };
    case 'dense':
      return {
        type: t,
        ...base,
        units: posInt(where, 'units', raw.units),
        activation: activation(where, raw.activation, 'linear'),
        useBias: bool(where, 'useBias', raw.useBias, true),
      };
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const poolSize = pair(where, 'poolSize', raw.poolSize);
      return {
        type: t,
        ...base,
        poolSize,
        strides: raw.strides === undefined ? [poolSize[0], poolSize[1]] : pair(where, 'strides', raw.strides),
        padding: padding(where, raw.padding),
      };
    }
    case 'globalAveragePooling2d':
    case 'flatten':
      return { type: t, ...base };
    case 'reshape': {
      const ts = raw.targetShape;
      if (!Array.isArray(ts) || ts.length < 1 || ts.length > 3) invalid(`${where}: targetShape must be a list of 1 to 3 sizes`);
      const unknowns = ts.filter((d) => d === -1).length;
      if (unknowns > 1 || !ts.every((d) => d === -1 || (typeof d === 'number' && Number.isInteger(d) && d >= 1))) {
        invalid(`${where}: targetShape sizes must be positive integers, with at most one -1, got ${JSON.stringify(ts)}`);
      }
      return { type: t, ...base, targetShape: [...(ts as number[])] };
    }
    case 'batchNormalization': {
      const epsilon = raw.epsilon ?? BN_DEFAULT_EPSILON;
      const momentum = raw.momentum ?? BN_DEFAULT_MOMENTUM;
      if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) invalid(`${where}: epsilon must be a positive number`);
      if (typeof momentum !== 'number' || !(momentum >= 0 && momentum < 1)) invalid(`${where}: momentum must be in [0, 1)`);
      return { type: t, ...base, epsilon, momentum };
    }
    case 'dropout': {
      const rate = raw.rate;
      if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) invalid(`${where}: rate must be a number in [0, 1), got ${JSON.stringify(rate)}`);
      return { type: t, ...base, rate };
    }
    case 'activation':
      if (raw.activation === undefined) invalid(`${where}: activation is required`);
      return { type: t, ...base, activation: activation(where, raw.activation, undefined) };
    case 'add':
      if (!inputs) invalid(`${where}: add needs 'inputs' naming at least 2 layers`);
      return { type: t, name, inputs };
  }
}

interface Shaped {
  outputShape: number[];
  params: number;
  macs: number;
}

function need3d(where: string, what: string, s: number[]): [number, number, number] {
  if (s.length !== 3) invalid(`${where}: ${what} needs a [height, width, channels] input, got ${shapeStr(s)}`);
  return s as [number, number, number];
}

function spatial(
  where: string,
  inS: [number, number, number],
  k: [number, number],
  st: [number, number],
  pad: Padding,
  kWord: string,
): [number, number] {
  const dims = ['height', 'width'];
  const out: number[] = [];
  for (let d = 0; d < 2; d++) {
    if (pad === 'valid' && k[d]! > inS[d]!) {
      invalid(`${where}: ${kWord} ${k[d]} is larger than the input ${dims[d]} ${inS[d]} with padding 'valid'`);
    }
    out.push(convOutputLength(inS[d]!, k[d]!, pad, st[d]!));
  }
  return [out[0]!, out[1]!];
}

function shapeLayer(l: LayerSpec, inShapes: number[][]): Shaped {
  const where = `layer ${l.name}`;
  const s0 = inShapes[0]!;
  switch (l.type) {
    case 'conv2d': {
      const s = need3d(where, 'conv2d', s0);
      const k = l.kernelSize as [number, number];
      const [oh, ow] = spatial(where, s, k, l.strides as [number, number], l.padding!, 'kernelSize');
      const kk = k[0] * k[1] * s[2];
      return {
        outputShape: [oh, ow, l.filters],
        params: kk * l.filters + (l.useBias ? l.filters : 0),
        macs: oh * ow * l.filters * kk,
      };
    }
    case 'depthwiseConv2d': {
      const s = need3d(where, 'depthwiseConv2d', s0);
      const k = l.kernelSize as [number, number];
      const m = l.depthMultiplier!;
      const [oh, ow] = spatial(where, s, k, l.strides as [number, number], l.padding!, 'kernelSize');
      const outC = s[2] * m;
      return {
        outputShape: [oh, ow, outC],
        params: k[0] * k[1] * outC + (l.useBias ? outC : 0),
        macs: oh * ow * outC * k[0] * k[1],
      };
    }
    case 'separableConv2d': {
      const s = need3d(where, 'separableConv2d', s0);
      const k = l.kernelSize as [number, number];
      const m = l.depthMultiplier!;
      const [oh, ow] = spatial(where, s, k, l.strides as [number, number], l.padding!, 'kernelSize');
      const mid = s[2] * m;
      return {
        outputShape: [oh, ow, l.filters],
        params: k[0] * k[1] * mid + mid * l.filters + (l.useBias ? l.filters : 0),
        macs: oh * ow * mid * k[0] * k[1] + oh * ow * mid * l.filters,
      };
    }
    case 'dense': {
      if (s0.length !== 1) invalid(`${where}: dense needs a flat input (add a flatten or globalAveragePooling2d layer before it), got ${shapeStr(s0)}`);
      const n = s0[0]!;
      return { outputShape: [l.units], params: n * l.units + (l.useBias ? l.units : 0), macs: n * l.units };
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const s = need3d(where, l.type, s0);
      const k = l.poolSize as [number, number];
      const [oh, ow] = spatial(where, s, k, l.strides as [number, number], l.padding!, 'poolSize');
      return { outputShape: [oh, ow, s[2]], params: 0, macs: 0 };
    }
    case 'globalAveragePooling2d': {
      const s = need3d(where, 'globalAveragePooling2d', s0);
      return { outputShape: [s[2]], params: 0, macs: 0 };
    }
    case 'flatten': {
      if (s0.length < 2) invalid(`${where}: flatten needs an input of rank 2 or more, got ${shapeStr(s0)}`);
      return { outputShape: [s0.reduce((a, b) => a * b, 1)], params: 0, macs: 0 };
    }
    case 'reshape': {
      const size = s0.reduce((a, b) => a * b, 1);
      const known = l.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const hasUnknown = l.targetShape.includes(-1);
      if (hasUnknown ? size % known !== 0 : size !== known) {
        invalid(`${where}: cannot reshape ${shapeStr(s0)} (${size} values) to ${shapeStr(l.targetShape)}`);
      }
      return { outputShape: l.targetShape.map((d) => (d === -1 ? size / known : d)), params: 0, macs: 0 };
    }
    case 'batchNormalization': {
      const c = s0[s0.length - 1]!;
      return { outputShape: [...s0], params: 4 * c, macs: 0 };
    }
    case 'dropout':
    case 'activation':
      return { outputShape: [...s0], params: 0, macs: 0 };
    case 'add': {
      if (inShapes.length < 2) invalid(`${where}: add needs at least 2 inputs, got ${inShapes.length}`);
      for (let i = 1; i < inShapes.length; i++) {
        if (shapeStr(inShapes[i]!) !== shapeStr(s0)) {
          invalid(`${where}: add needs inputs of equal shape, got ${inShapes.map(shapeStr).join(' and ')}`);
        }
      }
      return { outputShape: [...s0], params: 0, macs: 0 };
    }
  }
}

/** Validate a ModelSpec, fill defaults, name layers and report shapes, params and MACs. */
export function analyzeSpec(spec: unknown): SpecAnalysis {
  if (!isRecord(spec)) invalid('a ModelSpec must be a JSON object');
  if (spec.version !== 1) {
    throw new EarshotError('spec/unsupported-version', `ModelSpec version ${JSON.stringify(spec.version)} is not supported (this build reads version 1)`);
  }
  if (spec.name !== undefined && typeof spec.name !== 'string') invalid('spec name must be a string');
  const input = spec.input;
  if (!isRecord(input) || !Array.isArray(input.shape) || input.shape.length !== 3) {
    invalid('input.shape must be [height, width, channels]');
  }
  const inShape = (input.shape as unknown[]).map((d, i) => posInt('input', `shape[${i}]`, d));
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) invalid('a ModelSpec needs at least one layer');

  const layers: LayerSpec[] = spec.layers.map((raw, i) => normalizeLayer(raw, i));
  const shapes = new Map<string, number[]>([[INPUT_NAME, inShape]]);
  const used = new Set<string>();
  const infos: LayerInfo[] = [];
  let prev = INPUT_NAME;
  for (const l of layers) {
    const name = l.name!;
    const where = `layer ${name}`;
    if (shapes.has(name)) invalid(`${where}: the name is used by an earlier layer (names must be unique)`);
    const inputs = l.inputs ?? [prev];
    if (l.type !== 'add' && inputs.length !== 1) invalid(`${where}: only add takes more than one input, got ${inputs.length}`);
    if (l.type === 'add' && inputs.length < 2) invalid(`${where}: add needs at least 2 inputs, got ${inputs.length}`);
    if (new Set(inputs).size !== inputs.length) invalid(`${where}: inputs name the same layer twice`);
    const inShapes = inputs.map((n) => {
      const s = shapes.get(n);
      if (!s) invalid(`${where}: input '${n}' is not the model input nor an earlier layer`);
      used.add(n);
      return s;
    });
    l.inputs = inputs;
    const r = shapeLayer(l, inShapes);
    if (r.outputShape.some((d) => !(d >= 1))) invalid(`${where}: output shape ${shapeStr(r.outputShape)} is empty`);
    shapes.set(name, r.outputShape);
    infos.push({ name, type: l.type, inputs, inputShapes: inShapes.map((s) => [...s]), ...r });
    prev = name;
  }
  const last = layers[layers.length - 1]!;
  if (last.type !== 'dense') invalid(`layer ${last.name}: the last layer must be a dense layer (the classifier), got ${last.type}`);
  for (const l of layers.slice(0, -1)) {
    if (!used.has(l.name!)) invalid(`layer ${l.name}: its output is not used by any later layer`);
  }
  const norm: ModelSpec = { version: 1, ...(typeof spec.name === 'string' ? { name: spec.name } : {}), input: { shape: inShape as [number, number, number] }, layers };
  return {
    spec: norm,
    layers: infos,
    outputShape: [...infos[infos.length - 1]!.outputShape],
    totalParams: infos.reduce((a, l) => a + l.params, 0),
    totalMacs: infos.reduce((a, l) => a + l.macs, 0),
  };
}

/** Validate and fill defaults; see analyzeSpec. Idempotent. */
export function normalizeSpec(spec: unknown): ModelSpec {
  return analyzeSpec(spec).spec;
}
