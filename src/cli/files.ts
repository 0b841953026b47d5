/**
 * The CLI's file system edge: data folders (<label>/<name>.wav), model folders (the files of
 * serializeModel), JSON inputs. Everything else is core.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EarshotError, describeError } from '../core/errors.ts';
import type { FeatureConfig } from '../core/dsp/feature-config.ts';
import { decodeForModel } from '../core/audio/prepare.ts';
import { deserializeModel, serializeModel, type ModelArtifact, type ModelFiles } from '../core/model/artifact.ts';
import type { LabeledClip } from '../core/pipeline/labeled-clips.ts';
import { isArchivePath, readDataArchive } from './archive.ts';

export function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new EarshotError('io/not-found', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readJson(path: string): unknown {
  const text = new TextDecoder().decode(readBytes(path));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EarshotError('io/failed', `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The .wav files of a data folder, as [label, path] pairs in a stable order. */
export function listDataDir(dir: string): Array<{ label: string; path: string }> {
  if (!isDir(dir)) throw new EarshotError('dataset/not-found', `data folder ${dir} does not exist`);
  const out: Array<{ label: string; path: string }> = [];
  for (const label of readdirSync(dir).sort()) {
    const sub = join(dir, label);
    if (!isDir(sub) || label.startsWith('.')) continue;
    for (const f of readdirSync(sub).sort()) {
      if (f.toLowerCase().endsWith('.wav')) out.push({ label, path: join(sub, f) });
    }
  }
  if (out.length === 0) throw new EarshotError('dataset/not-found', `no <label>/<file>.wav files under ${dir}`);
  return out;
}

/** Decode every clip of a data folder (or dataset .zip) for `config`; a bad file is reported through `warn` and skipped. */
export function readDataDir(dir: string, config: FeatureConfig, warn: (line: string) => void): LabeledClip[] {
  if (isArchivePath(dir)) return readDataArchive(dir, config); // a dataset zip (manifest + <label>/<name>.wav)
  const clips: LabeledClip[] = [];
  for (const { label, path } of listDataDir(dir)) {
    try {
      clips.push({ label, samples: decodeForModel(readBytes(path), config), source: path });
    } catch (e) {
      warn(`skipped ${path}: ${describeError(e)}`);
    }
  }
  if (clips.length === 0) throw new EarshotError('dataset/not-found', `no readable WAV file under ${dir}`);
  return clips;
}

export function readModelDir(dir: string): ModelArtifact {
  if (!isDir(dir)) throw new EarshotError('io/not-found', `model folder ${dir} does not exist`);
  const files: ModelFiles = {};
  for (const f of readdirSync(dir)) files[f] = readBytes(join(dir, f));
  return deserializeModel(files);
}

export function writeModelDir(dir: string, artifact: ModelArtifact): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(serializeModel(artifact))) writeFileSync(join(dir, name), bytes);
}

export function writeText(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new EarshotError('io/failed', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function absolute(path: string): string {
  return resolve(path);
}
