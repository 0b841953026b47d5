/**
 * Clip: one labelled sound, mono Float32 samples at `sampleRateHz` (16 kHz in the page),
 * already fitted to the model window when it came from the microphone or a WAV drop.
 */
import { EarshotError } from '../errors.ts';

export type ClipSource = 'mic' | 'file';

export interface Clip {
  id: string;
  label: string;
  samples: Float32Array;
  sampleRateHz: number;
  createdAtMs: number;
  source: ClipSource;
  /** File name for imported clips. */
  name?: string;
  speaker?: string;
  session?: string;
  /**
   * Training only (e.g. a synthetic voice from `earshot voices`): added to the training side of
   * every split, never held out, scored or counted as a speaker. Absent on every other clip.
   */
  trainOnly?: true;
}

const LABEL_RE = /^[\p{L}\p{N}_\- ]{1,32}$/u;

/** Trim and check a class label: 1..32 letters, digits, space, '_' or '-'. Throws 'dataset/bad-label'. */
export function validateLabel(raw: string): string {
  const label = raw.trim();
  if (!LABEL_RE.test(label)) {
    throw new EarshotError(
      'dataset/bad-label',
      `"${raw}" is not a valid class name: use 1 to 32 letters, digits, spaces, "_" or "-"`,
    );
  }
  return label;
}

/** Default, then validate: the one way to make a Clip. */
export function makeClip(input: {
  id: string;
  label: string;
  samples: Float32Array;
  sampleRateHz: number;
  source: ClipSource;
  createdAtMs?: number;
  name?: string;
  speaker?: string;
  session?: string;
  trainOnly?: boolean;
}): Clip {
  const label = validateLabel(input.label);
  if (!(input.samples instanceof Float32Array) || input.samples.length === 0) {
    throw new EarshotError('audio/empty', 'a clip needs at least one sample');
  }
  if (!Number.isInteger(input.sampleRateHz) || input.sampleRateHz <= 0) {
    throw new EarshotError('audio/bad-rate', `bad sample rate ${input.sampleRateHz}`);
  }
  const clip: Clip = {
    id: input.id,
    label,
    samples: input.samples,
    sampleRateHz: input.sampleRateHz,
    createdAtMs: input.createdAtMs ?? Date.now(),
    source: input.source,
  };
  if (input.name !== undefined) clip.name = input.name;
  if (input.speaker !== undefined) clip.speaker = input.speaker;
  if (input.session !== undefined) clip.session = input.session;
  if (input.trainOnly === true) clip.trainOnly = true;
  return clip;
}
