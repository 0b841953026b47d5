/**
 * ExportState: the format (C header, .tflite, TFLM model.h, Arduino sketch), the symbol prefix,
 * the provenance shown before the download, and the download itself. The C header (with test
 * vectors from the user's clips) is generated in the train worker; the other formats are pure
 * and small and are written here (the Arduino zip wraps the worker's header).
 */
import { zipSync } from 'fflate';
import { EarshotError, describeError } from '../core/errors.ts';
import type { Clip } from '../core/dataset/clip.ts';
import type { ModelArtifact } from '../core/model/artifact.ts';
import { packArduinoSketch } from '../core/export/arduino.ts';
import { modelHash } from '../core/export/c-header.ts';
import { generateTflite } from '../core/export/tflite.ts';
import { generateTflmModelH, generateTflmSettingsH } from '../core/export/tflm.ts';
import type { TrainClient } from '../workers/train-bridge.ts';
import { partitionClips, toLabeled } from './model.svelte.ts';

/** Same rule the C generator enforces: a lower-case C identifier. Checked here for instant feedback. */
export const PREFIX_RE = /^[a-z_][a-z0-9_]{0,30}$/;

export type SaveFile = (name: string, text: string) => void;
export type SaveBytes = (name: string, bytes: Uint8Array, mime: string) => void;

export type ExportFormat = 'c' | 'tflite' | 'tflm' | 'arduino';

export const EXPORT_FORMATS: readonly { id: ExportFormat; label: string; hint: string }[] = [
  { id: 'c', label: 'C header', hint: 'One C99 header: the same log-mel features, the int8 network, post-processing and a self-test. No malloc, no framework.' },
  { id: 'tflite', label: '.tflite', hint: 'The int8 model as a TensorFlow Lite flatbuffer (scores are logits: no softmax op).' },
  { id: 'tflm', label: 'TFLM model.h', hint: 'For TensorFlow Lite Micro: model.h (the .tflite bytes, 16-byte aligned, and its length) and model_settings.h (feature constants, labels), zipped.' },
  { id: 'arduino', label: 'Arduino sketch', hint: 'A sketch for the Arduino Nano 33 BLE Sense: PDM microphone at 16 kHz, the header, detections printed to Serial.' },
];

export const GENERATOR = 'earshot page';

export interface Provenance {
  generator: string;
  modelHash: string;
  features: string;
  labels: string[];
}

export function provenanceOf(artifact: ModelArtifact | null): Provenance | null {
  if (!artifact?.quantized) return null;
  const f = artifact.featureConfig;
  return {
    generator: GENERATOR,
    modelHash: modelHash(artifact),
    features: `${f.sampleRateHz / 1000} kHz, ${f.clipMs} ms clips, ${f.windowMs}/${f.hopMs} ms window/hop, FFT ${f.fftSize}, ${f.melBands} mel bands`,
    labels: artifact.labels,
  };
}

export function fileNameFor(format: ExportFormat, prefix: string): string {
  switch (format) {
    case 'c':
      return `${prefix}.h`;
    case 'tflite':
      return `${prefix}.tflite`;
    case 'tflm':
      return `${prefix}_tflm.zip`;
    case 'arduino':
      return `earshot_${prefix}.zip`;
  }
}

export class ExportState {
  prefix = $state('model');
  format = $state<ExportFormat>('c');
  busy = $state(false);
  error = $state<string | null>(null);
  lastBytes = $state<number | null>(null);
  lastFile = $state<string | null>(null);
  prefixError = $derived(PREFIX_RE.test(this.prefix) ? null : 'use a lower-case C name: a–z, 0–9, _ (not starting with a digit)');
  fileName = $derived(fileNameFor(this.format, this.prefix));
  readonly #client: () => TrainClient;
  readonly #save: SaveFile;
  readonly #saveBytes: SaveBytes | undefined;

  constructor(client: () => TrainClient, save: SaveFile, saveBytes?: SaveBytes) {
    this.#client = client;
    this.#save = save;
    this.#saveBytes = saveBytes;
  }

  /** The C header download (kept for callers of the first API). */
  downloadHeader(artifact: ModelArtifact | null, clips: readonly Clip[]): Promise<void> {
    return this.#run(artifact, 'c', clips);
  }

  /** Download the chosen format. */
  download(artifact: ModelArtifact | null, clips: readonly Clip[]): Promise<void> {
    return this.#run(artifact, this.format, clips);
  }

  async #run(artifact: ModelArtifact | null, format: ExportFormat, clips: readonly Clip[]): Promise<void> {
    this.error = null;
    this.busy = true;
    try {
      if (!artifact?.quantized) throw new EarshotError('model/not-quantized', 'train and quantize a model first');
      const prefix = this.prefix;
      const name = fileNameFor(format, prefix);
      // the firmware's self-test vectors: real recordings, not training-only (synthetic) clips
      const header = () => this.#client().exportHeader(artifact, prefix, toLabeled(partitionClips(clips).regular.filter((c) => artifact.labels.includes(c.label))));
      if (format === 'c') {
        const text = await header();
        this.#save(name, text);
        this.lastBytes = text.length;
      } else {
        const saveBytes = this.#saveBytes;
        if (!saveBytes) throw new EarshotError('export/bad-format', 'this page cannot save binary files');
        let bytes: Uint8Array;
        if (format === 'tflite') {
          bytes = generateTflite(artifact, { description: GENERATOR });
        } else if (format === 'tflm') {
          const enc = new TextEncoder();
          const mtime = new Date(Date.UTC(2020, 0, 1));
          bytes = zipSync({
            'model.h': [enc.encode(generateTflmModelH(artifact, { prefix, generator: GENERATOR })), { mtime }],
            'model_settings.h': [enc.encode(generateTflmSettingsH(artifact, { prefix, generator: GENERATOR })), { mtime }],
          }, { mtime });
        } else {
          bytes = packArduinoSketch(artifact, await header(), { prefix });
        }
        saveBytes(name, bytes, format === 'tflite' ? 'application/octet-stream' : 'application/zip');
        this.lastBytes = bytes.length;
      }
      this.lastFile = name;
    } catch (e) {
      this.error = describeError(e);
    } finally {
      this.busy = false;
    }
  }
}
