/**
 * Dataset archive: a zip of `<label>/<name>.wav` (16-bit mono PCM at the project rate) plus a
 * versioned `manifest.json` (labels, speakers, sessions, project name and FeatureConfig, one
 * entry per clip, `trainOnly: true` on training-only clips). Clips are stored on the 16-bit grid (see audio/pcm16.ts), so
 * writeArchive → readArchive gives back bit-identical samples. Output is deterministic
 * (fixed entry order and timestamps).
 *
 * readArchive refuses, with a typed 'archive/*' (or the WAV's 'wav/*') error, rather than
 * guessing: not a zip, no manifest, an unknown format or version, unsafe entry names (absolute,
 * '..', backslashes, drive letters, control characters), names that collide (also ignoring
 * case, as on macOS/Windows disks), files the manifest names but the zip lacks, WAVs the
 * manifest does not name, more than MAX_ARCHIVE_BYTES unpacked. It is all or nothing.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { EarshotError, type ErrorCode } from '../errors.ts';
import { decodeWav, encodeWav, toMono } from '../audio/wav.ts';
import { isPcm16, quantizePcm16 } from '../audio/pcm16.ts';
import { prepareSamples } from '../audio/prepare.ts';
import { featureShape, validateFeatureConfig, type FeatureConfig } from '../dsp/feature-config.ts';
import { makeClip, validateLabel, type Clip, type ClipSource } from './clip.ts';

export const ARCHIVE_FORMAT = 'earshot-dataset';
export const ARCHIVE_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';
/** Unpacked size limit (as the zip declares it): 1 GiB. */
export const MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024;
export const MAX_TAG_LENGTH = 64;

export interface ManifestClip {
  /** Path inside the archive: `<label>/<name>.wav`. */
  file: string;
  label: string;
  source: ClipSource;
  createdAtMs: number;
  name?: string;
  speaker?: string;
  session?: string;
  /** A training-only clip (Clip.trainOnly); absent on the others, so older archives read the same. */
  trainOnly?: true;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  project: { name: string; config: FeatureConfig };
  labels: string[];
  speakers: string[];
  sessions: string[];
  clips: ManifestClip[];
}

export interface ArchiveProject {
  name: string;
  config: FeatureConfig;
  classes: string[];
}

export interface ArchiveContents {
  manifest: Manifest;
  /** Clips at manifest.project.config's rate, in manifest order, with fresh ids. */
  clips: Clip[];
}

const ZIP_TIME = new Date(Date.UTC(2020, 0, 1));

function fail(code: ErrorCode, message: string): never {
  throw new EarshotError(code, message);
}

/** A file name part that is safe on every disk: letters, digits, space, '_', '-', '.'. */
export function safeFileStem(raw: string): string {
  const stem = raw.replace(/\.wav$/i, '').replace(/[^\p{L}\p{N}_\- .]+/gu, '_').replace(/^[ .]+|[ .]+$/g, '').slice(0, 64);
  return stem.length > 0 ? stem : 'clip';
}

function checkTag(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TAG_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    fail('archive/bad-manifest', `${what} must be 1 to ${MAX_TAG_LENGTH} printable characters`);
  }
  return value;
}

/** Tag check for speaker/session values typed by a user; throws 'dataset/bad-label'. */
export function validateTag(raw: string, what: 'speaker' | 'session'): string | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  try {
    return checkTag(v, what);
  } catch {
    throw new EarshotError('dataset/bad-label', `${what} must be 1 to ${MAX_TAG_LENGTH} printable characters`);
  }
}

