/** Test helper: the EarshotError code a function throws (`not an EarshotError: …` for any other throw, undefined if none). */
import { EarshotError } from '../../src/core/errors.ts';

export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof EarshotError ? e.code : `not an EarshotError: ${String(e)}`;
  }
  return undefined;
}
