/**
 * Results that survive the worker edge: comlink carries only an Error's message, so worker
 * functions return {ok:true, value} or the PlainError of an EarshotError, and the main side
 * rebuilds the typed error with `unwrap`.
 */
import { EarshotError, fromPlain, type PlainError } from '../core/errors.ts';

export type Result<T> = { ok: true; value: T } | PlainError;

export function toPlainError(e: unknown, fallback: PlainError['code']): PlainError {
  if (e instanceof EarshotError) return e.toPlain();
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, code: fallback, message };
}

export async function attempt<T>(fallback: PlainError['code'], fn: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return toPlainError(e, fallback);
  }
}

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw fromPlain(r);
}