/** Write the archive of a project's clips (every clip must be at config's rate). */
export function writeArchive(project: ArchiveProject, clips: readonly Clip[]): Uint8Array {
  const config = validateFeatureConfig(project.config);
  const labels = [...project.classes];
  for (const c of clips) if (!labels.includes(c.label)) labels.push(c.label);
  const files: Zippable = {};
  const taken = new Set<string>();
  const entries: ManifestClip[] = [];
  for (const c of clips) {
    if (c.sampleRateHz !== config.sampleRateHz) fail('audio/bad-rate', `clip ${c.id} is at ${c.sampleRateHz} Hz, the project at ${config.sampleRateHz} Hz`);
    const stem = safeFileStem(c.name ?? `${c.label}-${c.id.slice(0, 8)}`);
    let file = `${c.label}/${stem}.wav`;
    for (let i = 2; taken.has(file.toLowerCase()); i++) file = `${c.label}/${stem}-${i}.wav`;
    taken.add(file.toLowerCase());
    files[file] = [encodeWav(c.samples, c.sampleRateHz), { level: 0, mtime: ZIP_TIME }];
    const e: ManifestClip = { file, label: c.label, source: c.source, createdAtMs: c.createdAtMs };
    if (c.name !== undefined) e.name = c.name;
    if (c.speaker !== undefined) e.speaker = c.speaker;
    if (c.session !== undefined) e.session = c.session;
    if (c.trainOnly === true) e.trainOnly = true;
    entries.push(e);
  }
  const uniq = (xs: Array<string | undefined>) => [...new Set(xs.filter((x): x is string => x !== undefined))].sort();
  const manifest: Manifest = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    project: { name: project.name, config },
    labels,
    // a training-only clip (a synthetic voice) is not a speaker
    speakers: uniq(clips.filter((c) => c.trainOnly !== true).map((c) => c.speaker)),
    sessions: uniq(clips.map((c) => c.session)),
    clips: entries,
  };
  files[MANIFEST_NAME] = [new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n'), { level: 6, mtime: ZIP_TIME }];
  return zipSync(files, { mtime: ZIP_TIME });
}

/** Refuse entry names that could escape a folder or mean different files on different disks. */
export function checkEntryName(name: string): void {
  const parts = name.split('/');
  const unsafe =
    name.length === 0 ||
    name.length > 512 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[a-zA-Z]:/.test(name) ||
    /[\u0000-\u001f\u007f]/.test(name) ||
    parts.some((p) => p === '..' || p === '.' || p === '');
  if (unsafe) fail('archive/unsafe-path', `unsafe name in the archive: ${JSON.stringify(name)}`);
}

function ignored(name: string): boolean {
  return name.endsWith('/') || name.startsWith('__MACOSX/') || name.split('/').some((p) => p.startsWith('.'));
}

/** Unzip with the checks that must happen before any byte is inflated. */
export function unzipChecked(bytes: Uint8Array, maxBytes = MAX_ARCHIVE_BYTES): Map<string, Uint8Array> {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
  if (!isZip) fail('archive/not-zip', 'not a zip archive');
  const seen = new Map<string, string>();
  let total = 0;
  let problem: EarshotError | null = null;
  let raw: Record<string, Uint8Array>;
  try {
    raw = unzipSync(bytes, {
      filter(f) {
        if (problem) return false;
        try {
          checkEntryName(f.name.endsWith('/') ? f.name.slice(0, -1) : f.name);
          if (ignored(f.name)) return false;
          const key = f.name.normalize('NFC').toLowerCase();
          const before = seen.get(key);
          if (before !== undefined) fail('archive/duplicate-name', before === f.name ? `the archive holds "${f.name}" twice` : `"${before}" and "${f.name}" differ only in case`);
          seen.set(key, f.name);
          total += f.originalSize;
          if (total > maxBytes) fail('archive/too-large', `the archive unpacks to more than ${maxBytes} bytes`);
        } catch (e) {
          problem = e as EarshotError;
          return false;
        }
        return true;
      },
    });
  } catch (e) {
    throw new EarshotError('archive/not-zip', `the zip archive is damaged: ${(e as Error).message}`, { cause: e });
  }
  if (problem) throw problem;
  return new Map(Object.entries(raw));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check a parsed manifest.json; throws 'archive/unsupported-version' or 'archive/bad-manifest'. */
export function parseManifest(json: unknown): Manifest {
  if (!isRecord(json) || json.format !== ARCHIVE_FORMAT) fail('archive/bad-manifest', `manifest.json is not an ${ARCHIVE_FORMAT} manifest`);
  if (json.version !== ARCHIVE_VERSION) {
    fail('archive/unsupported-version', `dataset archive version ${json.version === undefined ? '(none given)' : JSON.stringify(json.version)} is not supported (this Earshot reads version ${ARCHIVE_VERSION}${typeof json.version === 'number' && json.version > ARCHIVE_VERSION ? '; it was made by a newer Earshot' : ''})`);
  }
  const project = json.project;
  if (!isRecord(project) || typeof project.name !== 'string' || !isRecord(project.config)) fail('archive/bad-manifest', 'manifest.json needs project.name and project.config');
  let config: FeatureConfig;
  try {
    config = validateFeatureConfig(project.config as Partial<FeatureConfig>);
  } catch (e) {
    fail('archive/bad-manifest', `project.config: ${(e as Error).message}`);
  }
  if (!Array.isArray(json.labels) || !Array.isArray(json.clips)) fail('archive/bad-manifest', 'manifest.json needs labels and clips arrays');
  const labels = json.labels.map((l) => {
    if (typeof l !== 'string') fail('archive/bad-manifest', 'labels must be strings');
    if (validateLabel(l) !== l) fail('dataset/bad-label', `label ${JSON.stringify(l)} has spaces around it`);
    return l;
  });
  if (new Set(labels).size !== labels.length) fail('archive/duplicate-name', 'a label is listed twice in manifest.json');
  const files = new Set<string>();
  const clips = json.clips.map((raw, i): ManifestClip => {
    if (!isRecord(raw) || typeof raw.file !== 'string' || typeof raw.label !== 'string') fail('archive/bad-manifest', `clips[${i}] needs file and label`);
    checkEntryName(raw.file);
    if (!labels.includes(raw.label)) fail('archive/bad-manifest', `clips[${i}] has label "${raw.label}", which is not in labels`);
    const parts = raw.file.split('/');
    if (parts.length !== 2 || parts[0] !== raw.label || !/\.wav$/i.test(parts[1])) fail('archive/bad-manifest', `clips[${i}]: file must be "${raw.label}/<name>.wav", not "${raw.file}"`);
    const key = raw.file.normalize('NFC').toLowerCase();
    if (files.has(key)) fail('archive/duplicate-name', `"${raw.file}" is listed twice in manifest.json`);
    files.add(key);
    const source = raw.source ?? 'file';
    if (source !== 'mic' && source !== 'file') fail('archive/bad-manifest', `clips[${i}].source must be "mic" or "file"`);
    const createdAtMs = raw.createdAtMs ?? 0;
    if (typeof createdAtMs !== 'number' || !Number.isFinite(createdAtMs)) fail('archive/bad-manifest', `clips[${i}].createdAtMs must be a number`);
    const clip: ManifestClip = { file: raw.file, label: raw.label, source, createdAtMs };
    const name = checkTag(raw.name, `clips[${i}].name`);
    const speaker = checkTag(raw.speaker, `clips[${i}].speaker`);
    const session = checkTag(raw.session, `clips[${i}].session`);
    if (name !== undefined) clip.name = name;
    if (speaker !== undefined) clip.speaker = speaker;
    if (session !== undefined) clip.session = session;
    if (raw.trainOnly !== undefined && typeof raw.trainOnly !== 'boolean') fail('archive/bad-manifest', `clips[${i}].trainOnly must be true or false`);
    if (raw.trainOnly === true) clip.trainOnly = true;
    return clip;
  });
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, project: { name: project.name, config }, labels, speakers: strings(json.speakers), sessions: strings(json.sessions), clips };
}

