/**
 * The words of an error for students, without its code: a view shows `message` and keeps `code`
 * in a data- attribute (tests read it). describeError (core/errors.ts) is the one with the code.
 */
import { EarshotError, type ErrorCode } from '../core/errors.ts';

export interface Problem {
  message: string;
  code: ErrorCode | undefined;
}

/** The message starting with a capital letter, and the typed code when there is one. */
export function plainError(e: unknown): Problem {
  const raw = e instanceof Error ? e.message : String(e);
  return { message: raw.charAt(0).toUpperCase() + raw.slice(1), code: e instanceof EarshotError ? e.code : undefined };
}
