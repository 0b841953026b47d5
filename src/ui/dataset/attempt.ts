import { describeError } from '../../core/errors.ts';

/** Run a user action; its error (typed code included) goes to `setError`, cleared first. */
export async function attempt(fn: () => Promise<unknown>, setError: (message: string | null) => void): Promise<boolean> {
  setError(null);
  try {
    await fn();
    return true;
  } catch (e) {
    setError(describeError(e));
    return false;
  }
}