/** Samples of one archived WAV at `config`'s rate and window length, on the 16-bit grid. */
function clipSamples(bytes: Uint8Array, file: string, config: FeatureConfig): Float32Array {
  try {
    const audio = decodeWav(bytes);
    const mono = toMono(audio.channels);
    const exact = audio.sampleRateHz === config.sampleRateHz && mono.length === featureShape(config).inputSamples && isPcm16(mono);
    return exact ? mono : quantizePcm16(prepareSamples(mono, audio.sampleRateHz, config));
  } catch (e) {
    if (e instanceof EarshotError) throw new EarshotError(e.code, `${file}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Read and check a whole archive; `newId` names the clips. All or nothing. */
export function readArchive(bytes: Uint8Array, newId: () => string): ArchiveContents {
  const entries = unzipChecked(bytes);
  const manifestBytes = entries.get(MANIFEST_NAME);
  if (!manifestBytes) fail('archive/no-manifest', `the archive has no ${MANIFEST_NAME} (is it an Earshot dataset?)`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch (e) {
    fail('archive/bad-manifest', `${MANIFEST_NAME} is not valid JSON: ${(e as Error).message}`);
  }
  const manifest = parseManifest(json);
  const listed = new Set(manifest.clips.map((c) => c.file));
  for (const name of entries.keys()) {
    if (/\.wav$/i.test(name) && !listed.has(name)) fail('archive/bad-manifest', `"${name}" is in the archive but not in ${MANIFEST_NAME}`);
  }
  const config = manifest.project.config;
  const clips = manifest.clips.map((m) => {
    const wav = entries.get(m.file);
    if (!wav) fail('archive/missing-file', `${MANIFEST_NAME} lists "${m.file}", which is not in the archive`);
    return makeClip({ ...m, id: newId(), samples: clipSamples(wav, m.file, config), sampleRateHz: config.sampleRateHz });
  });
  return { manifest, clips };
}
