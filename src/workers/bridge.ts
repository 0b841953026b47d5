/**
 * WorkerBridge: starts a comlink worker lazily, and turns a worker that fails to load or
 * crashes (its `error` event; comlink itself would wait forever) into a rejected call.
 */
import { wrap, releaseProxy, type Remote } from 'comlink';
import { EarshotError, type ErrorCode } from '../core/errors.ts';

export class WorkerBridge<T> {
  #worker: Worker | null = null;
  #remote: Remote<T> | null = null;
  #failure: Promise<never> | null = null;
  readonly #create: () => Worker;
  readonly #code: ErrorCode;
  readonly #what: string;

  constructor(create: () => Worker, what: string, code: ErrorCode) {
    this.#create = create;
    this.#what = what;
    this.#code = code;
  }

  get started(): boolean {
    return this.#worker !== null;
  }

  #start(): { remote: Remote<T>; failure: Promise<never> } {
    if (!this.#worker || !this.#remote || !this.#failure) {
      const worker = this.#create();
      this.#worker = worker;
      this.#remote = wrap<T>(worker);
      this.#failure = new Promise<never>((_, reject) => {
        const fail = (ev: Event) => {
          // An ErrorEvent carries a message; a plain 'error' or 'messageerror' Event does not.
          const m = (ev as { message?: unknown }).message;
          const msg = typeof m === 'string' && m ? m : 'it failed to load';
          reject(new EarshotError(this.#code, `the ${this.#what} worker stopped: ${msg}`));
          if (this.#worker === worker) this.terminate();
        };
        worker.addEventListener('error', fail);
        worker.addEventListener('messageerror', fail);
      });
      // A failure with no call waiting must not become an unhandled rejection.
      this.#failure.catch(() => undefined);
    }
    return { remote: this.#remote, failure: this.#failure };
  }

  /** Run one call against the worker; rejects if the worker dies first. */
  call<R>(fn: (api: Remote<T>) => Promise<R>): Promise<R> {
    const { remote, failure } = this.#start();
    return Promise.race([fn(remote), failure]);
  }

  terminate(): void {
    this.#remote?.[releaseProxy]();
    this.#worker?.terminate();
    this.#worker = null;
    this.#remote = null;
    this.#failure = null;
  }
}
