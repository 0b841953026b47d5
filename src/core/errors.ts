/**
 * EarshotError: the one error type of core. Every failure a user can cause has a `code`
 * (tests assert on it) and a readable message. Errors cross the worker edge as plain
 * {code, message} objects and are rebuilt with `fromPlain`.
 */
export type ErrorCode =
  // audio
  | 'wav/not-riff'
  | 'wav/truncated'
  | 'wav/bad-chunk'
  | 'wav/no-fmt'
  | 'wav/no-data'
  | 'wav/unsupported-format'
  | 'wav/bad-rate'
  | 'wav/bad-channels'
  | 'wav/bad-sample'
  | 'wav/too-large'
  | 'audio/empty'
  | 'audio/bad-rate'
  | 'audio/bad-length'
  // features
  | 'features/bad-config'
  | 'features/cancelled'
  | 'features/bad-augment'
  // dataset
  | 'dataset/bad-label'
  | 'dataset/too-few-classes'
  | 'dataset/too-few-clips'
  | 'dataset/not-found'
  | 'dataset/bad-project'
  | 'dataset/bad-pattern'
  | 'dataset/bad-voices'
  | 'split/class-held-out'
  | 'archive/not-zip'
  | 'archive/no-manifest'
  | 'archive/bad-manifest'
  | 'archive/unsupported-version'
  | 'archive/unsafe-path'
  | 'archive/duplicate-name'
  | 'archive/missing-file'
  | 'archive/too-large'
  // model
  | 'spec/invalid'
  | 'spec/unsupported-version'
  | 'model/invalid'
  | 'model/not-trained'
  | 'model/not-quantized'
  | 'model/label-mismatch'
  | 'train/failed'
  | 'train/cancelled'
  | 'train/bad-options'
  // quantization
  | 'quant/unsupported-op'
  | 'quant/bad-calibration'
  | 'postprocess/invalid'
  // estimator
  | 'mcu/unknown-board'
  | 'mcu/unknown-runtime'
  | 'mcu/unknown-core'
  | 'mcu/bad-board'
  | 'mcu/bad-options'
  // model search
  | 'search/bad-options'
  | 'search/no-fit'
  | 'search/cancelled'
  // export
  | 'export/bad-prefix'
  | 'export/bad-format'
  // cli / io
  | 'cli/usage'
  | 'io/not-found'
  | 'io/failed'
  // storage
  | 'store/quota'
  | 'store/failed'
  | 'store/not-found'
  // platform
  | 'mic/unavailable'
  | 'mic/denied'
  | 'mic/ended'
  // workers
  | 'worker/failed';

export class EarshotError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EarshotError';
    this.code = code;
  }

  toPlain(): PlainError {
    return { ok: false, code: this.code, message: this.message };
  }
}

export interface PlainError {
  ok: false;
  code: ErrorCode;
  message: string;
}

export function isEarshotError(e: unknown): e is EarshotError {
  return e instanceof EarshotError;
}

/** Rebuild an EarshotError from its plain form (after a worker or JSON boundary). */
export function fromPlain(p: PlainError): EarshotError {
  return new EarshotError(p.code, p.message);
}

/** Short human message for any thrown value; never hides the code. */
export function describeError(e: unknown): string {
  if (e instanceof EarshotError) return `${e.message} [${e.code}]`;
  if (e instanceof Error) return e.message;
  return String(e);
}
